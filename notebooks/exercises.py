"""Checkers for the tutorials' exercises: each prints "correct" or shows the expected value.

A notebook imports this file (it sits beside the notebooks) and hands a checker the reader's answer:

    >>> import exercises as ex
    >>> ex.check_chain_rule((3.0, 8.0))
    correct
    >>> ex.check_chain_rule((3.0, 7.0))
    not yet: expected (3.0, 8.0), got (3.0, 7.0)

Answers that are functions are called on fresh inputs made here, so a checker tests the idea rather
than one number. Reference answers live in ``solutions.py``; ``tests/test_exercises.py`` runs every
checker in ``CHECKERS`` against them. A checker never raises on a wrong answer: it prints what was
expected (and returns nothing, so a notebook cell shows the message alone), so a notebook with
unanswered exercises still runs top to bottom.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Callable

import numpy as np

import autograd
import nn
from autograd import Tensor, Value
from autograd.functional import conv2d, max_pool2d

CHECKERS: dict[str, Callable[[Any], None]] = {}   # exercise name -> checker, filled by @_exercise
NOTEBOOK: dict[str, str] = {}                        # exercise name -> the notebook that asks it


def _exercise(notebook: str) -> Callable:
    def register(check: Callable[[Any], None]) -> Callable[[Any], None]:
        name = check.__name__.removeprefix("check_")
        CHECKERS[name], NOTEBOOK[name] = check, notebook
        return check
    return register


def _show(x: Any) -> Any:
    """Arrays as short nested lists (3 decimals), so an expected value reads on one line."""
    if isinstance(x, np.ndarray):
        return np.round(x, 3).tolist()
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (list, tuple)):
        return type(x)(_show(v) for v in x)
    return x


def _unanswered(got: Any) -> bool:
    if isinstance(got, (list, tuple)) and got:
        return all(_unanswered(g) for g in got)
    return got is None or got is Ellipsis


def _verdict(ok: bool, expected: Any, got: Any) -> None:
    if ok:
        print("correct")
    elif _unanswered(got):
        print(f"no answer yet; expected {_show(expected)}")
    else:
        print(f"not yet: expected {_show(expected)}, got {_show(got)}")


def _call(answer: Callable, *args: Any) -> Any:
    """The reader's function applied to args; an exception becomes the answer shown back."""
    if answer is None or not callable(answer):
        return answer
    try:
        return answer(*args)
    except Exception as error:  # a half-written answer: show what went wrong, keep the notebook running
        return f"{type(error).__name__}: {error}"


def _close(got: Any, expected: Any, atol: float = 1e-6) -> bool:
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=float)
    return got.shape == expected.shape and bool(np.allclose(got, expected, atol=atol, rtol=1e-5))


# --- 01 · values and the chain rule ----------------------------------------------------------------


@_exercise("01")
def check_chain_rule(answer: Any) -> None:
    """(df/dx, df/dy) for f = x*y + y**2 at x = 2, y = 3."""
    x, y = Value(2.0), Value(3.0)
    (x * y + y ** 2).backward()
    expected = (x.grad, y.grad)
    return _verdict(_close(answer, expected), expected, answer)


def _example_graphs() -> list[Value]:
    """Two small graphs with every node labelled: notebook 01's neuron, and one that reuses nodes."""
    def named(node: Value, label: str) -> Value:
        node.label = label
        return node

    x1, x2, w1, w2, b = (Value(v, label=n) for v, n in
                         [(2.0, "x1"), (0.0, "x2"), (-3.0, "w1"), (1.0, "w2"), (6.88, "b")])
    s = named(named(x1 * w1, "x1*w1") + named(x2 * w2, "x2*w2"), "s")
    a = named(named(s + b, "z").tanh(), "a")
    u = Value(1.5, label="u")
    v = named(u * u, "v")
    r = named(named(named(v + u, "t") * v, "t*v").exp(), "r")
    return [a, r]


def _is_backward_order(labels: Any, root: Value) -> bool:
    nodes = autograd.topological_order(root)
    if not isinstance(labels, (list, tuple)) or sorted(map(str, labels)) != sorted(n.label for n in nodes):
        return False
    position = {label: i for i, label in enumerate(labels)}
    # backward may visit a node only after every node that uses it (its consumers) has been visited
    return all(position[node.label] < position[p.label] for node in nodes for p in node.parents)


