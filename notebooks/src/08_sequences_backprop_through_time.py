# %% [markdown]
# # 08 · Sequences: backprop through time
#
# A recurrent network reads a sequence one item at a time and carries a **state** from each step to the
# next: $h_t = \tanh(w_x x_t + w_h h_{t-1} + b)$. The same three weights are used at every step. To train
# it we **unroll** the loop: the graph gets one copy of the cell per step, all sharing the weights, and
# ordinary backpropagation runs through the copies from the last step to the first. That is all
# "backpropagation through time" (BPTT) is — and, because gradients *accumulate*, each shared weight's
# gradient is the sum of what every copy sends it.
#
# We first unroll a one-number cell over the three characters of "cat", built from `Value`s, and step
# through its backward pass. Then the Tensor layers do the same at scale on 5,000 first names from the
# 1990 US Census: a GRU that guesses a name's sex from its letters, and a character-level language model
# that invents new names.
#
# **Ideas from the seed document:** backpropagation (§2.4, §3.2), natural language processing (§5).

# %%
import time

import numpy as np

import autograd
import nn
from autograd import Tensor, Value
from autograd import functional as F
from nn.datasets import load_names
from nn.layers import GRU, Dense, Embedding, SimpleRNN, TextVectorization
from nn.plotting import plot_curves
from nn.utils import pad_sequences

start_notebook = time.perf_counter()

# %% [markdown]
# ## 1. One cell, unrolled over "cat"
#
# Each character gets one input number from a tiny lookup table (an *embedding* with one dimension).
# The state starts at $h_0 = 0$; after the last character the loss compares $h_3$ with a target of 1.

# %%
table = {"c": 0.5, "a": -1.0, "t": 0.8}          # one number per character
w_x = Value(0.9, label="w_x")                    # the three shared weights
w_h = Value(-1.3, label="w_h")
b = Value(0.2, label="b")

inputs, states = [], []
h = Value(0.0, label="h0")
for t, char in enumerate("cat", start=1):
    x = Value(table[char], label=f"x{t}")       # '{char}' at step t
    wx, wh = w_x * x, w_h * h                    # one copy of the cell ...
    wx.label, wh.label = f"w_x*x{t}", f"w_h*h{t - 1}"
    z = wx + wh + b
    z.label = f"z{t}"
    h = z.tanh()                                 # ... ending in its new state
    h.label = f"h{t}"
    inputs.append(x)
    states.append(h)
loss = (h - 1.0) ** 2
loss.label = "loss"
print("states:", [round(s.data, 4) for s in states], " loss:", round(loss.data, 4))

# %% [markdown]
# The unrolled graph, time running downwards: three copies of the same cell, with `w_x`, `w_h` and `b`
# feeding every copy.

# %%
autograd.draw(loss, rankdir="TB")

# %% [markdown]
# ## 2. Stepping backwards through time
#
# The stepper walks the backward pass one node at a time: from the loss into $h_3$, through the third
# copy of the cell into $h_2$, and so on back to $h_1$ and $x_1$. It draws the part of the graph around
# the current step (`max_nodes=12`: the whole graph is the picture above). Drag the slider and watch
# `w_h` and `w_x` receive a share at each copy.

# %%
stepper = autograd.step_through(loss, max_nodes=12)
stepper

# %% [markdown]
# Every step that sends something to a shared weight, in the order the pass meets them (the copy at
# step 3 first). Each weight's final gradient is the sum of its shares: that is the "summed over time"
# in every BPTT formula. (The first copy's share to `w_h` is 0: it multiplied $h_0 = 0$.)

# %%
shares = {"w_x": [], "w_h": [], "b": []}
for step in stepper.steps:
    for c in step.contributions:
        if c.parent.label in shares:
            shares[c.parent.label].append(c.amount)
            print(f"{c.parent.label}.grad += {c.amount:+.5f}   (from {step.node.label})")
for name, weight in (("w_x", w_x), ("w_h", w_h), ("b", b)):
    print(f"{name}: shares sum to {sum(shares[name]):+.6f}, {name}.grad = {weight.grad:+.6f}")

# %% [markdown]
# The gradient that reaches the first input has crossed every copy. Each copy multiplies it by its
# local derivative $\partial h_t / \partial h_{t-1} = (1 - h_t^2)\, w_h$, so by the chain rule
#
# $$ \frac{\partial L}{\partial x_1} = 2(h_3 - 1)\,(1 - h_3^2) w_h\,(1 - h_2^2) w_h\,(1 - h_1^2) w_x . $$
#
# A product of one factor per step: when the factors are small it shrinks exponentially with the
# distance (the *vanishing gradient*), which is what the gates of GRU and LSTM cells are designed to ease.

