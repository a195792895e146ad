# %% [markdown]
# # 07 · Looking inside a trained network
#
# The seed document ends (§7) with the challenges ahead, the first being to **make models explainable**:
# to understand how a network reaches its decisions. A trained CNN is just arrays of numbers, and the
# engine can compute gradients with respect to anything, including the input image. This notebook
# looks at the weights (filters), the activations (feature maps), and then asks *which pixels made the
# network say "7"* with five attribution methods from `nn.interpret`, each one call:
#
# | method | question it answers | reference |
# |---|---|---|
# | `saliency` | which pixels, nudged, change the score most? $\lvert\partial f_c/\partial x\rvert$ | Simonyan et al. 2013 |
# | `smoothgrad` | the same, averaged over noisy copies of the image | Smilkov et al. 2017 |
# | `integrated_gradients` | how much of $f_c(x) - f_c(\text{black})$ does each pixel account for? | Sundararajan et al. 2017 |
# | `grad_cam` | where in the last conv layer's map is the evidence for class $c$? | Selvaraju et al. 2017 |
# | `occlusion` | how much does the score drop when a 3x3 patch is blacked out? | Zeiler & Fergus 2014 |
#
# A picture that looks plausible is not evidence, so every method is checked with numbers: the
# gradient against a nudge, Integrated Gradients against its completeness property, the maps against
# blanking pixels, and all of them against a randomized network (Adebayo et al. 2018).

# %%
import numpy as np

import autograd
from autograd import Tensor
from nn import interpret
from nn.datasets import load_digits
from nn.initializers import GlorotUniform
from nn.layers import Conv2D, Dense, Flatten, MaxPooling2D
from nn.losses import SparseCategoricalCrossentropy
from nn.models import Sequential
from nn.optimizers import Adam
from nn.plotting import show_attributions, show_images

np.random.seed(0)   # fit's shuffling; the weights are seeded through their initializer below

# %% [markdown]
# ## 1. A small CNN, trained on the embedded digits
#
# The 8x8 digits, doubled to 16x16 and scaled to [0, 1]. The last layer has no softmax: it outputs raw
# class scores (logits), which is what we want to differentiate; the loss applies the softmax itself
# (`from_logits=True`, the stable log-softmax of notebook 03).

# %%
images, labels = load_digits()
x = np.kron(images / 16.0, np.ones((2, 2), dtype=np.float32))[..., None].astype(np.float32)   # (1797, 16, 16, 1)
order = np.random.default_rng(0).permutation(len(x))
x, labels = x[order], labels[order]
x_train, y_train, x_test, y_test = x[:1500], labels[:1500], x[1500:], labels[1500:]


def digits_cnn(seed=0):
    init = GlorotUniform(seed=seed)
    return Sequential([
        Conv2D(16, (3, 3), activation="relu", input_shape=(16, 16, 1), kernel_initializer=init, name="conv1"),
        MaxPooling2D(2, 2),
        Conv2D(32, (3, 3), activation="relu", kernel_initializer=init, name="conv2"),
        MaxPooling2D(2, 2),
        Flatten(),
        Dense(10, kernel_initializer=init, name="scores"),
    ])


model = digits_cnn()
model.compile(optimizer=Adam(learning_rate=0.005), loss=SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=8, batch_size=32, verbose=2)
test_accuracy = float(np.mean(model.predict(x_test).argmax(axis=1) == y_test))
print(f"test accuracy: {test_accuracy:.1%}")

# %% [markdown]
# ## 2. Learned filters
#
# The first `Conv2D` has a kernel of shape (3, 3, 1, 16): sixteen 3x3 filters, drawn on one shared
# colour scale (the colorbar). **Red weights are positive**: a bright pixel there raises the filter's
# response; **blue weights are negative**: a bright pixel there lowers it. Many filters have become
# small **edge detectors** (red on one side, blue on the other), the same kind of filters found in the
# first layer of networks trained on photos.

# %%
kernel = model.layers[0].kernel.numpy()           # (3, 3, 1, 16)
filters = kernel[:, :, 0, :].transpose(2, 0, 1)    # (16, 3, 3)
filters_fig = show_images(filters, titles=[f"filter {i}" for i in range(16)], cmap="RdBu_r", ncols=8, size=1.1,
                          colorbar="weight (red > 0, blue < 0)")

