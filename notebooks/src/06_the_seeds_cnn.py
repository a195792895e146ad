# %% [markdown]
# # 06 · The seed's CNN, on real images
#
# Section 4 of the seed document trains an image classifier with Keras in four steps: a data generator
# reads a folder of images (§4.1), a `Sequential` stack of convolution and pooling layers (§4.2), `compile`
# with Adam and cross-entropy (§4.3), and `fit` (§4.4). With stepgrad the code is the same —
# `tensorflow.keras` becomes `nn` — and runs on the engine from the previous notebooks.
#
# The seed trains on `data/train` (150x150 photos, two classes). So that this notebook runs anywhere in
# seconds, we write the 1797 handwritten digits that ship with stepgrad (UCI, 8x8 pixels) into a folder
# of PNG files, one sub-folder per digit, and train on that.

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from autograd import Tensor
from autograd.functional import conv2d, max_pool2d
from nn.cli import write_digits_folder
from nn.layers import Conv2D, Dense, Flatten, MaxPooling2D
from nn.models import Sequential
from nn.plotting import confusion_matrix, plot_confusion_matrix, plot_curves, show_images
from nn.initializers import GlorotUniform
from nn.preprocessing.image import ImageDataGenerator

np.random.seed(0)   # fit's shuffling; the weights are seeded through their initializer below

# %% [markdown]
# ## 1. An image folder
#
# `flow_from_directory` expects one sub-folder per class; the folder names become the class names.

# %%
folder = Path(tempfile.mkdtemp()) / "digits"
write_digits_folder(folder, image_size=24)
print(sorted(p.name for p in folder.iterdir()))
print(len(list((folder / "3").glob("*.png"))), "images of a 3, e.g.", sorted((folder / "3").glob("*.png"))[0].name)

# %% [markdown]
# ## 2. Data preprocessing (seed §4.1)
#
# `rescale=1./255` maps pixel values to [0, 1]. `validation_split=0.2` holds out the first 20% of each
# class's files (in name order, as Keras does; `write_digits_folder` names the files in a shuffled order,
# so that slice is a random sample); `subset=` picks one side. The seed uses `class_mode='binary'` for two
# classes; with ten digits we use `'categorical'` (one-hot labels). Images are read as 24x24 grayscale.

# %%
datagen = ImageDataGenerator(rescale=1. / 255, validation_split=0.2)
train_generator = datagen.flow_from_directory(
    folder, target_size=(24, 24), color_mode="grayscale", batch_size=32,
    class_mode="categorical", subset="training", seed=0)
validation_generator = datagen.flow_from_directory(
    folder, target_size=(24, 24), color_mode="grayscale", batch_size=32,
    class_mode="categorical", subset="validation", shuffle=False)

x_batch, y_batch = train_generator[0]
print("one batch:", x_batch.shape, x_batch.dtype, "pixel range", (x_batch.min(), x_batch.max()), "labels", y_batch.shape)
fig = show_images(x_batch[:16], titles=[str(k) for k in y_batch[:16].argmax(axis=1)], ncols=8, size=1.0)

# %% [markdown]
# ## 3. Convolution and pooling, by hand
#
# A `Conv2D` layer slides a small grid of weights, the **kernel**, over the image. At each position it
# multiplies the 3x3 patch under the kernel element by element with the kernel's 9 weights, sums, and
# adds a bias: one output pixel. Here is one 3x3 kernel that responds to vertical edges (bright on the
# left, dark on the right), applied by hand to one training image at one position:

# %%
image = x_batch[0, :, :, 0]                        # 24 x 24, values in [0, 1]
kernel = np.array([[1.0, 0.0, -1.0],
                   [1.0, 0.0, -1.0],
                   [1.0, 0.0, -1.0]])
p, q = 8, 6                                         # output row and column
patch = image[p:p + 3, q:q + 3]
print("patch =\n", patch.round(2))
print("sum(patch * kernel) =", round(float(np.sum(patch * kernel)), 4))

# %% [markdown]
# Doing that at every position the kernel fits gives the output **feature map**. Compare the double loop
# with `autograd.functional.conv2d`, which computes all positions (and all images and filters) in one
# matrix product and is what `Conv2D` calls:

# %%
n, k = image.shape[0], kernel.shape[0]
by_hand = np.zeros((n - k + 1, n - k + 1))
for i in range(n - k + 1):
    for j in range(n - k + 1):
        by_hand[i, j] = np.sum(image[i:i + k, j:j + k] * kernel)
by_engine = conv2d(Tensor(image[None, :, :, None]), Tensor(kernel[:, :, None, None])).numpy()[0, :, :, 0]
print("by hand", by_hand.shape, " conv2d", by_engine.shape, " equal:", np.allclose(by_hand, by_engine, atol=1e-5))

