# %% [markdown]
# # 05 · Tensors: the same ideas on arrays
#
# A `Value` holds one number, so a network of `Value`s makes one graph node per multiplication. Real
# networks do the same arithmetic on whole arrays at once: $Z = XW + b$ for a whole batch $X$ in one
# matrix product. `autograd.Tensor` is a graph node whose payload is a numpy array. Everything from
# notebooks 01-04 carries over: `backward()`, `.grad`, drawing, gradient checking, the optimizers.
#
# The one new idea is **broadcasting** — and what it means for gradients.

# %%
import time

import numpy as np

import autograd
import nn
from autograd import Tensor, Value
from nn.datasets import make_moons
from nn.initializers import GlorotUniform
from nn.layers import Dense
from nn.plotting import plot_curves, plot_decision_boundary

# %% [markdown]
# ## 1. Notebook 01's neuron, as arrays
#
# $a = \tanh(w \cdot x + b)$ with $w$ and $x$ as vectors gives the same gradients as the five scalar
# `Value`s did in notebook 01: $\partial a/\partial w = (1 - a^2)\,x$.

# %%
x = Tensor([2.0, 0.0], label="x")
w = Tensor([-3.0, 1.0], requires_grad=True, label="w")
bias = Tensor(6.8813735870195432, requires_grad=True, label="b")
a = ((x * w).sum() + bias).tanh()
a.backward()
print("a =", a.item(), " w.grad =", w.grad, " b.grad =", bias.grad)

# %% [markdown]
# ## 2. Broadcasting and its gradient
#
# In $Z = XW + b$ the batch $X$ has shape (4, 3), $W$ is (3, 2) and $b$ is (2,): numpy **broadcasts** $b$,
# adding the same bias row to each of the 4 rows. In the graph, $b$ was *used 4 times*, and notebook 01
# taught us that a value used several times receives the **sum** of its gradients. So the gradient of
# a broadcast input is the incoming gradient summed over the broadcast axes:
#
# $$\frac{\partial L}{\partial b_j} = \sum_{n} \frac{\partial L}{\partial Z_{nj}}.$$
#
# The engine does this reduction in one place, for every op.

# %%
rng = np.random.default_rng(0)
X = Tensor(rng.normal(size=(4, 3)), requires_grad=True, label="X")
W = Tensor(rng.normal(size=(3, 2)), requires_grad=True, label="W")
b = Tensor(np.zeros(2), requires_grad=True, label="b")
Z = X @ W + b
L = (Z.relu() ** 2).mean()
L.label = "L"
L.backward()
dZ = 2 * np.maximum(Z.numpy(), 0) / Z.size          # dL/dZ, by hand
print("Z shape", Z.shape, "  b shape", b.shape, "  b.grad shape", b.grad.shape)
print("b.grad          =", b.grad)
print("dL/dZ summed    =", dZ.sum(axis=0))

# %% [markdown]
# Broadcasting works in both directions at once: a column (3, 1) plus a row (1, 4) is a (3, 4) grid.
# Each column entry was used 4 times and each row entry 3 times:

# %%
col = Tensor(np.ones((3, 1)), requires_grad=True)
row = Tensor(np.ones((1, 4)), requires_grad=True)
(col + row).sum().backward()
print("col.grad =", col.grad.ravel(), "  row.grad =", row.grad.ravel())

# %% [markdown]
# ## 3. The matrix form of a dense layer's gradients, derived
#
# Write $Z = XW + b$ one entry at a time: with $X$ of shape $(N, D)$, $W$ of shape $(D, M)$ and $b$ of
# shape $(M,)$,
#
# $$Z_{nj} = \sum_{i} X_{ni} W_{ij} + b_j .$$
#
# Call the gradient arriving from above $dZ_{nj} = \partial L / \partial Z_{nj}$ (same shape as $Z$).
# The chain rule sums over every entry of $Z$ that a weight touches:
#
# * $W_{ij}$ appears in $Z_{nj}$ for every row $n$, with local derivative $X_{ni}$:
#   $\;\dfrac{\partial L}{\partial W_{ij}} = \sum_n X_{ni}\, dZ_{nj} = (X^\top dZ)_{ij}$,
#   so $\boxed{dW = X^\top dZ}$, shape $(D, N)(N, M) = (D, M)$, the shape of $W$.
# * $b_j$ appears in $Z_{nj}$ for every $n$, with local derivative 1: $\boxed{db = \sum_n dZ_{n\cdot}}$,
#   the column sums, shape $(M,)$ — the broadcasting rule of section 2 again.
# * $X_{ni}$ appears in $Z_{nj}$ for every output $j$, with local derivative $W_{ij}$:
#   $\;\dfrac{\partial L}{\partial X_{ni}} = \sum_j dZ_{nj} W_{ij}$, so $\boxed{dX = dZ\, W^\top}$,
#   shape $(N, M)(M, D) = (N, D)$. This is what the layer below receives as *its* $dZ$ (after its activation).
#
# A quick way to remember them: each gradient has the shape of its variable, and there is only one way
# to multiply $X$, $W$ and $dZ$ (transposing as needed) that gives that shape. The engine agrees:

# %%
dW, db, dX = X.numpy().T @ dZ, dZ.sum(axis=0), dZ @ W.numpy().T
for name, mine, engine in [("dW = X^T dZ", dW, W.grad), ("db = sum_n dZ", db, b.grad), ("dX = dZ W^T", dX, X.grad)]:
    print(f"{name:14s} shape {str(mine.shape):7s} matches the engine: {np.allclose(mine, engine)}")

