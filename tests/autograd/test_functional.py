"""autograd.functional: dense, conv2d, pooling and fused losses against finite differences and torch.

(dense's gradient and second-derivative checks live in the shared case table, helpers.CASES.)
"""

import numpy as np
import pytest

from autograd import Tensor, no_grad
from autograd import functional as F


def numeric_grad(f, arrays, which, eps=1e-6):
    """Central differences of sum(f(*arrays) * w) with respect to arrays[which] (float64)."""
    x = arrays[which]
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        up = f(*arrays)
        x[idx] = old - eps
        down = f(*arrays)
        x[idx] = old
        grad[idx] = (up - down) / (2 * eps)
    return grad


def check_grads(op, arrays, seed=0, atol=1e-6):
    """Backprop a random upstream gradient through op and compare every input's grad to differences."""
    rng = np.random.default_rng(seed)
    out = op(*[Tensor(a) for a in arrays])
    w = rng.standard_normal(out.shape)
    tensors = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    op(*tensors).backward(w)
    scalar = lambda *arrs: float((op(*[Tensor(a) for a in arrs]).data * w).sum())
    for i, t in enumerate(tensors):
        expected = numeric_grad(scalar, [a.copy() for a in arrays], i)
        np.testing.assert_allclose(t.grad, expected, atol=atol, rtol=1e-5, err_msg=f"input {i}")


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


CONV_CASES = [  # (x shape, kernel shape, strides, padding)
    ((2, 5, 6, 3), (3, 3, 3, 4), 1, "valid"),
    ((2, 5, 6, 3), (3, 3, 3, 4), 1, "same"),
    ((1, 7, 5, 2), (3, 2, 2, 3), 2, "valid"),
    ((1, 7, 5, 2), (2, 2, 2, 3), 2, "same"),  # even kernel + stride: asymmetric padding
    ((2, 6, 7, 1), (3, 3, 1, 2), (2, 1), "same"),
    ((1, 4, 4, 2), (4, 4, 2, 2), 1, "valid"),  # kernel as large as the input
]


@pytest.mark.parametrize("xs, ks, strides, padding", CONV_CASES)
def test_conv2d_gradients_match_finite_differences(xs, ks, strides, padding):
    op = lambda x, k, b: F.conv2d(x, k, b, strides=strides, padding=padding)
    check_grads(op, [rand(*xs, seed=1), rand(*ks, seed=2), rand(ks[3], seed=3)])


def test_conv2d_same_pads_bottom_right_like_tensorflow():
    y = F.conv2d(np.ones((1, 4, 4, 1)), np.ones((2, 2, 1, 1)), padding="same").data[0, :, :, 0]
    assert y.shape == (4, 4)
    assert y[0, 0] == 4 and y[3, 3] == 1 and y[0, 3] == 2 and y[3, 0] == 2  # the extra row/col is after
    y = F.conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), strides=2, padding="same").data
    assert y.shape == (1, 3, 3, 1) and y[0, 0, 0, 0] == 4 and y[0, 1, 1, 0] == 9


@pytest.mark.parametrize("pool, strides, padding, shape", [
    (2, None, "valid", (2, 6, 4, 3)),
    (2, None, "valid", (1, 7, 5, 2)),   # odd sizes: the last row/column is dropped
    (2, None, "same", (1, 7, 5, 2)),
    (3, 2, "valid", (1, 7, 7, 2)),      # overlapping windows
    (3, 2, "same", (1, 6, 5, 1)),
    ((2, 3), (1, 2), "valid", (2, 5, 7, 1)),
])
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_gradients_match_finite_differences(kind, pool, strides, padding, shape):
    fn = F.max_pool2d if kind == "max" else F.avg_pool2d
    x = np.random.default_rng(0).permutation(np.prod(shape)).reshape(shape) * 0.1  # distinct: no ties
    check_grads(lambda t: fn(t, pool, strides, padding), [x.astype(np.float64)])


