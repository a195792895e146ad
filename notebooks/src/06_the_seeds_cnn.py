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

import numpy as np

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
# ## 3. The model (seed §4.2)
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
# ## 4. Compile and train (seed §4.3, §4.4)
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
# ## 5. Predictions on validation images
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