# %% [markdown]
# ## 3. Feature maps
#
# Applying the layers one at a time shows what the network "sees". Each of the 16 maps is one filter slid
# across the image: bright where the image matches the filter. After pooling and the second convolution,
# the 32 maps are coarser and more abstract.

# %%
sample = x_test[:1]
with autograd.no_grad():
    maps1 = model.layers[0](Tensor(sample)).numpy()[0]                     # (14, 14, 16)
    maps2 = model.layers[2](model.layers[1](model.layers[0](Tensor(sample)))).numpy()[0]   # (5, 5, 32)
fig = show_images(sample, titles=[f"input: a {y_test[0]}"], ncols=1, size=1.6)
fig = show_images(maps1.transpose(2, 0, 1), titles=[f"map {i}" for i in range(16)], cmap="viridis", ncols=8,
                  size=1.1, suptitle="after Conv2D #1 (16 maps, 14x14)")
fig = show_images(maps2.transpose(2, 0, 1)[:16], cmap="viridis", ncols=8, size=1.1,
                  suptitle="after Conv2D #2 (first 16 of 32 maps, 5x5)")

# %% [markdown]
# ## 4. The gradient with respect to the pixels, by hand and in one call
#
# Make the **input** a Tensor with `requires_grad=True`, run the model, pick each image's score for its
# true class, and call `backward()`: `batch.grad[n]` says how fast image n's class score changes with each
# pixel. `interpret.saliency` does exactly this (with `autograd.grad`, so the model's own `.grad`s are
# left alone); `abs=False` keeps the sign.

# %%
xs, ys = x_test[:8], y_test[:8]
batch = Tensor(xs, requires_grad=True)
scores = model(batch)                                          # (8, 10) logits
scores[np.arange(8), ys].sum().backward()                      # each image's gradient is independent
grad = interpret.saliency(model, xs, ys, abs=False)
print("by hand == interpret.saliency:", np.allclose(batch.grad, grad, atol=1e-6))

# %% [markdown]
# ### Is the |gradient| map telling the truth?
#
# A saliency map claims: *the brightest pixels are the ones where a small change moves the score most*.
# Test that claim directly: nudge the 10 pixels with the largest $\lvert\text{grad}\rvert$ by $h = 0.1$
# each (in the direction that raises the score), and compare with nudging 10 random pixels the same way.
# For a linear model the gain would be exactly $h\sum\lvert\text{grad}\rvert$; the network is only
# piecewise linear, so we run it and measure.

# %%
def class_scores(images, classes, net=None):
    with autograd.no_grad():
        return (net or model)(Tensor(images)).numpy()[np.arange(len(images)), classes]


h, k = 0.1, 10
rng = np.random.default_rng(0)
flat_grad = grad.reshape(8, -1)
base_scores = class_scores(xs, ys)
gain_top, gain_random = [], []
for picks, gains in ((np.argsort(-np.abs(flat_grad), axis=1)[:, :k], gain_top),
                     (np.stack([rng.choice(256, k, replace=False) for _ in range(8)]), gain_random)):
    nudged = xs.reshape(8, -1).copy()
    rows = np.arange(8)[:, None]
    nudged[rows, picks] += h * np.sign(flat_grad[rows, picks])
    gains.extend(class_scores(nudged.reshape(xs.shape), ys) - base_scores)
nudge_ratio = np.mean(gain_top) / np.mean(gain_random)
print(f"nudging the 10 highest-|grad| pixels raises the class score by {np.mean(gain_top):.3f} on average")
print(f"nudging 10 random pixels raises it by {np.mean(gain_random):.3f}  ({nudge_ratio:.1f}x less)")

# %% [markdown]
# It is telling the truth, but it is hard to read. Each max-pool sends its window's gradient to the
# one position that won, and each ReLU passes or blocks it unit by unit, so neighbouring pixels get
# very different gradients; and it is large on the black background too, because lighting a
# background pixel *would* change the score. The gradient is the right answer to a very local
# question; the next methods ask smoother ones.
#
# ## 5. Five methods, side by side
#
# `show_attributions` draws each map over its image: **red = positive attribution** (the pixel pushes
# the class score up), **blue = negative** (it pushes it down), transparent where the attribution is
# near 0. Each map is scaled by its own 99th-percentile |value|, so the colorbar reads as "fraction of
# the map's strongest value". `saliency` and `smoothgrad` take `abs=False` here so their sign shows.