def test_max_pool_ties_route_to_one_winner():
    x = Tensor(np.ones((1, 4, 4, 1)), requires_grad=True)
    F.max_pool2d(x).backward(np.ones((1, 2, 2, 1)))
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1  # the first (top-left) cell of each window
    np.testing.assert_array_equal(x.grad[0, :, :, 0], expected)
    x = Tensor(np.ones((1, 5, 5, 1)), requires_grad=True)  # overlapping windows
    F.max_pool2d(x, 3, 2).backward(np.ones((1, 2, 2, 1)))
    assert x.grad.sum() == 4 and x.grad[0, ::2, ::2, 0][:2, :2].sum() == 4
    data = np.ones((1, 5, 5, 1))
    data[0, 2, 2, 0] = 5  # the cell all four windows share wins in each of them
    x = Tensor(data, requires_grad=True)
    F.max_pool2d(x, 3, 2).backward(np.ones((1, 2, 2, 1)))
    assert x.grad.sum() == 4 and x.grad[0, 2, 2, 0] == 4


def test_same_avg_pool_counts_only_real_cells():
    x = np.arange(25, dtype=np.float64).reshape(1, 5, 5, 1)
    y = F.avg_pool2d(x, 2, padding="same").data[0, :, :, 0]
    assert y.shape == (3, 3)
    assert y[2, 2] == 24 and y[0, 2] == (4 + 9) / 2 and y[0, 0] == (0 + 1 + 5 + 6) / 4


def test_max_pool_same_ignores_padding():
    y = F.max_pool2d(-np.ones((1, 3, 3, 1)), 2, padding="same").data
    assert y.shape == (1, 2, 2, 1) and (y == -1).all()


@pytest.mark.parametrize("labels", ["int", "onehot", "probs"])
def test_softmax_cross_entropy_gradients(labels):
    rng = np.random.default_rng(0)
    z = rng.standard_normal((4, 3))
    idx = np.array([0, 2, 1, 2])
    if labels == "int":
        check_grads(lambda t: F.softmax_cross_entropy(t, idx), [z])
    else:
        t = np.eye(3)[idx] if labels == "onehot" else rng.dirichlet(np.ones(3), size=4)
        check_grads(lambda a, b: F.softmax_cross_entropy(a, b), [z, t])


def test_sigmoid_binary_cross_entropy_gradients():
    rng = np.random.default_rng(0)
    check_grads(F.sigmoid_binary_cross_entropy, [rng.standard_normal((5, 2)) * 3, rng.uniform(size=(5, 2))])


def test_losses_are_stable_for_huge_logits():
    z = np.array([[1e4, -1e4, 0.0]], dtype=np.float32)
    ce = F.softmax_cross_entropy(Tensor(z, requires_grad=True), [1])
    assert np.isclose(ce.item(), 2e4) and ce.dtype == np.float32
    bce = F.sigmoid_binary_cross_entropy(Tensor(z, requires_grad=True), np.array([[0.0, 1.0, 1.0]]))
    assert np.isclose(bce.item(), (1e4 + 1e4 + np.log(2)) / 3)
    zt = Tensor(z, requires_grad=True)
    F.sigmoid_binary_cross_entropy(zt, np.zeros_like(z)).backward()
    assert np.isfinite(zt.grad).all() and np.allclose(zt.grad, [[1 / 3, 0, 1 / 6]])


def test_conv2d_second_backward_with_retain_graph_recomputes_dropped_buffers():
    x = Tensor(rand(1, 5, 5, 2), requires_grad=True)
    k = Tensor(rand(3, 3, 2, 2, seed=1), requires_grad=True)
    y = F.conv2d(x, k)
    g = rand(*y.shape, seed=2)
    y.backward(g, retain_graph=True)
    first_x, first_k = x.grad.copy(), k.grad.copy()
    y.backward(g)
    np.testing.assert_allclose(x.grad, 2 * first_x)
    np.testing.assert_allclose(k.grad, 2 * first_k)


