"""Training throughput on a quiet CPU and on a busy one, side by side (issue 10, item 7).

For each model (the seed's CNN as ``stepgrad train`` builds it for the embedded digits, 24x24x1, and
for 150x150 colour photos) and each engine (stepgrad as it trains now; stepgrad with its BLAS thread
choice switched off, as before; torch with its defaults), it times training steps through ``fit``
(torch: the usual loop) in a fresh process, first on the machine as it is ("quiet"), then while two
busy-loop processes hold the cores ("loaded"), and prints steps/s and the loaded/quiet ratio.

    python benchmarks/bench_contention.py [--steps 30] [--photo-steps 6]

The load average is printed with the results: on a machine shared with other work "quiet" is only
as quiet as the machine was.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import subprocess
import sys
import time

MODELS = {"digits": (24, 1, 10, 32), "photos": (150, 3, 2, 16)}  # size, channels, classes, batch
ENGINES = ("stepgrad", "stepgrad-before", "torch")


def busy_loop() -> None:
    while True:
        pass


def worker(model_name: str, engine: str, steps: int) -> float:
    """Steps per second of ``steps`` training steps after one warm-up step."""
    import numpy as np

    size, channels, classes, batch = MODELS[model_name]
    rng = np.random.default_rng(0)
    x = rng.random((batch * (steps + 1), size, size, channels), dtype=np.float32)
    y = rng.integers(0, classes, len(x))
    if engine == "torch":
        return _torch_steps(x, y, size, channels, classes, batch, steps)
    import nn._threads
    from nn.cli import build_model

    if engine == "stepgrad-before":  # no thread choice: BLAS keeps all its threads, as before

        @contextlib.contextmanager
        def untouched(self):
            yield 0

        nn._threads.BlasThreads.step = untouched
    model = build_model(size, channels, classes, seed=0)
    loss = "binary_crossentropy" if classes == 2 else "sparse_categorical_crossentropy"
    model.compile(optimizer="adam", loss=loss)
    target = y.astype(np.float32).reshape(-1, 1) if classes == 2 else y
    from nn.callbacks import LambdaCallback

    times, started = [], [0.0]
    clock = LambdaCallback(on_train_batch_begin=lambda *_: started.__setitem__(0, time.perf_counter()),
                           on_train_batch_end=lambda *_: times.append(time.perf_counter() - started[0]))
    model.fit(x, target, batch_size=batch, epochs=1, verbose=0, shuffle=False, callbacks=[clock])
    return len(times[1:]) / sum(times[1:])


def _torch_steps(x, y, size, channels, classes, batch, steps) -> float:
    import torch
    from torch import nn as tnn

    torch.manual_seed(0)
    side = ((size - 2) // 2 - 2) // 2
    layers = [tnn.Conv2d(channels, 32, 3), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Conv2d(32, 64, 3), tnn.ReLU(),
              tnn.MaxPool2d(2)]
    if side >= 8:
        layers += [tnn.Conv2d(64, 128, 3), tnn.ReLU(), tnn.MaxPool2d(2)]
        side = (side - 2) // 2
    feats = (128 if len(layers) > 6 else 64) * side * side
    units = 512 if size >= 64 else 128
    out = 1 if classes == 2 else classes
    model = tnn.Sequential(*layers, tnn.Flatten(), tnn.Linear(feats, units), tnn.ReLU(),
                           tnn.Linear(units, out))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    lossf = tnn.BCEWithLogitsLoss() if classes == 2 else tnn.CrossEntropyLoss()
    xt = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
    yt = torch.from_numpy(y).float().reshape(-1, 1) if classes == 2 else torch.from_numpy(y).long()
    times = []
    for k in range(steps + 1):
        start = time.perf_counter()
        opt.zero_grad()
        loss = lossf(model(xt[k * batch:(k + 1) * batch]), yt[k * batch:(k + 1) * batch])
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - start)
    return len(times[1:]) / sum(times[1:])


def measure(model_name: str, engine: str, steps: int) -> float | None:
    done = subprocess.run([sys.executable, __file__, "--worker", model_name, engine, str(steps)],
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        print(f"  {model_name}/{engine} failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="timed steps for the digits model")
    parser.add_argument("--photo-steps", type=int, default=6, help="timed steps for the 150x150 model")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], int(args.worker[2]))))
        return 0
    try:
        import torch  # noqa: F401
        engines = ENGINES
    except ImportError:
        engines = ENGINES[:2]
    print(f"cores {os.cpu_count()}; load average at start {os.getloadavg()}")
    rows = []
    for name in MODELS:
        steps = args.steps if name == "digits" else args.photo_steps
        for engine in engines:
            quiet_load = os.getloadavg()[0]
            quiet = measure(name, engine, steps)
            hogs = [mp.Process(target=busy_loop, daemon=True) for _ in range(2)]
            for h in hogs:
                h.start()
            time.sleep(2.0)
            try:
                loaded = measure(name, engine, steps)
                loaded_load = os.getloadavg()[0]
            finally:
                for h in hogs:
                    h.terminate()
                    h.join()
            ratio = f"{loaded / quiet:.2f}" if quiet and loaded else "-"
            rows.append((name, engine, quiet, loaded, ratio, quiet_load, loaded_load))
            print(f"{name:7s} {engine:16s} quiet {quiet or 0:7.2f} steps/s (load {quiet_load:.1f})   "
                  f"loaded {loaded or 0:7.2f} steps/s (load {loaded_load:.1f})   loaded/quiet {ratio}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