# %%
attributions = {
    "gradient": interpret.saliency(model, xs, ys, abs=False),
    "SmoothGrad": interpret.smoothgrad(model, xs, ys, samples=50, noise=0.3, seed=0, abs=False),
    "Integrated Gradients": interpret.integrated_gradients(model, xs, ys, steps=50),
    "Grad-CAM (conv2)": interpret.grad_cam(model, xs, ys, layer="conv2"),
    "occlusion (3x3)": interpret.occlusion(model, xs, ys, window=3, stride=1),
}
fig = show_attributions(xs[:5], {name: m[:5] for name, m in attributions.items()},
                        titles=[f"a {c}" for c in ys[:5]])

# %% [markdown]
# What to read in it: **SmoothGrad** (the gradient averaged over 50 copies with Gaussian noise of standard
# deviation 0.3, 30% of the pixel range) keeps the gradient's message with less pixel-to-pixel jitter
# (measured below). **Integrated Gradients** integrates the gradient along the straight path from a
# black image to the digit and multiplies by the pixel, so it is zero on the black background and
# splits the score among the lit strokes, blue where a stroke lowers the class score. **Grad-CAM** weights `conv2`'s 32 maps by
# their mean gradient and keeps the positive part: a coarse 5x5 map (upsampled) of *where* the evidence
# is. **Occlusion** needs no gradient at all: it blacks out each 3x3 patch and records the drop.
#
# How jittery is each map? A number for it: the summed differences between neighbouring pixels,
# divided by the summed |map| (0 for a constant map, about 2.6 for 16x16 white noise).

# %%
def roughness(maps):
    m = maps[..., 0]
    steps = np.abs(np.diff(m, axis=1)).sum(axis=(1, 2)) + np.abs(np.diff(m, axis=2)).sum(axis=(1, 2))
    return float(np.mean(steps / np.abs(m).sum(axis=(1, 2))))


jitter = {name: roughness(m) for name, m in attributions.items()}
for name, value in jitter.items():
    print(f"{name:>21}: roughness {value:.2f}")

# %% [markdown]
# SmoothGrad is measurably smoother than the gradient it averages. Grad-CAM and occlusion are smooth by
# construction (a coarse map upsampled; a 3x3 window), and Integrated Gradients is as rough as the
# image it multiplies by.
#
# ## 6. Integrated Gradients adds up: completeness
#
# The fundamental theorem of calculus along the path gives
# $\sum_i \text{IG}_i(x) = f_c(x) - f_c(x')$ with $x'$ the black baseline. The integral is a
# quadrature (`method="gausslegendre"` by default, captum's choice), so the sums match up to a small
# `delta` that `return_convergence_delta=True` reports; it shrinks as `steps` grows.

# %%
ig, delta = interpret.integrated_gradients(model, xs, ys, steps=50, return_convergence_delta=True)
gap = base_scores - class_scores(np.zeros_like(xs), ys)
print(" image   f(x) - f(black)   sum of IG   delta")
for n in range(8):
    print(f"  a {ys[n]}   {gap[n]:15.3f}   {ig[n].sum():9.3f}   {delta[n]:+.4f}")
completeness = {}
for method in ("gausslegendre", "riemann_trapezoid"):
    for steps in (8, 32, 128):
        _, d = interpret.integrated_gradients(model, xs, ys, steps=steps, method=method,
                                              return_convergence_delta=True)
        completeness[method, steps] = float(np.max(np.abs(d) / np.abs(gap)))
        print(f"{method:>17}, {steps:3d} steps: largest |delta| / |f(x) - f(black)| = "
              f"{completeness[method, steps]:.2%}")

# %% [markdown]
# ## 7. Do the maps point at pixels that matter? Blank them and see
#
# Integrated Gradients, Grad-CAM and occlusion all claim that their top pixels carry the evidence for the
# class. Black out the 10 lit pixels (value > 0.1) that each method ranks highest and compare the score
# drop with blacking out 10 random lit pixels (blanking a pixel that is already black changes nothing).
# The gradient maps answer the nudging question of section 4 instead, so they are not judged by this test.

# %%
def blank(images, picks):
    out = images.reshape(len(images), -1).copy()
    out[np.arange(len(images))[:, None], picks] = 0.0
    return out.reshape(images.shape)


