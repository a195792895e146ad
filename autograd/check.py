"""``gradcheck``: compare backprop's gradients with central differences, for Values and Tensors alike.

The check is written against the node interface only (``.data`` is a float or an ndarray), so the
same code serves scalar ``Value`` inputs and n-d ``Tensor`` inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .graph import Node, grad, no_grad

__all__ = ["GradcheckError", "gradcheck"]


class GradcheckError(AssertionError):
    """Raised by ``gradcheck`` when an analytical gradient disagrees with the numerical one.

    A subclass of ``AssertionError``, so a failing check reads as a failed assertion in pytest.
    """


def gradcheck(
    fn: Callable[..., Node],
    inputs: Sequence[Node] | Node,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check d fn / d input against central differences (f(x + eps) - f(x - eps)) / (2 eps).

    Passes when every element satisfies ``|analytic - numeric| <= atol + rtol * |numeric|``;
    otherwise raises :class:`GradcheckError` naming the input index, the worst element's index
    and both gradients there. ``fn`` must return a scalar node (a ``Value`` or a ``Tensor`` of
    size 1); a larger Tensor is summed first. Array inputs are checked in float64: their ``.data``
    is swapped for a float64 copy during the check and restored afterwards. ``.grad`` of the
    inputs is left untouched.

    Args:
        fn: a function of the input nodes returning a node.
        inputs: the nodes to differentiate with respect to (a list, or a single node).
        eps: the finite-difference step.
        atol, rtol: the absolute and relative tolerances.

    Example:
        >>> from autograd import Value, gradcheck
        >>> gradcheck(lambda x, y: (x * y).tanh() + x ** 2, [Value(0.5), Value(-1.5)])
        True
    """
    inputs = [inputs] if isinstance(inputs, Node) else list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Node):
            raise TypeError(f"gradcheck: input {i} must be a Value or Tensor, received {type(x).__name__}")
        if not x.requires_grad:
            raise ValueError(f"gradcheck: input {i} does not require grad; create it with requires_grad=True")
    if not eps > 0:
        raise ValueError(f"gradcheck: eps must be positive, received eps={eps!r}")
    originals = [x.data for x in inputs]
    try:
        for x in inputs:
            if _is_array(x.data):
                x.data = x.data.astype("float64")  # finite differences need the precision
        analytic = grad(_scalar(fn(*inputs), fn), inputs)
        for i, x in enumerate(inputs):
            _compare(i, analytic[i], _numeric(fn, inputs, x, eps), atol, rtol)
    finally:
        for x, data in zip(inputs, originals, strict=True):
            x.data = data
    return True


def _is_array(data: Any) -> bool:
    return hasattr(data, "shape") and hasattr(data, "astype")


def _scalar(out: Any, fn: Callable) -> Node:
    if not isinstance(out, Node):
        raise TypeError(f"gradcheck: fn must return a Value or Tensor, {fn!r} returned {type(out).__name__}")
    if _is_array(out.data) and out.data.size != 1:
        return out.sum()  # a non-scalar output: check the gradient of its sum
    return out


def _evaluate(fn: Callable, inputs: list) -> float:
    with no_grad():
        out = _scalar(fn(*inputs), fn)
    return float(out.data.reshape(()) if _is_array(out.data) else out.data)


def _numeric(fn: Callable, inputs: list, x: Node, eps: float) -> Any:
    """Central differences of fn with respect to every element of x.data."""
    if not _is_array(x.data):
        center = x.data
        try:
            x.data = center + eps
            hi = _evaluate(fn, inputs)
            x.data = center - eps
            lo = _evaluate(fn, inputs)
        finally:
            x.data = center
        return (hi - lo) / (2 * eps)
    data = x.data
    numeric = data.copy()
    flat, out = data.reshape(-1), numeric.reshape(-1)  # views: writing flat perturbs data
    for j in range(flat.size):
        center = flat[j]
        flat[j] = center + eps
        hi = _evaluate(fn, inputs)
        flat[j] = center - eps
        lo = _evaluate(fn, inputs)
        flat[j] = center
        out[j] = (hi - lo) / (2 * eps)
    return numeric


def _compare(i: int, analytic: Any, numeric: Any, atol: float, rtol: float) -> None:
    if not _is_array(numeric):
        a = 0.0 if analytic is None else float(analytic)
        if not abs(a - numeric) <= atol + rtol * abs(numeric):
            raise GradcheckError(
                f"gradcheck: gradient of input {i} is wrong: analytical {a!r}, numerical {numeric!r} "
                f"(atol={atol}, rtol={rtol})"
            )
        return
    import numpy as np  # only reached with array inputs

    a = np.zeros_like(numeric) if analytic is None else np.asarray(analytic, dtype=np.float64)
    if a.shape != numeric.shape:
        raise GradcheckError(
            f"gradcheck: gradient of input {i} has shape {a.shape}, expected {numeric.shape}"
        )
    excess = np.abs(a - numeric) - (atol + rtol * np.abs(numeric))
    excess = np.where(np.isnan(excess), np.inf, excess)  # NaN never passes
    worst = np.unravel_index(int(np.argmax(excess)), numeric.shape)
    if excess[worst] > 0:
        raise GradcheckError(
            f"gradcheck: gradient of input {i} is wrong at element {tuple(int(k) for k in worst)}: "
            f"analytical {float(a[worst])!r}, numerical {float(numeric[worst])!r} "
            f"(atol={atol}, rtol={rtol}; shape {numeric.shape})"
        )
