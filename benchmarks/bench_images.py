"""Images/s of ``flow_from_directory`` batches vs a bare Pillow loop over the same JPEG files.

Both decode every file, convert to RGB, resize to 150x150 and make float32 arrays; ours also shuffles,
rescales, builds labels and stacks batches of 32. The target (issue 4): ours >= 80% of bare Pillow.

A second table trains a small stepgrad CNN (Conv2D(8, 3) -> MaxPooling2D -> Flatten -> Dense(1)) for
one epoch on the same folder with ``prefetch`` off and on: prefetch decodes batch i+1 while step i
runs, so less of the reading time adds to the epoch.

Usage:
    python benchmarks/bench_images.py                       # ../shared/data/hymenoptera/val (153 JPEGs)
    python benchmarks/bench_images.py --data DIR --pairs 7 --interpolation bilinear
Without the data folder, it writes 160 synthetic 500x375 JPEGs in two classes to a temp folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import paired_table, ratio_of  # noqa: E402

from nn.preprocessing.image import ImageDataGenerator  # noqa: E402
from nn.preprocessing.image_io import list_image_files  # noqa: E402

DEFAULT_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data",
                            "hymenoptera", "val")
SIZE = (150, 150)


def synthetic_jpegs(root: str, per_class: int = 80) -> str:
    """Write smooth random 500x375 JPEGs (photo-like file sizes) into root/{a,b}/."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        os.makedirs(os.path.join(root, name), exist_ok=True)
        for i in range(per_class):
            small = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
            img = Image.fromarray(small).resize((500, 375), Image.Resampling.BICUBIC)
            img.save(os.path.join(root, name, f"{i}.jpg"), quality=90)
    return root


def bare_pillow(files: list[str], interpolation: str) -> int:
    from PIL import Image

    resample = getattr(Image.Resampling, interpolation.upper())
    for path in files:
        with Image.open(path) as img:
            np.asarray(img.convert("RGB").resize((SIZE[1], SIZE[0]), resample), dtype=np.float32)
    return len(files)


def one_epoch(it) -> int:
    count = 0
    for i in range(len(it)):
        count += len(it[i][0])
    it.on_epoch_end()
    return count


def fit_epochs(data: str, interpolation: str, pairs: int) -> dict:
    """Paired one-epoch fits of a small CNN with prefetch off/on, plus reading alone."""
    from nn.layers import Conv2D, Dense, Flatten, MaxPooling2D
    from nn.models import Sequential

    gen = ImageDataGenerator(rescale=1 / 255)
    its = {p: gen.flow_from_directory(data, target_size=SIZE, class_mode="binary", seed=0, prefetch=p,
                                      interpolation=interpolation, verbose=False) for p in (False, True)}
    model = Sequential([Conv2D(8, 3, activation="relu", input_shape=(*SIZE, 3)), MaxPooling2D(2), Flatten(),
                        Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    return paired_table({
        "reading only (one epoch of it[i])": lambda: one_epoch(its[False]),
        "fit 1 epoch, prefetch=False": lambda: model.fit(its[False], epochs=1, verbose=0),
        "fit 1 epoch, prefetch=True": lambda: model.fit(its[True], epochs=1, verbose=0),
    }, pairs=pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="folder of class sub-folders of images")
    parser.add_argument("--pairs", type=int, default=7, help="timed rounds (contenders alternate)")
    parser.add_argument("--interpolation", default="nearest")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data if os.path.isdir(args.data) else synthetic_jpegs(tmp)
        gen = ImageDataGenerator(rescale=1 / 255)
        make = lambda workers, prefetch=True: gen.flow_from_directory(  # noqa: E731
            data, target_size=SIZE, batch_size=32, class_mode="binary", seed=0,
            interpolation=args.interpolation, workers=workers, verbose=False, prefetch=prefetch)
        threaded, single = make(None), make(1)
        augmenting = ImageDataGenerator(rescale=1 / 255, rotation_range=20, zoom_range=0.2,
                                        horizontal_flip=True).flow_from_directory(
            data, target_size=SIZE, batch_size=32, class_mode="binary", seed=0,
            interpolation=args.interpolation, verbose=False)
        files = [f for name in threaded.class_indices for f in list_image_files(os.path.join(data, name))]
        n = len(files)
        times = paired_table({
            "pillow loop": lambda: bare_pillow(files, args.interpolation),
            f"flow_from_directory (workers={threaded.workers})": lambda: one_epoch(threaded),
            "flow_from_directory (workers=1)": lambda: one_epoch(single),
            "... + rotation, zoom, flip": lambda: one_epoch(augmenting),
        }, pairs=args.pairs)
        fit_times = fit_epochs(data, args.interpolation, max(3, args.pairs // 2))
    print(f"data: {data} ({n} images, {threaded.num_classes} classes), target {SIZE}, "
          f"interpolation={args.interpolation}, cpus={os.cpu_count()}, pairs={args.pairs}")
    print(f"{'contender':40s} {'median ms/epoch':>16s} {'images/s':>10s} {'vs pillow (img/s)':>18s}")
    for name, ms in times.items():
        median = float(np.median(ms))
        speed = 1.0 / ratio_of(times, name, "pillow loop")
        print(f"{name:40s} {median:16.1f} {n / median * 1000:10.0f} {speed:17.2f}x")

    print("\none epoch of a small stepgrad CNN on the same batches (Conv2D 8x3x3, pool, dense):")
    for name, ms in fit_times.items():
        print(f"{name:40s} {float(np.median(ms)):16.1f}")
    saved = float(np.median(np.subtract(fit_times["fit 1 epoch, prefetch=False"],
                                        fit_times["fit 1 epoch, prefetch=True"])))
    reading = float(np.median(fit_times["reading only (one epoch of it[i])"]))
    print(f"prefetch saves {saved:.1f} ms per epoch (median of paired differences) "
          f"= {saved / reading:.0%} of the reading time")

if __name__ == "__main__":
    main()
