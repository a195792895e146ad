"""Attributions: which parts of an input a model's class score depends on, computed by the engine.

Five methods, each one call on a batch, each returning a numpy array shaped like the input (NHWC for
images; Grad-CAM returns one channel, ``(N, H, W, 1)``):

- :func:`saliency`: the gradient of the score with respect to the input;
- :func:`smoothgrad`: the mean saliency over noisy copies of the input;
- :func:`integrated_gradients`: the gradient integrated along a straight path from a baseline;
- :func:`grad_cam`: a Conv2D layer's activations weighted by their pooled gradients;
- :func:`occlusion`: how much the score drops when a window of the input is blanked.

``model`` is any ``nn`` model, or any function of a Tensor that returns scores of shape
``(batch, classes)``. ``target`` is a class index, one index per sample (list or array), or None
for each sample's predicted class. The definitions follow captum's (``Saliency``,
``NoiseTunnel``, ``IntegratedGradients``, ``LayerGradCam``, ``Occlusion``), and the tests check
them against captum on a torch copy of the same model. Gradients come from ``autograd.grad`` on the
input (no finite differences). The model is left as it was: its weights, their ``.grad`` and every
layer's training flag (it runs in inference mode, so Dropout and BatchNormalization behave as in
``predict``; weights are treated as constants while an attribution runs). A plain function that
wraps a model gets none of this: call the model with ``training=False`` inside it.

Example:
    >>> import numpy as np
    >>> from autograd import Tensor
    >>> from nn.interpret import saliency
    >>> w = Tensor([[1.0, -1.0], [2.0, 0.5], [0.0, 3.0]])        # a linear model with 3 inputs, 2 classes
    >>> saliency(lambda x: x @ w, np.ones((1, 3)), target=0, abs=False).tolist()   # = w[:, 0]
    [[1.0, 2.0, 0.0]]
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import autograd
from autograd import Tensor

from .module import Module

__all__ = ["saliency", "smoothgrad", "integrated_gradients", "grad_cam", "occlusion", "IG_METHODS"]

IG_METHODS = ("riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid", "gausslegendre")


# --- shared plumbing ---------------------------------------------------------------------------
@contextlib.contextmanager
def _inference(model: Any) -> Iterator[None]:
    """Run ``model`` in inference mode with its weights as constants, then put every flag back.

    Constants: the backward pass then computes input gradients only, never the weights' (faster,
    and their ``.grad`` cannot be touched). The training flags and ``requires_grad`` come back even
    when the model raises.
    """
    if not isinstance(model, Module):
        yield
        return
    modes = [(m, m.training) for m in model.modules()]
    params = [p for p in model.parameters() if isinstance(p, Tensor)]
    try:
        model.eval()
        for p in params:
            p.requires_grad = False
        yield
    finally:
        for p in params:
            p.requires_grad = True
        for m, mode in modes:
            m.training = mode


def _as_input(x: Any, where: str) -> np.ndarray:
    """The batch as a float array (float dtypes kept, others become float32), batch axis first."""
    x = np.asarray(x.data if isinstance(x, Tensor) else x)
    if x.dtype.kind != "f":
        x = x.astype(np.float32)
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"{where}: x must be a non-empty batch (batch, ...) such as (N, H, W, C) images, "
                         f"received shape {x.shape}")
    return x


def _forward(model: Callable, x: np.ndarray, where: str, requires_grad: bool = False) -> tuple[Tensor, Any]:
    """``(input node, scores)``; the scores must be (batch, classes)."""
    node = Tensor(x, requires_grad=requires_grad)
    out = model(node)
    shape = np.shape(out.data if isinstance(out, Tensor) else out)
    if len(shape) != 2 or shape[0] != len(x):
        raise ValueError(f"{where}: the model must return scores of shape (batch, classes) = ({len(x)}, K); "
                         f"for an input of shape {x.shape} it returned shape {tuple(shape)}")
    if requires_grad and not isinstance(out, Tensor):
        raise TypeError(f"{where}: the model returned a {type(out).__name__}, not a Tensor, so there is no "
                        "graph to differentiate; build the scores from the input Tensor with Tensor ops")
    return node, out


def _target_indices(target: Any, n: int, where: str) -> np.ndarray | None:
    """``target`` as n class indices (None stays None); the range is checked once scores exist."""
    if target is None:
        return None
    t = np.asarray(target)
    if t.dtype.kind not in "iu" or t.ndim > 1 or (t.ndim == 1 and len(t) != n):
        raise ValueError(f"{where}: target must be a class index, one index per sample ({n}), or None; "
                         f"received target={target!r}")
    return np.broadcast_to(t, (n,)).astype(np.int64)


def _in_range(t: np.ndarray, k: int, where: str) -> np.ndarray:
    bad = (t < 0) | (t >= k)
    if bad.any():
        raise ValueError(f"{where}: target {int(t[bad][0])} is out of range for a model with {k} classes "
                         f"(valid: 0..{k - 1})")
    return t


def _targets(target: Any, scores: np.ndarray, where: str) -> np.ndarray:
    """One class index per sample: ``target`` checked against the number of classes, or the argmax."""
    t = _target_indices(target, len(scores), where)
    return scores.argmax(axis=1) if t is None else _in_range(t, scores.shape[1], where)


def _one_hot(targets: np.ndarray, k: int, dtype: Any) -> np.ndarray:
    seed = np.zeros((len(targets), k), dtype=dtype)
    seed[np.arange(len(targets)), targets] = 1.0
    return seed


def _input_grads(model: Callable, x: np.ndarray, targets: np.ndarray | None, where: str,
                 batch_size: int | None = None) -> np.ndarray:
    """``d score[n, targets[n]] / d x[n]`` for every row n, ``batch_size`` rows per pass.

    ``targets`` None: each row's predicted class.
    """
    step = len(x) if batch_size is None else batch_size
    grads = np.empty_like(x)
    for start in range(0, len(x), step):
        rows = slice(start, start + step)
        node, out = _forward(model, x[rows], where, requires_grad=True)
        k = out.shape[1]
        t = out.data.argmax(axis=1) if targets is None else _in_range(targets[rows], k, where)
        (g,) = autograd.grad(out, [node], grad_outputs=_one_hot(t, k, out.dtype))
        grads[rows] = 0.0 if g is None else g  # None: the scores do not depend on the input
    return grads


def _predict(model: Callable, x: np.ndarray, where: str, batch_size: int | None = None) -> np.ndarray:
    step = len(x) if batch_size is None else batch_size
    with autograd.no_grad():
        parts = [_forward(model, x[i:i + step], where)[1] for i in range(0, len(x), step)]
    return np.concatenate([np.asarray(p.data if isinstance(p, Tensor) else p) for p in parts])


def _check_batch_size(batch_size: int | None, where: str) -> None:
    if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or batch_size < 1):
        raise ValueError(f"{where}: batch_size must be a positive int or None, received {batch_size!r}")


# --- the five methods --------------------------------------------------------------------------
def saliency(model: Callable, x: Any, target: Any = None, abs: bool = True) -> np.ndarray:
    """Saliency map: ``S(x) = |d f_c(x) / dx|`` (Simonyan, Vedaldi & Zisserman 2013, arXiv:1312.6034).

    ``f_c`` is the score of class ``c = target``; each pixel's value says how fast the score changes
    when that pixel changes. captum's ``Saliency`` (which also keeps each channel).

    Example:
        >>> import numpy as np
        >>> from autograd import Tensor
        >>> saliency(lambda x: (x ** 2).sum(axis=1, keepdims=True), np.array([[1.0, -2.0]]), 0).tolist()
        [[2.0, 4.0]]

    Args:
        model: an ``nn`` model or a function of a Tensor returning (batch, classes) scores.
        x: the batch (N, ...), e.g. NHWC images.
        target: class index, one per sample, or None (the predicted class).
        abs: return ``|gradient|`` (True, captum's default) or the signed gradient.
    """
    where = "saliency"
    x = _as_input(x, where)
    with _inference(model):
        grads = _input_grads(model, x, _target_indices(target, len(x), where), where)
    return np.abs(grads) if abs else grads


def smoothgrad(model: Callable, x: Any, target: Any = None, samples: int = 25, noise: float = 0.15,
               seed: int | None = None, abs: bool = True, batch_size: int | None = None) -> np.ndarray:
    """SmoothGrad: ``(1/n) sum_i S(x + e_i)``, ``e_i ~ N(0, noise^2)`` (Smilkov et al. 2017, 1706.03825).

    The saliency ``S`` (absolute gradient by default) averaged over ``samples`` noisy copies of each
    input, which removes the gradient's pixel-to-pixel jitter. As in captum's
    ``NoiseTunnel(Saliency)`` with ``nt_type="smoothgrad"``, ``noise`` is the standard deviation in
    input units (Smilkov et al. suggest 10-20% of the input's range). The noise for sample ``n``,
    copy ``i``, is ``noise * rng.standard_normal((N, samples, *x.shape[1:]))[n, i]`` with
    ``rng = np.random.default_rng(seed)``: the same seed gives the same map.

    Example:
        >>> import numpy as np
        >>> m = smoothgrad(lambda x: x.sum(axis=1, keepdims=True), np.zeros((1, 3)), 0, samples=4, seed=0)
        >>> m.tolist()   # a linear model's gradient does not depend on the noise
        [[1.0, 1.0, 1.0]]

    Args:
        model, x, target, abs: as for :func:`saliency`.
        samples: noisy copies per input (positive).
        noise: standard deviation of the Gaussian noise (non-negative), in input units.
        seed: seed of the noise draws.
        batch_size: rows per forward/backward pass (default: all ``N * samples`` copies in one pass).
    """
    where = "smoothgrad"
    x = _as_input(x, where)
    if not isinstance(samples, (int, np.integer)) or samples < 1:
        raise ValueError(f"{where}: samples must be a positive int, received samples={samples!r}")
    if not noise >= 0:
        raise ValueError(f"{where}: noise is a standard deviation and must be >= 0, received noise={noise!r}")
    _check_batch_size(batch_size, where)
    draws = np.random.default_rng(seed).standard_normal((len(x), samples, *x.shape[1:]))
    noisy = (x[:, None] + (noise * draws).astype(x.dtype)).reshape(len(x) * samples, *x.shape[1:])
    t = _target_indices(target, len(x), where)
    with _inference(model):
        if t is None:  # the clean input's predicted class, not each noisy copy's
            t = _predict(model, x, where, batch_size).argmax(axis=1)
        grads = _input_grads(model, noisy, np.repeat(t, samples), where, batch_size)
    grads = grads.reshape(len(x), samples, *x.shape[1:])
    return (np.abs(grads) if abs else grads).mean(axis=1)


def _ig_rule(method: str, steps: int, where: str) -> tuple[np.ndarray, np.ndarray]:
    """``(weights w_k, positions a_k)`` with ``int_0^1 g(a) da ~ sum_k w_k g(a_k)`` (captum's rules)."""
    if not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"{where}: steps must be an int >= 1, received steps={steps!r}")
    if method == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(steps)  # on [-1, 1]: map to [0, 1]
        return weights / 2, (nodes + 1) / 2
    if method not in IG_METHODS:
        raise ValueError(f"{where}: unknown method {method!r}; choose one of {', '.join(IG_METHODS)}")
    if steps < 2:
        raise ValueError(f"{where}: the Riemann methods need steps >= 2, received steps={steps}")
    weights = np.full(steps, 1.0 / steps)
    if method == "riemann_trapezoid":
        # the trapezoid rule on `steps` points spaced 1/(steps - 1), end points counted half, so the
        # weights add up to 1 (captum 0.9 spaces the weights 1/steps: its sum is short by 1/steps)
        weights = np.full(steps, 1.0 / (steps - 1))
        weights[[0, -1]] /= 2
        return weights, np.linspace(0.0, 1.0, steps)
    first = {"riemann_left": 0.0, "riemann_middle": 0.5 / steps, "riemann_right": 1.0 / steps}[method]
    return weights, first + np.arange(steps) / steps


def _baseline(baseline: Any, x: np.ndarray, where: str) -> np.ndarray:
    """The baseline broadcast to ``x``: None (zeros), a number, one sample's shape, or x's shape."""
    if baseline is None:
        return np.zeros_like(x)
    b = np.asarray(baseline.data if isinstance(baseline, Tensor) else baseline, dtype=x.dtype)
    if b.shape not in ((), x.shape[1:], x.shape):
        raise ValueError(f"{where}: baseline must be a number or have shape {x.shape[1:]} (one sample) or "
                         f"{x.shape} (the batch), received shape {b.shape}")
    return np.broadcast_to(b, x.shape)


def integrated_gradients(model: Callable, x: Any, target: Any = None, baseline: Any = None, steps: int = 50,
                         method: str = "gausslegendre", return_convergence_delta: bool = False,
                         batch_size: int | None = None) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Integrated Gradients (Sundararajan, Taly & Yan 2017, arXiv:1703.01365).

    ``IG(x) = (x - x') * int_0^1 df_c(x' + a (x - x')) / dx da ~ (x - x') * sum_k w_k g(a_k)`` where
    ``x'`` is the baseline. The attributions add up to ``f_c(x) - f_c(x')`` ("completeness"), up to
    the quadrature error that ``return_convergence_delta`` reports:
    ``delta = sum(IG(x)) - (f_c(x) - f_c(x'))`` per sample. The rules are captum's: ``gausslegendre``
    (its default) uses Gauss-Legendre nodes on [0, 1]; ``riemann_left/right/middle`` the usual Riemann
    sums; ``riemann_trapezoid`` the trapezoid rule on ``steps`` evenly spaced points from 0 to 1
    (captum 0.9 uses the same points with weights that add up to ``1 - 1/steps``, so its maps are
    ours times ``(steps - 1) / steps``; ours are exact for a linear model).
    All ``steps`` points of every sample go through the model as one batch (``batch_size`` rows per
    pass when given).

    Example:
        >>> import numpy as np
        >>> f = lambda x: (x ** 2).sum(axis=1, keepdims=True)
        >>> x = np.array([[1.0, 2.0]])
        >>> ig, delta = integrated_gradients(f, x, 0, steps=4, return_convergence_delta=True)
        >>> ig.round(6).tolist(), abs(float(delta[0])) < 1e-9   # x^2 from 0: exactly x^2
        ([[1.0, 4.0]], True)

    Args:
        model, x, target: as for :func:`saliency` (None: the predicted class on x).
        baseline: x' (default zeros): a number, one sample's shape, or x's shape.
        steps: number of points on the path (>= 1; >= 2 for the Riemann rules).
        method: one of ``IG_METHODS``.
        return_convergence_delta: also return ``delta`` (shape (N,)).
        batch_size: rows per forward/backward pass (default: all ``N * steps`` in one pass).
    """
    where = "integrated_gradients"
    x = _as_input(x, where)
    weights, alphas = _ig_rule(method, steps, where)
    base = _baseline(baseline, x, where)
    _check_batch_size(batch_size, where)
    n, sample = len(x), x.shape[1:]
    path = base[None] + alphas.astype(x.dtype).reshape(-1, 1, *[1] * len(sample)) * (x - base)[None]
    t = _target_indices(target, n, where)
    with _inference(model):
        ends = None
        if t is None or return_convergence_delta:  # f(x) and f(baseline)
            ends = _predict(model, np.concatenate([x, base]), where, batch_size)
            t = _targets(t, ends[:n], where)
        grads = _input_grads(model, path.reshape(-1, *sample), np.tile(t, steps), where, batch_size)
    total = np.tensordot(weights.astype(x.dtype), grads.reshape(steps, n, *sample), axes=1)
    attributions = total * (x - base)
    if not return_convergence_delta:
        return attributions
    rows = np.arange(n)
    gap = ends[rows, t] - ends[n + rows, t]
    return attributions, attributions.reshape(n, -1).sum(axis=1) - gap


def _conv_layer(model: Any, layer: Any, where: str) -> Any:
    """The Conv2D layer named ``layer`` (a name, a dotted path, or the layer itself); default: the last."""
    if not isinstance(model, Module):
        raise TypeError(f"{where}: needs an nn model with Conv2D layers, received a {type(model).__name__}")
    modules = [(path, m) for path, m in model.named_modules() if m is not model]
    convs = [m for _, m in modules if "Conv2D" in type(m).__name__]
    names = ", ".join(repr(getattr(m, "name", "?")) for m in convs) or "none"
    if layer is None:
        if not convs:
            raise ValueError(f"{where}: the model has no Conv2D layer; Grad-CAM needs one")
        return convs[-1]
    found = [m for path, m in modules if layer is m or layer in (path, getattr(m, "name", None))]
    if not found:
        raise ValueError(f"{where}: the model has no layer {layer!r}; its Conv2D layers are: {names}")
    kind = type(found[0]).__name__
    if "Conv2D" not in kind:
        raise ValueError(f"{where}: layer {getattr(found[0], 'name', layer)!r} is a {kind}, not a "
                         f"convolutional layer; choose one of the Conv2D layers: {names}")
    return found[0]


def grad_cam(model: Module, x: Any, target: Any = None, layer: Any = None, relu: bool = True,
             interpolation: str | None = "bilinear") -> np.ndarray:
    """Grad-CAM (Selvaraju et al. 2017, arXiv:1610.02391) on a Conv2D layer's output ``A`` (N, h, w, K).

    ``a_k = mean_ij dF_c/dA[i, j, k]`` (the pooled gradients), ``L = ReLU(sum_k a_k A[..., k])``,
    then ``L`` is resized from h x w to the input's H x W. Equals captum's ``LayerGradCam`` with
    ``relu_attributions=True`` followed by ``LayerAttribution.interpolate`` (torch's
    ``F.interpolate``, ``align_corners=False``). A Conv2D layer's output includes its activation.

    Example:
        >>> import numpy as np
        >>> from nn import Sequential, Conv2D, Flatten, Dense
        >>> model = Sequential([Conv2D(2, 3, activation="relu", input_shape=(6, 6, 1)), Flatten(), Dense(3)])
        >>> grad_cam(model, np.ones((2, 6, 6, 1)), target=1).shape
        (2, 6, 6, 1)

    Args:
        model: an ``nn`` model containing the layer.
        x, target: as for :func:`saliency`.
        layer: the Conv2D layer: its name (``model.summary()`` lists them), or the layer; default the last.
        relu: keep only the positive evidence (Selvaraju et al.), as captum's ``relu_attributions``.
        interpolation: "bilinear" (the paper's choice), "nearest" (captum's default), or None for the
            layer's own h x w map.
    """
    where = "grad_cam"
    x = _as_input(x, where)
    if x.ndim != 4:
        raise ValueError(f"{where}: x must be a batch of images (N, H, W, C), received shape {x.shape}")
    conv = _conv_layer(model, layer, where)
    if interpolation not in ("bilinear", "nearest", None):
        raise ValueError(f"{where}: interpolation must be 'bilinear', 'nearest' or None, "
                         f"received {interpolation!r}")
    captured: list[Tensor] = []
    inner = conv.forward

    def forward(*args: Any, **kwargs: Any) -> Tensor:
        # the layer's output becomes a leaf: the gradient stops there, and the layer below is not run twice
        out = Tensor(np.asarray(inner(*args, **kwargs).data), requires_grad=True)
        captured.append(out)
        return out

    with _inference(model):
        conv.forward = forward  # an instance attribute shadows the class's method while we run
        try:
            _, out = _forward(model, x, where)
        finally:
            del conv.forward
        if len(captured) != 1 or captured[0].ndim != 4:
            raise ValueError(f"{where}: layer {conv.name!r} must run once and give (batch, h, w, channels); "
                             f"it ran {len(captured)} times")
        t = _targets(target, np.asarray(out.data), where)
        (g,) = autograd.grad(out, captured, grad_outputs=_one_hot(t, out.shape[1], out.dtype))
    acts = captured[0].data
    g = np.zeros_like(acts) if g is None else g
    cam = np.einsum("nijk,nk->nij", acts, g.mean(axis=(1, 2)))[..., None]
    cam = np.maximum(cam, 0) if relu else cam
    if interpolation is None:
        return cam
    return _resize(cam, x.shape[1:3], interpolation)


def _resize(maps: np.ndarray, size: tuple[int, int], mode: str) -> np.ndarray:
    """Resize (N, h, w, C) to (N, H, W, C) as torch's ``F.interpolate(align_corners=False)`` does."""
    out = maps
    for axis, new in ((1, size[0]), (2, size[1])):
        old = out.shape[axis]
        scale = old / new
        if mode == "nearest":
            out = np.take(out, np.minimum(np.floor(np.arange(new) * scale).astype(int), old - 1), axis=axis)
            continue
        src = np.maximum((np.arange(new) + 0.5) * scale - 0.5, 0.0)  # pixel centres, clamped at the edge
        lo = np.minimum(np.floor(src).astype(int), old - 1)
        hi = np.minimum(lo + 1, old - 1)
        frac = (src - lo).reshape([-1 if a == axis else 1 for a in range(out.ndim)]).astype(out.dtype)
        out = np.take(out, lo, axis=axis) * (1 - frac) + np.take(out, hi, axis=axis) * frac
    return out


def _windows(sample: tuple, window: Any, stride: Any, where: str) -> list[tuple[slice, ...]]:
    """Every window position, captum's way: starts 0, s, 2s, ... until one reaches the end (clipped)."""
    win = (window,) * min(2, len(sample)) if isinstance(window, (int, np.integer)) else tuple(window)
    win = win + tuple(sample[len(win):])  # axes not given are covered whole (an image's channels)
    st = (stride,) * len(win) if isinstance(stride, (int, np.integer)) else tuple(stride)
    st = st + (1,) * (len(win) - len(st))
    if len(win) != len(sample) or any(not 1 <= w <= d for w, d in zip(win, sample, strict=True)):
        raise ValueError(f"{where}: window {window!r} does not fit one sample of shape {sample}")
    gaps = any(s < 1 or (s > w and w < d) for s, w, d in zip(st, win, sample, strict=False))
    if len(st) != len(win) or gaps:
        raise ValueError(f"{where}: stride {stride!r} must be >= 1 and <= the window {win} on each axis, "
                         "or some inputs would never be occluded")
    starts = [range(0, int(np.ceil((d - w) / s)) * s + 1, s) for d, w, s in zip(sample, win, st, strict=True)]
    grid = np.stack(np.meshgrid(*[np.asarray(r) for r in starts], indexing="ij"), -1).reshape(-1, len(win))
    return [tuple(slice(a, a + w) for a, w in zip(pos, win, strict=True)) for pos in grid]


def occlusion(model: Callable, x: Any, target: Any = None, window: Any = 3, stride: Any = 1,
              baseline: Any = 0, batch_size: int | None = None) -> np.ndarray:
    """Occlusion (Zeiler & Fergus 2014, arXiv:1311.2901): the score drop when a window is blanked.

    For every window position ``W``: ``d_W = f_c(x) - f_c(x with W set to the baseline)``; each
    input value gets the mean of ``d_W`` over the windows that cover it (captum's ``Occlusion``;
    windows step by ``stride``, and the last one on each axis is clipped at the edge). Positive:
    hiding it lowers the class score. Forward passes only.

    Example:
        >>> import numpy as np
        >>> occlusion(lambda x: x[:, :2].sum(axis=1, keepdims=True), np.ones((1, 4)), 0, window=1).tolist()
        [[1.0, 1.0, 0.0, 0.0]]

    Args:
        model, x, target: as for :func:`saliency` (None: the predicted class on x).
        window: window size: an int (square over an image's H and W, or a vector's length) or a tuple
            over the leading axes of one sample; axes left out (an image's channels) are covered whole.
        stride: int or tuple, the step between windows (at most the window).
        baseline: the value hidden regions take: a number, one sample's shape or x's shape.
        batch_size: rows per forward pass (default: all occluded copies in one pass).
    """
    where = "occlusion"
    x = _as_input(x, where)
    base = _baseline(baseline, x, where)
    _check_batch_size(batch_size, where)
    windows = _windows(x.shape[1:], window, stride, where)
    n = len(x)
    with _inference(model):
        clean = _predict(model, x, where)
        t = _targets(target, clean, where)
        per_pass = len(windows) if batch_size is None else max(1, batch_size // n)
        total = np.zeros(x.shape, dtype=np.float64)
        counts = np.zeros(x.shape[1:], dtype=np.float64)
        rows = np.arange(n)
        for first in range(0, len(windows), per_pass):
            chunk = windows[first:first + per_pass]
            hidden = np.repeat(x[None], len(chunk), axis=0)
            for copy, w in zip(hidden, chunk, strict=True):
                copy[(slice(None), *w)] = base[(slice(None), *w)]
            scores = _predict(model, hidden.reshape(-1, *x.shape[1:]), where).reshape(len(chunk), n, -1)
            for scored, w in zip(scores, chunk, strict=True):
                total[(slice(None), *w)] += (clean[rows, t] - scored[rows, t]).reshape(-1, *[1] * len(w))
                counts[w] += 1
    return (total / counts).astype(x.dtype)
