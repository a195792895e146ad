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
# **Ideas from the seed document:** forward propagation (§2.3, §3.1), backpropagation (§2.4, §3.2). Two
# sentences of the seed are wrong; the errata box in section 5 says which and why.

# %%
import inspect
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
# `a.backward()` computes the same numbers in one call. Gradients **accumulate** (`+=`, see section 7), so
# before running it again we reset every node's gradient to zero — which is what `optimizer.zero_grad()`
# will do for us in the training loops of the next notebooks.

# %%
stepped = {v.label: v.grad for v in (w1, x1, w2, x2, b)}
for node in autograd.topological_order(a):
    node.grad = 0.0
a.backward()
by_backward = {v.label: v.grad for v in (w1, x1, w2, x2, b)}
print({name: round(g, 4) for name, g in by_backward.items()})

# %% [markdown]
# ## 5. Inside the engine
#
# Two things make `backward()` work: **an order** in which to visit the nodes, and **a rule per
# operation** saying how to pass a gradient to its inputs.
#
# **The order.** A node may pass its gradient on only once it is complete, that is, once every node that
# *uses* it has sent its share. `autograd.topological_order(a)` lists the graph with every node after
# the nodes it was made from (inputs first, `a` last); `backward()` walks that list **in reverse**, from
# `a` back to the leaves. The engine builds it with an explicit stack, not recursion, so a graph
# 100,000 nodes deep works too.

# %%
order = autograd.topological_order(a)
print("topological order:", [node.label for node in order])
print("backward visits:  ", [node.label for node in reversed(order)])

# %% [markdown]
# **The rules.** Each operation is a small class in the engine's derivative table, `autograd/ops/`:
# `forward` computes the value (`scalar_forward` on plain floats for `Value`s; one class serves `Value`
# and `Tensor`), and `backward(g, out, *inputs)` receives the gradient `g` arriving at the output and
# returns one gradient per input: the chain rule's "gradient from above times local derivative". `text`
# and `grads` are how the step explanations above print the op and its rule. Here is the engine's real
# rule for `tanh`, read from its source; `out` is the forward result, so $1 - \tanh^2 z$ costs one
# multiplication:

# %%
from autograd.ops.elementwise import Tanh as tanh_rule   # the engine's derivative table (autograd/ops/)

print(inspect.getsource(tanh_rule))
print("a.grad * (1 - a**2) =", tanh_rule.backward(1.0, a.data, z.data)[0], " z.grad =", z.grad)

# %% [markdown]
# `backward()` is then a short loop: seed the root with $\partial a/\partial a = 1$, and for each node in
# reverse topological order, call its op's rule and **add** (`+=`) each returned gradient to the
# corresponding input's `.grad`.
#
# ### Optional: be the engine
#
# Set every gradient by hand, node by node in the order above, using only the three local rules of
# section 2 (tanh: times $1 - a^2$; sum: pass through; product: times the other input). Edit the cell
# and run it; the comparison below tells you which of your numbers differ from `backward()`'s.

# %%
for node in order:
    node.grad = 0.0
a.grad = 1.0                                  # da/da
z.grad += a.grad * (1 - a.data ** 2)          # tanh
s.grad += z.grad                              # z = s + b: a sum passes the gradient through
b.grad += z.grad
x1w1.grad += s.grad                           # s = x1w1 + x2w2
x2w2.grad += s.grad
w1.grad += x1w1.grad * x1.data                # x1w1 = x1 * w1: times the other input
x1.grad += x1w1.grad * w1.data
w2.grad += x2w2.grad * x2.data
x2.grad += x2w2.grad * w2.data
walk = {v.label: v.grad for v in (w1, x1, w2, x2, b)}
for name in walk:
    print(f"{name}: by hand {walk[name]:+.4f}   backward() {by_backward[name]:+.4f}   "
          + ("same" if math.isclose(walk[name], by_backward[name], abs_tol=1e-12) else "DIFFERENT"))

# %% [markdown]
# ## 6. Checking gradients by finite differences
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
h = 1e-6
numeric = {}
for name in point:
    up = dict(point, **{name: point[name] + h})
    down = dict(point, **{name: point[name] - h})
    numeric[name] = (a_at(up) - a_at(down)) / (2 * h)
    print(f"{name}: backward {by_backward[name]:+.6f}   finite difference {numeric[name]:+.6f}")

# %% [markdown]
# `autograd.gradcheck` does exactly this for every input (in float64) and raises, naming the input,
# if any gradient disagrees.

# %%
autograd.gradcheck(neuron, [Value(v) for v in point.values()])

# %% [markdown]
# ## 7. Gradients accumulate
#
# A value used twice receives a contribution along each path, and the contributions **add**:
# for $y = x \cdot x + x$, $\; dy/dx = 2x + 1$. This is why `backward` uses `+=`.

