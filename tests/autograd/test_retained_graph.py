"""Saved state is read-only during backward: a retained graph backpropagated twice gives the same grads."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, concatenate, maximum, where
from autograd import functional as F

rng = np.random.default_rng(0)


def _leaf(*shape):
    return Tensor(rng.standard_normal(shape), requires_grad=True)


def conv2d():
    x, k, b = _leaf(2, 5, 5, 3), _leaf(3, 3, 3, 4), _leaf(4)
    return (F.conv2d(x, k, b, padding="same") ** 2).sum(), [x, k, b]


def conv2d_strided():
    x, k = _leaf(2, 5, 5, 3), _leaf(3, 3, 3, 4)
    return (F.conv2d(x, k, strides=2) ** 2).sum(), [x, k]


def softmax_cross_entropy_int():
    z = _leaf(4, 3)
    return F.softmax_cross_entropy(z, [0, 2, 1, 2]) * 3.0, [z]


def softmax_cross_entropy_onehot():
    z, t = _leaf(4, 3), Tensor(np.eye(3)[[0, 2, 1, 2]], requires_grad=True)
    return F.softmax_cross_entropy(z, t) * 3.0, [z, t]


def sigmoid_binary_cross_entropy():
    z, t = _leaf(4, 1), Tensor(rng.uniform(size=(4, 1)), requires_grad=True)
    return F.sigmoid_binary_cross_entropy(z, t) * 2.0, [z, t]


def dense_relu():
    x, w = _leaf(4, 3), _leaf(3, 2)
    return (F.dense(x, w, activation="relu") ** 2).sum(), [x, w]


def pools():
    x = _leaf(2, 5, 5, 3)
    return F.max_pool2d(x).sum() + (F.avg_pool2d(x, 3, 1, "same") ** 2).sum(), [x]


def elementwise_and_reductions():
    x = _leaf(3, 4)
    loss = ((x.tanh() * x.sigmoid()).logsumexp(axis=1).sum() + x.softmax().max() + x.log_softmax(0).mean()
            + maximum(x, 0.1).var() + where(x > 0, x, x * x).sum() + concatenate([x, x[1:]]).abs().sum()
            + (x.exp() / (x * x + 1)).sqrt().sum() + (x @ x.T).relu().sum())
    return loss, [x]


# every op with saved state (conv2d, the fused losses) and a sample of the others
CASES = [conv2d, conv2d_strided, softmax_cross_entropy_int, softmax_cross_entropy_onehot,
         sigmoid_binary_cross_entropy, dense_relu, pools, elementwise_and_reductions]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_a_retained_graph_backpropagated_twice_gives_identical_gradients(case):
    loss, leaves = case()
    loss.backward(retain_graph=True)
    first = [leaf.grad.copy() for leaf in leaves]
    for leaf in leaves:
        leaf.grad = None
    loss.backward(retain_graph=True)
    for leaf, g in zip(leaves, first, strict=True):
        np.testing.assert_array_equal(leaf.grad, g)
    loss.backward()  # a third pass adds exactly once more
    for leaf, g in zip(leaves, first, strict=True):
        np.testing.assert_allclose(leaf.grad, 2 * g, rtol=1e-12)
