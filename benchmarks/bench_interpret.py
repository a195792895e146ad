"""Integrated Gradients, 50 steps, on a batch of 8 digit images: nn.interpret beside captum on a torch twin.

Two CNNs, each built in stepgrad and as a torch copy with the same weights (NHWC <-> NCHW):

- ``digits``: notebook 07's network on the embedded digits doubled to 16x16 (Conv16 3x3 relu >
  MaxPool2 > Conv32 3x3 relu > MaxPool2 > Dense10);
- ``mnist``: Keras's "simple MNIST convnet" on 28x28 MNIST test images (Conv32 3x3 relu > MaxPool2 >
  Conv64 3x3 relu > MaxPool2 > Dense10; the Dropout of training left out), when ``--data`` holds MNIST.

Both sides run Gauss-Legendre IG (captum's default) with 50 steps, the predicted class as target and a
black baseline: ``nn.interpret.integrated_gradients`` puts all 8 x 50 = 400 path images through the
model as one batch (one forward and one backward pass), and captum's ``IntegratedGradients`` does the
same in torch. The two alternate call by call (paired ratios, see ``_timing.py``); the report gives
each one's median time, the median paired ratio, and the largest difference between the two maps.
Weights are untrained (timing does not depend on them). Threads: torch gets ``--threads``; numpy's
BLAS follows ``OPENBLAS_NUM_THREADS`` (match them, and say which).

Measured on 2026-12-07 at 02:28 on the 2-core VM shared with other jobs (load average 7-8), one
thread each, ``OPENBLAS_NUM_THREADS=1 python benchmarks/bench_interpret.py --threads 1 --data
/work/shared/data/mnist`` (wall time), then the same with ``--cpu`` (CPU time of the process), 10 pairs
each:

    | model  | clock | stepgrad ms | captum ms | paired ratio | max |difference| / max |map| |
    | digits | wall  | 49.0        | 41.7      | 1.26x        | 1.6e-07                      |
    | mnist  | wall  | 518.9       | 384.3     | 1.19x        | 3.2e-07                      |
    | digits | CPU   | 26.1        | 26.1      | 0.95x        | 1.6e-07                      |
    | mnist  | CPU   | 219.2       | 210.6     | 1.00x        | 3.2e-07                      |

(Wall times on a loaded machine are several times the CPU times and vary from run to run: earlier
wall runs the same day gave mnist 2.18x, 1.45x and 1.79x at load 12-18, and CPU-time runs at load 12
gave 0.93x (digits) and 0.88x (mnist).)

Run (from the repository root):
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_interpret.py --threads 1 [--cpu]
    python benchmarks/bench_interpret.py --threads 2 --data /work/shared/data/mnist
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # run from a checkout without installing
sys.path.insert(0, HERE)

import statistics  # noqa: E402
import time  # noqa: E402

from _timing import paired_table, ratio_of  # noqa: E402

from nn import interpret  # noqa: E402
from nn.datasets import load_digits, load_mnist  # noqa: E402
from nn.initializers import GlorotUniform  # noqa: E402
from nn.layers import Conv2D, Dense, Flatten, MaxPooling2D  # noqa: E402
from nn.models import Sequential  # noqa: E402

DEFAULT_DATA = os.path.join(os.path.dirname(HERE), "..", "shared", "data", "mnist")
STEPS, BATCH = 50, 8


def cnn(size: int, filters: tuple[int, int]) -> Sequential:
    init = GlorotUniform(seed=0)
    return Sequential([
        Conv2D(filters[0], 3, activation="relu", input_shape=(size, size, 1), kernel_initializer=init),
        MaxPooling2D(2),
        Conv2D(filters[1], 3, activation="relu", kernel_initializer=init),
        MaxPooling2D(2),
        Flatten(),
        Dense(10, kernel_initializer=init),
    ])


def torch_twin(model: Sequential, torch):
    """The same network in torch (NCHW in; flattened in stepgrad's (h, w, c) order)."""
    conv1, conv2, dense = model.layers[0], model.layers[2], model.layers[5]

    class ToNHWC(torch.nn.Module):
        def forward(self, x):
            return x.permute(0, 2, 3, 1)

    twin = torch.nn.Sequential(
        torch.nn.Conv2d(1, conv1.filters, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(conv1.filters, conv2.filters, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        ToNHWC(), torch.nn.Flatten(), torch.nn.Linear(dense.kernel.shape[0], 10))
    with torch.no_grad():
        for layer, t in ((conv1, twin[0]), (conv2, twin[3])):
            t.weight.copy_(torch.from_numpy(layer.kernel.numpy().transpose(3, 2, 0, 1)))
            t.bias.copy_(torch.from_numpy(layer.bias.numpy()))
        twin[8].weight.copy_(torch.from_numpy(dense.kernel.numpy().T))
        twin[8].bias.copy_(torch.from_numpy(dense.bias.numpy()))
    return twin.eval()


def batches(data: str) -> dict[str, tuple[np.ndarray, Sequential]]:
    images, _ = load_digits()
    digits = np.kron(images[:BATCH] / 16.0, np.ones((2, 2)))[..., None].astype(np.float32)
    out = {"digits": (digits, cnn(16, (16, 32)))}
    if os.path.isdir(data):
        (_, _), (x_test, _) = load_mnist(path=data, download=False)
        out["mnist"] = ((x_test[:BATCH, ..., None] / 255.0).astype(np.float32), cnn(28, (32, 64)))
    else:
        print(f"(no MNIST at {data}: the mnist model is skipped)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch threads (match OPENBLAS_NUM_THREADS)")
    parser.add_argument("--pairs", type=int, default=10, help="timed calls of each contender")
    parser.add_argument("--data", default=DEFAULT_DATA, help="folder with MNIST's four IDX files")
    parser.add_argument("--cpu", action="store_true",
                        help="time CPU seconds of this process instead of wall time (steadier on a busy "
                             "machine; fair only when both sides use the same number of threads)")
    args = parser.parse_args()
    import torch
    from captum.attr import IntegratedGradients

    torch.set_num_threads(args.threads)
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    clock = time.process_time if args.cpu else time.perf_counter
    print(f"IG, {STEPS} Gauss-Legendre steps, batch {BATCH}; torch {torch.__version__} ({args.threads} "
          f"threads), OPENBLAS_NUM_THREADS={blas}, {'CPU' if args.cpu else 'wall'} time, "
          f"load {os.getloadavg()}")
    print("| model | stepgrad ms | captum ms | paired ratio | max |difference| / max |map| |")
    for name, (x, model) in batches(args.data).items():
        twin = torch_twin(model, torch)
        nchw = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        target = model.predict(x).argmax(axis=1)
        ig = IntegratedGradients(twin)

        def ours(x=x, model=model, target=target):
            return interpret.integrated_gradients(model, x, target, steps=STEPS)

        def theirs(ig=ig, nchw=nchw, target=target):
            return ig.attribute(nchw, target=torch.from_numpy(target), n_steps=STEPS)

        theirs_map = theirs().detach().numpy().transpose(0, 2, 3, 1)
        gap = float(np.abs(ours() - theirs_map).max() / np.abs(theirs_map).max())
        times = paired_table({"ours": ours, "theirs": theirs}, pairs=args.pairs, settle=0.05, clock=clock)
        ms_ours, ms_theirs = statistics.median(times["ours"]), statistics.median(times["theirs"])
        ratio = ratio_of(times, "ours", "theirs")
        print(f"| {name} | {ms_ours:.1f} | {ms_theirs:.1f} | {ratio:.2f}x | {gap:.1e} |")


if __name__ == "__main__":
    main()