def test_softmax_cross_entropy_second_backward_with_retain_graph_recomputes_its_gradient():
    z = Tensor(rand(5, 4), requires_grad=True)
    loss = F.softmax_cross_entropy(z, [0, 3, 1, 1, 2])
    loss.backward(retain_graph=True)
    first = z.grad.copy()
    loss.backward(np.array(2.0))  # the gradient made in forward was used up by the first pass
    np.testing.assert_allclose(z.grad, 3 * first, rtol=1e-12)


@pytest.mark.parametrize("activation", [None, "linear", "relu"])
def test_dense_is_the_unfused_composition_in_one_node(activation):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 5)).astype(np.float32)  # a constant input, as the first layer sees it
    w = Tensor(rng.standard_normal((5, 3)).astype(np.float32), requires_grad=True)
    b = Tensor(rng.standard_normal(3).astype(np.float32), requires_grad=True)
    y = F.dense(x, w, b, activation=activation)
    assert y.op == "dense" and len(y.parents) == 2 and y.dtype == np.float32
    (y * np.arange(3)).sum().backward()
    w2, b2 = Tensor(w.data, requires_grad=True), Tensor(b.data, requires_grad=True)
    y2 = x @ w2 + b2
    y2 = y2.relu() if activation == "relu" else y2
    (y2 * np.arange(3)).sum().backward()
    np.testing.assert_array_equal(y.data, y2.data)
    np.testing.assert_allclose(w.grad, w2.grad, rtol=1e-6)
    np.testing.assert_allclose(b.grad, b2.grad, rtol=1e-6)
    assert w.grad.dtype == b.grad.dtype == np.float32


def test_dense_promotes_int_inputs_and_leaves_its_inputs_untouched():
    x = np.arange(6).reshape(2, 3)
    w = Tensor(np.ones((3, 2), np.float32), requires_grad=True)
    b = np.array([-100.0, 0.0], np.float32)
    y = F.dense(x, w, b, activation="relu")
    assert y.dtype == np.float32 and y.data.tolist() == [[0.0, 3.0], [0.0, 12.0]]
    assert b.tolist() == [-100.0, 0.0] and x.tolist() == [[0, 1, 2], [3, 4, 5]]


def test_constant_inputs_get_no_gradient_and_no_grad_records_nothing():
    x, k = Tensor(rand(1, 4, 4, 1)), Tensor(rand(2, 2, 1, 3, seed=1), requires_grad=True)
    y = F.conv2d(x, k)
    y.backward(np.ones(y.shape))
    assert x.grad is None and k.grad.shape == (2, 2, 1, 3)
    with no_grad():
        y = F.max_pool2d(F.conv2d(x, k))
    assert y.op == "" and not y.requires_grad


def test_float32_stays_float32():
    x = Tensor(rand(2, 6, 6, 3).astype(np.float32), requires_grad=True)
    k = Tensor(rand(3, 3, 3, 4).astype(np.float32), requires_grad=True)
    y = F.avg_pool2d(F.max_pool2d(F.conv2d(x, k, np.zeros(4, np.float32), padding="same")), 1)
    y.backward(np.ones(y.shape, np.float32))
    assert y.dtype == x.grad.dtype == k.grad.dtype == np.float32


ONES = np.ones((1, 4, 4, 3))


