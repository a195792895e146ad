"""autograd.functional on random shapes (hypothesis) against the definitions, written as plain loops."""

import numpy as np
import pytest

from autograd import functional as F

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def tf_pads(size, k, s):
    """TensorFlow's documented 'same' padding: (before, after)."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def naive_conv(x, k, sh, sw, padding):
    n, h, w, c = x.shape
    kh, kw, _, f = k.shape
    if padding == "same":
        (top, bottom), (left, right) = tf_pads(h, kh, sh), tf_pads(w, kw, sw)
        x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    oh, ow = (x.shape[1] - kh) // sh + 1, (x.shape[2] - kw) // sw + 1
    y = np.zeros((n, oh, ow, f))
    for p in range(oh):
        for q in range(ow):
            patch = x[:, p * sh:p * sh + kh, q * sw:q * sw + kw, :]
            y[:, p, q, :] = np.tensordot(patch, k, axes=([1, 2, 3], [0, 1, 2]))
    return y


def naive_pool(x, ph, pw, sh, sw, padding, kind):
    h, w = x.shape[1:3]
    if padding == "same":
        (top, bottom), (left, right) = tf_pads(h, ph, sh), tf_pads(w, pw, sw)
    else:
        top = bottom = left = right = 0
    oh = (h + top + bottom - ph) // sh + 1
    ow = (w + left + right - pw) // sw + 1
    y = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for p in range(oh):
        for q in range(ow):
            r0, c0 = p * sh - top, q * sw - left
            cells = x[:, max(r0, 0):r0 + ph, max(c0, 0):c0 + pw, :]  # only the real cells
            y[:, p, q, :] = cells.max(axis=(1, 2)) if kind == "max" else cells.mean(axis=(1, 2))
    return y


@hypothesis.settings(max_examples=40, deadline=None)
@hypothesis.given(n=st.integers(1, 2), h=st.integers(1, 7), w=st.integers(1, 7), c=st.integers(1, 3),
                  f=st.integers(1, 3), kh=st.integers(1, 4), kw=st.integers(1, 4), sh=st.integers(1, 3),
                  sw=st.integers(1, 3), padding=st.sampled_from(["valid", "same"]))
def test_conv2d_matches_its_definition_on_random_shapes(n, h, w, c, f, kh, kw, sh, sw, padding):
    hypothesis.assume(padding == "same" or (kh <= h and kw <= w))
    x, k = rand(n, h, w, c, seed=h * w), rand(kh, kw, c, f, seed=kh * kw)
    y = F.conv2d(x, k, strides=(sh, sw), padding=padding).data
    np.testing.assert_allclose(y, naive_conv(x, k, sh, sw, padding), atol=1e-12)


@hypothesis.settings(max_examples=40, deadline=None)
@hypothesis.given(h=st.integers(1, 7), w=st.integers(1, 7), ph=st.integers(1, 3), pw=st.integers(1, 3),
                  sh=st.integers(1, 3), sw=st.integers(1, 3), padding=st.sampled_from(["valid", "same"]),
                  kind=st.sampled_from(["max", "avg"]))
def test_pooling_matches_its_definition_on_random_shapes(h, w, ph, pw, sh, sw, padding, kind):
    hypothesis.assume(padding == "same" or (ph <= h and pw <= w))
    x = rand(2, h, w, 2, seed=h + w)
    fn = F.max_pool2d if kind == "max" else F.avg_pool2d
    y = fn(x, (ph, pw), (sh, sw), padding).data
    np.testing.assert_allclose(y, naive_pool(x, ph, pw, sh, sw, padding, kind), atol=1e-12)


@hypothesis.settings(max_examples=40, deadline=None)
@hypothesis.given(lead=st.lists(st.integers(1, 3), min_size=0, max_size=3), n_in=st.integers(1, 5),
                  n_out=st.integers(1, 5), bias=st.booleans(), relu=st.booleans())
def test_dense_and_its_gradients_match_the_unfused_ops_on_random_shapes(lead, n_in, n_out, bias, relu):
    from autograd import Tensor

    x, w, b = rand(*lead, n_in, seed=n_in), rand(n_in, n_out, seed=n_out), rand(n_out, seed=7)
    fused = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    plain = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    y = F.dense(fused[0], fused[1], fused[2] if bias else None, activation="relu" if relu else None)
    z = plain[0] @ plain[1] + (plain[2] if bias else 0.0)
    z = z.relu() if relu else z
    g = rand(*z.shape, seed=3)
    y.backward(g)
    z.backward(g)
    np.testing.assert_allclose(y.data, z.data, atol=1e-12)
    for a, b_ in zip(fused, plain, strict=True):
        if b_.grad is not None:
            np.testing.assert_allclose(a.grad, b_.grad, atol=1e-12)
