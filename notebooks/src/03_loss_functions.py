# %% [markdown]
# # 03 · Loss functions
#
# A **loss function** turns "how wrong is the network?" into one number $E$, so that backpropagation
# has something to differentiate (seed §2.5, §3.3). The two classics:
#
# * **mean squared error**, for numbers: $\displaystyle MSE = \frac{1}{n}\sum_{i=1}^{n}(y_i - \hat y_i)^2$
# * **cross-entropy**, for classes: $\displaystyle H(p, q) = -\sum_{i=1}^{k} p_i \log q_i$, where $p$ is
#   the true distribution (one-hot: 1 for the right class) and $q$ the predicted one.
#
# We write both from their formulas with `Value`s, check them against `nn.losses`, look at their
# gradients, see why cross-entropy trains classifiers faster, and why a careful `log_softmax` matters.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

import nn
from autograd import Tensor, Value
from autograd.functional import softmax_cross_entropy
from nn.datasets import make_blobs

# %% [markdown]
# ## 1. Mean squared error from its formula
#
# Its derivative with respect to each prediction is $\partial MSE/\partial \hat y_i = -\frac{2}{n}(y_i - \hat y_i)$:
# the bigger the miss, the harder the push.

# %%
y_true = [1.0, 0.0, 2.0]
y_pred = [Value(0.8, label="p0"), Value(0.3, label="p1"), Value(1.5, label="p2")]
n = len(y_true)
mse = sum((t - p) ** 2 for t, p in zip(y_true, y_pred)) / n
mse.backward()
print(f"MSE from the formula: {mse.data:.6f}")
for t, p in zip(y_true, y_pred):
    print(f"  d MSE/d {p.label} = {p.grad:+.4f}   formula -2/n (y - p) = {-2 / n * (t - p.data):+.4f}")

library_mse = nn.losses.mean_squared_error(y_true, [Value(p.data) for p in y_pred])
print(f"nn.losses.mean_squared_error: {library_mse.data:.6f}")

# %% [markdown]
# ## 2. Cross-entropy from its formula
#
# A classifier outputs one score (a *logit*) $z_i$ per class. **Softmax** turns scores into a
# distribution, $q_i = e^{z_i} / \sum_j e^{z_j}$, and cross-entropy compares it with the truth. For a
# one-hot $p$ only the true class's term survives: $H = -\log q_{\text{true}}$.
#
# The gradient with respect to the logits is strikingly simple: $\partial H / \partial z_i = q_i - p_i$.
# Here is why. Take the log of softmax, $\log q_i = z_i - \log\sum_j e^{z_j}$, and put it into $H$:
#
# $$ H = -\sum_i p_i z_i + \Big(\sum_i p_i\Big) \log\sum_j e^{z_j} = -\sum_i p_i z_i + \log\sum_j e^{z_j},$$
#
# because the $p_i$ of a distribution sum to 1. Now differentiate with respect to one logit $z_k$: the
# first sum leaves $-p_k$, and $\frac{\partial}{\partial z_k}\log\sum_j e^{z_j} = \frac{e^{z_k}}{\sum_j e^{z_j}} = q_k$. So
#
# $$ \frac{\partial H}{\partial z_k} = q_k - p_k :$$
#
# "what the model said minus what was true". The softmax's own Jacobian never has to be built. The engine,
# which knows nothing of this derivation (it chains `exp`, a sum, a division and a `log`), agrees:

# %%
logits = [Value(2.0, label="z0"), Value(1.0, label="z1"), Value(0.1, label="z2")]
p_true = [0.0, 1.0, 0.0]                        # the answer is class 1
exps = [z.exp() for z in logits]
total = sum(exps)
q = [e / total for e in exps]
H = -sum(p * qi.log() for p, qi in zip(p_true, q))
H.backward()
print("q =", [round(qi.data, 4) for qi in q], f"  H(p, q) = {H.data:.4f} = -log q[1] = {-math.log(q[1].data):.4f}")
for z, qi, p in zip(logits, q, p_true):
    print(f"  dH/d{z.label} = {z.grad:+.4f}   q - p = {qi.data - p:+.4f}")

library_ce = nn.losses.categorical_crossentropy(p_true, [Value(qi.data) for qi in q])
print(f"nn.losses.categorical_crossentropy: {library_ce.data:.4f}")

# %% [markdown]
# ## 2b. Binary cross-entropy, written out (seed §4.3)
#
# The seed compiles its two-class model with `loss='binary_crossentropy'` and one sigmoid output
# $\hat y = \sigma(z)$, the predicted probability of class 1. That is $H(p, q)$ with two classes: the
# truth is $p = (y, 1 - y)$ and the prediction $q = (\hat y, 1 - \hat y)$, so
#
# $$ BCE = -\frac1n\sum_{i=1}^{n}\Big[\,y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\Big].$$
#
# Its gradient with respect to the logit follows the same pattern. Per example,
# $\frac{\partial E}{\partial \hat y} = -\frac{y}{\hat y} + \frac{1 - y}{1 - \hat y}$ and
# $\frac{\partial \hat y}{\partial z} = \hat y(1 - \hat y)$, whose product simplifies to
#
# $$ \frac{\partial E}{\partial z} = -y(1 - \hat y) + (1 - y)\,\hat y = \hat y - y ,$$
#
# again "prediction minus truth" (divided by $n$ for the mean). Checked on four examples:

