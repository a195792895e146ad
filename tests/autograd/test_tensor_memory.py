"""Graph lifetime: saved arrays and links are freed after backward, and deep chains need no recursion."""

import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import autograd
from autograd import Tensor, topological_order


def test_intermediates_are_freed_by_backward_while_the_root_lives():
    x = Tensor.randn(64, 32, seed=0, requires_grad=True)
    h = (x * 2.0).tanh()
    probe = weakref.ref(h)
    loss = h.sum()
    del h
    gc.collect()
    assert probe() is not None, "before backward the graph keeps the intermediate alive"
    loss.backward()
    assert probe() is None, "backward without retain_graph must drop the intermediate"
    assert loss._inputs is None and loss.item() == pytest.approx(float(np.tanh(2 * x.data).sum()), rel=1e-5)


def test_backward_releases_the_memory_of_activations():
    x = Tensor.randn(256, 256, seed=0, requires_grad=True)
    tracemalloc.start()
    try:
        h = x
        for _ in range(8):  # 8 saved activations of 256 KiB each
            h = (h * 1.01).relu()
        loss = h.sum()
        del h
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
        loss.backward()
        del x.grad
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held - after > 8 * 256 * 256 * 4, f"only {(held - after) / 2**20:.2f} MiB freed"


def test_second_backward_through_a_freed_graph_raises():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="already freed.*retain_graph=True"):
        y.backward()
    assert topological_order(y, allow_freed=True) == [y]  # drawing still works on the husk


def test_retain_graph_keeps_the_graph_for_a_second_backward():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp()).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * np.exp([1.0, 2.0]), rtol=1e-6)


def test_grad_frees_after_all_outputs_unless_retained():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 3.0
    a, b = h.sum(), (h * h).sum()
    ga, = autograd.grad([a, b], [x], retain_graph=True)
    assert ga.tolist() == [3.0 + 18.0, 3.0 + 36.0]
    autograd.grad([a, b], [x])  # shares h between the outputs: frees only after both
    with pytest.raises(RuntimeError, match="freed"):
        autograd.grad(a, [x])


def test_hundred_thousand_op_chain_backprops_without_recursion():
    x = Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]


def test_no_grad_records_nothing():
    x = Tensor([1.0], requires_grad=True)
    with autograd.no_grad():
        y = x * 2
    assert not y.requires_grad and y.parents == () and y.op == ""
    assert (x * 2).requires_grad


def test_detach_shares_data_without_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.op == ""
    (d * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
