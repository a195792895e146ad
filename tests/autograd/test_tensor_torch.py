"""Torch parity: forward values and gradients of every case in the shared table (skips without torch)."""

import numpy as np
import pytest
from helpers import CASES, inputs_for, weights_like

from autograd import Tensor

torch = pytest.importorskip("torch")

TORCH_CASES = [c for c in CASES if c[2] is not None]


@pytest.mark.parametrize("name, fn, torch_fn, shapes, domain", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_forward_and_gradients_match_torch(name, fn, torch_fn, shapes, domain, dtype):
    arrays = [a.astype(dtype) for a in inputs_for(shapes, domain)]
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = fn(*ours), torch_fn(*theirs)
    assert out.dtype == dtype, f"{name}: {dtype.__name__} inputs gave {out.dtype}"
    tol = 1e-12 if dtype == np.float64 else 2e-6
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=tol * 10, atol=tol)
    w = weights_like(out.shape).astype(dtype)
    out.backward(w)
    ref.backward(torch.tensor(w))
    for k, (t, r) in enumerate(zip(ours, theirs, strict=True)):
        assert t.grad.dtype == dtype
        np.testing.assert_allclose(t.grad, r.grad.numpy(), rtol=tol * 10, atol=tol, err_msg=f"{name}: {k}")


def test_cross_entropy_step_matches_torch():
    rng = np.random.default_rng(0)
    x, w0, labels = rng.standard_normal((8, 5)), rng.standard_normal((5, 3)), rng.integers(0, 3, 8)
    w = Tensor(w0, requires_grad=True)
    loss = -(Tensor(x) @ w).log_softmax()[np.arange(8), labels].mean()
    loss.backward()
    tw = torch.tensor(w0, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(torch.tensor(x) @ tw, torch.tensor(labels))
    ref.backward()
    np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-12)
    np.testing.assert_allclose(w.grad, tw.grad.numpy(), rtol=1e-10, atol=1e-12)
