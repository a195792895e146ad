"""Quick checks of the core Tensor ops: values, gradients against finite differences, dtypes, errors."""

import numpy as np
import pytest

from autograd import Tensor, concatenate, maximum, stack, where


def numeric_grad(f, x, eps=1e-6):
    """Central differences of the scalar f at the float64 array x."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        hi = f(x)
        x[i] = old - eps
        lo = f(x)
        x[i] = old
        g[i] = (hi - lo) / (2 * eps)
    return g


def check(fn, *shapes, seed=0, positive=False):
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(0.5, 2.0, s) if positive else rng.standard_normal(s) for s in shapes]
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    fn(*tensors).sum().backward()
    for k, (a, t) in enumerate(zip(arrays, tensors, strict=True)):
        def f(x, k=k):
            args = [Tensor(x if j == k else arrays[j]) for j in range(len(arrays))]
            return fn(*args).sum().item()
        np.testing.assert_allclose(t.grad, numeric_grad(f, a.copy()), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("fn, shapes", [
    (lambda a, b: a + b, [(2, 3), (3,)]),
    (lambda a, b: a - b, [(2, 1), (1, 3)]),
    (lambda a, b: a * b, [(2, 3), (2, 1)]),
    (lambda a, b: a / (b * b + 1), [(3,), (2, 3)]),
    (lambda a, b: a @ b, [(2, 3), (3, 4)]),
    (lambda a, b: a @ b, [(5, 2, 3), (3, 4)]),
    (lambda a, b: a @ b, [(3,), (3, 4)]),
    (lambda a, b: a @ b, [(2, 3), (3,)]),
    (lambda a: -a * 2.5 + 1, [(2, 3)]),
    (lambda a: 3 - a / 2, [(2, 3)]),
    (lambda a: (a.sum(axis=1, keepdims=True) * a).sum(axis=-1), [(2, 3)]),
    (lambda a: a.mean(axis=(0, 2)), [(2, 3, 4)]),
    (lambda a: a.max(axis=0) * a.min(axis=-1, keepdims=True), [(3, 3)]),
    (lambda a: a.reshape(3, 2) @ a.T.T, [(2, 3)]),
    (lambda a: a.flatten() * a.transpose(1, 0).flatten(), [(2, 3)]),
    (lambda a: a.exp() + a.tanh() + a.sigmoid() + a.relu(), [(2, 3)]),
    (lambda a: a[[0, 0, 1], 1:] * 3, [(2, 3)]),
])
def test_gradients_match_finite_differences(fn, shapes):
    check(fn, *shapes)


def test_log_and_sqrt_gradients():
    check(lambda a: a.log() + a.sqrt() + a ** 1.5, (2, 3), positive=True)


def test_mlp_step_runs_float32_end_to_end():
    x = Tensor.randn(8, 5, seed=0)
    w = Tensor.randn(5, 3, seed=1, requires_grad=True)
    b = Tensor.zeros(3, requires_grad=True)
    logp = (x @ w + b).relu().log_softmax()
    loss = -logp[np.arange(8), np.arange(8) % 3].mean()
    loss.backward()
    assert loss.dtype == np.float32 and w.grad.dtype == np.float32 and b.grad.shape == (3,)


def test_python_and_numpy_scalars_keep_float32():
    t = Tensor([1.0, 2.0])
    assert t.dtype == np.float32
    assert (t * np.float64(2.0)).dtype == np.float32
    assert (2.0 / t).dtype == np.float32
    assert Tensor(np.zeros(2)).dtype == np.float64


def test_joins_and_selection():
    a = Tensor([[1.0, 2.0]], requires_grad=True)
    concatenate([a, a * 2], axis=0).sum().backward()
    assert a.grad.tolist() == [[3.0, 3.0]]
    assert stack([a, a], axis=-1).shape == (1, 2, 2)
    assert where(a > 1.5, a, 0.0).numpy().tolist() == [[0.0, 2.0]]
    assert maximum(a, 1.5).numpy().tolist() == [[1.5, 2.0]]


def test_shape_errors_name_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(3, 4\) and \(5, 2\) are not aligned"):
        Tensor.ones(3, 4) @ Tensor.ones(5, 2)
    with pytest.raises(ValueError, match=r"add: shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        Tensor.ones(2, 3) + Tensor.ones(4)
