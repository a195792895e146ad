# %% [markdown]
# # 09 · From here
#
# The seed document ends with where deep learning is used (§5), the tools people use (§6: TensorFlow,
# Keras, PyTorch, CIFAR-10) and what is still hard (§7: efficiency, too little data, generalisation).
# This notebook walks through those sections with code:
#
# 1. where models like the ones in notebooks 02-06 are applied;
# 2. a two-class photo task from a folder, start to finish, with the `stepgrad` command line;
# 3. the same small model in stepgrad, Keras and PyTorch, side by side;
# 4. overfitting, measured, and what data augmentation does about it;
# 5. what "efficient" means for a model: parameters, bytes, and where they sit.

# %%
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image, ImageDraw

from nn.initializers import GlorotUniform
from nn.layers import Conv2D, Dense, Flatten, MaxPooling2D
from nn.models import Sequential
from nn.optimizers import Adam
from nn.plotting import show_images
from nn.preprocessing.image import ImageDataGenerator

np.random.seed(0)   # fit's shuffling and the augmentations draw from numpy's global generator
work = Path(tempfile.mkdtemp(prefix="stepgrad-09-"))

# %% [markdown]
# ## 1. Where these models are applied (seed §5)
#
# Every model in these notebooks is a function from numbers to numbers, fitted to examples by gradient
# descent. What changes between applications is what the numbers are:
#
# | field | input | output | the closest notebook |
# |---|---|---|---|
# | medicine: screening scans, spotting tumours | pixels of an X-ray or a skin photo | probability of disease (binary cross-entropy) | 06 (binary `class_mode`) |
# | finance: fraud and risk | a transaction's amounts, times, places | probability of fraud | 02, 05 (an MLP on a table of numbers) |
# | driving: recognising cars, people, signs | camera frames | a class per object, boxes | 06 (a CNN), scaled up |
# | language and speech | characters, words, sound frames | the next character, a transcript | 08 (sequences) |
#
# The engine underneath does not change: a graph of operations, `backward()`, an optimizer step. What
# makes real applications hard is mostly §7's list: data (too little, or not like the data at use time),
# checking that a model generalises, and the cost of running it. Section 2-5 below touch each.
#
# ## 2. A two-class photo task with `stepgrad train` and `stepgrad predict`
#
# The seed's pipeline (§4) reads a folder `data/train/<class>/*.jpg`. So that this notebook runs anywhere
# in seconds, we **make** such a folder: small synthetic "photos", 24x24 pixels, each a shaded background
# of random colours, one bar in a contrasting colour, and sensor noise. The two classes are bars lying
# **horizontal** and bars standing **vertical**, at random places and sizes.

# %%
SIZE = 24
CLASSES = ("horizontal", "vertical")


