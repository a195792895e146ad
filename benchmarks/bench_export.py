"""Exported models side by side: file sizes, latency per image and held-out accuracy.

For two models, the digits CNN (what ``stepgrad train`` builds for the embedded digits) and the seed's
CNN (``build_model(150, 3, 2)``, 19M parameters), this trains briefly in stepgrad, then writes
``weights.npz``, ``model.keras``, ``model.onnx`` (``nn.export.to_onnx``) and two dynamic int8 copies
(``nn.export.quantize_onnx``: Dense layers only, and every node ONNX Runtime can quantize), and
reports, measured in one run with the contenders interleaved (stepgrad, float, int8, int8, ...):

- file size of each format;
- latency per image: one image per call (median), and per image in batches of 64 (median / 64);
- accuracy on held-out data, and the largest difference of the predicted probabilities from stepgrad's.

Data: the digits from ``nn.datasets.load_digits`` (upscaled to 24x24, 20% held out); for the seed CNN,
``../shared/data/hymenoptera/val`` (ants vs bees, 30% held out) when present, else generated striped
images. The seed CNN is trained only briefly (its accuracy is not the point: the change is). The ``.npz`` and
``.keras`` files also hold Adam's two moments per weight, so they are about three times the weights.

On a busy machine run with one thread each (``OPENBLAS_NUM_THREADS=1 ... --ort-threads 1``): with two
OpenBLAS threads and a load average of 8 on 2 cores, one stepgrad call on a single digit took 24 ms
instead of 0.22 ms, the threads waiting for each other.

Usage:
    python benchmarks/bench_export.py                      # both models
    python benchmarks/bench_export.py --only digits --repeats 50
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import numpy as np

import autograd
import nn
from nn.cli import build_model

DEFAULT_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data",
                            "hymenoptera", "val")


def digits_data(seed: int = 0) -> tuple:
    images, labels = nn.datasets.load_digits()
    x = np.kron(images / 16.0, np.ones((3, 3), dtype=np.float32))[..., None].astype(np.float32)  # 24x24
    order = np.random.default_rng(seed).permutation(len(x))
    cut = int(0.8 * len(x))
    eye = np.eye(10, dtype=np.float32)
    return (x[order[:cut]], eye[labels[order[:cut]]]), (x[order[cut:]], labels[order[cut:]])


def striped_folder(root: str, per_class: int = 60, size: int = 150) -> str:
    """Two classes a CNN can tell apart: a bright vertical or horizontal band on noise."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for k, name in enumerate(("vertical", "horizontal")):
        os.makedirs(os.path.join(root, name), exist_ok=True)
        for i in range(per_class):
            img = rng.integers(0, 90, (size, size, 3)).astype(np.uint8)
            start = rng.integers(0, size - 30)
            if k == 0:
                img[:, start:start + 30] = 220
            else:
                img[start:start + 30, :] = 220
            Image.fromarray(img).save(os.path.join(root, name, f"{i}.png"))
    return root


def folder_data(folder: str, size: int = 150) -> tuple:
    gen = nn.preprocessing.image.ImageDataGenerator(rescale=1 / 255, validation_split=0.3)
    flow = dict(target_size=(size, size), class_mode="binary", batch_size=1000, seed=0, shuffle=False)
    (xt, yt), (xv, yv) = (gen.flow_from_directory(folder, subset=s, **flow)[0]
                          for s in ("training", "validation"))
    return (xt, yt.astype(np.float32)), (xv, yv.astype(np.int64))


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    if probabilities.shape[-1] == 1:
        return float(np.mean((probabilities[:, 0] > 0.5) == labels))
    return float(np.mean(probabilities.argmax(-1) == labels))