# %% [markdown]
# ## 4. Drawing the graph: `retain_graph`
#
# Try drawing `L` now: after a plain `L.backward()` the drawing would be a single box. That is not a
# bug in the drawing. As in PyTorch, a Tensor `backward()` **frees the graph as it goes**: each node
# drops its saved arrays and its links to its inputs once it has passed its gradient on, so that a
# training step does not hold every intermediate array of the network in memory until the next step.
# Only the leaves (`X`, `W`, `b`) keep their `.grad`. What is left of `L`'s graph is `L` alone, and a
# second backward pass through it has nothing to walk:

# %%
try:
    L.backward()
except RuntimeError as error:
    freed_message = str(error)
    print(freed_message)

# %% [markdown]
# `backward(retain_graph=True)` keeps the graph, and every intermediate `.grad`, for a look (or for a
# second backward pass). Here is the same computation again, kept: each Tensor node shows its label, the
# op that made it, its shape and dtype, and a summary of its gradient.

# %%
for leaf in (X, W, b):
    leaf.grad = None
Z = X @ W + b
L = (Z.relu() ** 2).mean()
L.label = "L"
L.backward(retain_graph=True)
kept = autograd.topological_order(L)
print("nodes in the retained graph:", len(kept))
drawing = autograd.draw(L, rankdir="TB")
drawing

# %% [markdown]
# ## 5. Gradient checking, for arrays
#
# `autograd.gradcheck` nudges every element of every input (central differences in float64) and
# compares with `backward`. Here: a tanh layer with broadcasting.

# %%
def layer(X, W, b):
    return (X @ W + b).tanh().sum()

inputs = [Tensor(rng.normal(size=s), requires_grad=True, dtype=np.float64) for s in [(5, 3), (3, 4), (4,)]]
print("gradcheck:", autograd.gradcheck(layer, inputs))

# %% [markdown]
# ## 6. The PyTorch-style loop on Tensors
#
# Notebook 02 trained an MLP on moons with 100 points, one `Value` graph per point. With Tensors the
# whole batch goes through each layer in one matrix product. `nn.layers.Dense` is $a = f(XW + b)$;
# a `Module` finds the parameters of the layers it holds.

# %%
class MLP(nn.Module):
    def __init__(self, init):
        self.hidden1 = Dense(16, activation="relu", input_shape=(2,), kernel_initializer=init)
        self.hidden2 = Dense(16, activation="relu", input_shape=(16,), kernel_initializer=init)
        self.out = Dense(1, input_shape=(16,), kernel_initializer=init)

    def forward(self, x):
        return self.out(self.hidden2(self.hidden1(x)))

Xm, ym = make_moons(200, noise=0.1, seed=1)
model = MLP(GlorotUniform(seed=0))   # a seeded initializer: the same starting weights every run
print([name for name, _ in model.named_parameters()])
optimizer = nn.optimizers.Adam(model.parameters(), lr=0.02)
loss_fn = nn.losses.BinaryCrossentropy(from_logits=True)
history = {"loss": [], "accuracy": []}
start = time.perf_counter()
for step in range(300):
    logits = model(Tensor(Xm))
    loss = loss_fn(Tensor(ym[:, None].astype(np.float32)), logits)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    history["loss"].append(loss.item())
    history["accuracy"].append(float(np.mean((logits.numpy()[:, 0] > 0) == ym)))
print(f"300 full-batch steps in {time.perf_counter() - start:.2f} s, final accuracy {history['accuracy'][-1]:.1%}")

# %%
fig = plot_curves(history, xlabel="step")

# %%
with autograd.no_grad():
    fig = plot_decision_boundary(lambda P: model(Tensor(P.astype(np.float32))).numpy()[:, 0], Xm, ym, steps=120)

# %% [markdown]
# ## Exercises
#
# The checkers live in `exercises.py` beside this notebook; reference answers are in `solutions.py`
# (try first). Each checker prints "correct", or what it expected.
#
# **1.** Write `dense_gradients(X, W, dZ)` returning `(dW, db, dX)` for $Z = XW + b$ with numpy alone
# (section 3). The checker compares with the engine on new random shapes.

# %%
import exercises as ex

def dense_gradients(X, W, dZ):
    ...   # your code: return dW, db, dX

ex.check_dense_gradients(dense_gradients)

# %% [markdown]
# **2.** Write `unbroadcast(g, shape)`: the gradient for an input of `shape` that numpy broadcast up to
# `g.shape` (section 2: sum over the axes broadcasting added or stretched). The engine does exactly this,
# once, for every op.

# %%
def unbroadcast(g, shape):
    ...   # your code

ex.check_unbroadcast(unbroadcast)

# %% [markdown]
# ## Check the numbers

# %%
assert np.allclose(w.grad, [1.0, 0.0], atol=1e-6) and np.isclose(bias.grad, 0.5, atol=1e-6)  # as in 01
assert np.allclose(b.grad, dZ.sum(axis=0)) and np.allclose(W.grad, X.numpy().T @ dZ)   # db, dW derived
assert np.allclose(X.grad, dZ @ W.numpy().T)                                              # dX derived
assert "retain_graph=True" in freed_message     # a freed graph says how to keep it
assert len(kept) >= 8   # X, W, b, matmul, add, relu, pow, mean (sum, div): the whole graph, not one box
assert all(f"{name}" in drawing.source for name in ("X", "W", "b", "L")) and drawing.source.count("->") >= 6
assert np.allclose(col.grad, 4) and np.allclose(row.grad, 3)
assert history["accuracy"][-1] >= 0.97
print("arrays agree with scalars, and the MLP learned the moons")
