"""MNIST with stepgrad's Keras-style API beside the same models in PyTorch (2 threads).

Two models, trained the way Keras's examples train them (batch 128, Adam, validation_split 0.1: the
last 6,000 training images are held out):

- ``mlp``: 784-512-512-10, ReLU, Dropout(0.2) after each hidden layer, softmax.
- ``cnn``: Keras's "simple MNIST convnet": Conv32 3x3 relu > MaxPool2 > Conv64 3x3 relu > MaxPool2
  > Flatten > Dropout(0.5) > Dense10 softmax.

Both engines start from Glorot-uniform kernels and zero biases (Keras's defaults; torch's own
defaults differ) and see the same batches in the same order. With ``--engine both`` the two engines
alternate epoch by epoch, so a slow spell of the machine hits both; the report gives the median
epoch time of each and the median of the per-epoch ratios.

Epoch times are training only (the validation pass is timed out). Threads: torch gets ``--threads``
(default 2); numpy's BLAS follows ``OPENBLAS_NUM_THREADS``. On a machine shared with other jobs,
multi-threaded BLAS can spin-wait badly (measured here under a load average of ~10 on 2 cores:
one conv training step took 2-5 s with 2 OpenBLAS threads and 0.12-0.45 s with 1), so match the two
engines and say which setting was used.

Measured on 2026-11-30 on a quiet 2-core VM (load average about 1), two threads for each engine,
with ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_mnist.py --model <mlp,
then cnn> --engine both``:

    | model | epochs | stepgrad s/epoch | torch s/epoch | paired ratio | stepgrad test acc | torch test acc |
    | mlp   | 12     | 1.33             | 1.76          | 0.77x        | 97.91%            | 98.10%         |
    | cnn   | 15     | 9.62             | 5.86          | 1.63x        | 99.16%            | 99.13%         |

(On 2026-11-29, on the same VM loaded by other jobs (load average 4-14), the same runs with one BLAS
thread each took 4.29 vs 6.61 s/epoch (mlp) and 26.98 vs 19.98 (cnn); with two threads the first
stepgrad MLP epoch took 79 s there.)

Run (from the repository root):
    python benchmarks/bench_mnist.py --model both --engine both
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
        python benchmarks/bench_mnist.py --model cnn --engine both --threads 1 --data ../shared/data/mnist
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # run from a checkout without installing

import nn  # noqa: E402
from nn.initializers import GlorotUniform  # noqa: E402
from nn.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D  # noqa: E402

DEFAULT_DATA = os.path.join(os.path.dirname(HERE), "..", "shared", "data", "mnist")
DEFAULT_EPOCHS = {"mlp": 12, "cnn": 15}
BATCH = 128


def load(path: str):
    (x_train, y_train), (x_test, y_test) = nn.datasets.load_mnist(path=path, download=False)
    x_train = x_train.astype(np.float32) / 255.0
    x_test = x_test.astype(np.float32) / 255.0
    split = int(len(x_train) * 0.9)  # Keras's validation_split=0.1: the last 10%, before shuffling
    y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    return (x_train[:split], y_train[:split]), (x_train[split:], y_train[split:]), (x_test, y_test)


def shaped(x: np.ndarray, model: str) -> np.ndarray:
    return x.reshape(len(x), 784) if model == "mlp" else x.reshape(len(x), 28, 28, 1)


# --- stepgrad --------------------------------------------------------------------------------------
def stepgrad_model(kind: str, seed: int) -> nn.models.Sequential:
    init = iter(GlorotUniform(seed + i) for i in range(10))
    if kind == "mlp":
        layers = [Dense(512, activation="relu", input_shape=(784,), kernel_initializer=next(init)),
                  Dropout(0.2, seed=seed),
                  Dense(512, activation="relu", kernel_initializer=next(init)), Dropout(0.2, seed=seed + 1),
                  Dense(10, activation="softmax", kernel_initializer=next(init))]
    else:
        layers = [Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1),
                         kernel_initializer=next(init)),
                  MaxPooling2D((2, 2)),
                  Conv2D(64, (3, 3), activation="relu", kernel_initializer=next(init)),
                  MaxPooling2D((2, 2)), Flatten(), Dropout(0.5, seed=seed),
                  Dense(10, activation="softmax", kernel_initializer=next(init))]
    model = nn.models.Sequential(layers)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class StepgradRun:
    def __init__(self, kind: str, seed: int) -> None:
        self.model = stepgrad_model(kind, seed)

    def initial_weights(self) -> list[np.ndarray]:
        return self.model.get_weights()

    def epoch(self, x, y, order) -> float:
        self.model.fit(x[order], y[order], batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        return self.model.history.history["loss"][-1]

    def accuracy(self, x, y) -> float:
        return float(self.model.evaluate(x, y, batch_size=1000, verbose=0)[1])


# --- torch -----------------------------------------------------------------------------------------
class TorchRun:
    def __init__(self, kind: str, weights: list[np.ndarray], threads: int) -> None:
        import torch
        from torch import nn as tnn

        torch.set_num_threads(threads)
        self.torch = torch
        if kind == "mlp":
            self.model = tnn.Sequential(tnn.Linear(784, 512), tnn.ReLU(), tnn.Dropout(0.2),
                                        tnn.Linear(512, 512), tnn.ReLU(), tnn.Dropout(0.2),
                                        tnn.Linear(512, 10))
        else:
            self.model = tnn.Sequential(tnn.Conv2d(1, 32, 3), tnn.ReLU(), tnn.MaxPool2d(2),
                                        tnn.Conv2d(32, 64, 3), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
                                        tnn.Dropout(0.5), tnn.Linear(1600, 10))
        self.kind = kind
        self._copy_weights(weights)
        # Keras's Adam: epsilon 1e-7
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
        self.loss = tnn.CrossEntropyLoss()

    def _copy_weights(self, weights: list[np.ndarray]) -> None:
        """Start from stepgrad's initial weights (Keras layouts -> torch layouts)."""
        params = [p for p in self.model.parameters()]
        with self.torch.no_grad():
            for p, w in zip(params, weights, strict=True):
                if w.ndim == 4:  # (KH, KW, C, F) -> (F, C, KH, KW)
                    w = w.transpose(3, 2, 0, 1)
                elif w.ndim == 2:
                    if self.kind == "cnn":  # flatten order: NHWC (stepgrad) vs NCHW (torch)
                        w = w.reshape(5, 5, 64, 10).transpose(2, 0, 1, 3).reshape(1600, 10)
                    w = w.T
                p.copy_(self.torch.from_numpy(np.ascontiguousarray(w)))

    def _tensor(self, x):
        t = self.torch.from_numpy(x)
        return t.permute(0, 3, 1, 2).contiguous() if self.kind == "cnn" else t

    def epoch(self, x, y, order) -> float:
        self.model.train()
        total, count = 0.0, 0
        for i in range(0, len(order), BATCH):
            idx = order[i:i + BATCH]
            xb, yb = self._tensor(x[idx]), self.torch.from_numpy(y[idx])
            self.opt.zero_grad()
            loss = self.loss(self.model(xb), yb)
            loss.backward()
            self.opt.step()
            total += float(loss.detach()) * len(idx)
            count += len(idx)
        return total / count

    def accuracy(self, x, y) -> float:
        self.model.eval()
        with self.torch.no_grad():
            pred = self.model(self._tensor(x)).argmax(1).numpy()
        return float((pred == y).mean())


