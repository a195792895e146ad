# %% [markdown]
# # 04 · Gradient descent
#
# Backpropagation tells us, for every weight, which way is uphill for the loss. **Gradient descent**
# takes a small step the other way (seed §2.6, §3.2):
#
# $$ W \leftarrow W - \eta\, \frac{\partial E}{\partial W} $$
#
# where $\eta$ is the **learning rate**. This notebook shows the update rule by hand, what happens when
# $\eta$ is too small or too large, what **momentum** and **Adam** change (compared fairly: each at its
# own tuned learning rate), and how training estimates the gradient from **mini-batches** of data.

# %%
import matplotlib.pyplot as plt
import numpy as np

from autograd import Tensor, Value
from nn.optimizers import SGD, Adam
from nn.plotting import plot_loss_surface

# %% [markdown]
# ## 1. The update rule by hand
#
# One weight, loss $E(w) = (w - 3)^2$, minimum at $w = 3$. Its gradient is $2(w - 3)$.

# %%
w = Value(0.0, label="w")
eta = 0.1
for step in range(5):
    E = (w - 3) ** 2
    w.grad = 0.0
    E.backward()
    new = w.data - eta * w.grad
    print(f"step {step}: w = {w.data:.4f}, E = {E.data:.4f}, dE/dw = {w.grad:+.4f} -> w - eta*grad = {new:.4f}")
    w.data = new

# %% [markdown]
# `nn.optimizers.SGD` is exactly this line, for every parameter at once (Values or Tensors):

# %%
w = Value(0.0)
opt = SGD([w], lr=0.1)
path_sgd_1d = []
for step in range(5):
    opt.zero_grad()
    E = (w - 3) ** 2
    E.backward()
    opt.step()
    path_sgd_1d.append(w.data)
print([round(v, 4) for v in path_sgd_1d])

# %% [markdown]
# ## 2. A two-parameter loss surface
#
# Real losses are long, narrow valleys: steep across, nearly flat along. A simple model of one:
#
# $$E(x, y) = 0.1\,x^2 + 2\,y^2,$$
#
# twenty times steeper in $y$ than in $x$. The same Python function works on numpy arrays (for the
# contour plot) and on `Value`s (for gradients).

# %%
def loss_fn(x, y):
    return 0.1 * x ** 2 + 2 * y ** 2

start = (-4.5, 1.5)

def run(make_optimizer, steps=50):
    """Minimise loss_fn from `start`; return the path of (x, y) points visited."""
    x, y = Value(start[0]), Value(start[1])
    opt = make_optimizer([x, y])
    path = [(x.data, y.data)]
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(x, y).backward()
        opt.step()
        path.append((x.data, y.data))
    return np.array(path)

# %% [markdown]
# ## 3. Learning rates: too small, about right, too large
#
# Along $y$ the curvature is $4$, so plain gradient descent is stable only when $\eta < 2/4 = 0.5$.
# Below that, a small $\eta$ crawls; close to it, $y$ overshoots and zig-zags; above it, every step
# overshoots further and the loss **diverges**.

# %%
paths = {
    "SGD lr=0.05 (too small)": run(lambda p: SGD(p, lr=0.05)),
    "SGD lr=0.45 (zig-zag)": run(lambda p: SGD(p, lr=0.45)),
    "SGD lr=0.52 (too large)": run(lambda p: SGD(p, lr=0.52), steps=12),
}
fig = plot_loss_surface(loss_fn, paths, xlim=(-5, 5), ylim=(-3, 3), title="plain gradient descent, three learning rates")
for name, path in paths.items():
    print(f"{name:26s} final loss {loss_fn(*path[-1]):.4g}")

# %% [markdown]
# ## 4. Momentum and Adam, compared fairly
#
# **Momentum** keeps a running velocity, $v \leftarrow \mu v - \eta\, \partial E/\partial W$,
# $W \leftarrow W + v$: the zig-zags across the valley cancel out while the steady push along it builds up.
#
# **Adam** keeps running averages of the gradient $m$ and of its square $v$, and steps by
# $\eta\, \hat m / (\sqrt{\hat v} + \epsilon)$: every parameter gets its own step size, so the flat
# direction is not starved and the steep one does not explode.
#
# Comparing optimizers at one shared learning rate says more about that learning rate than about the
# optimizers: each has its own best $\eta$. So we give each one the same budget (50 steps from the same
# start) and **tune its learning rate** over the same grid of 31 values from 0.01 to 1, then compare each
# at its best, and also count how many learning rates of the grid get close to the minimum (final loss
# below $0.05$, from $4.5$ at the start) and how many blow up (end above where they started).

# %%
grid = np.geomspace(0.01, 1.0, 31)
makers = {
    "SGD": lambda lr: (lambda p: SGD(p, lr=lr)),
    "SGD + momentum 0.9": lambda lr: (lambda p: SGD(p, lr=lr, momentum=0.9)),
    "Adam": lambda lr: (lambda p: Adam(p, lr=lr)),
}
sweep = {name: np.array([loss_fn(*run(make(lr))[-1]) for lr in grid]) for name, make in makers.items()}
best_lr = {name: grid[np.nanargmin(np.where(np.isfinite(f), f, np.nan))] for name, f in sweep.items()}