pooled = max_pool2d(Tensor(by_engine[None, :, :, None]), 2).numpy()[0, :, :, 0]
fig, axes = plt.subplots(1, 3, figsize=(9, 3.2))
for ax, img, title in [(axes[0], image, "input 24x24"), (axes[1], by_engine, "after the 3x3 kernel: 22x22"),
                       (axes[2], pooled, "after 2x2 max pooling: 11x11")]:
    ax.imshow(img, cmap="gray" if img is image else "RdBu_r"); ax.set_title(title, fontsize=10); ax.axis("off")
fig.tight_layout()

# %% [markdown]
# **Why 24 → 22 → 11.** A $k \times k$ kernel fits in $n - k + 1$ positions along a side of $n$ pixels
# (with `padding="valid"`, the default: no padding). So $24 - 3 + 1 = 22$. In general, with stride $s$
# and $p$ pixels of padding on each side, the output side is $\lfloor (n + 2p - k)/s \rfloor + 1$.
# `MaxPooling2D(2, 2)` is a $2 \times 2$ window with stride 2: $\lfloor 22/2 \rfloor = 11$.
#
# **One pooling window.** Each output pixel of max pooling is the largest of the 4 pixels of its window.
# The window at output position (3, 4) covers rows 6-7 and columns 8-9 of the feature map:

# %%
window = by_engine[6:8, 8:10]
print("window =\n", window.round(3), "\nmax =", round(float(window.max()), 4), "  pooled[3, 4] =", round(float(pooled[3, 4]), 4))

# %% [markdown]
# **Why the first layer has 320 parameters.** `Conv2D(32, (3, 3))` on a 1-channel image learns 32
# kernels, each of $3 \times 3 \times 1 = 9$ weights, plus one bias per kernel:
# $32 \times 9 + 32 = 320$. The same 320 numbers are used at every one of the $22 \times 22$ positions;
# that sharing is why a convolution needs far fewer weights than a `Dense` layer on the same pixels
# ($576 \times 32 + 32 = 18{,}464$ for 32 units). With $C$ input channels, each kernel has
# $3 \times 3 \times C$ weights: the second conv layer has $64 \times (3 \cdot 3 \cdot 32) + 64 = 18{,}496$.

# %% [markdown]
# ## 4. The model (seed §4.2)
#
# The seed's model, unchanged except for the input shape and the output layer. Each `Conv2D` computes
# $a = \mathrm{relu}(W * x + b)$ — the seed's $z = Wx + b,\ a = f(z)$ with the weights slid across the
# image — and each `MaxPooling2D` halves the resolution. For 24x24 inputs the seed's third conv/pool block
# would leave a 1x1 map, so we keep two blocks; `Dense(10, softmax)` gives one probability per digit.
# One seeded initializer (Keras's default, Glorot uniform) makes the starting weights the same every run.

