"""``stepgrad train [DIR]`` and ``stepgrad predict WEIGHTS IMAGE...``: the seed's pipeline as a command.

``train`` runs section 4 of the seed document on a folder of class sub-folders: ``ImageDataGenerator``
with a validation split -> ``flow_from_directory`` -> the seed's CNN scaled to the image size ->
``compile('adam', binary or categorical cross-entropy)`` -> ``fit``. Without DIR it writes the embedded
UCI digits out as an image folder and trains on that. The output folder gets ``weights.npz``,
``model.json`` (what ``predict`` needs to rebuild the network), ``history.csv``, ``curves.png`` and
``model.keras`` (a Keras 3 archive of the trained model, when h5py is installed).

Example (shell):
    stepgrad train                       # digits, about a minute on 2 cores
    stepgrad train photos/ --image-size 64 --epochs 10 --out run1
    stepgrad predict run1/weights.npz photos/cats/1.jpg
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

DIGITS_IMAGE_SIZE = 24  # defaults for the embedded digits, measured: 97.5-99.4% validation accuracy
DIGITS_EPOCHS = 10      # (seeds 0-2) in 5.3-5.9 s on 2 cores
DIGITS_LEARNING_RATE = 0.003  # small data, few epochs: a larger first step than Keras's 0.001, then decay
LR_DECAY = 0.8  # learning rate after epoch e: lr * LR_DECAY**e (a steadier final epoch than a constant rate)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".pgm", ".tif", ".tiff", ".gif")


class CLIError(Exception):
    """A problem with the user's input: printed as ``stepgrad <command>: <message>``, exit code 2."""


