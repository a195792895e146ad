"""Training-step time of stepgrad's Tensor engine vs torch (CPU, 2 threads) vs hand-written numpy.

Four nets, one SGD/Adam step each on a fixed synthetic batch (all three start from the same weights
and their first losses are checked to agree):
  (a) MLP 784-256-128-10, batch 128, softmax cross-entropy, SGD
  (b) CNN 28x28x1, batch 64: Conv(32,3x3,relu) > MaxPool2 > Conv(64,3x3,relu) > MaxPool2 > Flatten
      > Dense(128,relu) > Dense(10), softmax cross-entropy, Adam
  (c) the seed CNN 150x150x3, batch 32: Conv32-Pool-Conv64-Pool-Conv128-Pool-Flatten-Dense512-Dense1,
      sigmoid binary cross-entropy, Adam; plus peak RSS of each engine in its own fresh process
  (d) moons MLP 2-16-16-1, 100 samples, sigmoid binary cross-entropy, SGD (per-op overhead)
Ratios are medians of paired ratios: the engines run round-robin, rotating who goes first.

Run:  python benchmarks/bench_tensor.py [--quick] [--only a,b,c,d] [--no-rss]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hand_numpy as hand  # noqa: E402
from _timing import once_ms, paired_table, peak_rss_mb, ratio_of  # noqa: E402

from autograd import Tensor  # noqa: E402
from autograd import functional as F  # noqa: E402

NETS = {  # name: (input shape (H, W, C) or features, conv filters, dense sizes, loss, batch, optimizer)
    "a": ("MLP 784-256-128-10, b128, SGD", (784,), (), (256, 128, 10), "softmax", 128, "sgd"),
    "b": ("CNN 28x28x1, b64, Adam", (28, 28, 1), (32, 64), (128, 10), "softmax", 64, "adam"),
    "c": ("seed CNN 150x150x3, b32, Adam", (150, 150, 3), (32, 64, 128), (512, 1), "sigmoid", 32, "adam"),
    "d": ("moons MLP 2-16-16-1, n100, SGD", (2,), (), (16, 16, 1), "sigmoid", 100, "sgd"),
}


def make_data(key, seed=0):
    _, shape, _, dense, loss, batch, _ = NETS[key]
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, size=(batch, *shape)).astype(np.float32)
    if loss == "softmax":
        return x, rng.integers(0, dense[-1], size=batch)
    return x, rng.integers(0, 2, size=(batch, 1)).astype(np.float32)


def make_hand(key):
    _, shape, filters, dense, loss, _, _ = NETS[key]
    if filters:
        return hand.CNN(shape, filters, dense, loss)
    return hand.MLP([shape[0], *dense], loss)


# --- stepgrad -----------------------------------------------------------------------------------
class EngineNet:
    """The same net on stepgrad Tensors and autograd.functional; weights copied from the hand net."""

    def __init__(self, key, init):
        _, _, filters, dense, loss, _, opt = NETS[key]
        self.n_conv, self.n_dense, self.loss = len(filters), len(dense), loss
        self.params = [Tensor(p.copy(), requires_grad=True) for p in init.params]
        try:  # the library's optimizers when nn is there; the same update inline otherwise
            from nn.optimizers import SGD, Adam

            self.opt = Adam(self.params, learning_rate=1e-3, epsilon=1e-7) if opt == "adam" else \
                SGD(self.params, learning_rate=0.01)
        except ImportError:
            self.opt = None
            self.fallback = hand.Adam([p.data for p in self.params]) if opt == "adam" else None

    def forward(self, x, y):
        p, a = self.params, x
        for i in range(self.n_conv):
            a = F.max_pool2d(F.conv2d(a, p[2 * i], p[2 * i + 1]).relu(), 2)
        if self.n_conv:
            a = a.reshape(a.shape[0], -1)
        for j in range(self.n_dense):
            k = 2 * (self.n_conv + j)
            a = F.dense(a, p[k], p[k + 1], activation="relu" if j < self.n_dense - 1 else None)
        if self.loss == "softmax":
            return F.softmax_cross_entropy(a, y)
        return F.sigmoid_binary_cross_entropy(a, y)

    def step(self, x, y):
        if self.opt is not None:
            self.opt.zero_grad()
        else:
            for p in self.params:
                p.grad = None
        loss = self.forward(x, y)
        loss.backward()
        if self.opt is not None:
            self.opt.step()
        elif self.fallback is not None:
            self.fallback.step([p.grad for p in self.params])
        else:
            hand.sgd([p.data for p in self.params], [p.grad for p in self.params], 0.01)
        return loss.item()


# --- torch --------------------------------------------------------------------------------------
def make_torch(key, init):
    import torch

    torch.set_num_threads(2)
    _, shape, filters, dense, loss, _, opt = NETS[key]
    layers, params, c = [], init.params, shape[-1]
    h, w = (shape[0], shape[1]) if filters else (None, None)
    for i, f in enumerate(filters):
        conv = torch.nn.Conv2d(c, f, 3)
        # (KH, KW, C, F) -> (F, C, KH, KW)
        conv.weight.data = torch.tensor(params[2 * i].transpose(3, 2, 0, 1).copy())
        conv.bias.data = torch.tensor(params[2 * i + 1])
        layers += [conv, torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
        h, w, c = (h - 2) // 2, (w - 2) // 2, f
    if filters:
        layers.append(torch.nn.Flatten())
    for j in range(len(dense)):
        wt = params[2 * (len(filters) + j)]
        if j == 0 and filters:  # stepgrad flattens (H, W, C); torch flattens (C, H, W)
            wt = wt.reshape(h, w, c, -1).transpose(2, 0, 1, 3).reshape(h * w * c, -1)
        lin = torch.nn.Linear(*wt.shape)
        lin.weight.data = torch.tensor(wt.T.copy())
        lin.bias.data = torch.tensor(params[2 * (len(filters) + j) + 1])
        layers.append(lin)
        if j < len(dense) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optim = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7) if opt == "adam" else \
        torch.optim.SGD(model.parameters(), lr=0.01)
    lossf = torch.nn.functional.cross_entropy if loss == "softmax" else \
        torch.nn.functional.binary_cross_entropy_with_logits

    def step(x, y):
        optim.zero_grad(set_to_none=True)
        out = lossf(model(x), y)
        out.backward()
        optim.step()
        return out.item()

    return step


def torch_batch(x, y):
    import torch

    xt = torch.tensor(x.transpose(0, 3, 1, 2).copy() if x.ndim == 4 else x)  # NHWC -> NCHW, once
    return xt, torch.tensor(y)


PAIRS = {"a": 40, "b": 20, "c": 7, "d": 40}
QUICK_PAIRS = {"a": 15, "b": 8, "c": 3, "d": 15}


# --- running ------------------------------------------------------------------------------------
ENGINES = ("stepgrad", "torch", "numpy")


def engine_step(engine, key):
    """One engine's training step on the benchmark batch, from the hand net's initial weights."""
    x, y = make_data(key)
    h = make_hand(key)
    if engine == "numpy":
        return lambda: h.step(x, y)
    if engine == "torch":
        t, (xt, yt) = make_torch(key, h), torch_batch(x, y)
        h.params = h.opt = None  # only the torch copy of the weights stays in memory
        return lambda: t(xt, yt)
    e = EngineNet(key, h)
    h.params = h.opt = None
    return lambda: e.step(x, y)


def check_losses(key, losses):
    """All engines start from the same weights: first losses agree; stepgrad and numpy stay in step."""
    first = {name: ls[0] for name, ls in losses.items()}
    if max(first.values()) - min(first.values()) > 1e-3 * max(1.0, abs(first["numpy"])) or \
            abs(losses["stepgrad"][1] - losses["numpy"][1]) > 1e-4 * max(1.0, abs(losses["numpy"][1])):
        raise RuntimeError(f"bench_tensor: losses disagree for ({key}): {losses}")


def _worker(conn, engine, key, settle, clock_name, steps_per_turn=1):
    """A worker process: one engine, its own heap and thread pools; times each turn it is asked for.

    A turn is ``steps_per_turn`` steps back to back (as in a training loop); it reports ms per step.
    """
    step = engine_step(engine, key)
    clock = time.process_time if clock_name == "cpu" else time.perf_counter

    def turn():
        for _ in range(steps_per_turn):
            step()

    conn.send([step(), step()])
    while conn.recv():
        conn.send(once_ms(turn, settle, clock) / steps_per_turn)


def timed_in_workers(key, pairs, warmup, settle, clock_name, steps_per_turn=1):
    """Round-robin step times of the three engines, each living in its own (spawned) process.

    Separate processes keep one engine's allocator state and idle threads from helping or hurting
    another's (in one process, whoever runs after the biggest heap gets its pages for free).
    """
    ctx = multiprocessing.get_context("spawn")
    workers = {}
    for name in ENGINES:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child, name, key, settle, clock_name, steps_per_turn),
                           daemon=True)
        proc.start()
        workers[name] = (proc, parent)
    try:
        check_losses(key, {name: conn.recv() for name, (_, conn) in workers.items()})

        def ask(conn):
            conn.send(True)
            return conn.recv()

        contenders = {name: (lambda c=conn: ask(c)) for name, (_, conn) in workers.items()}
        return paired_table(contenders, pairs=pairs, warmup=warmup, reported=True)
    finally:
        for proc, conn in workers.values():
            conn.send(False)
            proc.join(timeout=30)


def timed_in_one_process(key, pairs, warmup, settle, clock):
    """The same, with all three engines in this process (they share the allocator and CPU caches)."""
    steps = {name: engine_step(name, key) for name in ENGINES}
    check_losses(key, {name: [f(), f()] for name, f in steps.items()})
    return paired_table(steps, pairs=pairs, warmup=warmup, settle=settle, clock=clock)


def rss_child(engine, key="c", steps=3):
    """Run a few steps of one engine in this (fresh) process; the parent reads its peak RSS."""
    step = engine_step(engine, key)
    for _ in range(steps):
        step()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--only", default="a,b,c,d", help="which nets, e.g. a,d")
    parser.add_argument("--no-rss", action="store_true", help="skip the seed-CNN peak-RSS subprocesses")
    parser.add_argument("--settle", type=float, default=0.2,
                        help="seconds of sleep before each timed step (idle thread pools stop spinning)")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="cpu: process CPU time (all threads), steadier on a busy machine; "
                             "compares stepgrad with numpy only (torch's idle threads spin and count)")
    parser.add_argument("--steps-per-turn", type=int, default=1,
                        help="steps each engine runs back to back per turn (ms per step reported): 1 times "
                             "a lone step after a pause (cold caches); 10 times the steady state of a "
                             "training loop")
    parser.add_argument("--one-process", action="store_true",
                        help="run the three engines in this process instead of one worker process each")
    parser.add_argument("--rss-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        return rss_child(args.rss_child)
    import torch

    print(f"numpy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads set to 2), "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '<unset>')}")
    print(f"clock: {args.clock}; ms: median step time; sg/x: median of paired ratios; "
          "(best): ratio of the fastest steps")
    print(f"{'net':34} {'stepgrad ms':>11} {'torch ms':>9} {'numpy ms':>9} {'sg/torch':>9} {'sg/numpy':>9} "
          f"{'(best)':>7} {'(best)':>7}")
    for key in args.only.split(","):
        pairs = (QUICK_PAIRS if args.quick else PAIRS)[key]
        warmup = 2 if key != "c" else 1
        if args.one_process:
            clock = time.process_time if args.clock == "cpu" else time.perf_counter
            times = timed_in_one_process(key, pairs, warmup, args.settle, clock)
        else:
            times = timed_in_workers(key, pairs, warmup, args.settle, args.clock, args.steps_per_turn)
        med = {name: statistics.median(ts) for name, ts in times.items()}
        best = {name: min(ts) for name, ts in times.items()}
        print(f"({key}) {NETS[key][0]:30} {med['stepgrad']:11.2f} {med['torch']:9.2f} {med['numpy']:9.2f} "
              f"{ratio_of(times, 'stepgrad', 'torch'):9.2f} {ratio_of(times, 'stepgrad', 'numpy'):9.2f} "
              f"{best['stepgrad'] / best['torch']:7.2f} {best['stepgrad'] / best['numpy']:7.2f}")
        sys.stdout.flush()
    if "c" in args.only.split(",") and not args.no_rss:
        script = os.path.abspath(__file__)
        rss = {name: peak_rss_mb(script, ["--rss-child", name]) for name in ("stepgrad", "torch", "numpy")}
        print(f"(c) seed CNN peak RSS, 3 steps, fresh process each: stepgrad {rss['stepgrad']:.0f} MB, "
              f"torch {rss['torch']:.0f} MB, numpy {rss['numpy']:.0f} MB; stepgrad/torch "
              f"{rss['stepgrad'] / rss['torch']:.2f}, stepgrad/numpy {rss['stepgrad'] / rss['numpy']:.2f}")


if __name__ == "__main__":
    main()
