"""gradcheck: passes on correct rules, and names the input, element and both gradients when one is wrong."""

import numpy as np
import pytest

from autograd import Op, Tensor, Value, gradcheck
from autograd.check import GradcheckError


class WrongSquare(Op):
    """f(a) = a**2 with a deliberately wrong derivative 3a (the right one is 2a)."""

    name = "wrong_square"
    forward = staticmethod(lambda a: a * a)
    backward = staticmethod(lambda g, out, a: (g * 3 * a,))


def test_passes_for_value_functions_and_leaves_grads_alone():
    x, y = Value(0.5), Value(-1.5)
    assert gradcheck(lambda x, y: (x * y).tanh() + x**2 / y.exp() + abs(y).sqrt(), [x, y]) is True
    assert (x.grad, y.grad) == (0.0, 0.0)
    assert gradcheck(lambda x: x.sigmoid().log(), Value(0.3))  # a single node is fine too


def test_names_the_input_and_both_gradients_for_values():
    x, y = Value(0.5), Value(2.0)
    with pytest.raises(GradcheckError, match=r"input 1 .*analytical 6\.0.*numerical 4\.0") as info:
        gradcheck(lambda x, y: x + Value._apply(WrongSquare, y), [x, y])
    assert isinstance(info.value, AssertionError)
    assert y.data == 2.0  # restored after perturbing


def test_tensor_inputs_are_checked_elementwise_in_float64_and_restored():
    rng = np.random.default_rng(0)
    a = Tensor(rng.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
    b = Tensor(rng.standard_normal((3,)).astype(np.float32), requires_grad=True)
    assert gradcheck(lambda a, b: ((a * b).tanh() + a * a), [a, b])  # non-scalar output: summed
    assert a.data.dtype == np.float32 and a.grad is None


def test_reports_the_worst_element_of_a_tensor():
    a = Tensor(np.array([[0.1, 0.2], [3.0, 0.4]]), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 0 .*element \(1, 0\).*analytical 9\.0.*numerical 6\.0"):
        gradcheck(lambda a: Tensor._apply(WrongSquare, a).sum(), [a])


def test_bad_arguments():
    with pytest.raises(TypeError, match="input 0"):
        gradcheck(lambda x: x, [1.0])
    with pytest.raises(ValueError, match="eps"):
        gradcheck(lambda x: x, [Value(1.0)], eps=0)
    with pytest.raises(TypeError, match="must return"):
        gradcheck(lambda x: 3.0, [Value(1.0)])
    with pytest.raises(ValueError, match="requires_grad"):
        gradcheck(lambda x: x.sum(), [Tensor([1.0])])
