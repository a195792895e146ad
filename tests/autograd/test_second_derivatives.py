"""Second derivatives through every Tensor op: grad(grad(...)) against torch's double backward and
against central differences of the first gradient (Hessian-vector products)."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, concatenate, grad, maximum, minimum, stack, where
from autograd import functional as F

rng = np.random.default_rng(7)

# name: (inputs' shapes, stepgrad f(*xs), torch f(*xs) or None); every f returns a Tensor of any shape
CASES = {
    "add_sub_mul_div": ([(2, 3), (3,)], lambda a, b: (a + b) * (a - b) / (b * b + 1), None),
    "pow_const_and_pow": ([(2, 3), (2, 3)], lambda a, b: a**3 + (a * a + 1) ** (b * 0.5), None),
    "neg_abs": ([(2, 3)], lambda a: -abs(a) * a, None),
    "exp_log_sqrt": ([(2, 3)], lambda a: (a * a + 1).log() * a.exp() + (a * a + 0.5).sqrt(), None),
    "tanh_sigmoid": ([(2, 3)], lambda a: a.tanh() * a.sigmoid(), None),
    "relu_leaky_clip": ([(2, 3)], lambda a: a.relu() * a + a.leaky_relu(0.2) * a + a.clip(-0.5, 0.5) * a,
                        None),
    "maximum_minimum_where": ([(2, 3), (2, 3)], lambda a, b: maximum(a, b) * a + minimum(a, b) * b
                              + where(a > b, a * b, b * b), None),
    "matmul": ([(3, 4), (4, 2)], lambda a, b: (a @ b) ** 2, None),
    "reductions": ([(3, 4)], lambda a: (a * a).sum(1) * a.max(0).sum() + a.logsumexp(axis=1) ** 2
                   + a.mean() * a.var() + a.min(), None),
    "softmax_family": ([(3, 4)], lambda a: a.softmax() * a + a.log_softmax(axis=0) ** 2, None),
    "shape_ops": ([(2, 3)], lambda a: (a.reshape(3, 2).T * a) + a[:, [0, 0, 2]] ** 2
                  + concatenate([a, a * a])[1:3] + stack([a, a]).sum(0) ** 2
                  + a.broadcast_to(2, 2, 3).sum(0) * a,
                  None),
    "astype": ([(2, 3)], lambda a: a.astype(np.float64) ** 3, None),  # float64 to float64: FD stays exact
}


def _torch_nn_cases():
    """The network ops, with their torch twins (NHWC vs NCHW handled here)."""
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional

    def nchw(x):
        return x.permute(0, 3, 1, 2)

    def nhwc(x):
        return x.permute(0, 2, 3, 1)

    labels = np.array([0, 2, 1])
    onehot = np.eye(3)[[2, 0, 1]]
    targets = rng.uniform(size=(3, 2))
    return {
        "dense_relu": ([(3, 4), (4, 2), (2,)], lambda x, w, b: F.dense(x, w, b, activation="relu") ** 2,
                       lambda x, w, b: torch.relu(x @ w + b) ** 2),
        "conv2d_same": ([(2, 5, 5, 2), (3, 3, 2, 3), (3,)],
                        lambda x, k, b: F.conv2d(x, k, b, padding="same") ** 2,
                        lambda x, k, b: nhwc(tf.conv2d(nchw(x), k.permute(3, 2, 0, 1), b,
                                                       padding="same")) ** 2),
        "conv2d_strided": ([(2, 6, 6, 2), (3, 3, 2, 2)], lambda x, k: F.conv2d(x, k, strides=2) ** 2,
                           lambda x, k: nhwc(tf.conv2d(nchw(x), k.permute(3, 2, 0, 1), stride=2)) ** 2),
        "max_pool": ([(2, 4, 4, 2)], lambda x: F.max_pool2d(x * x, 2) ** 2,
                     lambda x: nhwc(tf.max_pool2d(nchw(x * x), 2)) ** 2),
        "max_pool_overlapping": ([(1, 5, 5, 2)], lambda x: F.max_pool2d(x * x, 3, 1) ** 2,
                                 lambda x: nhwc(tf.max_pool2d(nchw(x * x), 3, 1)) ** 2),
        "avg_pool": ([(2, 4, 4, 2)], lambda x: F.avg_pool2d(x * x, 2) ** 2,
                     lambda x: nhwc(tf.avg_pool2d(nchw(x * x), 2)) ** 2),
        "softmax_cross_entropy_int": ([(3, 3)], lambda z: F.softmax_cross_entropy(z * z, labels),
                                      lambda z: tf.cross_entropy(z * z, torch.tensor(labels))),
        "softmax_cross_entropy_onehot": ([(3, 3), (3, 3)],
                                         lambda z, t: F.softmax_cross_entropy(z * z, t * t + Tensor(onehot)),
                                         lambda z, t: tf.cross_entropy(z * z, t * t + torch.tensor(onehot))),
        "sigmoid_binary_cross_entropy": ([(3, 2), (3, 2)],
                                         lambda z, t: F.sigmoid_binary_cross_entropy(z * z,
                                                                                     t * 0 + Tensor(targets)),
                                         lambda z, t: tf.binary_cross_entropy_with_logits(
                                             z * z, t * 0 + torch.tensor(targets))),
    }


def _hvp(f, xs, v, w):
    """(first gradients, Hessian-vector products) of L = sum(f(xs) * w), both by grad(grad(...))."""
    leaves = [Tensor(x, requires_grad=True) for x in xs]
    out = f(*leaves)
    loss = (out * Tensor(w)).sum() if out.shape else out * float(w)
    firsts = grad(loss, leaves, create_graph=True)
    s = sum(((g * Tensor(vi)).sum() for g, vi in zip(firsts, v, strict=True) if g is not None), Tensor(0.0))
    seconds = grad(s, leaves, allow_unused=True)
    return ([g.data for g in firsts],
            [np.zeros_like(x) if h is None else h for h, x in zip(seconds, xs, strict=True)])


def _first(f, xs, w):
    leaves = [Tensor(x, requires_grad=True) for x in xs]
    out = f(*leaves)
    loss = (out * Tensor(w)).sum() if out.shape else out * float(w)
    return [g for g in grad(loss, leaves)]


def _inputs(shapes):
    xs = [rng.standard_normal(s) for s in shapes]
    v = [rng.standard_normal(s) for s in shapes]
    return xs, v


def _check_by_finite_differences(f, shapes):
    xs, v = _inputs(shapes)
    w = rng.standard_normal(np.shape(f(*[Tensor(x) for x in xs]).data))
    _, hv = _hvp(f, xs, v, w)
    eps = 1e-5
    plus = _first(f, [x + eps * vi for x, vi in zip(xs, v, strict=True)], w)
    minus = _first(f, [x - eps * vi for x, vi in zip(xs, v, strict=True)], w)
    for h, p, m in zip(hv, plus, minus, strict=True):
        expected = (p - m) / (2 * eps)
        np.testing.assert_allclose(h, expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", CASES)
def test_second_derivatives_match_central_differences(name):
    shapes, f, _ = CASES[name]
    _check_by_finite_differences(f, shapes)


NN = ["dense_relu", "conv2d_same", "conv2d_strided", "max_pool", "max_pool_overlapping", "avg_pool",
      "softmax_cross_entropy_int", "softmax_cross_entropy_onehot", "sigmoid_binary_cross_entropy"]


@pytest.mark.parametrize("name", NN)
def test_network_ops_second_derivatives_match_torch_double_backward(name):
    torch = pytest.importorskip("torch")
    shapes, f, tf = _torch_nn_cases()[name]
    xs, v = _inputs(shapes)
    w = rng.standard_normal(np.shape(f(*[Tensor(x) for x in xs]).data))
    firsts, hv = _hvp(f, xs, v, w)
    leaves = [torch.tensor(x, requires_grad=True) for x in xs]
    out = tf(*leaves)
    loss = (out * torch.tensor(w)).sum()
    tfirsts = torch.autograd.grad(loss, leaves, create_graph=True)
    s = sum((g * torch.tensor(vi)).sum() for g, vi in zip(tfirsts, v, strict=True))
    thv = torch.autograd.grad(s, leaves, allow_unused=True)
    for mine, theirs in zip(firsts, tfirsts, strict=True):
        np.testing.assert_allclose(mine, theirs.detach().numpy(), rtol=1e-7, atol=1e-9)
    for mine, theirs, x in zip(hv, thv, xs, strict=True):
        expected = np.zeros_like(x) if theirs is None else theirs.numpy()
        np.testing.assert_allclose(mine, expected, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", NN)
def test_network_ops_second_derivatives_match_central_differences(name):
    pytest.importorskip("torch")  # only for the case table's torch twins
    shapes, f, _ = _torch_nn_cases()[name]
    _check_by_finite_differences(f, shapes)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_the_cases_reach_every_tensor_op_in_the_recorded_passes():
    pytest.importorskip("torch")
    from autograd import topological_order
    from autograd.graph import Op

    seen = set()
    for shapes, f, _ in [*CASES.values(), *_torch_nn_cases().values()]:
        xs, v = _inputs(shapes)
        leaves = [Tensor(x, requires_grad=True) for x in xs]
        out = f(*leaves)
        firsts = [g for g in grad(out.sum(), leaves, create_graph=True) if g is not None]
        square = sum(((g * g).sum() for g in firsts), Tensor(0.0))
        seconds = [h for h in grad(square, leaves, create_graph=True) if h is not None]
        for root in [out, *firsts, *seconds]:
            seen |= {node._rule for node in topological_order(root) if node._rule is not None}
    tensor_ops = {op for op in _subclasses(Op) if op.__module__.startswith("autograd.ops.")
                  and op.__module__ != "autograd.ops.scalar"}
    assert tensor_ops - seen == set()