lit = xs.reshape(8, -1) > 0.1
random_picks = np.stack([rng.choice(np.flatnonzero(row), k, replace=False) for row in lit])
drop_random = np.mean(base_scores - class_scores(blank(xs, random_picks), ys))
drops = {}
for name in ("Integrated Gradients", "Grad-CAM (conv2)", "occlusion (3x3)"):
    ranked = np.where(lit, attributions[name].reshape(8, -1), -np.inf)   # lit pixels only
    top = np.argsort(-ranked, axis=1)[:, :k]
    drops[name] = float(np.mean(base_scores - class_scores(blank(xs, top), ys)))
    print(f"blanking the top 10 pixels of {name:<21} lowers the class score by {drops[name]:6.2f}")
print(f"blanking 10 random lit pixels{'':>22} lowers it by {drop_random:6.2f}")

# %% [markdown]
# All three beat random pixels; Grad-CAM by the least, since its coarse 5x5 map cannot single out
# individual pixels, only regions.
#
# ## 8. A sanity check: randomize the network, do the maps change?
#
# Adebayo et al. (2018, "Sanity checks for saliency maps") noticed that some popular maps look almost the
# same for a trained network and for one with random weights: such a map shows the *image*, not what the
# model learned. Their test: re-initialize the layers from the top down (here `scores`, then `conv2`,
# then `conv1`) and measure how similar each method's map stays, with the Spearman rank correlation
# (1 = same ranking of pixels, 0 = unrelated) of the |maps| (where the map is strong) and of the signed
# maps (which way each pixel pushes). A method that explains the model must drop.

# %%
def randomized(layers):
    """A copy of the trained model whose `layers` get fresh random weights."""
    copy = digits_cnn()
    copy.set_weights(model.get_weights())
    fresh = GlorotUniform(seed=1)
    for layer in (layer for layer in copy.layers if layer.name in layers):
        layer.kernel.data[...] = fresh(layer.kernel.shape)
        layer.bias.data[...] = 0.0
    return copy


def all_maps(net):
    return {
        "gradient": interpret.saliency(net, xs, ys, abs=False),
        "SmoothGrad": interpret.smoothgrad(net, xs, ys, samples=50, noise=0.3, seed=0, abs=False),
        "Integrated Gradients": interpret.integrated_gradients(net, xs, ys, steps=50),
        "Grad-CAM (conv2)": interpret.grad_cam(net, xs, ys, layer="conv2"),
        "occlusion (3x3)": interpret.occlusion(net, xs, ys, window=3, stride=1),
    }


def ranks(v):
    """Average ranks (ties share theirs), for Spearman's correlation."""
    _, where, counts = np.unique(v, return_inverse=True, return_counts=True)
    return (np.cumsum(counts) - (counts - 1) / 2)[where]


def spearman(a, b, signed=False):
    """Mean over images of the rank correlation between |a| and |b| (or a and b); an all-zero map: 0."""
    a, b = (a, b) if signed else (np.abs(a), np.abs(b))
    rho = [np.corrcoef(ranks(p.ravel()), ranks(q.ravel()))[0, 1] if p.any() and q.any() else 0.0
           for p, q in zip(a, b)]
    return float(np.mean(rho))


cascade = [["scores"], ["scores", "conv2"], ["scores", "conv2", "conv1"]]
random_maps = {layers[-1]: all_maps(randomized(layers)) for layers in cascade}
similarity, similarity_signed = {}, {}
for layer, maps in random_maps.items():
    similarity[layer] = {name: spearman(attributions[name], m) for name, m in maps.items()}
    similarity_signed[layer] = {name: spearman(attributions[name], m, signed=True) for name, m in maps.items()}
input_likeness = {name: spearman(m, xs) for name, m in attributions.items()}
print(f"{'randomized from the top to':>27}   " + "   ".join(f"{name:>10.10}" for name in attributions))
for title, table in (("|map|", similarity), ("signed map", similarity_signed)):
    print(title)
    for layer, row in table.items():
        print(f"{layer:>27}   " + "   ".join(f"{row[name]:10.2f}" for name in attributions))
print(f"{'|trained map| vs the image':>27}   " + "   ".join(f"{input_likeness[n]:10.2f}" for n in attributions))

# %%
fig = show_attributions(np.repeat(xs[:1], 4, axis=0),
                        {name: np.concatenate([attributions[name][:1]] + [random_maps[l][name][:1] for l in
                                                                           ("scores", "conv2", "conv1")])
                         for name in attributions},
                        titles=["trained", "random scores", "+ random conv2", "+ random conv1"])

