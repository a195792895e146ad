"""Keras 3's image pipeline on stepgrad: a photo folder -> ``image_dataset_from_directory`` ->
augmentation layers inside a small residual CNN built with the functional API.

The folder is generated first (so the example needs no download): two classes of 64x64 "photos",
``dots/`` and ``stripes/``, patterns of random colour, size and angle on a noisy background of another
random colour, saved as JPEG files, one sub-folder per class, as a camera roll sorted by hand would
look. The model then sees them the way keras.io's guides do it:

    inputs -> RandomFlip -> RandomRotation -> RandomZoom -> Rescaling(1/255)
           -> Conv2D -> [Conv2D -> BN -> ReLU -> Conv2D -> BN] + skip -> MaxPooling2D
           -> [the same, twice as wide] + 1x1 projection
           -> GlobalAveragePooling2D -> Dropout -> Dense(softmax)

Run:  python examples/photo_folder.py [--per-class 150] [--epochs 10] [--image-size 32] [--folder DIR]

Measured with the defaults (2 cores shared with other jobs, load average 7-9): validation accuracy
90.0%, 86.7% and 88.3% for seeds 0, 1 and 2, after 8-13 s of training.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np

import nn
from nn import layers
from nn.utils import image_dataset_from_directory, save_img

CLASSES = ("dots", "stripes")


def make_photo_folder(root: str, per_class: int = 100, size: int = 64, seed: int = 0) -> str:
    """Write ``per_class`` JPEG photos of each class into ``root/<class>/`` and return ``root``.

    "dots": a scatter of round spots; "stripes": parallel bands at a random angle and spacing. Colours,
    sizes and positions are random, and there is camera-like noise, so only the texture tells them apart.
    """
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float64)
    for label in CLASSES:
        os.makedirs(os.path.join(root, label), exist_ok=True)
        for i in range(per_class):
            background, colour = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
            while np.abs(background - colour).sum() < 150:  # keep the pattern visible
                colour = rng.uniform(0, 255, 3)
            if label == "dots":
                count, radius = rng.integers(4, 10), rng.uniform(0.05, 0.1) * size
                centres = rng.uniform(0, size, (count, 2))
                distance = np.min([(rows - y) ** 2 + (cols - x) ** 2 for y, x in centres], axis=0)
                ink = distance <= radius ** 2
            else:
                angle, period = rng.uniform(0, np.pi), rng.uniform(0.15, 0.3) * size
                ink = np.mod(rows * np.cos(angle) + cols * np.sin(angle) + rng.uniform(0, period),
                             period) < period / 2
            photo = np.where(ink[..., None], colour, background) + rng.normal(0, 12, (size, size, 3))
            save_img(os.path.join(root, label, f"{label}_{i:04d}.jpg"), np.clip(photo, 0, 255), scale=False,
                     quality=90)
    return root


def residual_block(x: object, filters: int, name: str) -> object:
    """``relu(x' + bn(conv(relu(bn(conv(x))))))``, ``x'`` being ``x`` or a 1x1 projection when widths differ.

    BatchNormalization's momentum is 0.9 (Keras's default is 0.99): with a few hundred steps the moving
    statistics used by predict and evaluate must settle quickly.
    """
    y = layers.Conv2D(filters, 3, padding="same", name=f"{name}_conv1")(x)
    y = layers.ReLU()(layers.BatchNormalization(momentum=0.9, name=f"{name}_bn1")(y))
    y = layers.Conv2D(filters, 3, padding="same", name=f"{name}_conv2")(y)
    y = layers.BatchNormalization(momentum=0.9, name=f"{name}_bn2")(y)
    shortcut = x if x.shape[-1] == filters else layers.Conv2D(filters, 1, name=f"{name}_project")(x)
    return layers.ReLU(name=f"{name}_relu")(layers.add([shortcut, y], name=f"{name}_add"))


def build_model(image_size: int, num_classes: int, width: int = 16, seed: int = 0) -> nn.Model:
    """The augmentation layers, then a two-block residual CNN, as one functional ``nn.Model``."""
    inputs = nn.Input((image_size, image_size, 3), name="photos")
    x = layers.RandomFlip("horizontal", seed=seed)(inputs)
    x = layers.RandomRotation(0.1, seed=seed)(x)
    x = layers.RandomZoom(0.1, seed=seed)(x)
    x = layers.Rescaling(1 / 255)(x)
    x = layers.Conv2D(width, 3, strides=2, padding="same", activation="relu", name="stem")(x)
    x = residual_block(x, width, "block1")
    x = layers.MaxPooling2D(2)(x)
    x = residual_block(x, 2 * width, "block2")
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2, seed=seed)(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="classes")(x)
    return nn.Model(inputs, outputs, name="residual_cnn")


def run(folder: str | None = None, per_class: int = 150, epochs: int = 10, image_size: int = 32,
        batch_size: int = 32, seed: int = 0, verbose: int = 1) -> dict:
    """Make the folder (in a temporary directory unless ``folder`` is given), train, and report."""
    nn.utils.set_random_seed(seed)
    with tempfile.TemporaryDirectory() as scratch:
        root = folder or os.path.join(scratch, "photos")
        if not os.path.isdir(root):
            make_photo_folder(root, per_class=per_class, seed=seed)
        train, val = image_dataset_from_directory(root, validation_split=0.2, subset="both", seed=seed,
                                                  image_size=(image_size, image_size), batch_size=batch_size,
                                                  verbose=bool(verbose))
        model = build_model(image_size, len(train.class_names), seed=seed)
        model.compile(optimizer=nn.optimizers.Adam(learning_rate=3e-3),
                      loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        start = time.perf_counter()
        history = model.fit(train.prefetch(2), validation_data=val.prefetch(2), epochs=epochs,
                            verbose=verbose)
        seconds = time.perf_counter() - start
        images, labels = next(iter(val))
        predicted = model.predict(images, verbose=0).argmax(axis=1)
    return {"class_names": train.class_names, "history": history.history, "seconds": seconds,
            "val_accuracy": history.history["val_accuracy"][-1],
            "first_batch_accuracy": float((predicted == labels).mean())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", help="an existing photo folder to use instead of generating one")
    parser.add_argument("--per-class", type=int, default=150, help="photos generated per class")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = run(args.folder, args.per_class, args.epochs, args.image_size, seed=args.seed)
    print(f"classes {result['class_names']}: validation accuracy {result['val_accuracy']:.1%} after "
          f"{args.epochs} epochs ({result['seconds']:.0f} s of training)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
