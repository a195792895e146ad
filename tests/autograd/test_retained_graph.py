"""Saved state is read-only during backward: a retained graph backpropagated twice gives the same grads."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, concatenate, maximum, where
from autograd import functional as F

rng = np.random.default_rng(0)


def _images():
    return Tensor(rng.standard_normal((2, 5, 5, 3)), requires_grad=True)


def _kernel():
    return Tensor(rng.standard_normal((3, 3, 3, 4)), requires_grad=True)


CASES = {  # name: () -> (scalar loss, leaves); every op with saved state is here (conv2d, the losses)
    "conv2d": lambda x=_images(), k=_kernel(), b=Tensor(rng.standard_normal(4), requires_grad=True):
        ((F.conv2d(x, k, b, padding="same") ** 2).sum(), [x, k, b]),
    "conv2d_strided": lambda x=_images(), k=_kernel():
        ((F.conv2d(x, k, strides=2) ** 2).sum(), [x, k]),
    "softmax_cross_entropy_int": lambda z=Tensor(rng.standard_normal((4, 3)), requires_grad=True):
        (F.softmax_cross_entropy(z, [0, 2, 1, 2]) * 3.0, [z]),
    "softmax_cross_entropy_onehot": lambda z=Tensor(rng.standard_normal((4, 3)), requires_grad=True),
    t=Tensor(np.eye(3)[[0, 2, 1, 2]], requires_grad=True): (F.softmax_cross_entropy(z, t) * 3.0, [z, t]),
    "sigmoid_binary_cross_entropy": lambda z=Tensor(rng.standard_normal((4, 1)), requires_grad=True),
    t=Tensor(rng.uniform(size=(4, 1)), requires_grad=True): (F.sigmoid_binary_cross_entropy(z, t) * 2.0, [z, t]),
    "dense_relu": lambda x=Tensor(rng.standard_normal((4, 3)), requires_grad=True),
    w=Tensor(rng.standard_normal((3, 2)), requires_grad=True):
        ((F.dense(x, w, activation="relu") ** 2).sum(), [x, w]),
    "pools": lambda x=_images(): (F.max_pool2d(x).sum() + (F.avg_pool2d(x, 3, 1, "same") ** 2).sum(), [x]),
    "elementwise_and_reductions": lambda x=Tensor(rng.standard_normal((3, 4)), requires_grad=True):
        ((x.tanh() * x.sigmoid()).logsumexp(axis=1).sum() + x.softmax().max() + x.log_softmax(0).mean()
         + maximum(x, 0.1).var() + where(x > 0, x, x * x).sum() + concatenate([x, x[1:]]).abs().sum()
         + (x.exp() / (x * x + 1)).sqrt().sum() + (x @ x.T).relu().sum(), [x]),
}


@pytest.mark.parametrize("name", CASES)
def test_a_retained_graph_backpropagated_twice_gives_identical_gradients(name):
    loss, leaves = CASES[name]()
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
