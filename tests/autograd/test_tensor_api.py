"""The Tensor API surface: constructors, attributes, dtype policy, comparisons, indexing, errors."""

import operator

import numpy as np
import pytest

from autograd import Tensor, concatenate, stack, where


def test_constructors_shapes_and_dtypes():
    assert Tensor.zeros(2, 3).shape == (2, 3) and Tensor.zeros((2, 3)).dtype == np.float32
    assert Tensor.ones(4).numpy().tolist() == [1.0] * 4
    assert Tensor.full((2,), 1.5).dtype == np.float32 and Tensor.full(3, 7).dtype.kind == "i"
    assert Tensor.eye(3).numpy().trace() == 3.0 and Tensor.eye(2, 3).shape == (2, 3)
    assert Tensor.arange(5).dtype.kind == "i" and Tensor.arange(0.0, 1.0, 0.25).dtype == np.float32
    assert Tensor.arange(2, 8, 2).numpy().tolist() == [2, 4, 6]
    a, b = Tensor.randn(3, 4, seed=7), Tensor.randn(3, 4, seed=7)
    assert a.dtype == np.float32 and np.array_equal(a.data, b.data)
    r = Tensor.rand(1000, seed=1).numpy()
    assert r.min() >= 0 and r.max() < 1
    u = Tensor.uniform(-2, -1, (50,), seed=1).numpy()
    assert u.min() >= -2 and u.max() < -1
    assert Tensor.randn(2, requires_grad=True).requires_grad


def test_attributes():
    t = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], label="t")
    assert (t.shape, t.ndim, t.size, len(t), t.label) == ((2, 3), 2, 6, 2, "t")
    assert t.T.shape == (3, 2) and t.T.numpy().tolist() == [[1, 4], [2, 5], [3, 6]]
    assert Tensor(3.5).item() == 3.5 and isinstance(t.numpy(), np.ndarray)
    assert "Tensor(" in repr(t) and np.asarray(t).shape == (2, 3)
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))


def test_dtype_policy_matches_pytorch():
    assert Tensor([1.0, 2.0]).dtype == np.float32
    assert Tensor(np.array([1.0])).dtype == np.float64
    assert Tensor([1.0], dtype=np.float64).dtype == np.float64
    assert Tensor([1, 2]).dtype == np.int64
    f32 = Tensor([1.0, 2.0])
    for result in (f32 + 1, f32 * 2.5, 1.5 - f32, f32 / np.float64(3), f32 ** 2.0, 2.0 ** f32,
                   np.float64(2) * f32, f32.mean(), f32.var(), f32.softmax()):
        assert result.dtype == np.float32
    assert (Tensor([1, 2]) / Tensor([2, 2])).dtype == np.float32  # true division of ints: float32
    assert (Tensor([1, 2]) * 0.5).dtype == np.float32
    assert (f32 + Tensor(np.ones(2))).dtype == np.float64  # float32 op float64 tensor promotes, as torch


def test_float32_mlp_step_stays_float32():
    x = Tensor.randn(8, 5, seed=0)
    w = Tensor.randn(5, 3, seed=1, requires_grad=True)
    b = Tensor.zeros(3, requires_grad=True)
    loss = -(x @ w + b).relu().log_softmax()[np.arange(8), np.arange(8) % 3].mean()
    loss.backward()
    assert loss.dtype == w.grad.dtype == b.grad.dtype == np.float32 and b.grad.shape == (3,)


def test_only_float_tensors_require_grad():
    with pytest.raises(TypeError, match="floating-point"):
        Tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="floating-point"):
        Tensor([1, 2]).requires_grad_()
    t = Tensor([1.0]).requires_grad_()
    assert t.requires_grad and not t.requires_grad_(False).requires_grad


def test_astype_is_differentiable_between_floats():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.astype(np.float64)
    assert y.dtype == np.float64 and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [2.0, 4.0]
    assert Tensor([1.7]).astype(np.int32).numpy().tolist() == [1]


def test_comparisons_return_bool_tensors_without_grad():
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result, expected in ((a > 2, [0, 0, 1]), (a >= 2, [0, 1, 1]), (a < 2, [1, 0, 0]),
                             (a <= 2, [1, 1, 0]), (a == 2, [0, 1, 0]), (a != 2, [1, 0, 1]),
                             (2 < a, [0, 0, 1])):
        assert isinstance(result, Tensor) and result.dtype == bool and not result.requires_grad
        assert result.numpy().tolist() == [bool(e) for e in expected]
    assert a in [a] and len({a, a}) == 1  # still hashable by identity


def test_reflected_operators_with_numpy_arrays_on_the_left():
    a = Tensor([[1.0, 2.0]], requires_grad=True)
    left = np.array([[3.0, 4.0]], dtype=np.float32)
    for result, expected in ((left + a, [[4, 6]]), (left - a, [[2, 2]]), (left * a, [[3, 8]]),
                             (left / a, [[3, 2]]), (left @ a.T, [[11]])):
        assert isinstance(result, Tensor) and result.numpy().tolist() == expected


def test_indexing_forms():
    t = Tensor(np.arange(24.0).reshape(2, 3, 4))
    assert t[1].shape == (3, 4) and t[:, -1].shape == (2, 4)
    assert t[None, ..., 0].shape == (1, 2, 3) and t[..., ::2].shape == (2, 3, 2)
    assert t[[0, 1, 1]].shape == (3, 3, 4) and t[Tensor([1, 0])].shape == (2, 3, 4)
    assert t[t > 20].numpy().tolist() == [21.0, 22.0, 23.0]
    assert t[0, [0, 2], [1, 3]].numpy().tolist() == [1.0, 11.0]
    with pytest.raises(IndexError, match="getitem"):
        t[5]


