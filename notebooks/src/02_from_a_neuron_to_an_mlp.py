# %% [markdown]
# # 02 · From a neuron to an MLP
#
# Notebook 01 built one neuron by hand. `nn` packages that pattern: a **`Neuron`** holds its weights
# and bias, a **`Layer`** is several neurons reading the same inputs, and an **`MLP`** (multi-layer
# perceptron) is layers in a row. They are ordinary Python objects made of `Value`s, so everything
# from notebook 01 — drawing, stepping, `backward()` — still applies.
#
# We finish by training an MLP to separate two interleaving half-moons, and look at the decision
# boundary it learned.
#
# **Ideas from the seed document:** the neural network (§2.1), layers — input, hidden, output (§2.2),
# forward propagation $z = Wx + b,\ a = f(z)$ (§3.1).

# %%
import numpy as np

import autograd
import nn
from autograd import Value, no_grad
from nn.datasets import make_moons
from nn.plotting import plot_curves, plot_decision_boundary

# %% [markdown]
# ## 1. A neuron
#
# `nn.Neuron(nin)` has `nin` weights and a bias, drawn at random, and computes $a = f(w \cdot x + b)$.
# Its `parameters()` are the Values an optimizer will change.

# %%
neuron = nn.Neuron(3, activation="tanh", seed=0)
x = [0.5, -1.0, 2.0]
out = neuron(x)
params = neuron.parameters()
print("parameters:", [round(p.data, 4) for p in params])
print("output:", out)

# %% [markdown]
# The same number from the seed's formula, with the neuron's weights `w` and bias `b` read back out
# (`named_parameters()` gives each parameter a dotted name):

# %%
print([name for name, _ in neuron.named_parameters()])
weights = [w.data for w in neuron.w]
z = float(np.dot(weights, x) + neuron.b.data)
print(f"z = w.x + b = {z:.6f},  a = tanh(z) = {np.tanh(z):.6f},  neuron(x) = {out.data:.6f}")

# %% [markdown]
# ## 2. Layers: input, hidden, output
#
# A `Layer(nin, nout)` is `nout` neurons that all read the same `nin` inputs. An `MLP(nin, nouts)` stacks
# layers: the **input layer** is just the `nin` numbers you feed in, the **hidden layers** transform them,
# and the **output layer** (linear, no activation, so it can produce any score) gives the answer.
#
# Stacking the neurons' weight vectors as the rows of a matrix $W$ gives the seed's formula for a whole
# layer at once, $z = Wx + b$, $a = f(z)$:

# %%
layer = nn.Layer(2, 3, activation="relu", seed=0)
W = np.array([[w.data for w in n.w] for n in layer.neurons])     # (3, 2): one row per neuron
bias_vector = np.array([n.b.data for n in layer.neurons])       # (3,)
x_in = np.array([1.0, -2.0])
print("W =\n", W.round(4))
print("f(Wx + b) =", np.maximum(W @ x_in + bias_vector, 0).round(6))
print("layer(x)  =", [round(v.data, 6) for v in layer(list(x_in))])

# %% [markdown]
# Here is a tiny MLP, 2 inputs → 3 hidden → 1 output, drawn after a forward and backward pass. Each
# neuron's $w\cdot x + b$ is one `linear` node (an n-ary op: one node instead of a chain of `*` and `+`).

# %%
tiny = nn.MLP(2, [3, 1], seed=0)
score = tiny([1.0, -2.0])
score.backward()
print(f"{len(tiny.parameters())} parameters: 2*3 + 3 (hidden) + 3*1 + 1 (output)")
autograd.draw(score)

# %% [markdown]
# ## 3. Data: two moons
#
# 100 points in the plane, two classes that no straight line separates. The labels are turned into
# $-1/+1$ because we will use the max-margin (hinge) loss, as micrograd's demo does.

# %%
X, y = make_moons(100, noise=0.1, seed=1)
y_pm = 2 * y - 1   # 0/1 -> -1/+1
print(X.shape, y_pm[:10])

# %% [markdown]
# ## 4. Training loop
#
# The model is `MLP(2, [16, 16, 1])`: 337 parameters. Each step:
#
# 1. **forward**: score every point;
# 2. **loss**: hinge loss $\frac1n\sum_i \max(0,\ 1 - y_i s_i)$ plus a little L2 penalty
#    $\alpha \sum w^2$ that keeps the weights small;
# 3. **backward**: `loss.backward()` fills every parameter's `.grad`;
# 4. **update**: `SGD.step()` applies $W \leftarrow W - \eta\, \partial E/\partial W$ (notebook 04 is all
#    about this line), with a learning rate that decays from 1.0 to 0.1.

# %%
model = nn.MLP(2, [16, 16, 1], seed=1337)   # seeded: the same weights, the same run, every time
print(len(model.parameters()), "parameters")
optimizer = nn.optimizers.SGD(model.parameters(), lr=1.0)
inputs = [[Value(float(a)), Value(float(b))] for a, b in X]
history = {"loss": [], "accuracy": []}
steps = 100
for k in range(steps):
    scores = [model(x) for x in inputs]
    data_loss = nn.losses.hinge([float(t) for t in y_pm], scores)
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    loss = data_loss + reg_loss
    optimizer.zero_grad()
    loss.backward()
    optimizer.lr = 1.0 - 0.9 * k / steps
    optimizer.step()
    accuracy = np.mean([(s.data > 0) == (t > 0) for s, t in zip(scores, y_pm)])
    history["loss"].append(loss.data)
    history["accuracy"].append(accuracy)
    if k % 10 == 0 or k == steps - 1:
        print(f"step {k:3d}  loss {loss.data:.4f}  accuracy {accuracy:.0%}")

# %%
fig = plot_curves(history, xlabel="step")

# %% [markdown]
# ## 5. The decision boundary
#
# Colour every point of the plane by the sign of the model's score. No gradients are needed, so the
# forward passes run under `no_grad()` (nothing is recorded).

# %%
def predict(points):
    with no_grad():
        return [model(list(map(float, p))).data for p in points]

fig = plot_decision_boundary(predict, X, y_pm, steps=50)

# %% [markdown]
# ## Check the numbers

# %%
assert len(model.parameters()) == 337
assert abs(out.data - np.tanh(z)) < 1e-9           # a neuron computes tanh(w.x + b)
assert np.allclose([v.data for v in layer(list(x_in))], np.maximum(W @ x_in + bias_vector, 0))  # relu(Wx + b)
assert history["loss"][-1] < 0.2 * history["loss"][0]
assert history["accuracy"][-1] >= 0.97, history["accuracy"][-1]
final_accuracy = np.mean((np.array(predict(X)) > 0) == (y_pm > 0))   # after the last update
assert final_accuracy >= 0.97, final_accuracy
print(f"final loss {history['loss'][-1]:.4f}, training accuracy {history['accuracy'][-1]:.0%}")
