"""micrograd's moons demo on stepgrad: a 2-16-16-1 MLP of Values learns two interleaving half moons.

Same recipe as micrograd's ``demo.ipynb``: 100 points, labels y in {-1, +1}, the SVM max-margin loss
``mean(relu(1 - y * score))`` plus ``1e-4 * sum(p**2)``, and plain SGD whose learning rate decays from
1.0 to 0.1 over the run. It prints the loss and accuracy of every step and ends at 100% training
accuracy.

Run:  python examples/moons.py [--steps 100] [--seed 1337]
"""

from __future__ import annotations

import argparse
import random
import sys
import time

from autograd import Value, vsum
from nn import MLP, datasets, losses
from nn.optimizers import SGD


def train(steps: int = 100, seed: int = 1337, data_seed: int = 0, verbose: bool = True) -> dict:
    """Train micrograd's moons model; returns the final loss, accuracy and seconds per step."""
    X, y = datasets.make_moons(100, noise=0.1, seed=data_seed)
    inputs = X.astype(float).tolist()  # plain numbers: constants, not nodes
    targets = (2.0 * y - 1.0).tolist()  # {0, 1} -> {-1, +1}
    model = MLP(2, [16, 16, 1], seed=seed)
    params = model.parameters()
    # micrograd's schedule: lr = 1.0 - 0.9 * k / 100 at step k (an optimizer schedule is f(iterations))
    opt = SGD(params, learning_rate=lambda k: 1.0 - 0.9 * k / steps)
    start = time.perf_counter()
    for k in range(steps):
        scores = [model(x) for x in inputs]
        data_loss = losses.hinge(targets, scores)  # the SVM max-margin loss, mean(relu(1 - y * score))
        reg_loss = 1e-4 * vsum([p * p for p in params])  # L2 regularization
        loss: Value = data_loss + reg_loss
        accuracy = sum((t > 0) == (s.data > 0) for t, s in zip(targets, scores, strict=True)) / len(targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if verbose:
            print(f"step {k:3d}  loss {loss.data:.6f}  accuracy {accuracy:.0%}")
    seconds = (time.perf_counter() - start) / max(steps, 1)
    scores = [model(x) for x in inputs]  # the trained model, after the last update
    final = sum((t > 0) == (s.data > 0) for t, s in zip(targets, scores, strict=True)) / len(targets)
    return {"loss": loss.data, "accuracy": final, "seconds_per_step": seconds, "model": model}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="SGD steps (default 100, as micrograd)")
    parser.add_argument("--seed", type=int, default=1337, help="weight seed")
    parser.add_argument("--data-seed", type=int, default=0, help="make_moons seed")
    args = parser.parse_args(argv)
    random.seed(args.seed)
    result = train(args.steps, args.seed, args.data_seed)
    print(f"final training accuracy {result['accuracy']:.0%} after {args.steps} steps "
          f"({result['seconds_per_step'] * 1000:.1f} ms per step)")
    return 0 if result["accuracy"] == 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