# %%
y_bin = [1.0, 0.0, 1.0, 0.0]
z_bin = [Value(v) for v in (2.0, -1.0, -0.5, 0.3)]
y_hat = [z.sigmoid() for z in z_bin]
bce = -sum(t * p.log() + (1 - t) * (1 - p).log() for t, p in zip(y_bin, y_hat)) / len(y_bin)
bce.backward()
library_bce = nn.losses.binary_crossentropy(y_bin, [Value(p.data) for p in y_hat])
print(f"BCE from the formula {bce.data:.6f}   nn.losses.binary_crossentropy {library_bce.data:.6f}")
for z, p, t in zip(z_bin, y_hat, y_bin):
    print(f"  dBCE/dz = {z.grad:+.4f}   (y_hat - y) / n = {(p.data - t) / len(y_bin):+.4f}")

# %% [markdown]
# ## 3. The gradients, plotted
#
# Take one output unit with a sigmoid, $\hat y = \sigma(z)$, and a true label $y = 1$. Sweep the logit $z$
# from "confidently wrong" ($z \ll 0$) to "confidently right" ($z \gg 0$) and let the engine compute
# $\partial E/\partial z$ for both losses:
#
# * MSE: $E = (1 - \sigma(z))^2$, $\;\partial E/\partial z = -2(1-\sigma)\,\sigma(1-\sigma)$
# * cross-entropy: $E = -\log \sigma(z)$, $\;\partial E/\partial z = \sigma - 1$

# %%
zs = np.linspace(-8, 8, 161)
curves = {"MSE": ([], []), "cross-entropy": ([], [])}
for zv in zs:
    for name in curves:
        z = Value(float(zv))
        a = z.sigmoid()
        E = (1 - a) ** 2 if name == "MSE" else -a.log()
        E.backward()
        curves[name][0].append(E.data)
        curves[name][1].append(z.grad)

fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
for name, (E, dE) in curves.items():
    axes[0].plot(zs, E, label=name)
    axes[1].plot(zs, dE, label=name)
axes[0].set_title("loss E(z) for true label 1"); axes[0].set_ylim(0, 4)
axes[1].set_title("gradient dE/dz (computed by backward)")
for ax in axes:
    ax.set_xlabel("logit z"); ax.axvline(0, color="gray", lw=0.5); ax.legend(); ax.grid(alpha=0.3)
fig.tight_layout()

# %% [markdown]
# Look at the left end of the right panel. When the network is **confidently wrong**, the MSE gradient
# is almost **zero** — the factor $\sigma(1-\sigma)$ of the saturated sigmoid kills it — so the weights
# barely move exactly when they should move most. Cross-entropy's $-\log$ cancels that factor: its
# gradient is close to $-1$, full strength.

# %%
i = 0   # z = -8
print(f"at z = {zs[i]:.0f}: MSE gradient {curves['MSE'][1][i]:+.5f}, cross-entropy gradient {curves['cross-entropy'][1][i]:+.5f}")

# %% [markdown]
# ## 4. Why cross-entropy trains classifiers faster
#
# A one-neuron classifier $\hat y = \sigma(w \cdot x + b)$ on two well-separated blobs, started with
# weights pointing the **wrong way** (confidently wrong on almost every point). Same data, same start,
# same plain gradient descent — only the loss differs.

# %%
X, y = make_blobs(80, centers=np.array([[-2.0, 0.0], [2.0, 0.0]]), seed=0)   # class 1 lies to the right


def train(loss_name, steps=60, lr=1.0):
    w = [Value(-3.0), Value(0.0)]                    # pointing left: confidently wrong
    b = Value(0.0)
    opt = nn.optimizers.SGD(w + [b], lr=lr)
    log = {"loss": [], "accuracy": []}
    for _ in range(steps):
        preds = [(w[0] * float(x0) + w[1] * float(x1) + b).sigmoid() for x0, x1 in X]
        if loss_name == "MSE":
            loss = nn.losses.mean_squared_error([float(t) for t in y], preds)
        else:
            loss = nn.losses.binary_crossentropy([float(t) for t in y], preds)
        opt.zero_grad()
        loss.backward()
        opt.step()
        log["loss"].append(loss.data)
        log["accuracy"].append(float(np.mean([(p.data > 0.5) == t for p, t in zip(preds, y)])))
    return log

runs = {name: train(name) for name in ("MSE", "cross-entropy")}
fig, ax = plt.subplots(figsize=(5, 3.2))
for name, log in runs.items():
    ax.plot(log["accuracy"], label=name)
ax.set_xlabel("step"); ax.set_ylabel("training accuracy"); ax.legend(); ax.grid(alpha=0.3)
ax.set_title("same start, same learning rate");