@pytest.mark.parametrize("call, message", [
    (lambda: F.conv2d(np.ones((4, 4, 3)), np.ones((3, 3, 3, 2))), r"conv2d: x must be 4-D.*\(4, 4, 3\)"),
    (lambda: F.conv2d(np.ones((1, 4, 4, 3)), np.ones((3, 3, 2))), r"conv2d: kernel must be 4-D"),
    (lambda: F.conv2d(np.ones((1, 4, 4, 3)), np.ones((3, 3, 2, 5))), r"conv2d: x has 3 channels.*expects 2"),
    (lambda: F.conv2d(np.ones((1, 4, 4, 3)), np.ones((3, 3, 3, 5)), padding="full"), r"padding='full'"),
    (lambda: F.conv2d(np.ones((1, 2, 4, 3)), np.ones((3, 3, 3, 5))), r"conv2d: kernel \(3, 3\) is larger"),
    (lambda: F.conv2d(np.ones((1, 4, 4, 3)), np.ones((3, 3, 3, 5)), strides=0), r"strides=0"),
    (lambda: F.conv2d(ONES, np.ones((3, 3, 3, 5)), np.ones(4)), r"bias must have shape \(5,\)"),
    (lambda: F.dense(np.ones((2, 3)), np.ones((4, 2))), r"dense: shapes \(2, 3\) and \(4, 2\) are not"),
    (lambda: F.dense(np.ones((2, 3)), np.ones(3)), r"dense: kernel must be 2-D"),
    (lambda: F.dense(np.ones((2, 3)), np.ones((3, 2)), np.ones(3)), r"dense: bias must have shape \(2,\)"),
    (lambda: F.dense(np.ones((2, 3)), np.ones((3, 2)), activation="tanh"), r"dense: activation must be"),
    (lambda: F.max_pool2d(np.ones((1, 4, 4))), r"max_pool2d: x must be 4-D"),
    (lambda: F.avg_pool2d(np.ones((1, 1, 4, 1))), r"avg_pool2d: pool_size \(2, 2\) is larger"),
    (lambda: F.max_pool2d(np.ones((1, 4, 4, 1)), (2, 2, 2)), r"pool_size must be an int or a pair"),
    (lambda: F.softmax_cross_entropy(np.ones((2, 3)), [0, 3]), r"softmax_cross_entropy: labels.*\[0, 3\)"),
    (lambda: F.softmax_cross_entropy(np.ones((2, 3)), [0, 1, 2]), r"integer labels must have shape \(2,\)"),
    (lambda: F.softmax_cross_entropy(np.ones((2, 3)), np.ones((2, 2))), r"labels must have the logits'"),
    (lambda: F.sigmoid_binary_cross_entropy(np.ones((4, 1)), np.ones(4)), r"targets must have the logits'"),
])
def test_errors_name_the_op_and_the_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- torch parity -------------------------------------------------------------------------------
def tf_pads(size, k, s):
    """TensorFlow's documented 'same' padding: (before, after)."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


@pytest.mark.parametrize("xs, ks, strides, padding", CONV_CASES)
def test_conv2d_matches_torch(xs, ks, strides, padding):
    torch = pytest.importorskip("torch")
    x, k, b = rand(*xs, seed=1), rand(*ks, seed=2), rand(ks[3], seed=3)
    sh, sw = (strides, strides) if isinstance(strides, int) else strides
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)  # NHWC -> NCHW
    kt = torch.tensor(k.transpose(3, 2, 0, 1), requires_grad=True)  # (KH, KW, C, F) -> (F, C, KH, KW)
    bt = torch.tensor(b, requires_grad=True)
    xp = xt
    if padding == "same":  # torch's own 'same' is symmetric; pad explicitly as TensorFlow does
        (top, bottom), (left, right) = tf_pads(xs[1], ks[0], sh), tf_pads(xs[2], ks[1], sw)
        xp = torch.nn.functional.pad(xt, (left, right, top, bottom))
    yt = torch.nn.functional.conv2d(xp, kt, bt, stride=(sh, sw))
    g = rand(*yt.shape, seed=4)
    yt.backward(torch.tensor(g))
    tx, tk, tb = Tensor(x, requires_grad=True), Tensor(k, requires_grad=True), Tensor(b, requires_grad=True)
    y = F.conv2d(tx, tk, tb, strides=strides, padding=padding)
    y.backward(g.transpose(0, 2, 3, 1))
    np.testing.assert_allclose(y.data, yt.detach().numpy().transpose(0, 2, 3, 1), atol=1e-10)
    np.testing.assert_allclose(tx.grad, xt.grad.numpy().transpose(0, 2, 3, 1), atol=1e-10)
    np.testing.assert_allclose(tk.grad, kt.grad.numpy().transpose(2, 3, 1, 0), atol=1e-10)
    np.testing.assert_allclose(tb.grad, bt.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("pool, strides, padding", [(2, None, "valid"), (3, 2, "valid"), (3, 2, "same"),
                                                    (2, None, "same")])
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_matches_torch_including_ties(kind, pool, strides, padding):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).integers(0, 3, size=(2, 7, 6, 3)).astype(np.float64)  # many ties
    s = strides or pool
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    xp = xt
    if padding == "same":
        (top, bottom), (left, right) = tf_pads(7, pool, s), tf_pads(6, pool, s)
        fill = -float("inf") if kind == "max" else 0.0
        xp = torch.nn.functional.pad(xt, (left, right, top, bottom), value=fill)
    if kind == "max":
        yt = torch.nn.functional.max_pool2d(xp, pool, s)
    else:  # Keras 'same' averages over real cells: divide the window sums by the real-cell counts
        ones = torch.nn.functional.pad(torch.ones_like(xt), (left, right, top, bottom)) if padding == "same" \
            else torch.ones_like(xt)
        yt = torch.nn.functional.avg_pool2d(xp, pool, s) / torch.nn.functional.avg_pool2d(ones, pool, s)
    g = rand(*yt.shape, seed=4)
    yt.backward(torch.tensor(g))
    tx = Tensor(x, requires_grad=True)
    y = (F.max_pool2d if kind == "max" else F.avg_pool2d)(tx, pool, strides, padding)
    y.backward(g.transpose(0, 2, 3, 1))
    np.testing.assert_allclose(y.data, yt.detach().numpy().transpose(0, 2, 3, 1), atol=1e-12)
    np.testing.assert_allclose(tx.grad, xt.grad.numpy().transpose(0, 2, 3, 1), atol=1e-12)


def test_losses_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    z, idx = rng.standard_normal((6, 4)) * 5, rng.integers(0, 4, 6)
    probs = rng.dirichlet(np.ones(4), size=6)
    for labels, tlabels in [(idx, torch.tensor(idx)), (probs, torch.tensor(probs))]:
        zt = torch.tensor(z, requires_grad=True)
        lt = torch.nn.functional.cross_entropy(zt, tlabels)
        lt.backward()
        mine = Tensor(z, requires_grad=True)
        loss = F.softmax_cross_entropy(mine, labels)
        loss.backward()
        assert np.isclose(loss.item(), lt.item(), atol=1e-12)
        np.testing.assert_allclose(mine.grad, zt.grad.numpy(), atol=1e-12)
    t = rng.uniform(size=(6, 4))
    zt = torch.tensor(z, requires_grad=True)
    lt = torch.nn.functional.binary_cross_entropy_with_logits(zt, torch.tensor(t))
    lt.backward()
    mine = Tensor(z, requires_grad=True)
    loss = F.sigmoid_binary_cross_entropy(mine, t)
    loss.backward()
    assert np.isclose(loss.item(), lt.item(), atol=1e-12)
    np.testing.assert_allclose(mine.grad, zt.grad.numpy(), atol=1e-12)



def test_unpadded_pool_and_conv_input_gradients_are_arrays_of_their_own():
    # arrays of their own, not views that would keep a bigger (padded) buffer alive
    from autograd.ops import kernels as kernels_conv

    x = rand(2, 6, 6, 3).astype(np.float32)
    y = kernels_conv.max_pool_forward(x, (2, 2), (2, 2), "valid")
    assert kernels_conv.max_pool_backward(np.ones_like(y), y, x, (2, 2), (2, 2), "valid").base is None
    kernel, g = np.ones((3, 3, 3, 5), np.float32), np.ones((2, 4, 4, 5), np.float32)
    dx, _, _ = kernels_conv.conv2d_backward(g, None, x, kernel, (1, 1), "valid", True, True, True)
    assert dx.base is None and dx.shape == x.shape
