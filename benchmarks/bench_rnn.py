"""One training step of LSTM(128) and GRU(128): stepgrad beside PyTorch's CPU layers, in the same run.

The step: a batch of 64 sequences of 32 steps with 64 features -> the recurrent layer (last output,
128 units) -> mean squared error against a fixed random target -> backward -> Adam. Both engines
start from the same weights (ours converted to torch's layout: GRU gates z, r, h -> r, z, n; torch's
second bias 0) and their first losses are checked to agree. The steps alternate (stepgrad, torch,
torch, stepgrad, ...) and the report gives the median ms of each and the median of the per-pair
ratios (> 1: stepgrad is slower).

Threads: torch gets ``--threads`` (default 2); numpy's BLAS follows ``OPENBLAS_NUM_THREADS``. On a
busy machine multi-threaded BLAS spin-waits badly, so give both engines the same count and report it.
``--profile`` prints where a stepgrad step spends its time.

Run (from the repository root):
    python benchmarks/bench_rnn.py
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_rnn.py --threads 1 --pairs 20
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _timing import paired_ratio  # noqa: E402

import nn  # noqa: E402
from autograd import Tensor  # noqa: E402
from nn.layers import GRU, LSTM  # noqa: E402

BATCH, STEPS, FEATURES, UNITS = 64, 32, 64, 128


def torch_layout(layer) -> list[np.ndarray]:
    """weight_ih, weight_hh, bias_ih, bias_hh for torch from the Keras-layout weights of ``layer``."""
    kernel, recurrent, bias = (w.data for w in layer.weights)
    if isinstance(layer, GRU):
        order = np.r_[UNITS:2 * UNITS, 0:UNITS, 2 * UNITS:3 * UNITS]
        return [kernel[:, order].T, recurrent[:, order].T, bias[0, order], bias[1, order]]
    return [kernel.T, recurrent.T, bias, np.zeros_like(bias)]


def steps_for(cls, torch) -> tuple:
    """(stepgrad step, torch step), each returning its loss, from the same weights and data."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, STEPS, FEATURES)).astype(np.float32)
    target = rng.standard_normal((BATCH, UNITS)).astype(np.float32)
    layer = cls(UNITS)
    layer.maybe_build((None, STEPS, FEATURES))
    optimizer = nn.optimizers.Adam(layer.parameters(), lr=1e-3)
    x_t, target_t = Tensor(x), Tensor(target)

    def ours() -> float:
        loss = ((layer(x_t) - target_t) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    twin = {LSTM: torch.nn.LSTM, GRU: torch.nn.GRU}[cls](FEATURES, UNITS, batch_first=True)
    with torch.no_grad():
        params = (twin.weight_ih_l0, twin.weight_hh_l0, twin.bias_ih_l0, twin.bias_hh_l0)
        for param, array in zip(params, torch_layout(layer), strict=True):
            param.copy_(torch.from_numpy(np.ascontiguousarray(array)))
    t_optimizer = torch.optim.Adam(twin.parameters(), lr=1e-3, eps=1e-7)  # Keras's epsilon, as ours
    tx, t_target = torch.from_numpy(x), torch.from_numpy(target)

    def theirs() -> float:
        out, _ = twin(tx)
        loss = ((out[:, -1] - t_target) ** 2).mean()
        t_optimizer.zero_grad()
        loss.backward()
        t_optimizer.step()
        return loss.item()

    first_ours, first_theirs = ours(), theirs()
    assert abs(first_ours - first_theirs) < 1e-4 * max(1.0, abs(first_theirs)), (first_ours, first_theirs)
    return ours, theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10, help="timed pairs per layer")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--settle", type=float, default=0.1, help="seconds of sleep before each timed step")
    parser.add_argument("--profile", action="store_true", help="profile stepgrad steps instead of timing")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    print(f"batch {BATCH} x {STEPS} steps x {FEATURES} features -> {UNITS} units; torch {torch.__version__} "
          f"with {args.threads} threads, OPENBLAS_NUM_THREADS={blas}; load average {os.getloadavg()[0]:.2f}")
    if not args.profile:
        print("| layer | stepgrad ms | torch ms | paired ratio |\n|---|---|---|---|")
    for cls in (LSTM, GRU):
        ours, theirs = steps_for(cls, torch)
        if args.profile:
            profile = cProfile.Profile()
            for _ in range(5):
                profile.runcall(ours)
            print(f"{cls.__name__}: five stepgrad steps, by own time")
            pstats.Stats(profile).sort_stats("tottime").print_stats(8)
            continue
        ratio, ms_ours, ms_theirs = paired_ratio(ours, theirs, pairs=args.pairs, warmup=2, settle=args.settle)
        print(f"| {cls.__name__}({UNITS}) | {ms_ours:.1f} | {ms_theirs:.1f} | {ratio:.2f}x |")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