def make_photo(kind, rng, size=SIZE):
    """One synthetic photo: a colour-gradient background, one bar of the given orientation, noise."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    c0, c1 = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    ramp = (xx * rng.uniform(-1, 1) + yy * rng.uniform(-1, 1))[..., None]
    background = c0 + (c1 - c0) * (ramp - ramp.min()) / (np.ptp(ramp) + 1e-9)
    img = Image.fromarray(background.astype(np.uint8))
    length, width = rng.uniform(0.55, 0.85) * size, rng.uniform(0.15, 0.25) * size
    w, h = (length, width) if kind == "horizontal" else (width, length)
    x0, y0 = rng.uniform(0, size - w), rng.uniform(0, size - h)
    under = background[int(y0 + h / 2), int(x0 + w / 2)]
    colour = tuple(int(v) for v in np.clip(255 - under + rng.uniform(-40, 40, 3), 0, 255))
    ImageDraw.Draw(img).rectangle([x0, y0, x0 + w, y0 + h], fill=colour)
    noisy = np.asarray(img, dtype=float) + rng.normal(0, 12, (size, size, 3))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def write_folder(root, per_class, seed):
    """root/<class>/NNN.png, per_class photos of each class."""
    rng = np.random.default_rng(seed)
    for kind in CLASSES:
        (root / kind).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            make_photo(kind, rng).save(root / kind / f"{i:03d}.png")
    return root


photos = write_folder(work / "photos", per_class=150, seed=0)
sample = [np.asarray(Image.open(photos / kind / f"{i:03d}.png")) / 255 for kind in CLASSES for i in range(8)]
fig = show_images(np.array(sample), titles=[kind for kind in CLASSES for _ in range(8)], ncols=8, size=1.1)

# %% [markdown]
# `stepgrad train DIR` is the seed's §4 as one command: `ImageDataGenerator(rescale=1./255)` with a 20%
# validation split, `flow_from_directory` with `class_mode='binary'` (two sub-folders), the seed's CNN
# scaled to the image size, Adam and binary cross-entropy, then `weights.npz`, `model.json`,
# `history.csv` and `curves.png` in the output folder. We run it as a shell would (the same as typing
# the printed command in a terminal):

# %%
bin_dir = Path(sys.executable).parent
stepgrad = [str(bin_dir / "stepgrad")] if (bin_dir / "stepgrad").exists() else [sys.executable, "-m", "nn"]
run_dir = work / "run"
train_args = ["train", str(photos), "--image-size", str(SIZE), "--epochs", "8", "--learning-rate", "0.003",
              "--lr-decay", "0.9", "--out", str(run_dir), "--seed", "0"]
print("$ stepgrad", " ".join(train_args).replace(str(work), "$WORK"))
done = subprocess.run(stepgrad + train_args, capture_output=True, text=True, check=True,
                      env=dict(os.environ, TQDM_DISABLE="1"))
for line in done.stdout.splitlines():
    if line.startswith(("Found", "Trained", "Final", "Total params")):
        print(line.replace(str(work), "$WORK"))
cli_history = np.genfromtxt(run_dir / "history.csv", delimiter=",", names=True)
print("validation accuracy per epoch:", np.round(cli_history["val_accuracy"], 3).tolist())

# %% [markdown]
# `stepgrad predict` rebuilds the network from `model.json`, loads `weights.npz` and classifies image
# files. Eight new photos, made with another random seed, that the model has never seen:

# %%
fresh = write_folder(work / "new_photos", per_class=4, seed=99)
files = sorted(str(p) for p in fresh.glob("*/*.png"))
predict_args = ["predict", str(run_dir / "weights.npz"), *files]
print("$ stepgrad predict $WORK/run/weights.npz", " ".join(f"$WORK/new_photos/{Path(f).parent.name}/{Path(f).name}" for f in files[:2]), "...")
done = subprocess.run(stepgrad + predict_args, capture_output=True, text=True, check=True)
predictions = {}
for line in done.stdout.splitlines():
    path, rest = line.rsplit(": ", 1)
    predictions[path] = rest.split(" ")[0]
    print(line.replace(str(work), "$WORK"))
cli_correct = sum(predictions[f] == Path(f).parent.name for f in files)
print(f"{cli_correct} of {len(files)} right")

# %% [markdown]
# ## 3. The same model in stepgrad, Keras and PyTorch (seed §6)
#
# The seed names TensorFlow/Keras and PyTorch as the tools of the trade. stepgrad copies Keras's names
# for the model API and PyTorch's for the engine, so moving between them is mostly spelling. Here is one
# small CNN for our 24x24 photos in each. The stepgrad version runs here; the other two run only if
# their package is installed (`pip install keras` / `torch`), and are shown for reading either way.

# %%
def small_cnn(seed=0):
    """Conv16-Pool-Conv32-Pool-Flatten-Dense64-Dense1: the seed's CNN, shrunk for 24x24 photos."""
    init = GlorotUniform(seed=seed)
    return Sequential([
        Conv2D(16, (3, 3), activation="relu", input_shape=(SIZE, SIZE, 3), kernel_initializer=init),
        MaxPooling2D(2, 2),
        Conv2D(32, (3, 3), activation="relu", kernel_initializer=init),
        MaxPooling2D(2, 2),
        Flatten(),
        Dense(64, activation="relu", kernel_initializer=init),
        Dense(1, activation="sigmoid", kernel_initializer=init),
    ])

model = small_cnn()
print("stepgrad parameters:", model.count_params())

