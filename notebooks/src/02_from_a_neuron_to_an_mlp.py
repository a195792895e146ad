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
# We label every parameter from its `named_parameters()` name so the boxes can be told apart:
# `L0n1 w0` is layer 0, neuron 1, the weight on input 0; `L0n1 b` is that neuron's bias.

# %%
tiny = nn.MLP(2, [3, 1], seed=0)
short_names = {}
for name, p in tiny.named_parameters():   # "layers.0.neurons.1.w.0" -> "L0n1 w0"
    p.label = name.replace("layers.", "L").replace(".neurons.", "n").replace(".w.", " w").replace(".b", " b")
    short_names[name] = p.label
score = tiny([Value(1.0, label="x0"), Value(-2.0, label="x1")])
score.label = "score"
score.backward()
print(f"{len(tiny.parameters())} parameters: 2*3 + 3 (hidden) + 3*1 + 1 (output)")
tiny_drawing = autograd.draw(score)
tiny_drawing

# %% [markdown]
# ## 3. Why the activation function matters
#
# Take the activations away and the layers collapse: $W_2(W_1 x + b_1) + b_2 = (W_2 W_1)\,x + (W_2 b_1 + b_2)$,
# which is a single linear layer $Wx + b$. However many layers we stack, a network without nonlinearity
# can only draw a **straight** decision boundary. The numbers, with an MLP built with `activation=None`:

# %%
linear_mlp = nn.MLP(2, [3, 1], activation=None, seed=0)
(hidden, output) = linear_mlp.layers
W1 = np.array([[w.data for w in n.w] for n in hidden.neurons]); b1 = np.array([n.b.data for n in hidden.neurons])
W2 = np.array([[w.data for w in n.w] for n in output.neurons]); b2 = np.array([n.b.data for n in output.neurons])
W_one, b_one = W2 @ W1, W2 @ b1 + b2                  # the single layer it collapses to
probe = np.random.default_rng(0).normal(size=(5, 2))
two_layers = np.array([linear_mlp(list(p)).data for p in probe])
one_layer = probe @ W_one[0] + b_one[0]
print("two linear layers:", two_layers.round(6))
print("one linear layer: ", one_layer.round(6))

# %% [markdown]
# ## 4. Data: two moons, and a validation set
#
# 100 points in the plane, two classes that no straight line separates. A model can memorise its
# training points, so we also draw 200 **validation** points from the same distribution that it never
# trains on: accuracy there is the honest measure of what it learned.
#
# The labels are turned into $-1/+1$ for the loss of the next section.

# %%
X, y = make_moons(100, noise=0.1, seed=1)
X_val, y_val = make_moons(200, noise=0.1, seed=2)
y_pm, y_val_pm = 2 * y - 1, 2 * y_val - 1   # 0/1 -> -1/+1
print(X.shape, X_val.shape, y_pm[:10])

# %% [markdown]
# ## 5. Two new tools: the hinge loss and a decaying learning rate
#
# **The hinge (max-margin) loss**, as in micrograd's demo and support vector machines. The model outputs
# a score $s$; its sign is the predicted class. With the label $y \in \{-1, +1\}$, the product $y s$ is
# positive when the prediction is right, and large when it is right with a margin. The loss
#
# $$ E = \frac1n \sum_i \max(0,\ 1 - y_i s_i) $$
#
# is zero for points classified right with a margin of at least 1, and grows linearly with how wrong
# the others are. Its gradient is $-y_i$ (per point, before the $\frac1n$) where $y_i s_i < 1$, and 0 where
# the point is already safe: training concentrates on the points near or across the boundary.

# %%
hinge_table = []
for label, score_ in [(+1, 2.0), (+1, 0.5), (+1, -1.0), (-1, -1.0)]:
    sv = Value(score_)
    E = nn.losses.hinge([float(label)], [sv])
    E.backward()
    hinge_table.append((label, score_, E.data, sv.grad))
    print(f"y = {label:+d}, s = {score_:+.1f}:  y*s = {label * score_:+.1f}  loss {E.data:.2f}  dE/ds = {sv.grad:+.1f}")

# %% [markdown]
# **Learning-rate decay.** Early in training big steps cover ground fast; near the end they overshoot
# the minimum back and forth (notebook 04 shows why). A common remedy is to shrink the learning rate
# over the run. We decay it linearly, $\eta_k = 1.0 - 0.9\,k/K$ for step $k$ of $K$: from 1.0 at the
# start to 0.1 at the end. (Keras spells this a `LearningRateScheduler` callback.)