def interleaved_ms(contenders: dict, x: np.ndarray, repeats: int) -> dict[str, float]:
    """Median milliseconds per call of each contender on ``x``, called in turn ``repeats`` times."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for f in contenders.values():
        f(x)  # warm-up
    for _ in range(repeats):
        for name, f in contenders.items():
            start = time.perf_counter()
            f(x)
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(t) for name, t in times.items()}


def run(name: str, model, train, held_out, epochs: int, lr: float, repeats: int, folder: str,
        ort_threads: int = 0) -> None:
    import onnxruntime as ort

    loss = "binary_crossentropy" if model.output_shape[-1] == 1 else "categorical_crossentropy"
    model.compile(optimizer=nn.optimizers.Adam(learning_rate=lr), loss=loss, metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(*train, epochs=epochs, batch_size=32, verbose=0)
    print(f"\n### {name}: {model.count_params():,} parameters, trained {epochs} epoch(s) on {len(train[0])} "
          f"images in {time.perf_counter() - start:.0f} s; {len(held_out[0])} held-out images")
    paths = {k: os.path.join(folder, f"{name}.{k}") for k in ("npz", "keras", "onnx", "int8-dense.onnx",
                                                              "int8-all.onnx")}
    model.save(paths["npz"])
    model.save(paths["keras"])
    nn.export.to_onnx(model, paths["onnx"])
    nn.export.quantize_onnx(paths["onnx"], paths["int8-dense.onnx"], op_types=("MatMul",))
    nn.export.quantize_onnx(paths["onnx"], paths["int8-all.onnx"])
    options = ort.SessionOptions()
    # without this, ORT's idle worker threads spin after each call and slow the next contender (numpy)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.intra_op_num_threads = ort_threads
    sessions = {k: ort.InferenceSession(paths[k], options, providers=["CPUExecutionProvider"])
                for k in ("onnx", "int8-dense.onnx", "int8-all.onnx")}
    def call(x: np.ndarray) -> np.ndarray:  # the forward pass alone, without predict's batching loop
        with autograd.no_grad():
            return model(x, training=False).numpy()

    contenders = {"stepgrad predict": lambda x: model.predict(x, batch_size=64, verbose=0),
                  "stepgrad model(x)": call}
    labels = {"onnx": "ORT float32", "int8-dense.onnx": "ORT int8 (Dense)", "int8-all.onnx": "ORT int8 (all)"}
    for key, s in sessions.items():
        contenders[labels[key]] = lambda x, s=s: s.run(None, {"input": x})[0]
    x, y = held_out
    one = interleaved_ms(contenders, x[:1], repeats)
    batch = x[:64] if len(x) >= 64 else np.concatenate([x] * (64 // len(x) + 1))[:64]
    per64 = interleaved_ms(contenders, batch, repeats)
    reference = model.predict(x, verbose=0)
    files = {"stepgrad predict": [paths["npz"], paths["keras"]], "stepgrad model(x)": [],
             "ORT float32": [paths["onnx"]],
             "ORT int8 (Dense)": [paths["int8-dense.onnx"]], "ORT int8 (all)": [paths["int8-all.onnx"]]}
    print("| runtime | file | size | ms / image (batch 1) | ms / image (batch 64) | held-out accuracy | "
          "max abs diff vs stepgrad |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for who, f in contenders.items():
        p = reference if who == "stepgrad predict" else f(x)
        if not files[who]:
            print(f"| {who} | (same) | | {one[who]:.2f} | {per64[who] / 64:.3f} | {accuracy(p, y):.4f} | "
                  f"{np.abs(p - reference).max():.1e} |")
        for i, path in enumerate(files[who]):
            kind = os.path.basename(path).split(".", 1)[1]
            cells = ([f"{one[who]:.2f}", f"{per64[who] / 64:.3f}", f"{accuracy(p, y):.4f}",
                      f"{np.abs(p - reference).max():.1e}"] if i == 0 else ["", "", "", ""])
            size = f"{os.path.getsize(path) / 1e6:.2f} MB"
            print(f"| {who if i == 0 else ''} | {kind} | {size} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["digits", "seed"])
    parser.add_argument("--data", default=DEFAULT_DATA, help="class folders for the seed CNN")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--seed-epochs", type=int, default=1)
    parser.add_argument("--ort-threads", type=int, default=0, help="ONNX Runtime threads (0: its default)")
    args = parser.parse_args()
    print(f"python {' '.join(sys.argv)}; load average {os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory() as folder:
        if args.only in (None, "digits"):
            train, held_out = digits_data()
            model = build_model(24, 1, 10, seed=0)
            run("digits_cnn", model, train, held_out, 10, 0.003, args.repeats, folder, args.ort_threads)
        if args.only in (None, "seed"):
            data = args.data if os.path.isdir(args.data) else striped_folder(os.path.join(folder, "stripes"))
            print(f"\nseed CNN data: {data}")
            train, held_out = folder_data(data)
            run("seed_cnn", build_model(150, 3, 2, seed=0), train, held_out, args.seed_epochs, 0.001,
                max(5, args.repeats // 3), folder, args.ort_threads)
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