# %%
h1, h2, h3 = (s.data for s in states)
by_hand = 2 * (h3 - 1) * (1 - h3**2) * w_h.data * (1 - h2**2) * w_h.data * (1 - h1**2) * w_x.data
print(f"x1.grad = {inputs[0].grad:+.6f}   by hand: {by_hand:+.6f}")
print("gradient reaching each input:", [round(x.grad, 5) for x in inputs])

# %% [markdown]
# ## 3. The same cell as a Tensor layer
#
# `SimpleRNN(1)` is this cell with Keras's weight names: `kernel` ($w_x$), `recurrent_kernel` ($w_h$)
# and `bias` ($b$). Given the same numbers it computes the same state and, after `backward`, the same
# gradients — for a whole batch of sequences at once.

# %%
rnn = SimpleRNN(1, return_sequences=True)
rnn.maybe_build((None, 3, 1))
rnn.set_weights([[[w_x.data]], [[w_h.data]], [b.data]])
for weight in rnn.weights:
    weight.data = weight.data.astype(np.float64)
x_cat = Tensor(np.array([[[table[c]] for c in "cat"]]), requires_grad=True)   # (batch 1, 3 steps, 1)
h_all = rnn(x_cat)
loss_t = ((h_all[:, -1] - 1.0) ** 2).sum()
loss_t.backward()
print("states:", h_all.numpy().ravel().round(4), " kernel.grad:", rnn.kernel.grad.ravel(),
      " recurrent_kernel.grad:", rnn.recurrent_kernel.grad.ravel(), " x.grad:", x_cat.grad.ravel().round(5))

# %% [markdown]
# ## 4. Names, letter by letter
#
# `load_names()` returns the first names of the 1990 US Census with their sex (0 female, 1 male);
# `unique=True` keeps a name found in both lists once, with the sex in whose list it is more common.
# `TextVectorization(split="character")` turns each name into letter ids: 0 is padding (names are
# padded at the end to the longest), 1 is "[UNK]".

# %%
nn.utils.set_random_seed(0)
names, sex = load_names(unique=True)
order = np.random.default_rng(0).permutation(len(names))
names, sex = names[order], sex[order]
letters = TextVectorization(standardize="lower", split="character")
letters.adapt(names)
ids = letters(names).numpy()
print(len(names), "names;", letters.vocabulary_size(), "ids:", letters.get_vocabulary()[:8], "...")
print(names[0], "->", ids[0])

n_val = len(names) // 5
x_train, y_train = ids[n_val:], sex[n_val:].astype(np.float32)
x_val, y_val = ids[:n_val], sex[:n_val].astype(np.float32)
majority = max(y_val.mean(), 1 - y_val.mean())
print(f"validation: {n_val} names, {y_val.mean():.1%} male; always answering 'female' scores {majority:.1%}")

# %% [markdown]
# ## 5. Guessing the sex of a name with a GRU
#
# `Embedding(mask_zero=True)` gives each letter a 16-number vector and marks the padding; the `GRU`
# skips padded steps (its state is carried through them), so its final state is the one after the
# name's last letter; a sigmoid unit reads it.

# %%
classifier = nn.models.Sequential([
    Embedding(letters.vocabulary_size(), 16, mask_zero=True),
    GRU(32),
    Dense(1, activation="sigmoid"),
])
classifier.compile(optimizer=nn.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy",
                   metrics=["accuracy"])
start = time.perf_counter()
history = classifier.fit(x_train, y_train, epochs=8, batch_size=64, validation_data=(x_val, y_val), verbose=0)
train_seconds = time.perf_counter() - start
val_accuracy = history.history["val_accuracy"][-1]
print(f"8 epochs in {train_seconds:.1f} s; validation accuracy {val_accuracy:.1%} (majority class {majority:.1%})")

# %%
fig = plot_curves(history)

# %%
probe = np.array(["Anna", "Thomas", "Julia", "Ethan", "Sasha", "Robin", "Kim", "Noel"])
p_male = classifier.predict(letters(probe).numpy())[:, 0]
for name, p in zip(probe, p_male, strict=True):
    print(f"{name:8s} P(male) = {p:.2f}")

# %% [markdown]
# ## 6. A character-level language model
#
# Now the network predicts the *next* letter at every step (`return_sequences=True`, a `Dense` over the
# letters at each step). Each name is read after a start mark "." and must end with "." too:
# the input `.anna` has the targets `anna.`. The loss is the cross-entropy of the real next letter, in
# **nats per character**, counted over real letters only (padding is left out).
#
# The baseline is the *unigram* model: always predict each letter's overall frequency, ignoring context.

# %%
alphabet = sorted(set("".join(names).lower()))
PAD, DOT = 0, 1
to_id = {c: i + 2 for i, c in enumerate(alphabet)}
symbols = ["", "."] + alphabet
vocab = len(symbols)

def encode(name):
    return [to_id[c] for c in name.lower()]