@_exercise("01")
def check_backward_order(answer: Callable[[Value], list]) -> None:
    """answer(root) -> the labels of root's graph, each node before the nodes that made it."""
    results = [(_call(answer, root), root) for root in _example_graphs()]
    ok = all(_is_backward_order(got, root) for got, root in results)
    expected = [n.label for n in reversed(autograd.topological_order(results[0][1]))]
    return _verdict(ok, f"an order like {expected}", results[0][0])


@_exercise("01")
def check_softplus_op(answer: tuple[Callable, Callable]) -> None:
    """answer = (forward, backward): softplus(x) = log(1 + e^x) and its derivative, on floats."""
    points = [-30.0, -2.0, -0.5, 0.0, 0.7, 3.0, 30.0]
    expected = [(math.log1p(math.exp(-abs(x))) + max(x, 0.0), 1 / (1 + math.exp(-x))) for x in points]
    if not (isinstance(answer, tuple) and len(answer) == 2 and all(callable(f) for f in answer)):
        return _verdict(False, "a pair (forward, backward) of functions", answer)
    forward, backward = answer
    got = [(_call(forward, x), _call(backward, x)) for x in points]
    h = 1e-6   # the derivative must also agree with central differences of the reader's own forward
    numeric = [(_call(forward, x + h), _call(forward, x - h)) for x in points]
    ok = _close(got, expected, atol=1e-6) and all(
        _close((hi - lo) / (2 * h), d, atol=1e-4) for (hi, lo), (_, d) in zip(numeric, got)
        if isinstance(hi, float) and isinstance(lo, float))
    return _verdict(ok, [tuple(round(v, 6) for v in pair) for pair in expected], got)


# --- 02 · from a neuron to an MLP ------------------------------------------------------------------


@_exercise("02")
def check_mlp_parameter_count(answer: Callable[[int, list], int]) -> None:
    """answer(nin, nouts) -> the number of parameters of nn.MLP(nin, nouts)."""
    cases = [(2, [16, 16, 1]), (3, [4, 4, 1]), (64, [32, 10]), (1, [1])]
    expected = [len(nn.MLP(nin, nouts, seed=0).parameters()) for nin, nouts in cases]
    got = [_call(answer, nin, list(nouts)) for nin, nouts in cases]
    return _verdict(got == expected, expected, got)


@_exercise("02")
def check_hinge_loss(answer: Callable[[list, list], float]) -> None:
    """answer(y, s) -> mean(max(0, 1 - y_i s_i)) for labels y in {-1, +1} and scores s."""
    cases = [([1, -1, 1], [2.0, -0.5, 0.3]), ([-1, -1], [1.0, -3.0]), ([1], [1.0])]
    expected = [nn.losses.hinge(y, [Value(v) for v in s]).data for y, s in cases]
    got = [_call(answer, list(y), list(s)) for y, s in cases]
    return _verdict(_close(got, expected), expected, got)


@_exercise("02")
def check_linear_collapse(answer: Callable) -> None:
    """answer(W1, b1, W2, b2) -> (W, b) with W x + b = W2 (W1 x + b1) + b2 for every x."""
    rng = np.random.default_rng(7)
    W1, b1, W2, b2 = rng.normal(size=(4, 2)), rng.normal(size=4), rng.normal(size=(1, 4)), rng.normal(size=1)
    expected = (W2 @ W1, W2 @ b1 + b2)
    got = _call(answer, W1, b1, W2, b2)
    ok = isinstance(got, tuple) and len(got) == 2 and _close(got[0], expected[0]) and _close(got[1], expected[1])
    return _verdict(ok, expected, got)


# --- 03 · loss functions ---------------------------------------------------------------------------


@_exercise("03")
def check_softmax_ce_gradient(answer: Callable[[np.ndarray, int], np.ndarray]) -> None:
    """answer(z, k) -> dH/dz for H = -log softmax(z)[k] (one example, numpy in and out)."""
    rng = np.random.default_rng(3)
    cases = [(rng.normal(size=n) * 3, int(rng.integers(n))) for n in (3, 5, 10)]
    expected, got = [], []
    for z, k in cases:
        t = Tensor(z, requires_grad=True, dtype=np.float64)
        (-t.log_softmax()[k]).backward()
        expected.append(t.grad)
        got.append(_call(answer, z.copy(), k))
    ok = all(_close(g, e) for g, e in zip(got, expected))
    return _verdict(ok, expected, got)