# %% [markdown]
# **Keras** (`tensorflow.keras` or Keras 3): the same lines with `keras.layers.` in front; only the input
# is declared with `keras.Input` rather than `input_shape=`.

# %%
if importlib.util.find_spec("keras") is not None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    keras_model = keras.Sequential([
        keras.Input(shape=(SIZE, SIZE, 3)),
        keras.layers.Conv2D(16, (3, 3), activation="relu"),
        keras.layers.MaxPooling2D(2, 2),
        keras.layers.Conv2D(32, (3, 3), activation="relu"),
        keras.layers.MaxPooling2D(2, 2),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    keras_model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    keras_params = keras_model.count_params()
    print("Keras parameters:", keras_params)
else:
    keras_params = None
    print("Keras is not installed here (pip install keras): the cell above is what you would run")

# %% [markdown]
# **PyTorch**: images are channels-first (N, C, H, W), each layer is told its input size (`Conv2d(3, 16, 3)`,
# `Linear(32 * 4 * 4, 64)`), and the training loop is written out, as in notebook 05. To show that it is
# *the same function*, we copy stepgrad's weights into it (transposing the layouts; PyTorch flattens
# channels first) and compare the two models' outputs on a few photos.

# %%
if importlib.util.find_spec("torch") is not None:
    import torch

    torch_model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 16, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(32 * 4 * 4, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 1), torch.nn.Sigmoid(),
    )
    torch_params = sum(p.numel() for p in torch_model.parameters())
    # one training step would read:
    #   loss = torch.nn.functional.binary_cross_entropy(torch_model(x), y)
    #   optimizer.zero_grad(); loss.backward(); optimizer.step()
    conv_t = [m for m in torch_model if isinstance(m, torch.nn.Conv2d)]
    dense_t = [m for m in torch_model if isinstance(m, torch.nn.Linear)]
    conv_s = [layer for layer in model.layers if isinstance(layer, Conv2D)]
    dense_s = [layer for layer in model.layers if isinstance(layer, Dense)]
    with torch.no_grad():
        for t, s in zip(conv_t, conv_s):
            t.weight.copy_(torch.from_numpy(s.kernel.numpy().transpose(3, 2, 0, 1)))   # (KH,KW,C,F) -> (F,C,KH,KW)
            t.bias.copy_(torch.from_numpy(s.bias.numpy()))
        first = dense_s[0].kernel.numpy().reshape(4, 4, 32, 64).transpose(2, 0, 1, 3).reshape(512, 64)
        for t, kernel, s in zip(dense_t, [first, dense_s[1].kernel.numpy()], dense_s):
            t.weight.copy_(torch.from_numpy(np.ascontiguousarray(kernel.T)))             # (in, out) -> (out, in)
            t.bias.copy_(torch.from_numpy(s.bias.numpy()))
        x = np.array(sample, dtype=np.float32)
        torch_out = torch_model(torch.from_numpy(x.transpose(0, 3, 1, 2).copy())).numpy()
    stepgrad_out = model.predict(x)
    print("PyTorch parameters:", torch_params)
    print("largest output difference, stepgrad vs PyTorch:", float(np.abs(torch_out - stepgrad_out).max()))
else:
    torch_params = torch_out = stepgrad_out = None
    print("PyTorch is not installed here (pip install torch): the cell above is what you would run")

# %% [markdown]
# ## 4. Too little data: overfitting, and augmentation (seed §7)
#
# With few examples a model can do well on its training images by memorising them, and poorly on new
# ones: **overfitting**. The symptom is in the curves: training accuracy keeps climbing while validation
# accuracy stalls, and validation loss turns back up. We train section 3's CNN on only **40 photos per
# class**, and score it on 40 new photos per class after every epoch.
#
# **Data augmentation** fights this by showing the model a slightly different version of each photo
# every epoch, using changes that keep the label: here a horizontal flip (a flipped horizontal bar is
# still horizontal) and shifts of up to 20% of the width and height. `ImageDataGenerator` draws a new
# random flip and shift for every image of every batch. Same model, same start, same 24 epochs:

# %%
small_train = write_folder(work / "small_train", per_class=40, seed=1)
held_out = write_folder(work / "held_out", per_class=40, seed=2)
flow = dict(target_size=(SIZE, SIZE), class_mode="binary", batch_size=16)
val_it = ImageDataGenerator(rescale=1 / 255).flow_from_directory(held_out, shuffle=False, **flow)

augmenting = ImageDataGenerator(rescale=1 / 255, horizontal_flip=True, width_shift_range=0.2,
                                height_shift_range=0.2)
x_demo = augmenting.flow_from_directory(small_train, seed=3, **flow)[0][0][:8]
fig = show_images(x_demo, ncols=8, size=1.1, titles=["augmented"] * 8)

# %%
curves = {}
for name, generator in [("no augmentation", ImageDataGenerator(rescale=1 / 255)), ("augmentation", augmenting)]:
    np.random.seed(0)
    train_it = generator.flow_from_directory(small_train, seed=0, **flow)
    net = small_cnn(seed=0)
    net.compile(optimizer=Adam(learning_rate=0.003), loss="binary_crossentropy", metrics=["accuracy"])
    curves[name] = net.fit(train_it, epochs=24, validation_data=val_it, verbose=0).history

fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
for (name, h), colour in zip(curves.items(), ("tab:red", "tab:blue")):
    axes[0].plot(h["accuracy"], color=colour, ls="--", label=f"{name}: training")
    axes[0].plot(h["val_accuracy"], color=colour, label=f"{name}: validation")
    axes[1].plot(h["loss"], color=colour, ls="--", label=f"{name}: training")
    axes[1].plot(h["val_loss"], color=colour, label=f"{name}: validation")
axes[0].set_ylabel("accuracy"); axes[1].set_ylabel("binary cross-entropy")
for ax in axes:
    ax.set_xlabel("epoch"); ax.grid(alpha=0.3); ax.legend(fontsize=7)
fig.tight_layout()

last = {name: {k: float(np.mean(v[-5:])) for k, v in h.items()} for name, h in curves.items()}
for name, m in last.items():
    print(f"{name:16s} (mean of the last 5 epochs) training accuracy {m['accuracy']:.1%}, "
          f"validation accuracy {m['val_accuracy']:.1%}, gap {m['accuracy'] - m['val_accuracy']:+.1%}; "
          f"validation loss {m['val_loss']:.2f}")

# %% [markdown]
# ## 5. Efficiency: parameters, bytes, and where they sit (seed §7)
#
# A model's cost at use time is roughly its **parameters** (memory: 4 bytes each in float32, to store,
# download and load) and its **multiply-adds per input** (time and energy). The two need not go together:
# a convolution reuses its few weights at every position, so it is cheap in parameters and expensive in
# computation; a `Dense` layer after `Flatten` is the opposite.

# %%
def seed_model(size):
    return Sequential([
        Conv2D(32, (3, 3), activation="relu", input_shape=(size, size, 3)), MaxPooling2D(2, 2),
        Conv2D(64, (3, 3), activation="relu"), MaxPooling2D(2, 2),
        Conv2D(128, (3, 3), activation="relu"), MaxPooling2D(2, 2),
        Flatten(), Dense(512, activation="relu"), Dense(1, activation="sigmoid")])


def costs(model, size):
    """(name, parameters, multiply-adds per image) for each layer with weights."""
    rows, side, channels = [], size, 3
    for layer in model.layers:
        params = sum(int(w.size) for w in layer.parameters())
        if isinstance(layer, Conv2D):
            side = side - 2
            macs = side * side * layer.kernel.shape[0] * layer.kernel.shape[1] * channels * layer.kernel.shape[3]
            channels = layer.kernel.shape[3]
        elif isinstance(layer, MaxPooling2D):
            side //= 2
            continue
        elif isinstance(layer, Dense):
            macs = layer.kernel.shape[0] * layer.kernel.shape[1]
        else:
            continue
        rows.append((layer.name, params, macs))
    return rows


the_seed = seed_model(150)
rows = costs(the_seed, 150)
total_params = sum(p for _, p, _ in rows)
print(f"{'layer':10s} {'parameters':>12s} {'share':>6s} {'multiply-adds':>14s}")
for name, params, macs in rows:
    print(f"{name:10s} {params:12,d} {params / total_params:6.1%} {macs:14,d}")
print(f"{'total':10s} {total_params:12,d}        {sum(m for _, _, m in rows):14,d}")
print(f"float32 weights: {total_params * 4 / 1e6:.1f} MB for the seed's model, "
      f"{model.count_params() * 4 / 1e3:.0f} kB for section 3's small CNN")
dense_share = rows[3][1] / total_params
del the_seed

fig, ax = plt.subplots(figsize=(7, 2.8))
names = [name for name, _, _ in rows]
ax.bar(np.arange(len(rows)) - 0.2, [p for _, p, _ in rows], width=0.4, label="parameters")
ax.bar(np.arange(len(rows)) + 0.2, [m for _, _, m in rows], width=0.4, label="multiply-adds per image")
ax.set_yscale("log"); ax.set_xticks(range(len(rows)), names); ax.legend(fontsize=8)
ax.set_title("the seed's model on 150x150 photos: where the cost sits", fontsize=10)
fig.tight_layout()

# %% [markdown]
# Over 99% of the seed model's 19 million parameters sit in one layer, the `Dense(512)` after `Flatten`,
# while more than 90% of its computation is in the convolutions. The usual ways to make a model cheaper follow:
#
# * **fewer parameters where they pile up**: replace `Flatten` + big `Dense` by a global average over each
#   feature map (`nn.layers.GlobalAveragePooling2D`, as in Keras), or shrink the image or the `Dense` width;
# * **fewer bytes per parameter**: store weights in 16 or 8 bits instead of 32 (quantisation);
# * **a runtime made for inference**: export the trained model to a portable format and run it with a
#   dedicated engine. With the `export` extra (`pip install "stepgrad[export]"`), `model.save("m.keras")`
#   writes a Keras 3 archive (to continue training in Keras, on a GPU) and `model.export("m.onnx",
#   format="onnx")` an ONNX file for ONNX Runtime, which `nn.export.quantize_onnx` can shrink to 8-bit
#   weights; `stepgrad train` also writes `model.keras` when h5py is installed. The README's "When
#   stepgrad is not enough" walks through it.
#
# ## Exercises
#
# Checkers live in `exercises.py` beside this notebook, reference answers in `solutions.py` (try first).
#
# **1.** Write `seed_flatten_size(n)`: the length of the seed model's `Flatten` output for $n \times n$ RGB
# photos (three blocks of a valid 3x3 convolution and 2x2 pooling; the last conv has 128 filters).

# %%
import exercises as ex

def seed_flatten_size(n):
    ...   # your code

ex.check_seed_flatten_size(seed_flatten_size)

# %% [markdown]
# **2.** How many megabytes (10**6 bytes) do the seed model's weights take in float32?

# %%
model_megabytes = None   # your answer: a number
ex.check_model_megabytes(model_megabytes)

# %% [markdown]
# ## Check the numbers

# %%
assert cli_history["val_accuracy"][-1] >= 0.85, cli_history["val_accuracy"]     # stepgrad train learned it
assert cli_correct >= 6, predictions                                             # stepgrad predict on new photos
assert model.count_params() == 37_985
assert torch_params is None or (torch_params == model.count_params()
                                and np.allclose(torch_out, stepgrad_out, atol=1e-5))   # the same function
assert keras_params is None or keras_params == model.count_params()
assert total_params == 19_034_177 and dense_share > 0.99
assert sum(m for name, _, m in rows if name.startswith("conv")) > 0.9 * sum(m for _, _, m in rows)
no_aug, aug = last["no augmentation"], last["augmentation"]
assert no_aug["accuracy"] - no_aug["val_accuracy"] >= 0.1, no_aug                    # overfitting, measured
assert aug["accuracy"] - aug["val_accuracy"] < no_aug["accuracy"] - no_aug["val_accuracy"]   # gap narrows
assert aug["val_loss"] < no_aug["val_loss"], (aug, no_aug)                          # and generalises better
assert aug["val_accuracy"] > no_aug["val_accuracy"], (aug, no_aug)
print("the photo task, the three frameworks, overfitting and the costs all check out")