# %%
for name, log in runs.items():
    first = next((k for k, acc in enumerate(log["accuracy"]) if acc >= 0.95), None)
    print(f"{name:14s} reaches 95% accuracy at step {first}, final accuracy {log['accuracy'][-1]:.0%}")

# %% [markdown]
# Both get there, but cross-entropy needs a couple of steps where MSE needs dozens: MSE first has to crawl
# off the flat, saturated part of the sigmoid, where its gradient is nearly zero.

# %% [markdown]
# ## 5. A stable log-softmax
#
# Computing softmax literally, $e^{z_i}/\sum_j e^{z_j}$, overflows as soon as a logit passes ~89 in
# float32 ($e^{89} > 3.4\times10^{38}$): the result is `inf / inf = nan`. The fix uses
# $\log\sum_j e^{z_j} = m + \log\sum_j e^{z_j - m}$ with $m = \max_j z_j$, so the largest exponent is
# $e^0 = 1$:
#
# $$\log \mathrm{softmax}(z)_i = z_i - m - \log \sum_j e^{z_j - m}.$$

# %%
big = np.array([1000.0, 1001.0, 1002.0], dtype=np.float32)
with np.errstate(over="ignore", invalid="ignore"):
    naive = np.log(np.exp(big) / np.exp(big).sum())
stable = Tensor(big).log_softmax()
print("naive  log softmax:", naive)
print("stable log softmax:", stable.numpy())
print("same as for [0, 1, 2]:", Tensor([0.0, 1.0, 2.0]).log_softmax().numpy())

# %% [markdown]
# `autograd.functional.softmax_cross_entropy` fuses softmax and cross-entropy into one op with this
# trick, and its backward is the $q - p$ from section 2 (averaged over the batch):

# %%
z = Tensor([[2.0, 1.0, 0.1], [1000.0, 0.0, -1000.0]], requires_grad=True)
loss = softmax_cross_entropy(z, np.array([1, 0]))
loss.backward()
print(f"loss = {loss.item():.4f}")
print("dL/dz =\n", z.grad)

# %% [markdown]
# ## Exercises
#
# Checkers live in `exercises.py` beside this notebook, reference answers in `solutions.py` (try first).
#
# **1.** Write `softmax_ce_gradient(z, k)`: $\partial H/\partial z$ for one example with logits `z` (a numpy
# vector) and true class `k`, with numpy alone (section 2's derivation; mind large logits).

# %%
import exercises as ex

def softmax_ce_gradient(z, k):
    ...   # your code

ex.check_softmax_ce_gradient(softmax_ce_gradient)

# %% [markdown]
# **2.** Write `binary_crossentropy(y, p)` for lists of labels in {0, 1} and probabilities in (0, 1).

# %%
def binary_crossentropy(y, p):
    ...   # your code

ex.check_binary_crossentropy(binary_crossentropy)

# %% [markdown]
# **3.** Write `bce_logit_gradient(z, y)`: the derivative of one example's binary cross-entropy with
# respect to its logit $z$ (section 2b).

# %%
def bce_logit_gradient(z, y):
    ...   # your code

ex.check_bce_logit_gradient(bce_logit_gradient)

# %% [markdown]
# ## Check the numbers

# %%
assert math.isclose(mse.data, (0.2**2 + 0.3**2 + 0.5**2) / 3, rel_tol=1e-9)
assert math.isclose(library_mse.data, mse.data, rel_tol=1e-6)
for z_, qi, p in zip(logits, q, p_true):
    assert math.isclose(z_.grad, qi.data - p, abs_tol=1e-9)               # dH/dz = q - p
assert math.isclose(library_ce.data, H.data, rel_tol=1e-5)
assert math.isclose(bce.data, library_bce.data, rel_tol=1e-6)                       # BCE written out
for z_, p, t in zip(z_bin, y_hat, y_bin):
    assert math.isclose(z_.grad, (p.data - t) / len(y_bin), abs_tol=1e-12)         # dBCE/dz = (y_hat - y) / n
assert abs(curves["MSE"][1][0]) < 1e-3 and curves["cross-entropy"][1][0] < -0.99
assert runs["cross-entropy"]["accuracy"][-1] >= 0.95
assert runs["cross-entropy"]["loss"][-1] < runs["cross-entropy"]["loss"][0]
ce_first = next(k for k, acc in enumerate(runs["cross-entropy"]["accuracy"]) if acc >= 0.95)
mse_first = next((k for k, acc in enumerate(runs["MSE"]["accuracy"]) if acc >= 0.95), 10**9)
assert runs["MSE"]["accuracy"][-1] >= 0.95 and 5 * ce_first < mse_first, (ce_first, mse_first)
assert np.isnan(naive).all() and np.allclose(stable.numpy(), [-2.4076, -1.4076, -0.4076], atol=1e-4)
expected = np.exp([2.0, 1.0, 0.1]) / np.exp([2.0, 1.0, 0.1]).sum() - [0, 1, 0]
assert np.allclose(z.grad[0], expected / 2, atol=1e-5) and np.isfinite(z.grad).all()
print("all losses and gradients check out")
