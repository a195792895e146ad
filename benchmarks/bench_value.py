"""micrograd's moons training step: stepgrad's Value engine against micrograd 0.1.0, in one process.

The workload is micrograd's demo: ``MLP(2, [16, 16, 1])`` (337 parameters) on 100 moons points,
the SVM max-margin loss ``mean(relu(1 - y * score)) + 1e-4 * sum(p * p)``, backward, and an SGD
update with the demo's learning rate ``1.0 - 0.9 * k / 100``. Both engines start from the same
weights and the same data (Python floats), so they walk the same training run; each round times
step k of every contender, in rotating order, with ``gc.collect()`` before each timed step.
Contenders: stepgrad, micrograd as shipped (gc on), and micrograd with gc disabled during its step.
Ratios are medians of the per-round ratios. It also reports memory per op of a ``y = y * 1.0001``
chain (tracemalloc).

Run:  python benchmarks/bench_value.py [--steps 100] [--seed 1337]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _timing import paired_table, ratio_of  # noqa: E402

from autograd import Value, vsum  # noqa: E402


def make_data(seed: int) -> tuple[list, list]:
    """100 moons points as Python floats, labels in {-1, +1}: the same objects feed both engines."""
    try:
        from nn.datasets import make_moons

        X, y = make_moons(100, noise=0.1, seed=seed)
    except ImportError:  # the nn package is optional here: a seeded copy of the recipe
        import numpy as np

        rng = np.random.default_rng(seed)
        t = rng.uniform(0, np.pi, 100)
        upper = np.arange(100) < 50
        X = np.where(upper[:, None], np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
        X = X + rng.normal(0, 0.1, X.shape)
        y = (~upper).astype(int)
    return X.astype(float).tolist(), [2.0 * v - 1.0 for v in y.tolist()]


def stepgrad_model(weights: list[list[tuple[list[float], float]]]):
    """nn.MLP(2, [16, 16, 1]) holding ``weights`` (or the same network built from autograd ops)."""
    try:
        from nn import MLP

        model = MLP(2, [16, 16, 1], seed=0)
        neurons = [n for layer in model.layers for n in layer.neurons]
    except ImportError:
        from autograd import linear

        class Neuron:
            def __init__(self, nin: int, relu: bool) -> None:
                self.w, self.b, self.relu = [Value(0.0) for _ in range(nin)], Value(0.0), relu

            def __call__(self, x: list) -> Value:
                z = linear(self.w, x, self.b)
                return z.relu() if self.relu else z

        layers = [[Neuron(2, True) for _ in range(16)], [Neuron(16, True) for _ in range(16)]]
        layers.append([Neuron(16, False)])

        def model(x: list) -> Value:
            for layer in layers:
                x = [n(x) for n in layer]
            return x[0]

        neurons = [n for layer in layers for n in layer]
    for n, (w, b) in zip(neurons, [wb for layer in weights for wb in layer], strict=True):
        for p, v in zip(n.w, w, strict=True):
            p.data = v
        n.b.data = b
    params = [p for n in neurons for p in [*n.w, n.b]]
    return model, params


class Trainer:
    """One engine's training run; ``step()`` does the next SGD step of micrograd's demo."""

    def __init__(self, model, params: list, X: list, y: list, total, gc_off: bool = False) -> None:
        self.model, self.params, self.X, self.y = model, params, X, y
        self.sum = total  # the engine's way to add many Values
        self.gc_off = gc_off
        self.k = 0
        self.losses: list[float] = []

    def step(self) -> None:
        if self.gc_off:
            gc.disable()
        try:
            scores = [self.model(x) for x in self.X]
            losses = [(1 + -yi * si).relu() for yi, si in zip(self.y, scores, strict=True)]
            data_loss = self.sum(losses) * (1.0 / len(losses))
            reg_loss = 1e-4 * self.sum([p * p for p in self.params])
            loss = data_loss + reg_loss
            for p in self.params:
                p.grad = 0.0
            loss.backward()
            lr = 1.0 - 0.9 * self.k / 100
            for p in self.params:
                p.data -= lr * p.grad
            self.losses.append(loss.data)
            self.k += 1
        finally:
            if self.gc_off:
                gc.enable()


def bytes_per_op(make_leaf, n: int = 50_000) -> float:
    """Memory of a ``y = y * 1.0001`` chain per op, by tracemalloc."""
    y = make_leaf(1.0)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(n):
            y = y * 1.0001
        return (tracemalloc.get_traced_memory()[0] - before) / n
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="training steps = timing rounds (default 100)")
    parser.add_argument("--seed", type=int, default=1337, help="weight seed (micrograd's demo uses 1337)")
    parser.add_argument("--data-seed", type=int, default=0, help="make_moons seed")
    args = parser.parse_args(argv)
    try:
        from micrograd import engine as mg_engine
        from micrograd import nn as mg_nn
    except ImportError:
        print("micrograd is not installed: pip install micrograd==0.1.0")
        return 1

    X, y = make_data(args.data_seed)
    random.seed(args.seed)
    mg_models = [mg_nn.MLP(2, [16, 16, 1]) for _ in range(2)]
    weights = [[([w.data for w in n.w], n.b.data) for n in layer.neurons] for layer in mg_models[0].layers]
    for layer, src in zip(mg_models[1].layers, mg_models[0].layers, strict=True):
        for n, s in zip(layer.neurons, src.neurons, strict=True):
            for p, q in zip([*n.w, n.b], [*s.w, s.b], strict=True):
                p.data = q.data
    model, params = stepgrad_model(weights)
    assert len(params) == 337

    def mg_input(model):
        return lambda x: model([mg_engine.Value(v) for v in x])  # the demo wraps each input in a Value

    mg_a, mg_b = (mg_input(m) for m in mg_models)
    runs = {
        "stepgrad": Trainer(model, params, X, y, vsum),
        "micrograd": Trainer(mg_a, mg_models[0].parameters(), X, y, sum),
        "micrograd_gc_off": Trainer(mg_b, mg_models[1].parameters(), X, y, sum, gc_off=True),
    }
    print(f"moons step, {args.steps} rounds (micrograd's demo: 337 parameters, 100 samples); "
          f"python {sys.version.split()[0]}")
    times = paired_table({name: run.step for name, run in runs.items()}, pairs=args.steps, warmup=0)
    drift = max(abs(a - b) for a, b in zip(runs["stepgrad"].losses, runs["micrograd"].losses, strict=False))
    print(f"same training run: max |loss difference| between the engines {drift:.2e}")
    for name in runs:
        print(f"  {name:<18} median {statistics.median(times[name]):8.1f} ms/step")
    on, off = ratio_of(times, "micrograd", "stepgrad"), ratio_of(times, "micrograd_gc_off", "stepgrad")
    first = min(10, args.steps)
    early_on = statistics.median(m / s for m, s in zip(times["micrograd"][:first], times["stepgrad"][:first],
                                                        strict=True))
    early_off = statistics.median(m / s for m, s in zip(times["micrograd_gc_off"][:first],
                                                         times["stepgrad"][:first], strict=True))
    print(f"stepgrad vs micrograd (gc on):  {on:5.1f}x faster (first {first} steps: {early_on:.1f}x)")
    print(f"stepgrad vs micrograd (gc off): {off:5.1f}x faster (first {first} steps: {early_off:.1f}x)")
    print(f"memory per op of y = y * 1.0001: stepgrad {bytes_per_op(Value):.0f} bytes, "
          f"micrograd {bytes_per_op(mg_engine.Value):.0f} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