@_exercise("03")
def check_binary_crossentropy(answer: Callable[[list, list], float]) -> None:
    """answer(y, p) -> -mean(y log p + (1 - y) log(1 - p)) for labels y in {0, 1}, probabilities p."""
    cases = [([1, 0, 1], [0.9, 0.2, 0.6]), ([0, 0], [0.5, 0.01]), ([1], [0.999])]
    expected = [nn.losses.binary_crossentropy(y, [Value(v) for v in p]).data for y, p in cases]
    got = [_call(answer, list(y), list(p)) for y, p in cases]
    return _verdict(_close(got, expected), expected, got)


@_exercise("03")
def check_bce_logit_gradient(answer: Callable[[float, float], float]) -> None:
    """answer(z, y) -> d/dz of -(y log s + (1 - y) log(1 - s)) with s = sigmoid(z)."""
    cases = [(-3.0, 1.0), (0.0, 0.0), (2.5, 1.0), (1.2, 0.0)]
    expected = []
    for z, y in cases:
        zv = Value(z)
        s = zv.sigmoid()
        (-(y * s.log() + (1 - y) * (1 - s).log())).backward()
        expected.append(zv.grad)
    got = [_call(answer, z, y) for z, y in cases]
    return _verdict(_close(got, expected), expected, got)


# --- 04 · gradient descent -------------------------------------------------------------------------


def _diverges(lr: float, c: float = 2.5, steps: int = 200) -> bool:
    w = 0.0
    for _ in range(steps):
        w -= lr * 2 * c * (w - 3)
    return not abs(w - 3) < 3


@_exercise("04")
def check_divergence_lr(answer: float) -> None:
    """The learning rate above which gradient descent on E(w) = 2.5 (w - 3)^2 diverges."""
    expected = 1 / 2.5   # w - 3 is multiplied by (1 - 5 lr) each step: |1 - 5 lr| > 1 when lr > 0.4
    ok = _close(answer, expected, atol=1e-3) and _diverges(expected * 1.01) and not _diverges(expected * 0.99)
    return _verdict(ok, expected, answer)


@_exercise("04")
def check_updates_per_epoch(answer: Callable[[int, int], int]) -> None:
    """answer(n, batch_size) -> how many parameter updates one epoch of mini-batch descent makes."""
    cases = [(1438, 32), (100, 100), (100, 1), (101, 10)]
    expected = [math.ceil(n / b) for n, b in cases]
    got = [_call(answer, n, b) for n, b in cases]
    return _verdict(got == expected, expected, got)


@_exercise("04")
def check_momentum_steps(answer: Callable[[float, float, float, int], list]) -> None:
    """answer(w0, lr, momentum, steps) -> the w's visited on E(w) = w**2 by SGD with momentum."""
    w = Value(2.0)
    opt = nn.optimizers.SGD([w], lr=0.1, momentum=0.9)
    expected = []
    for _ in range(5):
        opt.zero_grad()
        (w * w).backward()
        opt.step()
        expected.append(w.data)
    got = _call(answer, 2.0, 0.1, 0.9, 5)
    return _verdict(_close(got, expected), [round(v, 6) for v in expected], got)


# --- 05 · tensors ----------------------------------------------------------------------------------


