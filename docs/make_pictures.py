"""Regenerate the README pictures: docs/graph.svg (autograd.draw) and docs/curves.png (stepgrad train).

    python docs/make_pictures.py            # both (the training run takes about a minute)
    python docs/make_pictures.py graph      # only the graph
"""

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def graph() -> None:
    """The README's neuron, a = tanh(x1*w1 + x2*w2 + b), drawn after backprop."""
    from autograd import Value, backward_steps, draw

    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    x2, w2 = Value(0.0, label="x2"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    s = x1w1 + x2w2
    z = s + b
    a = z.tanh()
    for node, label in ((x1w1, "x1*w1"), (x2w2, "x2*w2"), (s, "x1w1+x2w2"), (z, "z"), (a, "a")):
        node.label = label
    backward_steps(a)  # the backward pass, so the drawing shows every gradient
    print("wrote", draw(a).save(HERE / "graph.svg"))


def curves() -> None:
    """The training curves of ``stepgrad train`` with its defaults (the embedded digits)."""
    from nn.cli import main

    with tempfile.TemporaryDirectory() as out:
        if main(["train", "--out", out]) != 0:
            raise SystemExit("stepgrad train failed")
        shutil.copy(Path(out) / "curves.png", HERE / "curves.png")
        shutil.copy(Path(out) / "history.csv", HERE / "history.csv")
    print("wrote", HERE / "curves.png", "and", HERE / "history.csv")


if __name__ == "__main__":
    wanted = sys.argv[1:] or ["graph", "curves"]
    for name in wanted:
        {"graph": graph, "curves": curves}[name]()