# %% [markdown]
# ## 6. Training loop
#
# The model is `MLP(2, [16, 16, 1])`: 337 parameters. Each step:
#
# 1. **forward**: score every point;
# 2. **loss**: hinge loss $\frac1n\sum_i \max(0,\ 1 - y_i s_i)$ plus a little L2 penalty
#    $\alpha \sum w^2$ that keeps the weights small;
# 3. **backward**: `loss.backward()` fills every parameter's `.grad`;
# 4. **update**: `SGD.step()` applies $W \leftarrow W - \eta\, \partial E/\partial W$ (notebook 04 is all
#    about this line), with the learning rate decaying from 1.0 to 0.1.
#
# Every 10 steps we also score the validation points (under `no_grad()`: no graph is recorded).

# %%
model = nn.MLP(2, [16, 16, 1], seed=1337)   # seeded: the same weights, the same run, every time
print(len(model.parameters()), "parameters")
optimizer = nn.optimizers.SGD(model.parameters(), lr=1.0)
inputs = [[Value(float(a)), Value(float(b))] for a, b in X]
history = {"loss": [], "accuracy": []}
val_inputs = [[float(a), float(b)] for a, b in X_val]


def validation_accuracy(model):
    with no_grad():
        return float(np.mean([(model(p).data > 0) == (t > 0) for p, t in zip(val_inputs, y_val_pm)]))

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
        print(f"step {k:3d}  loss {loss.data:.4f}  training accuracy {accuracy:.0%}  "
              f"validation accuracy {validation_accuracy(model):.1%}")

# %%
fig = plot_curves(history, xlabel="step")

# %% [markdown]
# ## 7. The decision boundary
#
# Colour every point of the plane by the sign of the model's score. No gradients are needed, so the
# forward passes run under `no_grad()` (nothing is recorded).

# %%
def predict(points):
    with no_grad():
        return [model(list(map(float, p))).data for p in points]

fig = plot_decision_boundary(predict, X, y_pm, steps=50)

# %% [markdown]
# ## 8. And without the nonlinearity?
#
# Section 3 showed that a network without activations is one linear layer. So the best it can do is the
# best straight line: train one linear neuron (3 parameters) with the same loss and schedule, and compare.

# %%
line = nn.Neuron(2, activation=None, seed=0)
line_opt = nn.optimizers.SGD(line.parameters(), lr=1.0)
for k in range(steps):
    line_loss = nn.losses.hinge([float(t) for t in y_pm], [line(x) for x in inputs])
    line_opt.zero_grad()
    line_loss.backward()
    line_opt.lr = 1.0 - 0.9 * k / steps
    line_opt.step()
final_val = validation_accuracy(model)
line_val = validation_accuracy(line)
print(f"validation accuracy: MLP with relu {final_val:.1%}, best straight line {line_val:.1%}")

# %% [markdown]
# ## Exercises
#
# Checkers live in `exercises.py` beside this notebook, reference answers in `solutions.py` (try first).
#
# **1.** Write `mlp_parameter_count(nin, nouts)`: how many parameters `nn.MLP(nin, nouts)` has (check your
# formula on 337 for `MLP(2, [16, 16, 1])`).

# %%
import exercises as ex

def mlp_parameter_count(nin, nouts):
    ...   # your code

ex.check_mlp_parameter_count(mlp_parameter_count)

# %% [markdown]
# **2.** Write `hinge_loss(y, s)` from the formula of section 5, with plain Python numbers.

# %%
def hinge_loss(y, s):
    ...   # your code

ex.check_hinge_loss(hinge_loss)

# %% [markdown]
# **3.** Write `linear_collapse(W1, b1, W2, b2)` returning the single layer `(W, b)` that two linear layers
# collapse to (numpy arrays; section 3).

# %%
def linear_collapse(W1, b1, W2, b2):
    ...   # your code

ex.check_linear_collapse(linear_collapse)

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
assert final_val >= 0.95, final_val                      # validation accuracy, on 200 unseen points
assert line_val <= 0.92 and final_val - line_val >= 0.05, (line_val, final_val)   # nonlinearity pays
assert np.allclose(two_layers, one_layer)                # linear layers collapse to one
for label, score_, loss_, grad_ in hinge_table:          # the hinge loss as introduced in section 5
    assert np.isclose(loss_, max(0.0, 1 - label * score_)) and grad_ == (-label if label * score_ < 1 else 0.0)
assert all(label in tiny_drawing.source for label in short_names.values())   # parameter boxes labelled
assert len(set(short_names.values())) == len(tiny.parameters()) == 13      # ... each one differently
print(f"final loss {history['loss'][-1]:.4f}, training accuracy {history['accuracy'][-1]:.0%}, "
      f"validation accuracy {final_val:.1%} (a straight line: {line_val:.1%})")