def run(kind: str, engines: list[str], epochs: int, data_path: str, seed: int, threads: int) -> dict:
    (x_tr, y_tr), (x_val, y_val), (x_te, y_te) = load(data_path)
    x_tr, x_val, x_te = shaped(x_tr, kind), shaped(x_val, kind), shaped(x_te, kind)
    runs: dict[str, object] = {}
    sg = StepgradRun(kind, seed)
    if "stepgrad" in engines:
        runs["stepgrad"] = sg
    if "torch" in engines:
        runs["torch"] = TorchRun(kind, sg.initial_weights(), threads)
    rng = np.random.default_rng(seed)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for epoch in range(epochs):
        order = rng.permutation(len(x_tr))  # the same batches, in the same order, for both engines
        names = list(runs) if epoch % 2 == 0 else list(runs)[::-1]  # alternate who goes first
        for name in names:
            gc.collect()
            start = time.perf_counter()
            loss = runs[name].epoch(x_tr, y_tr, order)
            times[name].append(time.perf_counter() - start)
            val = runs[name].accuracy(x_val, y_val)
            print(f"[{kind}] {name:8s} epoch {epoch + 1}/{epochs}: {times[name][-1]:.1f}s loss {loss:.4f} "
                  f"val_accuracy {val:.4f}", flush=True)
    result = {"model": kind, "epochs": epochs, "batch_size": BATCH, "torch_threads": threads,
              "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "unset")}
    for name, r in runs.items():
        result[name] = {"median_epoch_s": round(statistics.median(times[name]), 2),
                        "test_accuracy": round(r.accuracy(x_te, y_te), 4)}
    if len(runs) == 2:
        result["stepgrad_over_torch"] = round(statistics.median(
            a / b for a, b in zip(times["stepgrad"], times["torch"], strict=True)), 2)
    print(json.dumps(result), flush=True)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=["mlp", "cnn", "both"], default="both")
    parser.add_argument("--engine", choices=["stepgrad", "torch", "both"], default="both")
    parser.add_argument("--epochs", type=int, default=None,
                        help="default: 12 (mlp), 15 (cnn, as Keras's example)")
    parser.add_argument("--data", default=DEFAULT_DATA, help="folder with the four MNIST .gz files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2,
                        help="torch threads (2, the project's rule); give numpy's BLAS the same with "
                             "OPENBLAS_NUM_THREADS=<n> in the environment")
    args = parser.parse_args(argv)
    engines = ["stepgrad", "torch"] if args.engine == "both" else [args.engine]
    results = []
    for kind in (["mlp", "cnn"] if args.model == "both" else [args.model]):
        epochs = args.epochs or DEFAULT_EPOCHS[kind]
        results.append(run(kind, engines, epochs, args.data, args.seed, args.threads))
    print("\n| model | epochs | engine | median s/epoch | test accuracy |")
    print("|---|---|---|---|---|")
    for r in results:
        for name in engines:
            stats = r[name]
            print(f"| {r['model']} | {r['epochs']} | {name} | {stats['median_epoch_s']} | "
                  f"{stats['test_accuracy']:.4f} |")
        if "stepgrad_over_torch" in r:
            print(f"| {r['model']} | | stepgrad / torch time | {r['stepgrad_over_torch']}x | |")


if __name__ == "__main__":
    main()