# %% [markdown]
# The two tables tell different stories. **Signed maps**: once `scores` is random, every method's map is
# unrelated to the trained one (rank correlation 0.1 to 0.36, then about 0): *which way* a pixel pushes
# is learned, and all five methods pass. **|maps|**, *where* the map is strong: Grad-CAM drops at once,
# since its channel weights are the gradients coming down from `scores`. The gradient, SmoothGrad and
# occlusion keep a correlation of about 0.65 even with every layer random: 3x3 convolutions and pooling
# over this particular image shape them whatever the weights (Adebayo et al. saw the same). And
# **Integrated Gradients with a black baseline barely changes** (0.93): it multiplies by the pixel, so it
# is zero on the background and strong on the strokes whatever the network; it is the |map| most like
# the image itself (last row). So read its signs and relative sizes within the strokes, not its outline:
# an untrained network's |IG| map has the same outline.
#
# ## 9. Grad-CAM at two depths
#
# Grad-CAM works on any convolutional layer (`layer=` takes its name; the default is the last one). The
# deeper `conv2` (5x5) has more class-specific but coarse evidence; `conv1` (14x14) is sharp but still
# close to edge detection. A photo model would show the same trade-off, but no photo set ships with
# stepgrad and training one would not fit this notebook's one-minute budget, so the digits model stands in.

# %%
cams = {"Grad-CAM conv1": interpret.grad_cam(model, xs[:5], ys[:5], layer="conv1"),
        "Grad-CAM conv2": interpret.grad_cam(model, xs[:5], ys[:5], layer="conv2"),
        "conv2, 'nearest'": interpret.grad_cam(model, xs[:5], ys[:5], layer="conv2", interpolation="nearest")}
fig = show_attributions(xs[:5], cams, titles=[f"a {c}" for c in ys[:5]])

# %% [markdown]
# ## Check the numbers

# %%
cbar = filters_fig.axes[-1]
weight_image = filters_fig.axes[0].images[0]
red, blue = weight_image.cmap(weight_image.norm(kernel.max())), weight_image.cmap(weight_image.norm(kernel.min()))
print(f"test accuracy {test_accuracy:.1%}; |grad| nudge {nudge_ratio:.1f}x random; roughness gradient "
      f"{jitter['gradient']:.2f}, SmoothGrad {jitter['SmoothGrad']:.2f}")
print("IG completeness, largest |delta| / gap:", {f"{m} {s}": f"{v:.2%}" for (m, s), v in completeness.items()})
print("score drop, top-10 blanked:", {n: round(v, 2) for n, v in drops.items()}, f"random lit: {drop_random:.2f}")
print("rank correlation with the trained map, |map| after randomizing down to conv1:",
      {n: round(v, 2) for n, v in similarity["conv1"].items()})
print("rank correlation with the trained map, signed map after randomizing scores:",
      {n: round(v, 2) for n, v in similarity_signed["scores"].items()})
assert test_accuracy >= 0.95, test_accuracy
assert kernel.shape == (3, 3, 1, 16) and maps1.shape == (14, 14, 16) and maps2.shape == (5, 5, 32)
assert cbar.get_ylabel().startswith("weight") and red[0] > red[2] and blue[2] > blue[0]   # red = positive
assert np.allclose(batch.grad, grad, atol=1e-6)
assert nudge_ratio > 2, nudge_ratio                                   # the drawn |grad| map, tested
assert jitter["SmoothGrad"] < 0.85 * jitter["gradient"], jitter      # SmoothGrad is smoother
assert np.all(np.abs(delta) <= 0.02 * np.abs(gap)), delta / gap       # completeness at 50 steps
assert completeness["gausslegendre", 128] < 0.01 and completeness["riemann_trapezoid", 128] < 0.01
assert all(drop > 2 * drop_random for drop in drops.values()), (drops, drop_random)
assert all(rho < 0.4 for rho in similarity_signed["scores"].values())  # the signs are learned: all pass
assert similarity["scores"]["Grad-CAM (conv2)"] < 0.6                # Grad-CAM follows the last layer
assert similarity["conv1"]["gradient"] < similarity["scores"]["gradient"] < 0.9
assert similarity["conv1"]["Integrated Gradients"] > 0.8 and input_likeness["Integrated Gradients"] > 0.7
print("filters, maps and attributions check out")