inp = pad_sequences([[DOT] + encode(n) for n in names], padding="post")
tgt = pad_sequences([encode(n) + [DOT] for n in names], padding="post")
inp_train, tgt_train, inp_val, tgt_val = inp[n_val:], tgt[n_val:], inp[:n_val], tgt[:n_val]

counts = np.bincount(tgt_train[tgt_train > 0], minlength=vocab)
unigram = counts / counts.sum()
unigram_nats = float(-np.log(unigram[tgt_val[tgt_val > 0]]).mean())
print(f"{vocab} symbols; unigram baseline on the validation names: {unigram_nats:.3f} nats/char")

# %% [markdown]
# The loss is our own function of `(y_true, y_pred)`, as Keras allows: it keeps the real positions
# (target > 0) of the `(batch, steps, vocab)` scores and averages their cross-entropy, so `fit` trains
# on letters only.

# %%
def next_letter_loss(y_true, y_pred):
    targets = np.asarray(getattr(y_true, "data", y_true)).astype(np.int64)
    keep = targets > 0                        # real letters (and the final "."), not padding
    return F.softmax_cross_entropy(y_pred[keep], targets[keep])

embed, cell, head = Embedding(vocab, 24, mask_zero=True), GRU(64, return_sequences=True), Dense(vocab)
language_model = nn.models.Sequential([embed, cell, head])   # (batch, steps) -> (batch, steps, vocab)
language_model.compile(optimizer=nn.optimizers.Adam(learning_rate=0.01), loss=next_letter_loss)
start = time.perf_counter()
lm_history = language_model.fit(inp_train, tgt_train, epochs=6, batch_size=64,
                                validation_data=(inp_val, tgt_val), verbose=0)
lm_seconds = time.perf_counter() - start
with autograd.no_grad():                      # one pass over all validation letters at once
    val_nats = next_letter_loss(tgt_val, language_model(inp_val)).item()
print(f"6 epochs in {lm_seconds:.1f} s; validation {val_nats:.3f} nats/char vs unigram {unigram_nats:.3f}")

# %%
fig = plot_curves(lm_history)

# %% [markdown]
# ## 7. Twenty new names
#
# To generate, feed "." and sample a letter from the predicted distribution, feed that letter, and so
# on until the model emits "." — one step at a time, handing the GRU its state back with `initial_state`.

# %%
def sample_names(count, max_len=12, seed=0):
    rng = np.random.default_rng(seed)
    current = np.full((count, 1), DOT)
    state = np.zeros((count, 64), dtype=np.float32)
    text, done = [""] * count, np.zeros(count, dtype=bool)
    with autograd.no_grad():
        for position in range(max_len):
            out = cell(embed(current), initial_state=[state])   # one step; a GRU's output is its state
            state = out[:, -1]
            probs = head(out)[:, -1].softmax().numpy().astype(np.float64)
            probs[:, PAD] = 0.0
            if position == 0:
                probs[:, DOT] = 0.0                   # at least one letter
            probs /= probs.sum(axis=1, keepdims=True)
            choice = np.array([rng.choice(vocab, p=p) for p in probs])
            for i, c in enumerate(choice):
                if not done[i]:
                    done[i] = c == DOT
                    text[i] += "" if done[i] else symbols[c]
            current = choice[:, None]
    return [t.capitalize() for t in text]

samples = sample_names(20)
known = set(n.lower() for n in names)
print(", ".join(samples))
print(f"{sum(s.lower() not in known for s in samples)} of 20 are not in the census lists")

# %% [markdown]
# ## Check the numbers

# %%
assert all(abs(sum(shares[n]) - w.grad) < 1e-12 for n, w in (("w_x", w_x), ("w_h", w_h), ("b", b)))
assert len(shares["w_x"]) == 3 and abs(inputs[0].grad - by_hand) < 1e-12
assert np.allclose(h_all.numpy().ravel(), [s.data for s in states], atol=1e-12)
assert np.allclose([rnn.kernel.grad.item(), rnn.recurrent_kernel.grad.item(), rnn.bias.grad.item()],
                   [w_x.grad, w_h.grad, b.grad], atol=1e-12)
assert np.allclose(x_cat.grad.ravel(), [x.grad for x in inputs], atol=1e-12)
assert val_accuracy >= majority + 0.04, (val_accuracy, majority)
assert val_nats <= unigram_nats - 0.5, (val_nats, unigram_nats)
assert len(samples) == 20 and all(s.isalpha() for s in samples)
seconds = time.perf_counter() - start_notebook
print(f"BPTT checked by hand and against SimpleRNN; classifier {val_accuracy:.1%} vs {majority:.1%}; "
      f"language model {val_nats:.2f} vs {unigram_nats:.2f} nats/char; whole notebook {seconds:.0f} s")