def test_shape_ops():
    t = Tensor(np.arange(6.0).reshape(1, 2, 3))
    assert t.reshape(3, 2).shape == (3, 2) and t.reshape((6,)).shape == (6,)
    assert t.reshape(-1, 3).shape == (2, 3)
    assert t.transpose().shape == (3, 2, 1) and t.transpose(0, 2, 1).shape == (1, 3, 2)
    assert t.flatten().shape == (6,) and t.flatten(1).shape == (1, 6) and t.flatten(-1).shape == (1, 2, 3)
    assert t.squeeze().shape == (2, 3) and t.squeeze(0).shape == (2, 3)
    assert t.expand_dims(0).shape == (1, 1, 2, 3) and t.expand_dims(-1).shape == (1, 2, 3, 1)
    assert t.swapaxes(0, -1).shape == (3, 2, 1)
    assert stack([t, t], axis=-1).shape == (1, 2, 3, 2) and concatenate([t, t], axis=1).shape == (1, 4, 3)


def test_reductions_values_and_argmax():
    t = Tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    assert t.sum().item() == 18.0 and t.sum(axis=-1).numpy().tolist() == [8.0, 10.0]
    assert t.mean(axis=0, keepdims=True).shape == (1, 3) and t.max().item() == 7.0
    assert t.min(axis=1).numpy().tolist() == [1.0, 0.0]
    np.testing.assert_allclose(t.var(axis=1).data, np.var(t.data, axis=1), rtol=1e-6)
    np.testing.assert_allclose(t.var(ddof=1).item(), np.var(t.data, ddof=1), rtol=1e-6)
    assert t.argmax(axis=1).numpy().tolist() == [1, 0] and t.argmax().item() == 3
    assert not Tensor([1.0], requires_grad=True).argmax().requires_grad
    assert t.clip(1.0, 5.0).numpy().tolist() == [[1, 5, 2], [5, 1, 3]]


def test_where_accepts_tensors_arrays_and_numbers():
    x = Tensor([-1.0, 2.0], requires_grad=True)
    y = where(x > 0, x, x * 0.1)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [0.1, 1.0])
    assert where(np.array([True, False]), 1.0, 2.0).numpy().tolist() == [1.0, 2.0]


# --- errors --------------------------------------------------------------------------------------

@pytest.mark.parametrize("op, fn", [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                                    ("div", operator.truediv), ("pow", operator.pow)])
def test_broadcast_errors_name_the_op_and_both_shapes(op, fn):
    with pytest.raises(ValueError, match=rf"^{op}: shapes \(2, 3\) and \(4,\) cannot be broadcast$"):
        fn(Tensor.ones(2, 3), Tensor.ones(4))


def test_matmul_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"^matmul: shapes \(3, 4\) and \(5, 2\) are not aligned$"):
        Tensor.ones(3, 4) @ Tensor.ones(5, 2)


def test_other_shape_errors():
    with pytest.raises(ValueError, match=r"reshape: cannot reshape .*\(2, 3\).* into \(4,\)"):
        Tensor.ones(2, 3).reshape(4)
    with pytest.raises(ValueError, match="sum: axis 2 is out of range"):
        Tensor.ones(2, 3).sum(axis=2)
    with pytest.raises(ValueError, match="squeeze: axis 1 has size 3"):
        Tensor.ones(2, 3).squeeze(1)
    with pytest.raises(ValueError, match="concatenate: .*cannot be joined along axis 0"):
        concatenate([Tensor.ones(2, 3), Tensor.ones(2, 4)])
    with pytest.raises(ValueError, match="stack: all tensors must have the same shape"):
        stack([Tensor.ones(2), Tensor.ones(3)])
    with pytest.raises(ValueError, match="transpose: axes"):
        Tensor.ones(2, 3).transpose(0, 0)
    with pytest.raises(ValueError, match="gt: shapes"):
        _ = Tensor.ones(2, 3) > Tensor.ones(4)


@pytest.mark.parametrize("bad", ["abc", ["a", "b"], {"x": 1}, object(), [1, [2, 3]]])
def test_non_numeric_data_raises_type_error(bad):
    with pytest.raises(TypeError, match="Tensor: expected numbers"):
        Tensor(bad)


def test_non_numeric_operands_raise_type_error():
    with pytest.raises(TypeError, match="add: expected numbers"):
        Tensor.ones(2) + "x"
    with pytest.raises(TypeError, match="mul: expected numbers"):
        Tensor.ones(2) * [object()]


def test_backward_on_non_scalar_needs_grad():
    y = Tensor.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="only for scalar outputs.*shape \\(2, 3\\)"):
        y.backward()
    with pytest.raises(ValueError, match="grad has shape \\(3,\\), expected .*\\(2, 3\\)"):
        y.backward(np.ones(3))
    y.backward(np.ones((2, 3)))


def test_iteration_pickling_and_numpy_scalars():
    import copy
    import pickle

    t = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(t)
    assert len(rows) == 2 and rows[1].numpy().tolist() == [3.0, 4.0] and rows[0].requires_grad
    clone = pickle.loads(pickle.dumps(t))
    assert clone.requires_grad and np.array_equal(clone.data, t.data) and copy.deepcopy(t).shape == (2, 2)
    assert (np.float32(2) * t).dtype == np.float32
    with pytest.raises(TypeError, match="0-d"):
        iter(Tensor(1.0))


def test_mixing_value_and_tensor_is_a_type_error():
    from autograd import Value

    with pytest.raises(TypeError, match="add: cannot combine a Tensor with a Value"):
        Tensor([1.0]) + Value(2.0)
