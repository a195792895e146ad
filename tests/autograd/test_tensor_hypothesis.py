"""Property-based shapes (hypothesis): broadcasting, reductions and reshapes agree with numpy."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd import Tensor

FAST = settings(max_examples=25, deadline=None)


@st.composite
def broadcastable_pair(draw):
    """Two shapes numpy can broadcast together (size-1 axes and missing leading axes included)."""
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4))
    return shapes.input_shapes


@st.composite
def shape_and_axis(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    axes = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=len(shape),
                         unique_by=lambda a: a % len(shape)))
    return shape, tuple(axes), draw(st.booleans())


@FAST
@given(broadcastable_pair(), st.sampled_from(["add", "sub", "mul", "div"]))
def test_binary_ops_broadcast_like_numpy_and_grads_sum_back(shapes, op):
    rng = np.random.default_rng(0)
    a, b = (rng.uniform(0.5, 2.0, s) for s in shapes)
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    out = {"add": ta + tb, "sub": ta - tb, "mul": ta * tb, "div": ta / tb}[op]
    expected = {"add": a + b, "sub": a - b, "mul": a * b, "div": a / b}[op]
    np.testing.assert_allclose(out.data, expected)
    out.sum().backward()
    assert ta.grad.shape == a.shape and tb.grad.shape == b.shape
    ones = np.ones(expected.shape)
    db = {"add": ones, "sub": -ones, "mul": ones * a, "div": -a / b**2 * ones}[op]
    extra = len(expected.shape) - b.ndim
    db = db.sum(axis=tuple(range(extra)))
    db = db.sum(axis=tuple(i for i, n in enumerate(b.shape) if n == 1), keepdims=True)
    np.testing.assert_allclose(tb.grad, db.reshape(b.shape), rtol=1e-12)


@FAST
@given(shape_and_axis(), st.sampled_from(["sum", "mean", "max", "logsumexp"]))
def test_reductions_match_numpy_and_grad_has_input_shape(case, name):
    shape, axes, keepdims = case
    a = np.random.default_rng(1).standard_normal(shape)
    t = Tensor(a, requires_grad=True)
    out = getattr(t, name)(axis=axes, keepdims=keepdims)
    if name == "logsumexp":
        m = a.max(axis=axes, keepdims=True)
        expected = np.log(np.exp(a - m).sum(axis=axes, keepdims=True)) + m
        expected = expected if keepdims else np.squeeze(expected, axis=axes)
    else:
        expected = getattr(np, name)(a, axis=axes, keepdims=keepdims)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    out.sum().backward()
    assert t.grad.shape == shape
    if name == "sum":
        assert np.all(t.grad == 1.0)
    else:  # mean, max and logsumexp weights over each reduced group sum to 1
        np.testing.assert_allclose(t.grad.sum(), np.size(expected), rtol=1e-9)


@FAST
@given(hnp.array_shapes(min_dims=1, max_dims=4, max_side=4), st.randoms(use_true_random=False))
def test_reshape_transpose_roundtrip_gradients_are_permutations(shape, rnd):
    a = np.arange(float(np.prod(shape))).reshape(shape)
    perm = list(range(len(shape)))
    rnd.shuffle(perm)
    t = Tensor(a, requires_grad=True)
    out = t.transpose(*perm).reshape(-1)
    np.testing.assert_array_equal(out.data, a.transpose(perm).reshape(-1))
    w = np.arange(out.size, dtype=float)
    out.backward(w)
    np.testing.assert_array_equal(t.grad.transpose(perm).reshape(-1), w)


@FAST
@given(st.integers(1, 6), st.lists(st.integers(0, 5), min_size=1, max_size=8))
def test_gather_gradient_counts_repeats(n, picks):
    picks = [p % n for p in picks]
    t = Tensor(np.zeros(n), requires_grad=True)
    t[np.array(picks)].sum().backward()
    np.testing.assert_array_equal(t.grad, np.bincount(picks, minlength=n))


@st.composite
def matmul_shapes(draw):
    """Operand shapes for a (possibly batched, possibly broadcast, possibly vector) matmul."""
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3))
    a = (k,) if draw(st.booleans()) and not batch.input_shapes[0] else (*batch.input_shapes[0], n, k)
    b = (k,) if draw(st.booleans()) and not batch.input_shapes[1] else (*batch.input_shapes[1], k, m)
    return a, b


@FAST
@given(matmul_shapes())
def test_matmul_matches_numpy_and_gradients_keep_operand_shapes(shapes):
    rng = np.random.default_rng(2)
    a, b = (rng.standard_normal(s) for s in shapes)
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    out = ta @ tb
    np.testing.assert_allclose(out.data, a @ b, rtol=1e-12)
    out.sum().backward()
    assert ta.grad.shape == a.shape and tb.grad.shape == b.shape
    # d(sum(a @ b))/da = row sums of b broadcast: check one direction exactly for the vector/matrix case
    if a.ndim == 2 and b.ndim == 2:
        np.testing.assert_allclose(ta.grad, np.broadcast_to(b.sum(axis=1), a.shape), rtol=1e-12)
