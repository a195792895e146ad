"""detect_anomaly: the first op whose forward or backward makes NaN/inf is named; off, nothing changes."""

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, detect_anomaly

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the NaN/inf are the point here


def test_forward_anomaly_names_the_op_and_shapes():
    x = Tensor([[0.0, 1.0]], requires_grad=True)
    with detect_anomaly():
        with pytest.raises(RuntimeError, match=r"forward of 'log' produced inf \(output shape \(1, 2\)"):
            x.log()
        with pytest.raises(RuntimeError, match="forward of '/' produced NaN"):
            x / x


def test_backward_anomaly_names_the_op():
    x = Tensor([0.0, 4.0], requires_grad=True)
    y = x.sqrt().sum()  # forward is finite; d sqrt/dx at 0 is inf
    with detect_anomaly():
        with pytest.raises(RuntimeError, match=r"backward of 'sqrt' produced inf in the gradient of input 0"):
            y.backward()


def test_backward_anomaly_for_values_too():
    x = Value(0.0)
    y = x.relu() ** 0.5
    with detect_anomaly(), pytest.raises(RuntimeError, match="backward of"):
        y.backward()


def test_off_by_default_and_restored_after_the_block():
    x = Tensor([0.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        assert np.isinf(x.log().data).all()  # no error outside the block
        with pytest.raises(RuntimeError), detect_anomaly():
            x.log()
        assert np.isinf(x.log().data).all()


def test_works_as_a_decorator_and_passes_finite_graphs():
    @detect_anomaly()
    def step():
        w = Tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward()
        return w.grad

    assert step().tolist() == [2.0, 4.0]
    assert not autograd.anomaly._anomaly.enabled
