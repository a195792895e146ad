"""Activations on Values, lists of Values and Tensors; get() by name."""

import math

import numpy as np
import pytest

from autograd.value import Value
from nn import activations

CASES = {  # name -> reference on floats
    "linear": lambda x: x,
    "relu": lambda x: max(0.0, x),
    "sigmoid": lambda x: 1 / (1 + math.exp(-x)),
    "tanh": math.tanh,
    "leaky_relu": lambda x: x if x > 0 else 0.2 * x,
    "elu": lambda x: x if x > 0 else math.exp(x) - 1,
    "softplus": lambda x: math.log1p(math.exp(x)),
    "silu": lambda x: x / (1 + math.exp(-x)),
    "exponential": math.exp,
}


@pytest.mark.parametrize("name", list(CASES))
def test_values_match_reference_and_gradient(name):
    fn, ref = activations.get(name), CASES[name]
    for x in (-1.5, 0.7):
        v = Value(x)
        y = fn(v)
        assert y.data == pytest.approx(ref(x), rel=1e-9)
        y.backward()
        h = 1e-6
        assert v.grad == pytest.approx((ref(x + h) - ref(x - h)) / (2 * h), rel=1e-5, abs=1e-8)


def test_lists_are_mapped_and_softmax_normalises():
    out = activations.relu([Value(-1.0), Value(2.0)])
    assert [o.data for o in out] == [0.0, 2.0]
    probs = activations.softmax([Value(1000.0), Value(1000.0), Value(0.0)])  # no overflow
    assert [round(p.data, 6) for p in probs] == [0.5, 0.5, 0.0]
    assert activations.softmax(Value(3.0)).data == 1.0


def test_softplus_does_not_overflow():
    assert activations.softplus(Value(1000.0)).data == pytest.approx(1000.0)
    assert activations.softplus(Value(-1000.0)).data == pytest.approx(0.0)


def test_tensors():
    from autograd.tensor import Tensor

    x = Tensor(np.array([[-1.0, 0.5, 2.0]], np.float32), requires_grad=True)
    for name, ref in CASES.items():
        expected = [[ref(v) for v in (-1.0, 0.5, 2.0)]]
        np.testing.assert_allclose(activations.get(name)(x).data, expected, rtol=1e-5, err_msg=name)
    s = activations.get("softmax")(x)
    np.testing.assert_allclose(s.data.sum(), 1.0, rtol=1e-6)


def test_get_errors_and_passthrough():
    assert activations.get(None) is activations.linear
    assert activations.get(abs) is abs
    with pytest.raises(ValueError, match="relu") as e:
        activations.get("rellu")
    assert "'rellu'" in str(e.value)
    with pytest.raises(TypeError, match="received int"):
        activations.get(3)