fig, ax = plt.subplots(figsize=(6, 3.4))
for name, finals in sweep.items():
    ax.loglog(grid, np.clip(finals, 1e-8, 1e3), marker=".", label=name)
ax.axhline(0.05, color="gray", lw=0.7, ls="--")
ax.set_xlabel("learning rate"); ax.set_ylabel("loss after 50 steps"); ax.set_ylim(1e-5, 1e3)
ax.legend(fontsize=8); ax.grid(alpha=0.3); ax.set_title("each optimizer over the same learning-rate grid")
start_loss = loss_fn(*start)
for name, finals in sweep.items():
    works, blows_up = int(np.sum(finals < 0.05)), int(np.sum(~(finals < start_loss)))
    print(f"{name:20s} best lr {best_lr[name]:.3f} -> loss {np.nanmin(finals):.1e};  of {len(grid)} "
          f"learning rates {works:2d} get below 0.05, {blows_up} blow up")

# %% [markdown]
# Each one at its own best learning rate:

# %%
paths2 = {f"{name}, lr={best_lr[name]:.2f}": run(makers[name](best_lr[name])) for name in makers}
fig = plot_loss_surface(loss_fn, paths2, xlim=(-5, 5), ylim=(-3, 3), title="each optimizer at its tuned learning rate")

# %%
fig, ax = plt.subplots(figsize=(5.5, 3.2))
for name, path in paths2.items():
    ax.semilogy([loss_fn(*p) for p in path], label=name)
ax.set_xlabel("step"); ax.set_ylabel("loss (log scale)"); ax.legend(fontsize=8); ax.grid(alpha=0.3)
final = {name: loss_fn(*path[-1]) for name, path in paths2.items()}
for name, value in final.items():
    print(f"{name:28s} loss after 50 steps: {value:.2e}")

# %% [markdown]
# What the fair comparison says:
#
# * On this small, smooth bowl, **tuned plain SGD is as good as anything**: once $\eta$ sits just below
#   the stability limit $0.5$, it reaches a lower loss in 50 steps than momentum or Adam at their best.
#   At the too-small $\eta = 0.05$ of section 3 it looked hopeless; that was the learning rate's fault.
#   Momentum and Adam, at a fixed $\eta$, keep circling the minimum instead of settling into it.
# * What momentum and Adam buy is **robustness**: two to four times as many learning rates of the grid
#   get close to the minimum, so less tuning. Plain SGD blows up for every $\eta$ above $0.5$; Adam, whose
#   step is about $\eta$ whatever the gradient's size, blows up for none. Its per-parameter step sizes
#   also make it nearly insensitive to the valley's 20:1 scaling. On real networks, with millions of parameters, very
#   different curvatures and no time to tune each, that robustness is why Adam is the usual first choice
#   (and the seed's `optimizer='adam'`), not because it always wins.
#
# ## 5. Stochastic and mini-batch gradient descent
#
# So far the loss was a formula. In training, the loss is an **average over the data**,
# $E = \frac1N\sum_{i=1}^N E_i$, and so is its gradient. Computing it exactly (**full-batch** gradient
# descent) costs a pass over all $N$ examples per update. **Stochastic gradient descent** estimates it
# from one random example, **mini-batch** descent from a random batch of $B$ (32 in the seed's code and
# notebook 06): the batch gradient is the full gradient plus noise whose size falls like $1/\sqrt{B}$.
# An **epoch** is one pass over the data in shuffled batches, so it makes $\lceil N/B\rceil$ updates
# instead of one. Here: fit $\hat y = w x + b$ to 512 noisy points of $y = 3x + 1$ with mean squared
# error, same learning rate, three batch sizes.

# %%
rng = np.random.default_rng(0)
N = 512
xs = rng.uniform(-2, 2, size=N)
ys = 3 * xs + 1 + rng.normal(scale=0.5, size=N)

def full_loss(w, b):
    return float(np.mean((w * xs + b - ys) ** 2))