# %%
init = GlorotUniform(seed=0)
model = Sequential([
    Conv2D(32, (3, 3), activation="relu", input_shape=(24, 24, 1), kernel_initializer=init),
    MaxPooling2D(2, 2),
    Conv2D(64, (3, 3), activation="relu", kernel_initializer=init),
    MaxPooling2D(2, 2),
    Flatten(),
    Dense(128, activation="relu", kernel_initializer=init),
    Dense(10, activation="softmax", kernel_initializer=init),
])
model.summary()
layer_params = [sum(int(w.size) for w in layer.parameters()) for layer in model.layers]
print("parameters per layer:", layer_params)
print("shapes: 24 -> conv", 24 - 3 + 1, "-> pool", (24 - 3 + 1) // 2, "-> conv", (24 - 3 + 1) // 2 - 2,
      "-> pool", ((24 - 3 + 1) // 2 - 2) // 2, "-> flatten", (((24 - 3 + 1) // 2 - 2) // 2) ** 2 * 64)

# %% [markdown]
# For comparison, the seed's exact model for 150x150 RGB photos — 19 million parameters, 18.5 million of
# them in the first `Dense` layer:

# %%
seed_model = Sequential([
    Conv2D(32, (3, 3), activation="relu", input_shape=(150, 150, 3)),
    MaxPooling2D(2, 2),
    Conv2D(64, (3, 3), activation="relu"),
    MaxPooling2D(2, 2),
    Conv2D(128, (3, 3), activation="relu"),
    MaxPooling2D(2, 2),
    Flatten(),
    Dense(512, activation="relu"),
    Dense(1, activation="sigmoid"),
])
seed_model.summary()
seed_params = seed_model.count_params()
del seed_model

# %% [markdown]
# ## 5. Compile and train (seed §4.3, §4.4)
#
# Adam (notebook 04) minimises the categorical cross-entropy $H(p, q) = -\sum_i p_i \log q_i$ (notebook 03).
# Each epoch goes once through the training images; after each, the model is scored on the validation
# images it never trains on.

# %%
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(train_generator, epochs=4, validation_data=validation_generator, verbose=2)

# %%
fig = plot_curves(history)

# %% [markdown]
# ## 6. Predictions on validation images
#
# Each title is the predicted digit and its probability; green titles are right, red ones wrong (with the
# true digit). The first row collects mistakes.

# %%
x_val = np.concatenate([validation_generator[i][0] for i in range(len(validation_generator))])
y_val = np.concatenate([validation_generator[i][1] for i in range(len(validation_generator))]).argmax(axis=1)
probs = model.predict(x_val)
pred = probs.argmax(axis=1)
shown = np.r_[np.flatnonzero(pred != y_val)[:8], np.arange(0, len(x_val), 15)][:32]
titles = [f"{pred[i]} ({probs[i, pred[i]]:.2f})" + ("" if pred[i] == y_val[i] else f" not {y_val[i]}")
          for i in shown]
fig = show_images(x_val[shown], titles=titles,
                  colors=["green" if pred[i] == y_val[i] else "red" for i in shown], ncols=8, size=1.1)

# %% [markdown]
# The **confusion matrix** counts, for each true digit (row), what the model predicted (column). The
# diagonal holds the correct answers; anything off it shows which digits get mixed up.

# %%
counts = confusion_matrix(y_val, pred, num_classes=10)
fig = plot_confusion_matrix(counts)

# %% [markdown]
# ## 7. The seed's setting: two classes, `class_mode='binary'`
#
# The seed's folder has two classes, so it asks `flow_from_directory` for `class_mode='binary'`: each label
# is a single number, 0 or 1 (the class folders in sorted order), instead of a one-hot row. The model
# ends in **one** sigmoid unit, the probability of class 1, and trains with the binary cross-entropy of
# notebook 03. We take two digits that look alike, 3 and 8, from the same folder (`classes=` picks them).

# %%
binary_kwargs = dict(target_size=(24, 24), color_mode="grayscale", batch_size=32, classes=["3", "8"],
                     class_mode="binary")
binary_train = datagen.flow_from_directory(folder, subset="training", seed=0, **binary_kwargs)
binary_val = datagen.flow_from_directory(folder, subset="validation", shuffle=False, **binary_kwargs)
xb, yb = binary_train[0]
print("class_indices", binary_train.class_indices, "  labels of one batch:", yb[:10], yb.shape)

binary_model = Sequential([
    Conv2D(16, (3, 3), activation="relu", input_shape=(24, 24, 1), kernel_initializer=init),
    MaxPooling2D(2, 2),
    Flatten(),
    Dense(32, activation="relu", kernel_initializer=init),
    Dense(1, activation="sigmoid", kernel_initializer=init),
])
binary_model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
binary_history = binary_model.fit(binary_train, epochs=4, validation_data=binary_val, verbose=2)
binary_accuracy = binary_history.history["val_accuracy"][-1]

# %% [markdown]
# ## Exercises
#
# Checkers live in `exercises.py` beside this notebook, reference answers in `solutions.py` (try first).
#
# **1.** Write `conv_output_size(n, k, stride, padding)`: the output side of a $k \times k$ convolution
# of an $n \times n$ image, for `padding` "valid" or "same" (Keras's "same" pads so that the output
# side is $\lceil n / s \rceil$).

# %%
import exercises as ex

def conv_output_size(n, k, stride, padding):
    ...   # your code

ex.check_conv_output_size(conv_output_size)

# %% [markdown]
# **2.** Write `conv_parameter_count(kernel_size, in_channels, filters)` for a `Conv2D` with bias.

# %%
def conv_parameter_count(kernel_size, in_channels, filters):
    ...   # your code

ex.check_conv_parameter_count(conv_parameter_count)

# %% [markdown]
# **3.** Write `max_pool(image)`: 2x2 max pooling with stride 2 of a 2-D numpy array with even sides
# (one `reshape` and one `max` do it, or two loops).

# %%
def max_pool(image):
    ...   # your code

ex.check_max_pool(max_pool)

# %% [markdown]
# ## Check the numbers

# %%
accuracy = float(np.mean(pred == y_val))
print(f"validation accuracy {accuracy:.1%} on {len(y_val)} images")
assert train_generator.samples + validation_generator.samples == 1797
assert seed_params == 19_034_177
assert accuracy >= 0.93
assert np.isclose(history.history["val_accuracy"][-1], accuracy, atol=1e-6)
assert counts.sum() == len(y_val) and np.trace(counts) == int(np.sum(pred == y_val))
assert history.history["loss"][-1] < history.history["loss"][0]
assert np.allclose(by_hand, by_engine, atol=1e-5) and by_hand.shape == (22, 22)   # conv by hand = conv2d
assert pooled.shape == (11, 11) and np.isclose(pooled[3, 4], window.max())         # 24 -> 22 -> 11
assert layer_params[0] == 32 * 3 * 3 * 1 + 32 == 320 and layer_params[2] == 18_496
assert model.count_params() == sum(layer_params)
assert binary_train.class_indices == {"3": 0, "8": 1} and yb.ndim == 1 and set(np.unique(yb)) <= {0.0, 1.0}
assert binary_accuracy >= 0.9, binary_accuracy                                      # binary class_mode trains
