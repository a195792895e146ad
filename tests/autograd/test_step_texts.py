"""Every Tensor op the stepper can meet explains itself: its formula, the nodes' names, no raw arguments."""

from __future__ import annotations

import re

import numpy as np
import pytest

from autograd import Tensor, backward_steps, concatenate, maximum, minimum, stack, where
from autograd import functional as F
from autograd.graph import Op

rng = np.random.default_rng(0)


def _t(*shape, label="x"):
    return Tensor(np.abs(rng.standard_normal(shape)) + 0.5, requires_grad=True, label=label)  # > 0: log, sqrt


def arithmetic():
    x, y = _t(2, 3), _t(3, label="y")
    return (x + y) - (x * y) / (x**2) + (-x) + (x**y)


def unary():
    x = _t(2, 3)
    return (x.exp() + x.log() + x.sqrt() + abs(x) + x.tanh() + x.sigmoid() + x.relu() + x.leaky_relu(0.1)
            + x.clip(1.0, 2.5) + x.astype(np.float32).astype(np.float64))


def joins():
    x, y = _t(2, 3), _t(2, 3, label="y")
    return maximum(x, y) + minimum(x, y) + where(x > y, x, y) + concatenate([x, y])[:2] + stack([x, y]).sum(0)


def shapes():
    x = _t(2, 3)
    return x.reshape(3, 2).T + x[:, [0, 0, 2]].broadcast_to(2, 3) + x.transpose(1, 0).reshape(2, 3)


def reductions():
    x = _t(2, 3)
    return (x.sum(0) + x.max(1).sum() + x.logsumexp(axis=1).mean() + x.softmax()[0] + x.log_softmax(axis=0)[1]
            + x.mean() + x.var() + x.min())


def network():
    x, k, b, w = _t(2, 4, 4, 2), _t(3, 3, 2, 3, label="K"), _t(3, label="b"), _t(3, 2, label="W")
    h = F.avg_pool2d(F.max_pool2d(F.conv2d(x, k, b, padding="same"), 2, 1), 3, 1, "same").mean(axis=(1, 2))
    return (F.softmax_cross_entropy(F.dense(h, w, activation="relu"), [0, 1])
            + F.sigmoid_binary_cross_entropy(x[:, 0, 0, :] @ w[:2], Tensor(np.ones((2, 2)))))


GRAPHS = [arithmetic, unary, joins, shapes, reductions, network]  # together they reach every Tensor op


@pytest.mark.parametrize("graph", GRAPHS, ids=[g.__name__ for g in GRAPHS])
def test_every_step_names_nodes_and_states_a_formula_with_shapes(graph):
    out = graph()
    root = out if out.size == 1 else out.sum()
    steps = backward_steps(root)
    for step in steps:
        text = step.explain()
        assert "VJP" not in text and "None" not in text and "(the rule of" not in text, text
        assert not re.search(r"\{\w+(\.T)?\}", text), f"an unfilled template field: {text}"
        for line in text.splitlines()[2:]:
            # every contribution: `<name>.grad += <formula>   <shapes>`
            assert re.match(r"  (#\d+|\w+)\.grad \+= .+   .*\(\d*[\d, ]*\)", line), line


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_engine_op_has_step_text_and_one_formula_per_differentiable_argument():
    ops = [op for op in _subclasses(Op) if op.__module__.startswith("autograd.ops")]
    assert len(ops) > 40
    for op in ops:
        assert op.text and op.grads and any(op.grads), op.__name__
