"""Second derivatives (create_graph=True) against finite differences of first derivatives, and torch."""

import numpy as np
import pytest
from helpers import CASE_IDS, CASES, inputs_for, numeric_grad, weights_like

import autograd
from autograd import Tensor


def first_grads(fn, arrays, w, create_graph):
    """d(sum(fn(x) * w))/dx for every input; with create_graph the results are differentiable Tensors."""
    tensors = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    grads = autograd.grad(fn(*tensors), tensors, grad_outputs=w, create_graph=create_graph)
    return tensors, grads


def hessian_vector_products(fn, arrays, w, vs):
    """d/dx of sum_k(grad_k · v_k), by backpropagating through the recorded backward pass."""
    tensors, grads = first_grads(fn, arrays, w, create_graph=True)
    total = None
    for g, v in zip(grads, vs, strict=True):
        if isinstance(g, Tensor) and g.requires_grad:
            term = (g * v).sum()
            total = term if total is None else total + term
    if total is None:  # every first derivative is constant: the second derivative is zero
        return [np.zeros_like(a) for a in arrays]
    total.backward()
    return [np.zeros_like(a) if t.grad is None else t.grad for a, t in zip(arrays, tensors, strict=True)]


@pytest.mark.parametrize("name, fn, torch_fn, shapes, domain", CASES, ids=CASE_IDS)
def test_second_derivative_matches_finite_differences_of_first(name, fn, torch_fn, shapes, domain):
    arrays = inputs_for(shapes, domain)
    w = weights_like(fn(*[Tensor(a) for a in arrays]).shape)
    vs = [weights_like(a.shape, seed=2 + k) for k, a in enumerate(arrays)]
    hvp = hessian_vector_products(fn, arrays, w, vs)
    for k in range(len(arrays)):
        def f(x, k=k):
            args = [x if j == k else arrays[j] for j in range(len(arrays))]
            _, grads = first_grads(fn, args, w, create_graph=False)
            return sum(float((g * v).sum()) for g, v in zip(grads, vs, strict=True) if g is not None)

        expected = numeric_grad(f, arrays[k].copy(), eps=1e-5)
        np.testing.assert_allclose(hvp[k], expected, rtol=1e-4, atol=1e-6, err_msg=f"{name}: input {k}")


TORCH_CASES = [c for c in CASES if c[2] is not None]


@pytest.mark.parametrize("name, fn, torch_fn, shapes, domain", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_second_derivative_matches_torch(name, fn, torch_fn, shapes, domain):
    torch = pytest.importorskip("torch")
    arrays = inputs_for(shapes, domain)
    w = weights_like(fn(*[Tensor(a) for a in arrays]).shape)
    vs = [weights_like(a.shape, seed=2 + k) for k, a in enumerate(arrays)]
    ours = hessian_vector_products(fn, arrays, w, vs)
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    grads = torch.autograd.grad(torch_fn(*ts), ts, grad_outputs=torch.tensor(w), create_graph=True)
    total = sum((g * torch.tensor(v)).sum() for g, v in zip(grads, vs, strict=True) if g.requires_grad)
    if isinstance(total, int):
        expected = [np.zeros_like(a) for a in arrays]
    else:
        seconds = torch.autograd.grad(total, ts, allow_unused=True)
        expected = [np.zeros_like(a) if s is None else s.numpy(force=True)
                    for a, s in zip(arrays, seconds, strict=True)]
    for k in range(len(arrays)):
        np.testing.assert_allclose(ours[k], expected[k], rtol=1e-6, atol=1e-9, err_msg=f"{name}: input {k}")


def test_third_derivative_of_a_cube():
    x = Tensor([2.0, -1.0], dtype=np.float64, requires_grad=True)
    (d1,) = autograd.grad((x ** 3).sum(), [x], create_graph=True)
    (d2,) = autograd.grad(d1.sum(), [x], create_graph=True)
    (d3,) = autograd.grad(d2.sum(), [x])
    assert d1.numpy().tolist() == [12.0, 3.0]
    assert d2.numpy().tolist() == [12.0, -6.0]
    assert d3.tolist() == [6.0, 6.0]


def test_backward_with_create_graph_stores_differentiable_grads():
    x = Tensor([1.0, 3.0], dtype=np.float64, requires_grad=True)
    (x.exp() * x).sum().backward(create_graph=True)  # dx = e^x (1 + x)
    gx = x.grad
    assert isinstance(gx, Tensor) and gx.requires_grad
    x.grad = None
    gx.sum().backward()  # d2x = e^x (2 + x)
    np.testing.assert_allclose(x.grad, np.exp([1.0, 3.0]) * [3.0, 5.0])
