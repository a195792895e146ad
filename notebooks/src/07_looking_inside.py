# %% [markdown]
# # 07 · Looking inside a trained network
#
# The seed document ends (§7) with the challenges ahead, the first being to **make models explainable**:
# to understand how a network reaches its decisions. A trained CNN is just arrays of numbers, and the
# engine can compute gradients with respect to anything — including the input image. This notebook uses
# three classic tools:
#
# 1. **learned filters**: the first layer's 3x3 kernels, drawn as tiny images;
# 2. **feature maps**: what each filter responds to in a given image;
# 3. **saliency maps**: $\left|\partial\, \text{score}_c / \partial\, \text{pixel}\right|$ — which pixels,
#    if nudged, would change the class score most (Simonyan et al., 2013).

# %%
import numpy as np

import autograd
from autograd import Tensor
from nn.datasets import load_digits
from nn.initializers import GlorotUniform
from nn.layers import Conv2D, Dense, Flatten, MaxPooling2D
from nn.losses import SparseCategoricalCrossentropy
from nn.models import Sequential
from nn.optimizers import Adam
from nn.plotting import show_images

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

init = GlorotUniform(seed=0)
model = Sequential([
    Conv2D(16, (3, 3), activation="relu", input_shape=(16, 16, 1), kernel_initializer=init),
    MaxPooling2D(2, 2),
    Conv2D(32, (3, 3), activation="relu", kernel_initializer=init),
    MaxPooling2D(2, 2),
    Flatten(),
    Dense(10, kernel_initializer=init),
])
model.compile(optimizer=Adam(learning_rate=0.005), loss=SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=8, batch_size=32, verbose=2)
test_accuracy = float(np.mean(model.predict(x_test).argmax(axis=1) == y_test))
print(f"test accuracy: {test_accuracy:.1%}")

# %% [markdown]
# ## 2. Learned filters
#
# The first `Conv2D` has a kernel of shape (3, 3, 1, 16): sixteen 3x3 filters. Red weights add the
# pixel, blue ones subtract it: many filters have become small **edge detectors** (light on one side,
# dark on the other), the same kind of filters found in the first layer of networks trained on photos.

# %%
kernel = model.layers[0].kernel.numpy()           # (3, 3, 1, 16)
filters = kernel[:, :, 0, :].transpose(2, 0, 1)    # (16, 3, 3)
fig = show_images(filters, titles=[f"filter {i}" for i in range(16)], cmap="RdBu", ncols=8, size=1.1)

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
# ## 4. Saliency maps, with the engine
#
# Make the **input** a Tensor with `requires_grad=True`, run the model, pick each image's score for its
# true class, and call `backward()`. The gradient lands on the pixels: `x.grad[n]` says how much each
# pixel of image n pushes that image's class score up or down. Its absolute value is the saliency map.

# %%
batch = Tensor(x_test[:8], requires_grad=True)
scores = model(batch)                                          # (8, 10) logits
true_scores = scores[np.arange(8), y_test[:8]]                 # (8,) one score per image
true_scores.sum().backward()                                   # each image's gradient is independent
saliency = np.abs(batch.grad[..., 0])
fig = show_images(np.concatenate([x_test[:8, ..., 0], saliency]), ncols=8, size=1.1,
                  titles=[f"a {k}" for k in y_test[:8]] + ["saliency"] * 8, cmap=["gray"] * 8 + ["magma"] * 8)

# %% [markdown]
# ### Is the saliency map telling the truth?
#
# Two checks with numbers. First, the gradient is a derivative, so nudging the most salient pixel of
# image 0 by a small $h$ must change its score by about `grad * h`. Second, to first order, blanking a
# pixel (setting it to 0) changes the score by $-\,\text{grad} \times \text{pixel}$. So blanking the
# 10 lit pixels with the largest $\text{grad} \times \text{pixel}$ should hurt the class score far more
# than blanking 10 random lit pixels.

# %%
def score_of(image, label):
    with autograd.no_grad():
        return float(model(Tensor(image)).numpy()[0, label])

n, label = 0, y_test[0]
i, j = np.unravel_index(np.argmax(saliency[n]), saliency[n].shape)
h = 1e-3
up, down = x_test[:1].copy(), x_test[:1].copy()
up[0, i, j, 0] += h
down[0, i, j, 0] -= h
numeric = (score_of(up, label) - score_of(down, label)) / (2 * h)
print(f"pixel ({i}, {j}): backward says {batch.grad[n, i, j, 0]:+.4f}, finite difference says {numeric:+.4f}")

rng = np.random.default_rng(0)
drops_salient, drops_random = [], []
for n in range(8):
    image, label = x_test[n:n + 1], y_test[n]
    base = score_of(image, label)
    attribution = (batch.grad[n] * x_test[n]).ravel()          # grad x pixel
    lit = np.flatnonzero(image.ravel() > 0.1)
    top = lit[np.argsort(attribution[lit])[-10:]]
    rand = rng.choice(lit, size=10, replace=False)
    for idx, drops in ((top, drops_salient), (rand, drops_random)):
        blanked = image.copy().reshape(-1)
        blanked[idx] = 0.0
        drops.append(base - score_of(blanked.reshape(image.shape), label))
print(f"blanking the 10 most important pixels lowers the class score by {np.mean(drops_salient):.2f} on average")
print(f"blanking 10 random lit pixels lowers it by {np.mean(drops_random):.2f}")

# %% [markdown]
# ## Check the numbers

# %%
assert test_accuracy >= 0.95, test_accuracy
assert kernel.shape == (3, 3, 1, 16) and maps1.shape == (14, 14, 16) and maps2.shape == (5, 5, 32)
assert saliency.shape == (8, 16, 16) and saliency.max() > 0
assert abs(numeric - batch.grad[0, i, j, 0]) <= 0.05 * abs(numeric) + 1e-3
assert np.mean(drops_salient) > 2 * np.mean(drops_random)
print("filters, maps and saliency check out")
