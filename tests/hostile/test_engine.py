"""What the engine promises about bad input: a named error with the culprit, never a silent answer."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, Value, grad
from autograd import functional as F


def test_backward_through_a_graph_where_nothing_requires_grad_raises_like_pytorch():
    y = (Tensor([1.0, 2.0]) * 3).sum()
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        y.backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).backward()


@pytest.mark.parametrize("make", [Tensor.zeros, Tensor.ones, Tensor.randn, Tensor.rand])
def test_negative_sizes_in_a_new_shape_are_named(make):
    with pytest.raises(ValueError, match=r"a shape is made of sizes >= 0, received shape=\(3, -1\)"):
        make(3, -1)


def test_full_and_uniform_check_their_shape_too():
    with pytest.raises(ValueError, match=r"full: .*received shape=\(-2,\)"):
        Tensor.full(-2, 1.0)
    with pytest.raises(ValueError, match="uniform: .*sizes >= 0"):
        Tensor.uniform(0, 1, (2, -3))


def test_bool_of_a_many_element_tensor_is_ambiguous_and_says_so():
    ambiguous = r"bool: the truth value of a Tensor with 2 elements \(shape \(2,\)\) is ambiguous"
    with pytest.raises(ValueError, match=ambiguous):
        bool(Tensor([1.0, 2.0]))
    assert bool(Tensor([[3.0]])) is True and bool(Tensor(0.0)) is False


def test_one_element_tensors_convert_to_numbers_whatever_their_shape():
    assert float(Tensor([0.5])) == 0.5 and float(Tensor([[0.25]])) == 0.25 and int(Tensor([7])) == 7
    with pytest.raises(TypeError, match=r"float: only a one-element Tensor .* shape \(2,\)"):
        float(Tensor([0.5, 1.5]))


def test_subtracting_bool_tensors_names_the_op_and_the_dtypes():
    a, b = Tensor([True, False]), Tensor([True, True])
    with pytest.raises(TypeError, match=r"^sub: .*boolean subtract.* \(input dtypes bool, bool\)"):
        a - b
    with pytest.raises(TypeError, match="neg: .*input dtypes bool"):
        _ = -a


def test_value_exp_overflow_names_the_op_and_the_input():
    with pytest.raises(OverflowError, match=r"exp: e\*\*1000\.0 overflows a float"):
        Value(1000.0).exp()
    with pytest.raises(OverflowError, match=r"\*\*: 10\.0 \*\* 400\.0 overflows"):
        Value(10.0) ** 400
    assert Value(709.0).exp().data == pytest.approx(np.exp(709.0))


def test_an_op_without_a_second_derivative_rule_refuses_create_graph():
    from autograd.graph import Op

    class FirstOrderOnly(Op):
        name = "first_order_only"
        differentiable_twice = False
        forward = staticmethod(lambda a: a * 2)
        backward = staticmethod(lambda g, out, a: (g * 2,))

    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor._apply(FirstOrderOnly, x).sum()
    with pytest.raises(RuntimeError, match="'first_order_only' has no second-derivative rule"):
        grad(y, [x], create_graph=True)
    (gx,) = grad(y, [x])  # first order stays available
    assert gx.tolist() == [2.0, 2.0]


def test_fused_loss_labels_are_checked_with_the_shapes():
    z = Tensor(np.zeros((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"softmax_cross_entropy: labels must be class indices in \[0, 3\)"):
        F.softmax_cross_entropy(z, [0, 3])
