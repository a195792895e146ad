"""A freeing backward may let relu mask a gradient array in place when the pass owns it (made by
a sum, a broadcast reduction, or a conv/pool rule): gradients must equal the retained pass's,
which never overwrites anything, in graphs where arrays could be shared."""

import numpy as np
import pytest

from autograd import Tensor
from autograd.functional import avg_pool2d, conv2d, max_pool2d


def leaves(seed=0):
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal((2, 6, 6, 2)), requires_grad=True)
    k1 = Tensor(rng.standard_normal((3, 3, 2, 3)), requires_grad=True)
    b1 = Tensor(rng.standard_normal(3), requires_grad=True)
    k2 = Tensor(rng.standard_normal((2, 2, 3, 2)), requires_grad=True)
    return x, k1, b1, k2


GRAPHS = {
    # relu fed by a conv's fresh gradient
    "conv-relu-pool": lambda x, k1, b1, k2: max_pool2d(conv2d(x, k1, b1).relu(), 2).sum(),
    # relu output used twice: its gradient is a sum of two contributions
    "reused-relu": lambda x, k1, b1, k2: (lambda r: (r * 2.0).sum() + conv2d(r, k2).sum())(
        conv2d(x, k1, b1, padding="same").relu()),
    # a relu whose gradient is also a leaf's gradient path (b1 broadcast over the same array)
    "relu-of-broadcast-add": lambda x, k1, b1, k2: ((x.relu() + b1[:2]) ** 2).sum()
    + avg_pool2d(conv2d(x, k1).relu() + b1, 2).sum(),
    # two relus in a row on a pooled gradient
    "relu-relu": lambda x, k1, b1, k2: (avg_pool2d(conv2d(x, k1, b1).relu().relu(), 2) * 3.0).sum(),
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_freeing_backward_equals_retained_backward(name):
    build = GRAPHS[name]
    retained_leaves = leaves()
    build(*retained_leaves).backward(retain_graph=True)
    freed_leaves = leaves()
    build(*freed_leaves).backward()
    for kept, freed in zip(retained_leaves, freed_leaves, strict=True):
        np.testing.assert_array_equal(freed.grad, kept.grad)


def test_leaf_gradients_are_not_overwritten_by_a_later_rule():
    x, k1, b1, _ = leaves()
    h = conv2d(x, k1, b1)
    loss = (h.relu() * 1.0).sum() + h.sum()  # h's gradient: a sum, then relu's masked share
    loss.backward()
    expected_b1 = np.asarray(h.data > 0, np.float64).sum(axis=(0, 1, 2)) + np.prod(h.shape[:3])
    np.testing.assert_allclose(b1.grad, expected_b1)


def test_the_in_place_rule_is_used_where_the_pass_owns_the_gradient(monkeypatch):
    from autograd.ops.elementwise import Relu

    calls = []
    original = Relu.backward_in_place
    monkeypatch.setattr(Relu, "backward_in_place", staticmethod(lambda g, out, a: calls.append(1)
                                                                or original(g, out, a)))
    x, k1, b1, k2 = leaves()
    GRAPHS["conv-relu-pool"](x, k1, b1, k2).backward()
    assert calls == [1]  # fed by max-pool's fresh gradient
    calls.clear()
    GRAPHS["conv-relu-pool"](x, k1, b1, k2).backward(retain_graph=True)
    assert calls == []  # a retained graph keeps every gradient as it was made
