"""A subclassed model with its own ``train_step``: noise added to the inputs inside each training step.

``NoisyClassifier`` is an ``nn.Model`` subclass: its layers are attributes set in ``__init__`` and its
forward pass is ``call``. Its ``train_step`` perturbs each batch with Gaussian noise (a regulariser
that lives in the step, not in the data), then does what every step does: forward, loss, backward,
optimizer step, metrics. ``fit`` runs this step; ``evaluate`` and ``predict`` use the standard
inference steps, so validation sees clean inputs.

Run:  python examples/custom_train_step.py [--epochs 40] [--noise 0.15]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import nn


class NoisyClassifier(nn.Model):
    """A 2-32-32-1 classifier whose training step jitters its inputs."""

    def __init__(self, noise: float = 0.15, seed: int = 0) -> None:
        super().__init__(name="noisy_classifier")
        self.noise = noise
        self.rng = np.random.default_rng(seed)
        self.hidden = nn.layers.Dense(32, activation="relu")
        self.hidden2 = nn.layers.Dense(32, activation="relu")
        self.out = nn.layers.Dense(1, activation="sigmoid")
        self.noise_seen = nn.metrics.Mean(name="noise_std")  # a metric set as an attribute is tracked

    def call(self, inputs, training=None):
        return self.out(self.hidden2(self.hidden(inputs)))

    def train_step(self, data):
        x, y = data[0], data[1]
        jitter = self.rng.normal(0.0, self.noise, size=np.shape(x)).astype(np.float32)
        noisy = np.asarray(x) + jitter
        y_pred = self(noisy, training=True)
        loss = self.compute_loss(noisy, y, y_pred)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss.item(), sample_weight=len(x))
            elif metric is self.noise_seen:
                metric.update_state(float(jitter.std()))
        return self.compute_metrics(noisy, y, y_pred)


def train(epochs: int = 40, noise: float = 0.15, verbose: int = 2) -> dict[str, float]:
    """Fit on 200 moons, validate on 200 others; returns the final validation accuracy."""
    nn.utils.set_random_seed(0)
    x, y = nn.datasets.make_moons(200, noise=0.2, seed=1)
    x_val, y_val = nn.datasets.make_moons(200, noise=0.2, seed=2)
    model = NoisyClassifier(noise)
    model.compile(optimizer=nn.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=epochs, batch_size=32, validation_data=(x_val, y_val), verbose=verbose)
    return {"val_accuracy": history.history["val_accuracy"][-1],
            "noise_std": history.history["noise_std"][-1], "model": model}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--noise", type=float, default=0.15)
    args = parser.parse_args(argv)
    result = train(args.epochs, args.noise)
    print(f"validation accuracy {result['val_accuracy']:.1%} (input noise std {result['noise_std']:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
