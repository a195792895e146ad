"""Every Tensor op against float64 central differences (the shared case table in helpers.py)."""

import numpy as np
import pytest
from helpers import CASE_IDS, CASES, check_gradients, inputs_for

from autograd import Tensor


@pytest.mark.parametrize("name, fn, torch_fn, shapes, domain", CASES, ids=CASE_IDS)
def test_gradient_matches_finite_differences(name, fn, torch_fn, shapes, domain):
    check_gradients(fn, inputs_for(shapes, domain))


def test_repeated_gather_accumulates_exactly():
    a = Tensor(np.arange(4.0), requires_grad=True)
    a[[0, 0, 3, 0]].sum().backward()
    assert a.grad.tolist() == [3.0, 0.0, 0.0, 1.0]


def test_reused_node_gets_both_contributions():
    a = Tensor([2.0, 3.0], requires_grad=True)
    (a + a).sum().backward()
    assert a.grad.tolist() == [2.0, 2.0]


def test_max_ties_share_the_gradient():
    a = Tensor([[1.0, 5.0, 5.0], [2.0, 0.0, 1.0]], requires_grad=True)
    a.max(axis=1).sum().backward()
    assert a.grad.tolist() == [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]]


def test_maximum_ties_split_half_and_half():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([1.0, 3.0], requires_grad=True)
    from autograd import maximum

    maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 0.0] and b.grad.tolist() == [0.5, 1.0]


def test_backward_twice_with_retain_graph_adds_leaf_gradients_exactly():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_intermediates_keep_their_grad_only_with_a_retained_graph():
    # a retained graph (retain_graph=True, or create_graph) keeps every node's .grad for drawings;
    # a plain backward() frees the graph as it goes and, like PyTorch, only leaves get .grad
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    h = x * 3.0
    h.sum().backward(retain_graph=True)
    assert h.grad.tolist() == [[1.0, 1.0]]
    h2 = x * 3.0
    h2.sum().backward()
    assert h2.grad is None and x.grad.tolist() == [[6.0, 6.0]]


def test_leaf_grads_are_writable():
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    (x * 3.0).sum().backward()
    x.grad *= 0.5  # a broadcast view here would raise "assignment destination is read-only"
    assert x.grad.tolist() == [[1.5, 1.5]]


def test_constant_inputs_get_no_gradient():
    x = Tensor(np.ones((2, 3)))
    w = Tensor(np.ones((3, 1)), requires_grad=True)
    (x @ w).sum().backward()
    assert x.grad is None and w.grad.tolist() == [[2.0]] * 3


def test_softmax_family_is_stable_for_large_inputs():
    a = Tensor([[1000.0, 0.0, -1000.0], [-1e4, -1e4, -1e4]], requires_grad=True)
    assert np.isfinite(a.log_softmax().data).all()
    np.testing.assert_allclose(a.softmax().data.sum(axis=1), [1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(a.logsumexp(axis=1).data, [1000.0, -1e4 + np.log(3)], rtol=1e-6)
    a.logsumexp(axis=1).sum().backward()
    assert np.isfinite(a.grad).all()


def test_relu_reuses_only_gradients_the_pass_owns():
    # add sends one array to both inputs: relu must not overwrite it, or `a` gets a masked gradient
    x = Tensor([[-1.0, 2.0], [3.0, -4.0]], requires_grad=True)
    a = x * 1.0
    (a.relu() + a).sum().backward()
    assert x.grad.tolist() == [[1.0, 2.0], [2.0, 1.0]]
    # a fresh gradient (from mul) may be reused; the user's seed array is never touched
    seed = np.ones((2, 2), np.float32)
    x.grad = None
    (x * 2.0).relu().backward(seed)
    assert x.grad.tolist() == [[0.0, 2.0], [2.0, 0.0]] and seed.tolist() == [[1.0, 1.0], [1.0, 1.0]]
