"""The functional API with two inputs and two outputs, on the 8x8 digits that ship with stepgrad.

Input 1 is the image; input 2 is a short "ink profile" (how much ink each row and column holds). A
small conv branch reads the image, a dense branch the profile; their features are concatenated and a
shared trunk feeds two heads: which digit (10-way softmax) and whether it is even (sigmoid). The two
losses are weighted in ``compile``; inputs and targets are dicts keyed by the names of the inputs
and heads, as in Keras.

Run:  python examples/two_inputs_two_outputs.py [--epochs 8]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import nn
from nn import layers


def build_model() -> nn.Model:
    image = nn.Input(shape=(8, 8, 1), name="image")
    profile = nn.Input(shape=(16,), name="profile")
    seen = layers.Conv2D(16, 3, activation="relu", padding="same")(image)
    seen = layers.MaxPooling2D(2)(seen)
    seen = layers.Flatten()(seen)
    read = layers.Dense(16, activation="relu")(profile)
    trunk = layers.Dense(64, activation="relu")(layers.Concatenate()([seen, read]))
    digit = layers.Dense(10, activation="softmax", name="digit")(trunk)
    even = layers.Dense(1, activation="sigmoid", name="even")(trunk)
    return nn.Model(inputs={"image": image, "profile": profile}, outputs={"digit": digit, "even": even},
                    name="digit_and_parity")


def load(limit: int | None = None) -> tuple[dict, dict]:
    images, labels = nn.datasets.load_digits()
    order = np.random.default_rng(0).permutation(len(images))[:limit]
    images, labels = images[order] / 16.0, labels[order]
    profile = np.concatenate([images.sum(axis=2), images.sum(axis=1)], axis=1) / 8.0
    x = {"image": images[..., None].astype(np.float32), "profile": profile.astype(np.float32)}
    y = {"digit": labels, "even": (labels % 2 == 0).astype(np.float32)}
    return x, y


def train(epochs: int = 8, limit: int | None = None, verbose: int = 2) -> dict[str, float]:
    """Train on 80% of the digits; returns the held-out accuracy of each head."""
    nn.utils.set_random_seed(0)
    x, y = load(limit)
    model = build_model()
    model.compile(optimizer=nn.optimizers.Adam(3e-3),
                  loss={"digit": "sparse_categorical_crossentropy", "even": "binary_crossentropy"},
                  loss_weights={"digit": 1.0, "even": 0.5},
                  metrics={"digit": ["accuracy"], "even": ["accuracy"]})
    if verbose:
        model.summary()
    history = model.fit(x, y, epochs=epochs, batch_size=32, validation_split=0.2, verbose=verbose)
    return {"digit_accuracy": history.history["val_digit_accuracy"][-1],
            "even_accuracy": history.history["val_even_accuracy"][-1], "model": model}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    args = parser.parse_args(argv)
    result = train(args.epochs)
    print(f"held-out accuracy: digit {result['digit_accuracy']:.1%}, even/odd {result['even_accuracy']:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