@_exercise("05")
def check_dense_gradients(answer: Callable) -> None:
    """answer(X, W, dZ) -> (dW, db, dX) for Z = X @ W + b, given dL/dZ."""
    rng = np.random.default_rng(5)
    X, W, b = rng.normal(size=(6, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)
    dZ = rng.normal(size=(6, 4))
    Xt, Wt, bt = (Tensor(a, requires_grad=True, dtype=np.float64) for a in (X, W, b))
    (Xt @ Wt + bt).backward(dZ)
    expected = (Wt.grad, bt.grad, Xt.grad)
    got = _call(answer, X, W, dZ)
    ok = isinstance(got, tuple) and len(got) == 3 and all(_close(g, e) for g, e in zip(got, expected))
    return _verdict(ok, expected, got)


@_exercise("05")
def check_unbroadcast(answer: Callable[[np.ndarray, tuple], np.ndarray]) -> None:
    """answer(g, shape) -> the gradient for an input of `shape` that was broadcast to g.shape."""
    rng = np.random.default_rng(9)
    cases = [((4, 3), (3,)), ((4, 3), (4, 1)), ((2, 3, 5), (3, 1)), ((2, 2), ()), ((3, 2), (3, 2))]
    expected, got = [], []
    for out_shape, shape in cases:
        g = rng.normal(size=out_shape)
        x = Tensor(np.zeros(shape), requires_grad=True, dtype=np.float64)
        (x + Tensor(np.zeros(out_shape))).backward(g)
        expected.append(x.grad)
        got.append(_call(answer, g.copy(), shape))
    ok = all(_close(g, e) for g, e in zip(got, expected))
    return _verdict(ok, expected, got)


# --- 06 · the seed's CNN ---------------------------------------------------------------------------


@_exercise("06")
def check_conv_output_size(answer: Callable[[int, int, int, str], int]) -> None:
    """answer(n, k, stride, padding) -> output width of a k x k convolution of an n x n image."""
    cases = [(24, 3, 1, "valid"), (11, 3, 1, "valid"), (150, 3, 1, "valid"), (10, 3, 2, "valid"),
             (10, 3, 2, "same"), (7, 5, 1, "same")]
    expected = [conv2d(Tensor(np.zeros((1, n, n, 1))), Tensor(np.zeros((k, k, 1, 1))), strides=s,
                       padding=p).shape[1] for n, k, s, p in cases]
    got = [_call(answer, n, k, s, p) for n, k, s, p in cases]
    return _verdict(got == expected, expected, got)


@_exercise("06")
def check_conv_parameter_count(answer: Callable[[int, int, int], int]) -> None:
    """answer(kernel_size, in_channels, filters) -> the weights and biases of Conv2D(filters, k)."""
    cases = [(3, 1, 32), (3, 32, 64), (5, 3, 16), (1, 64, 10)]
    expected = []
    for k, c, f in cases:
        layer = nn.layers.Conv2D(f, (k, k), input_shape=(8, 8, c))
        expected.append(sum(int(p.size) for p in layer.parameters()))
    got = [_call(answer, k, c, f) for k, c, f in cases]
    return _verdict(got == expected, expected, got)


@_exercise("06")
def check_max_pool(answer: Callable[[np.ndarray], np.ndarray]) -> None:
    """answer(image) -> 2x2 max pooling (stride 2) of a 2-D array with even sides."""
    image = np.arange(24, dtype=float).reshape(4, 6) % 7 - 3
    expected = max_pool2d(Tensor(image[None, :, :, None]), 2).numpy()[0, :, :, 0]
    got = _call(answer, image.copy())
    return _verdict(_close(got, expected), expected, got)


# --- 09 · from here --------------------------------------------------------------------------------


def _seed_layers(size: int, head: bool) -> list:
    from nn.layers import Conv2D, Dense, Flatten, MaxPooling2D
    layers = [Conv2D(32, (3, 3), activation="relu", input_shape=(size, size, 3)), MaxPooling2D(2, 2),
              Conv2D(64, (3, 3), activation="relu"), MaxPooling2D(2, 2),
              Conv2D(128, (3, 3), activation="relu"), MaxPooling2D(2, 2), Flatten()]
    return layers + ([Dense(512, activation="relu"), Dense(1, activation="sigmoid")] if head else [])


@lru_cache(maxsize=None)
def _seed_parameter_count() -> int:
    return nn.models.Sequential(_seed_layers(150, head=True)).count_params()   # 19 million: build it once


@_exercise("09")
def check_seed_flatten_size(answer: Callable[[int], int]) -> None:
    """answer(n) -> the length of the seed CNN's Flatten output for n x n RGB input."""
    sizes = [150, 64, 32]
    expected = [nn.models.Sequential(_seed_layers(n, head=False)).predict(np.zeros((1, n, n, 3))).shape[1]
                for n in sizes]
    got = [_call(answer, n) for n in sizes]
    return _verdict(got == expected, expected, got)


@_exercise("09")
def check_model_megabytes(answer: float) -> None:
    """The seed model's weights in float32, in megabytes (10**6 bytes)."""
    expected = _seed_parameter_count() * 4 / 1e6
    return _verdict(_close(answer, expected, atol=0.05), round(expected, 1), answer)
