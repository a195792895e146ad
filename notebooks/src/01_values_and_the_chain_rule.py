# %% [markdown]
# # 01 · Values and the chain rule
#
# A neural network is a big formula. Training it means asking, for every weight: *if I nudge this
# number, how much does the error change?* That number is a **derivative**, and **backpropagation**
# computes all of them at once by applying the **chain rule** backwards through the formula.
#
# In this notebook we build the smallest interesting formula — one neuron with two inputs — out of
# `autograd.Value` objects, draw it, and step through the backward pass one node at a time, checking
# every number by hand and by finite differences.
#
# **Ideas from the seed document:** forward propagation (§2.3, §3.1), backpropagation (§2.4, §3.2).

# %%
import math

import autograd
from autograd import Value

# %% [markdown]
# ## 1. Forward propagation: z = Wx + b, a = f(z)
#
# A neuron receives inputs $x_1, x_2$, multiplies each by a weight, adds a bias and squashes the sum
# with an activation function $f$:
#
# $$ z = w_1 x_1 + w_2 x_2 + b = Wx + b, \qquad a = f(z) = \tanh(z). $$
#
# Every `Value` remembers the operation and the inputs that made it, so the formula becomes a graph.
# We label each node so the drawing reads like the maths.

# %%
x1 = Value(2.0, label="x1")
x2 = Value(0.0, label="x2")
w1 = Value(-3.0, label="w1")
w2 = Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")   # chosen so that z = 0.8814 and tanh(z) = 1/sqrt(2)

x1w1 = x1 * w1; x1w1.label = "x1*w1"
x2w2 = x2 * w2; x2w2.label = "x2*w2"
s = x1w1 + x2w2; s.label = "x1w1+x2w2"
z = s + b; z.label = "z"
a = z.tanh(); a.label = "a"
print(f"z = {z.data:.4f},  a = tanh(z) = {a.data:.4f}")

# %% [markdown]
# `autograd.draw` shows the graph: rectangles are values (`label | data | grad`), ovals are the
# operations that produced them. All gradients are still 0: nothing has flowed backwards yet.

# %%
autograd.draw(a)

# %% [markdown]
# ## 2. The chain rule, by hand
#
# Backpropagation starts at the output with $\partial a / \partial a = 1$ and walks back. At each node
# it multiplies the gradient arriving from above by the node's **local derivative** (seed §3.2):
#
# $$ \frac{\partial a}{\partial w_1} = \frac{\partial a}{\partial z}\cdot\frac{\partial z}{\partial (x_1 w_1)}
#    \cdot\frac{\partial (x_1 w_1)}{\partial w_1} = (1 - a^2)\cdot 1 \cdot x_1 .$$
#
# The local derivatives are a short table: $\frac{d}{dz}\tanh z = 1 - \tanh^2 z$; a sum passes its
# gradient unchanged to both inputs; a product sends each input the gradient times *the other* input.

# %%
da_dz = 1 - a.data ** 2
by_hand = {
    "w1": da_dz * x1.data, "x1": da_dz * w1.data,
    "w2": da_dz * x2.data, "x2": da_dz * w2.data,
    "b": da_dz,
}
for name, value in by_hand.items():
    print(f"da/d{name} = {value:+.4f}")

# %% [markdown]
# ## 3. Backpropagation one step at a time
#
# `autograd.step_through(a)` runs the backward pass one node at a time and puts the steps behind a slider
# with Prev/Next buttons: each frame is the graph as it stands after that step (the current node
# highlighted), with the chain-rule arithmetic underneath. The frames are drawn in advance, so the stepper
# also works in the static HTML export of this notebook, without a running kernel.

# %%
stepper = autograd.step_through(a)
stepper

# %% [markdown]
# The same steps as text. `explain()` prints each step's chain-rule arithmetic with the real numbers: the
# node's gradient (complete once every node that uses it has sent its share), and what it adds to each input.

# %%
steps = stepper.steps
for step in steps:
    print(step.explain())

# %% [markdown]
# Any step can be drawn on its own. Here is the step at `z`, which has just passed its gradient to `b`
# and to `x1w1+x2w2` (a sum's local derivative is 1):

# %%
step_at_z = next(st for st in steps if st.node is z)
step_at_z.draw()

# %% [markdown]
# ## 4. `backward()` does all the steps at once
#
# Stepping *was* the backward pass: every node now holds its gradient (intermediates too, so the drawing
# shows them), and they match the hand computation.

# %%
autograd.draw(a)

# %%
for v in (w1, x1, w2, x2, b):
    print(f"{v.label}.grad = {v.grad:+.4f}   (by hand: {by_hand[v.label]:+.4f})")

# %% [markdown]
# `a.backward()` computes the same numbers in one call. Gradients **accumulate** (`+=`, see section 6), so
# before running it again we reset every node's gradient to zero — which is what `optimizer.zero_grad()`
# will do for us in the training loops of the next notebooks.

# %%
stepped = {v.label: v.grad for v in (w1, x1, w2, x2, b)}
for node in autograd.topological_order(a):
    node.grad = 0.0
a.backward()
print({v.label: round(v.grad, 4) for v in (w1, x1, w2, x2, b)})

# %% [markdown]
# ## 5. Checking gradients by finite differences
#
# A derivative is a limit: $\frac{\partial a}{\partial w} \approx \frac{a(w+h) - a(w-h)}{2h}$ for a
# small $h$. This *central difference* is slow (two forward passes per input) but needs no calculus, so
# it is the standard way to test a backward pass.

# %%
def neuron(x1, x2, w1, w2, b):
    return (x1 * w1 + x2 * w2 + b).tanh()

def a_at(point):
    """The forward pass alone, from plain numbers: no gradients involved."""
    return neuron(*(Value(v) for v in point.values())).data

point = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}
leaves = {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b}
h = 1e-6
numeric = {}
for name in point:
    up = dict(point, **{name: point[name] + h})
    down = dict(point, **{name: point[name] - h})
    numeric[name] = (a_at(up) - a_at(down)) / (2 * h)
    print(f"{name}: backward {leaves[name].grad:+.6f}   finite difference {numeric[name]:+.6f}")

# %% [markdown]
# `autograd.gradcheck` does exactly this for every input (in float64) and raises, naming the input,
# if any gradient disagrees.

# %%
autograd.gradcheck(neuron, [Value(v) for v in point.values()])

# %% [markdown]
# ## 6. Gradients accumulate
#
# A value used twice receives a contribution along each path, and the contributions **add**:
# for $y = x \cdot x + x$, $\; dy/dx = 2x + 1$. This is why `backward` uses `+=`.

# %%
x = Value(3.0, label="x")
y = x * x + x
y.backward()
print(f"dy/dx = {x.grad}  (2x + 1 = {2 * 3.0 + 1})")

# %% [markdown]
# ## Check the numbers
#
# This cell fails if the engine's gradients drift from the hand-derived and finite-difference ones.

# %%
assert math.isclose(a.data, 1 / math.sqrt(2), rel_tol=1e-9)
grads = {"x1": x1.grad, "x2": x2.grad, "w1": w1.grad, "w2": w2.grad, "b": b.grad}
for name, g in grads.items():
    assert math.isclose(g, by_hand[name], abs_tol=1e-12), name
    assert math.isclose(g, numeric[name], abs_tol=1e-6), name
added_to_w1 = [c.amount for st in steps for c in st.contributions if c.parent is w1]
assert math.isclose(sum(added_to_w1), w1.grad)  # the steps add up to what backward() computes
assert all(math.isclose(stepped[k], grads[k]) for k in grads)
assert x.grad == 7.0
print("all gradients check out")