def build_model(image_size: int, channels: int, num_classes: int, dense_units: int | None = None,
                seed: int | None = None):
    """The seed's CNN (section 4.2) scaled to ``image_size``: same shape, fewer blocks when images are small.

    Conv32-Pool-Conv64-Pool-(Conv128-Pool when the feature map is still at least 8 pixels wide)-Flatten-
    Dense-Dense. The last layer is ``Dense(1, sigmoid)`` for two classes, ``Dense(K, softmax)`` otherwise.

    Example:
        >>> model = build_model(150, 3, 2)              # exactly the seed's model
        >>> model.count_params()
        19034177

    Args:
        image_size: height and width of the (square) input images; at least 14.
        channels: 1 (grayscale) or 3 (RGB).
        num_classes: number of classes, at least 2.
        dense_units: width of the hidden Dense layer (default: the seed's 512 for images of 64 pixels
            and more, 128 below).
        seed: seed of the (Glorot uniform) initial weights; None draws fresh ones.
    """
    from nn.initializers import GlorotUniform
    from nn.layers import Conv2D, Dense, Flatten, MaxPooling2D
    from nn.models import Sequential

    if image_size < 14:
        raise CLIError(f"--image-size must be at least 14 (two conv+pool blocks), received {image_size}")
    init = GlorotUniform(seed=seed)  # Keras's default initializer; one seeded instance for all layers
    shape = (image_size, image_size, channels)
    layers: list[Any] = [Conv2D(32, (3, 3), activation="relu", input_shape=shape, kernel_initializer=init),
                         MaxPooling2D(2, 2), Conv2D(64, (3, 3), activation="relu", kernel_initializer=init),
                         MaxPooling2D(2, 2)]
    side = ((image_size - 2) // 2 - 2) // 2  # feature-map width after two valid 3x3 convs and 2x2 pools
    if side >= 8:  # room for the seed's third block (150 -> 17 -> 7 after it)
        layers += [Conv2D(128, (3, 3), activation="relu", kernel_initializer=init), MaxPooling2D(2, 2)]
    units = _given(dense_units, 512 if image_size >= 64 else 128)
    head = (Dense(1, activation="sigmoid", kernel_initializer=init) if num_classes == 2
            else Dense(num_classes, activation="softmax", kernel_initializer=init))
    return Sequential([*layers, Flatten(), Dense(units, activation="relu", kernel_initializer=init), head])


def write_digits_folder(directory: str | Path, image_size: int = 32, seed: int = 0) -> Path:
    """Write the 1797 embedded UCI digits as PNGs, ``directory/<digit>/<rank>_<index>.png``, upscaled.

    ``validation_split`` holds out a fixed slice of each class's files in name order (as Keras does).
    The UCI file lists its writers one after another, so in that order the slice would be whole
    writers; ``rank`` is a seeded shuffle, so the held-out slice is a random sample instead (a
    writer-disjoint split is a harder task: about 93% instead of 97% for the default model, measured).

    Example:
        >>> import tempfile
        >>> folder = write_digits_folder(tempfile.mkdtemp(), image_size=16)
        >>> sorted(p.name for p in folder.iterdir())[:3], len(list((folder / "0").glob("*.png")))
        (['0', '1', '2'], 178)

    Args:
        directory: where to write (created if missing).
        image_size: side of the written images in pixels (bilinear upscaling of the 8x8 originals).
        seed: seed of the file-name shuffle.
    """
    from PIL import Image

    from nn.datasets import load_digits

    images, labels = load_digits()
    root = Path(directory)
    for digit in range(10):
        (root / str(digit)).mkdir(parents=True, exist_ok=True)
    pixels = np.clip(images * (255.0 / 16.0), 0, 255).astype(np.uint8)
    rank = np.random.default_rng(seed).permutation(len(labels))
    for i, (img, label) in enumerate(zip(pixels, labels, strict=True)):
        big = Image.fromarray(img, mode="L").resize((image_size, image_size), Image.BILINEAR)
        big.save(root / str(int(label)) / f"{rank[i]:04d}_{i:04d}.png")
    return root


def check_folder(directory: str | Path) -> list[str]:
    """The class sub-folders of ``directory`` (sorted); a ``CLIError`` naming the path if unusable."""
    root = Path(directory)
    if not root.exists():
        raise CLIError(f"no such folder: {root}")
    if not root.is_dir():
        raise CLIError(f"not a folder: {root} (expected a folder with one sub-folder per class)")
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(classes) < 2:
        raise CLIError(f"{root} has {len(classes)} class sub-folder(s) {classes}; training needs at least 2 "
                       "(one sub-folder of images per class, e.g. data/train/cats, data/train/dogs)")
    return classes


def _given(value: Any, default: Any) -> Any:
    """``value`` unless the flag was left out (``None``): 0 is a value, not "use the default"."""
    return default if value is None else value


def prepare_out(out: Path) -> Path:
    """Create the output folder now, so a bad ``--out`` fails before training rather than after it."""
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out} is an existing file; give a folder (it is created if missing)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CLIError(f"cannot create the output folder {out}: {err.strerror or err}") from err
    if not os.access(out, os.W_OK):
        raise CLIError(f"cannot write into the output folder {out}: permission denied")
    return out


def training_bytes(image_size: int, channels: int, num_classes: int, dense_units: int | None,
                   batch_size: int) -> int:
    """Estimated peak memory of training ``build_model(...)`` with Adam on batches of ``batch_size``.

    Weights, gradients and Adam's two moments (4 copies of every parameter), plus per image each
    layer's output and its gradient, and each convolution's patch matrix (kh*kw*c_in values per
    output pixel). Checked against a measured peak in tests/hostile/test_cli_inputs.py (a 64-pixel run:
    estimate 150 MiB; 150 pixels: estimate 996 MiB, measured peak RSS 1,095 MB with the process itself).
    """
    from nn.layers import Conv2D
    from nn.layers.base import shapes_only

    with shapes_only():  # shapes without memory: the model being sized may not fit at all
        model = build_model(image_size, channels, num_classes, dense_units)
    values = 4 * model.count_params()
    shape = model.input_shape
    for layer in model.layers:
        out_shape = layer.compute_output_shape(shape)
        values += 2 * batch_size * math.prod(out_shape[1:])
        if isinstance(layer, Conv2D):
            kh, kw = layer.kernel_size
            values += batch_size * math.prod(out_shape[1:3]) * kh * kw * shape[-1]
        shape = out_shape
    return 4 * values  # float32