# %%
x = Value(3.0, label="x")
y = x * x + x
y.backward()
print(f"dy/dx = {x.grad}  (2x + 1 = {2 * 3.0 + 1})")

# %% [markdown]
# > **Errata: two sentences of the seed document are wrong.**
# >
# > * **§2.4** calls backpropagation "an optimisation algorithm that adjusts the weights". It is not:
# >   backpropagation only **computes the gradients** $\partial E/\partial W$ (what this notebook did;
# >   no weight changed). An optimiser such as gradient descent (§2.6, notebook 04) then **uses** them to
# >   change the weights. Keeping the two apart matters: the same gradients feed SGD, momentum or Adam.
# > * **§3.2**'s first formula, $\frac{\partial E}{\partial a_i} = \frac{\partial E}{\partial z_i}\cdot
# >   \frac{\partial z_i}{\partial a_i}$, runs the chain the wrong way round. With the seed's own
# >   $z = Wx + b,\ a = f(z)$, the error depends on $z$ **through** $a$, so the chain rule reads
# >   $$\frac{\partial E}{\partial z_i} = \frac{\partial E}{\partial a_i}\cdot\frac{\partial a_i}{\partial z_i}
# >   = \frac{\partial E}{\partial a_i}\, f'(z_i),$$
# >   exactly what the `tanh` step did above (`z.grad = a.grad * (1 - a**2)`). The next cell checks it
# >   on the engine's numbers (our "error" is $a$ itself, so $\partial E/\partial a = 1$), and that the
# >   seed's order gives a different number.

# %%
dE_da, da_dz_local = a.grad, 1 - a.data ** 2
print(f"dE/dz from the engine {z.grad:+.6f};  dE/da * da/dz = {dE_da * da_dz_local:+.6f};  "
      f"the seed's order dE/dz * dz/da = {z.grad / da_dz_local:+.6f}")

# %% [markdown]
# ## Exercises
#
# Checkers live in `exercises.py` beside this notebook, reference answers in `solutions.py` (try first).
# Each checker prints "correct", or what it expected.
#
# **1.** For $f = x y + y^2$ at $x = 2,\ y = 3$, compute $(\partial f/\partial x,\ \partial f/\partial y)$ by
# hand (two numbers).

# %%
import exercises as ex

answer = None   # your answer: (df/dx, df/dy)
ex.check_chain_rule(answer)

# %% [markdown]
# **2.** Write `backward_order(root)` returning the labels of `root`'s graph in an order `backward` may
# visit them: every node before the nodes it was made from. Use `node.parents` (the inputs of a node) and
# an explicit stack or `autograd.topological_order`. The checker tries it on two graphs.

# %%
def backward_order(root):
    ...   # your code: a list of labels

ex.check_backward_order(backward_order)

# %% [markdown]
# **3.** Add an op: **softplus**, $f(x) = \log(1 + e^x)$, a smooth relu. Write its `forward(x)` and its
# local derivative `backward(x)` on floats (hint: the derivative is a function you have met). The checker
# compares your forward with the formula at 7 points (mind $e^{30}$) and your backward with central
# differences of your own forward — the same test `autograd.gradcheck` runs on the engine's ops.

# %%
def softplus_forward(x):
    ...   # your code

def softplus_backward(x):
    ...   # your code

ex.check_softplus_op((softplus_forward, softplus_backward))

# %% [markdown]
# ## Check the numbers
#
# This cell fails if the engine's gradients drift from the hand-derived and finite-difference ones.

# %%
assert math.isclose(a.data, 1 / math.sqrt(2), rel_tol=1e-9)
grads = by_backward
for name, g in grads.items():
    assert math.isclose(g, by_hand[name], abs_tol=1e-12), name
    assert math.isclose(g, numeric[name], abs_tol=1e-6), name
added_to_w1 = [c.amount for st in steps for c in st.contributions if c.parent is w1]
assert math.isclose(sum(added_to_w1), w1.grad)  # the steps add up to what backward() computes
assert all(math.isclose(stepped[k], grads[k]) for k in grads)
assert x.grad == 7.0
assert [n.label for n in order][-2:] == ["z", "a"] and len(order) == 10   # inputs first, a last
assert all(order.index(p) < order.index(n) for n in order for p in n.parents)        # parents before users
assert math.isclose(tanh_rule.backward(1.0, a.data, z.data)[0], 1 - a.data ** 2)   # the rule shown is real
assert all(math.isclose(walk[k], by_backward[k], abs_tol=1e-12) for k in walk)                   # the hand walk = backward()
assert math.isclose(z.grad, dE_da * da_dz_local)                  # errata: dE/dz = dE/da * da/dz
assert not math.isclose(z.grad / da_dz_local, z.grad)             # the seed's order gives another number
print("all gradients check out")