def fit_line(batch_size, epochs=3, lr=0.05):
    """Mini-batch gradient descent on the MSE; returns the full-data loss after each epoch."""
    order = np.random.default_rng(1)
    w = Tensor(0.0, requires_grad=True, dtype=np.float64)
    b = Tensor(0.0, requires_grad=True, dtype=np.float64)
    opt = SGD([w, b], lr=lr)
    curve = [full_loss(0.0, 0.0)]
    for _ in range(epochs):
        perm = order.permutation(N)                      # shuffle, then walk the batches
        for i in range(0, N, batch_size):
            batch = perm[i:i + batch_size]
            loss = ((w * Tensor(xs[batch]) + b - Tensor(ys[batch])) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        curve.append(full_loss(w.item(), b.item()))
    return curve

curves_by_batch = {B: fit_line(B) for B in (N, 32, 1)}
for B, curve in curves_by_batch.items():
    kind = "full batch" if B == N else ("stochastic" if B == 1 else "mini-batch")
    print(f"batch {B:3d} ({kind:10s}): {int(np.ceil(N / B)):3d} updates per epoch, "
          f"loss after each epoch {[round(v, 3) for v in curve]}")

# %% [markdown]
# After one epoch the full-batch run has made one step; the other two have made 16 and 512 and are
# already near the best a line can do (about $0.22$, the spread of the noise in the data). Per unit of
# computation, small batches win by far. The price is noise: each step follows an estimate of the
# gradient, not the gradient. How noisy? The gradient $\partial E/\partial w$ at $w = b = 0$, estimated
# from 300 random batches of each size (a batch of 128 is a quarter of the data, drawn without
# replacement, so its spread is a little below the $1/\sqrt{B}$ rule):

# %%
def batch_gradient(batch):
    return float(np.mean(2 * (0.0 - ys[batch]) * xs[batch]))   # dE/dw of the batch at w = b = 0

noise = {}
for B in (1, 32, 128):
    estimates = [batch_gradient(rng.choice(N, B, replace=False)) for _ in range(300)]
    noise[B] = float(np.std(estimates))
print(f"full-data gradient {batch_gradient(np.arange(N)):+.3f}")
for B, sd in noise.items():
    print(f"batch {B:3d}: spread (std) of the estimate {sd:.3f}   1/sqrt(B) scaling predicts {noise[1] / np.sqrt(B):.3f}")

# %% [markdown]
# ## 6. One optimizer for Values and Tensors
#
# The same `Adam` updates a `Tensor` parameter; with both coordinates in one array the path is
# identical to the two-Value run above (at Adam's tuned learning rate).

# %%
adam_name = f"Adam, lr={best_lr['Adam']:.2f}"
p = Tensor(np.array(start), requires_grad=True, dtype=np.float64)
opt = Adam([p], lr=best_lr["Adam"])
for _ in range(50):
    opt.zero_grad()
    (Tensor(np.array([0.1, 2.0])) * p * p).sum().backward()
    opt.step()
print("Tensor Adam ends at", p.numpy(), "  Value Adam ends at", paths2[adam_name][-1])

# %% [markdown]
# ## Exercises
#
# Checkers live in `exercises.py` beside this notebook, reference answers in `solutions.py` (try first).
#
# **1.** Gradient descent on $E(w) = 2.5\,(w - 3)^2$: above which learning rate does it diverge?
# (Write $w_{k+1} - 3$ in terms of $w_k - 3$, as in section 3.)

# %%
import exercises as ex

divergence_lr = None   # your answer: a number
ex.check_divergence_lr(divergence_lr)

# %% [markdown]
# **2.** Write `updates_per_epoch(n, batch_size)`: how many parameter updates one epoch of mini-batch
# descent makes on `n` examples (notebook 06 trains on 1438 images in batches of 32).

# %%
def updates_per_epoch(n, batch_size):
    ...   # your code

ex.check_updates_per_epoch(updates_per_epoch)

# %% [markdown]
# **3.** Write `momentum_steps(w0, lr, momentum, steps)`: the list of $w$'s that SGD with momentum visits
# on $E(w) = w^2$ (gradient $2w$), without the engine. `nn.optimizers.SGD` uses PyTorch's form
# $b \leftarrow \mu b + g,\ w \leftarrow w - \eta b$; section 4's Keras form gives the same path.

# %%
def momentum_steps(w0, lr, momentum, steps):
    ...   # your code

ex.check_momentum_steps(momentum_steps)

# %% [markdown]
# ## Check the numbers

# %%
assert np.allclose(path_sgd_1d, [3 - 3 * 0.8 ** k for k in range(1, 6)])     # w_k = 3 - 3 (1 - 2 eta)^k
small, zigzag, large = (paths[k] for k in paths)
assert loss_fn(*large[-1]) > loss_fn(*large[0])            # too large: diverges
assert loss_fn(*small[-1]) > 0.1                           # too small: still far after 50 steps
assert np.sign(zigzag[1, 1]) != np.sign(zigzag[2, 1])      # y overshoots back and forth
assert 0.3 < best_lr["SGD"] < 0.5                          # tuned SGD sits just below the limit 2/4
assert np.nanmin(sweep["SGD"]) < 1e-3 < loss_fn(*small[-1])    # tuned, it is far better than at lr=0.05
assert np.nanmin(sweep["SGD"]) <= min(np.nanmin(sweep[k]) for k in makers)   # ... and not beaten here
robust = {name: int(np.sum(f < 0.05)) for name, f in sweep.items()}
assert robust["Adam"] > 2 * robust["SGD"] and robust["SGD + momentum 0.9"] > 3 * robust["SGD"], robust
assert np.all(sweep["Adam"] < start_loss) and np.sum(~(sweep["SGD"] < start_loss)) >= 4   # Adam never blows up
assert np.allclose(p.numpy(), paths2[adam_name][-1], atol=1e-6)
full, mini, single = (curves_by_batch[B] for B in (N, 32, 1))
assert mini[1] < 0.5 < full[1] and single[1] < 0.5        # one epoch: 16 or 512 updates beat 1
assert 0.6 < noise[1] / noise[32] / np.sqrt(32) < 1.4       # gradient noise falls like 1/sqrt(B)
print("every path behaves as the maths says")