def check_memory(image_size: int, channels: int, num_classes: int, dense_units: int | None,
                 batch_size: int) -> None:
    """Refuse, with the numbers, a run that cannot fit in this machine's available memory."""
    need = training_bytes(image_size, channels, num_classes, dense_units, batch_size)
    have = _available_memory()
    if have is not None and need > have:
        raise CLIError(f"training at --image-size {image_size} with --batch-size {batch_size} needs about "
                       f"{need / 2**30:.1f} GiB of memory; this machine has {have / 2**30:.1f} GiB "
                       "available. Use a smaller --image-size or --batch-size")


def _available_memory() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None  # unknown: do not refuse


def _write_history(path: Path, history: dict[str, list[float]]) -> None:
    keys = list(history)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["epoch", *keys])
        for epoch in range(len(history[keys[0]]) if keys else 0):
            writer.writerow([epoch + 1, *(f"{history[k][epoch]:.6g}" for k in keys)])


def _default_out() -> Path:
    return Path("runs") / time.strftime("%Y%m%d-%H%M%S")


def train(args: argparse.Namespace) -> dict[str, Any]:
    """The ``train`` command; returns the final validation metrics (also printed)."""
    from nn.callbacks import LearningRateScheduler
    from nn.optimizers import Adam
    from nn.preprocessing.image import ImageDataGenerator

    np.random.seed(args.seed)  # fit's shuffling draws from numpy's global generator
    out = prepare_out(Path(args.out) if args.out else _default_out())  # before training, not after it
    tmp = None
    if args.directory is None:
        tmp = tempfile.TemporaryDirectory(prefix="stepgrad-digits-")
        image_size = _given(args.image_size, DIGITS_IMAGE_SIZE)
        color_mode = _given(args.color_mode, "grayscale")
        check_memory(image_size, 1 if color_mode == "grayscale" else 3, 10, args.dense_units, args.batch_size)
        source = write_digits_folder(Path(tmp.name) / "digits", image_size=image_size, seed=args.seed)
        print(f"No DIR given: wrote the 1797 embedded UCI digits as {image_size}x{image_size} PNGs to "
              f"{source}")
        epochs = _given(args.epochs, DIGITS_EPOCHS)
        learning_rate = _given(args.learning_rate, DIGITS_LEARNING_RATE)
    else:
        source = Path(args.directory)
        image_size = _given(args.image_size, 150)
        epochs = _given(args.epochs, 10)
        learning_rate = _given(args.learning_rate, 0.001)  # Keras's Adam default
        color_mode = _given(args.color_mode, "rgb")
    try:
        classes = check_folder(source)
        channels = 1 if color_mode == "grayscale" else 3
        check_memory(image_size, channels, len(classes), args.dense_units, args.batch_size)  # before any work
        binary = len(classes) == 2
        datagen = ImageDataGenerator(rescale=1.0 / 255, validation_split=args.validation_split)
        flow = dict(target_size=(image_size, image_size), color_mode=color_mode, batch_size=args.batch_size,
                    class_mode="binary" if binary else "categorical", seed=args.seed, classes=classes,
                    on_error="skip" if args.skip_unreadable else "raise")
        train_it = datagen.flow_from_directory(str(source), subset="training", shuffle=True, **flow)
        val_it = datagen.flow_from_directory(str(source), subset="validation", shuffle=False, **flow)
        if train_it.samples == 0 or val_it.samples == 0:
            raise CLIError(f"{source}: found {train_it.samples} training and {val_it.samples} validation "
                           f"images; need at least one of each (check the folder and --validation-split)")
        model = build_model(image_size, channels, len(classes), args.dense_units, seed=args.seed)
        model.compile(optimizer=Adam(learning_rate=learning_rate),
                      loss="binary_crossentropy" if binary else "categorical_crossentropy",
                      metrics=["accuracy"])
        model.summary()
        start = time.perf_counter()
        schedule = LearningRateScheduler(lambda epoch, _: learning_rate * args.lr_decay ** epoch)
        history = model.fit(train_it, epochs=epochs, validation_data=val_it, verbose=1, callbacks=[schedule])
        seconds = time.perf_counter() - start
    except (OSError, ValueError) as err:  # unreadable images, bad folders: say which, no traceback
        hint = " (on the command line: --skip-unreadable)" if "on_error" in str(err) else ""
        raise CLIError(f"{err}{hint}") from err
    finally:
        if tmp is not None:
            tmp.cleanup()
    logs = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    model.save_weights(str(out / "weights.npz"))
    written = _save_keras_archive(model, out / "model.keras")
    config = {"image_size": image_size, "color_mode": color_mode, "classes": classes,
              "dense_units": args.dense_units, "rescale": 1.0 / 255}
    (out / "model.json").write_text(json.dumps(config, indent=2))
    _write_history(out / "history.csv", logs)
    _save_curves(out / "curves.png", logs)
    final = {k: v[-1] for k, v in logs.items()}
    print(f"Trained {epochs} epoch(s) on {train_it.samples} images ({len(classes)} classes): {seconds:.1f} s")
    print(f"Final validation accuracy: {final.get('val_accuracy', float('nan')):.4f} "
          f"({val_it.samples} validation images)")
    print(f"Wrote {out / 'weights.npz'}, {out / 'model.json'}, {out / 'history.csv'}, {out / 'curves.png'}"
          + (f", {written}" if written else ""))
    return final


