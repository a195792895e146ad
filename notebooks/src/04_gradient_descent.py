# %% [markdown]
# # 04 · Gradient descent
#
# Backpropagation tells us, for every weight, which way is uphill for the loss. **Gradient descent**
# takes a small step the other way (seed §2.6, §3.2):
#
# $$ W \leftarrow W - \eta\, \frac{\partial E}{\partial W} $$
#
# where $\eta$ is the **learning rate**. This notebook shows the update rule by hand, what happens when
# $\eta$ is too small or too large, and how **momentum** and **Adam** improve on it — by drawing each
# optimizer's path across a two-parameter loss surface.

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
# ## 4. Momentum and Adam
#
# **Momentum** keeps a running velocity, $v \leftarrow \mu v - \eta\, \partial E/\partial W$,
# $W \leftarrow W + v$: the zig-zags across the valley cancel out while the steady push along it builds up.
#
# **Adam** keeps running averages of the gradient $m$ and of its square $v$, and steps by
# $\eta\, \hat m / (\sqrt{\hat v} + \epsilon)$: every parameter gets its own step size, so the flat
# direction is not starved and the steep one does not explode.

# %%
paths2 = {
    "SGD lr=0.05": paths["SGD lr=0.05 (too small)"],
    "SGD + momentum 0.9, lr=0.05": run(lambda p: SGD(p, lr=0.05, momentum=0.9)),
    "Adam lr=0.3": run(lambda p: Adam(p, lr=0.3)),
}
fig = plot_loss_surface(loss_fn, paths2, xlim=(-5, 5), ylim=(-3, 3), title="momentum and Adam cross the flat valley")

# %%
fig, ax = plt.subplots(figsize=(5.5, 3.2))
for name, path in paths2.items():
    ax.semilogy([loss_fn(*p) for p in path], label=name)
ax.set_xlabel("step"); ax.set_ylabel("loss (log scale)"); ax.legend(fontsize=8); ax.grid(alpha=0.3)
final = {name: loss_fn(*path[-1]) for name, path in paths2.items()}
for name, value in final.items():
    print(f"{name:28s} loss after 50 steps: {value:.2e}")

# %% [markdown]
# ## 5. One optimizer for Values and Tensors
#
# The same `Adam` updates a `Tensor` parameter; with both coordinates in one array the path is
# identical to the two-Value run above.

# %%
p = Tensor(np.array(start), requires_grad=True, dtype=np.float64)
opt = Adam([p], lr=0.3)
for _ in range(50):
    opt.zero_grad()
    (Tensor(np.array([0.1, 2.0])) * p * p).sum().backward()
    opt.step()
print("Tensor Adam ends at", p.numpy(), "  Value Adam ends at", paths2["Adam lr=0.3"][-1])

# %% [markdown]
# ## Check the numbers

# %%
assert np.allclose(path_sgd_1d, [3 - 3 * 0.8 ** k for k in range(1, 6)])     # w_k = 3 - 3 (1 - 2 eta)^k
small, zigzag, large = (paths[k] for k in paths)
assert loss_fn(*large[-1]) > loss_fn(*large[0])            # too large: diverges
assert loss_fn(*small[-1]) > 0.1                           # too small: still far after 50 steps
assert np.sign(zigzag[1, 1]) != np.sign(zigzag[2, 1])      # y overshoots back and forth
assert final["SGD + momentum 0.9, lr=0.05"] < 0.1 * final["SGD lr=0.05"]
assert final["Adam lr=0.3"] < 0.1 * final["SGD lr=0.05"]
assert np.allclose(p.numpy(), paths2["Adam lr=0.3"][-1], atol=1e-6)
print("every path behaves as the maths says")