def _save_keras_archive(model: Any, path: Path) -> Path | None:
    """``model.keras`` for Keras 3 (continue on a GPU backend); skipped with a note when h5py is missing."""
    try:
        import h5py  # noqa: F401
    except ImportError:
        print("Skipped model.keras: it needs h5py (pip install 'stepgrad[export]')")
        return None
    model.save(str(path))
    return path


def _save_curves(path: Path, logs: dict[str, list[float]]) -> None:
    import matplotlib

    matplotlib.use("Agg")  # a command-line run has no display: draw off-screen
    import matplotlib.pyplot as plt

    from nn.plotting import plot_curves

    fig = plot_curves(logs, metrics=[m for m in ("loss", "accuracy") if m in logs] or None)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _load_image(path: Path, image_size: int, color_mode: str) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    if not path.exists():
        raise CLIError(f"no such image: {path}")
    if path.is_dir():
        raise CLIError(f"{path} is a folder, not an image")
    if not path.is_file():  # a FIFO or a device would block or never end
        raise CLIError(f"{path} is not a regular file (a FIFO, socket or device?), not an image")
    try:
        with Image.open(path) as img:
            img = img.convert("L" if color_mode == "grayscale" else "RGB")
            img = img.resize((image_size, image_size), Image.NEAREST)  # flow_from_directory's default
            array = np.asarray(img, dtype=np.float32)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as err:
        raise CLIError(f"cannot read image {path}: {err}") from err
    return array[..., None] if array.ndim == 2 else array


def read_model_json(path: Path) -> dict[str, Any]:
    """``model.json`` as ``train`` writes it, each field checked; a ``CLIError`` naming the problem."""
    try:
        config = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise CLIError(f"cannot read {path}: {err}") from err
    if not isinstance(config, dict):
        raise CLIError(f"{path}: expected a JSON object as written by stepgrad train")
    checks = {
        "image_size": lambda v: isinstance(v, int) and not isinstance(v, bool) and 14 <= v <= 4096,
        "color_mode": lambda v: v in ("rgb", "grayscale"),
        "classes": lambda v: isinstance(v, list) and len(v) >= 2 and all(isinstance(c, str) for c in v),
        "rescale": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v),
    }
    expected = {"image_size": "an integer from 14 to 4096", "color_mode": '"rgb" or "grayscale"',
                "classes": "a list of at least 2 class names", "rescale": "a number"}
    for key, ok in checks.items():
        if key not in config:
            raise CLIError(f"{path}: the field {key!r} is missing (expected {expected[key]})")
        if not ok(config[key]):
            raise CLIError(f"{path}: {key} = {config[key]!r:.60}; expected {expected[key]}")
    units = config.get("dense_units")
    if units is not None and not (isinstance(units, int) and units >= 1):
        raise CLIError(f"{path}: dense_units = {units!r:.60}; expected a positive integer or null")
    return config


def predict(args: argparse.Namespace) -> list[tuple[str, str, float]]:
    """The ``predict`` command; returns ``(image, class, probability)`` per image (also printed)."""
    weights = Path(args.weights)
    if weights.is_dir():
        weights = weights / "weights.npz"
    config_path = weights.with_name("model.json")
    if not weights.is_file():
        raise CLIError(f"no such weights file: {weights}")
    if not config_path.is_file():
        raise CLIError(f"{config_path} is missing: predict needs the model.json that train writes beside "
                       "weights.npz")
    config = read_model_json(config_path)
    classes = config["classes"]
    channels = 1 if config["color_mode"] == "grayscale" else 3
    model = build_model(config["image_size"], channels, len(classes), config.get("dense_units"))
    try:
        model.load_weights(str(weights))
    except (OSError, ValueError) as err:
        raise CLIError(f"cannot load {weights}: {err}") from err
    batch = np.stack([_load_image(Path(p), config["image_size"], config["color_mode"]) for p in args.images])
    probs = np.asarray(model.predict(batch * np.float32(config["rescale"]), verbose=0))
    results = []
    for path, p in zip(args.images, probs, strict=True):
        if len(classes) == 2:  # one sigmoid unit: the probability of class 1
            k, prob = (1, float(p[0])) if p[0] >= 0.5 else (0, 1.0 - float(p[0]))
        else:
            k = int(np.argmax(p))
            prob = float(p[k])
        results.append((str(path), classes[k], prob))
        print(f"{path}: {classes[k]} (p={prob:.3f})")
    return results


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``stepgrad`` command (``train`` and ``predict`` sub-commands)."""
    parser = argparse.ArgumentParser(prog="stepgrad", description="Train and use the seed's image CNN.")
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train a CNN on a folder of class sub-folders (default: digits)")
    t.add_argument("directory", nargs="?", default=None,
                   help="folder with one sub-folder of images per class (default: the embedded UCI digits)")
    t.add_argument("--epochs", type=int, default=None,
                   help=f"default {DIGITS_EPOCHS} for digits, 10 otherwise")
    t.add_argument("--image-size", type=int, default=None,
                   help=f"square image size (default {DIGITS_IMAGE_SIZE} for digits, else 150)")
    t.add_argument("--batch-size", type=int, default=32)
    t.add_argument("--validation-split", type=float, default=0.2)
    t.add_argument("--color-mode", choices=["rgb", "grayscale"], default=None,
                   help="default grayscale for digits, rgb otherwise")
    t.add_argument("--learning-rate", type=float, default=None,
                   help=f"Adam's learning rate (default {DIGITS_LEARNING_RATE} for digits, 0.001 otherwise)")
    t.add_argument("--lr-decay", type=float, default=LR_DECAY,
                   help=f"multiply the learning rate by this after each epoch (default {LR_DECAY})")
    t.add_argument("--dense-units", type=int, default=None,
                   help="hidden Dense width (default 512, or 128 below 64 px)")
    t.add_argument("--skip-unreadable", action="store_true",
                   help="leave out images that cannot be read (with a warning) instead of stopping")
    t.add_argument("--out", default=None, help="output folder (default runs/<timestamp>)")
    t.add_argument("--seed", type=int, default=0)
    p = sub.add_parser("predict", help="classify images with a trained model")
    p.add_argument("weights", help="weights.npz written by train (model.json beside it), or its folder")
    p.add_argument("images", nargs="+", help="image files")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``stepgrad`` and ``python -m nn``; returns the exit code (2 for bad input)."""
    args = make_parser().parse_args(argv)
    try:
        if args.command == "train":
            for name in ("epochs", "image_size", "batch_size", "dense_units"):
                value = getattr(args, name)
                if value is not None and value < 1:
                    raise CLIError(f"--{name.replace('_', '-')} must be at least 1, received {value}")
            if args.learning_rate is not None and not 0.0 < args.learning_rate < float("inf"):
                raise CLIError(f"--learning-rate must be a positive number, received {args.learning_rate}")
            if not 0.0 < args.lr_decay <= 1.0:
                raise CLIError(f"--lr-decay must be in (0, 1], received {args.lr_decay}")
            if not 0.0 < args.validation_split < 1.0:
                raise CLIError(f"--validation-split must be in (0, 1), received {args.validation_split}")
            train(args)
        else:
            predict(args)
    except CLIError as err:
        print(f"stepgrad {args.command}: {err}", file=sys.stderr)
        return 2
    return 0
