"""Shared test helpers: a float64 finite-difference checker and the table of Tensor math cases.

Each case is ``(name, fn, torch_fn, shapes, domain)``: ``fn`` maps engine Tensors to a Tensor,
``torch_fn`` does the same math with torch (None when torch spells it too differently), ``shapes``
are the input shapes and ``domain`` is "any" or "positive". The same table drives the
finite-difference, second-order and torch-parity tests.
"""

from __future__ import annotations

import numpy as np

from autograd import Tensor, concatenate, maximum, minimum, stack, where
from autograd import functional as F

_REPEAT = np.array([0, 2, 0, 1, 0])  # repeated indices: their gradients must accumulate


def inputs_for(shapes, domain="any", seed=0):
    """float64 arrays of ``shapes``; "positive" draws from [0.5, 2], "any" avoids near-ties and 0."""
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in shapes:
        if domain == "positive":
            arrays.append(rng.uniform(0.5, 2.0, shape))
        else:  # distinct magnitudes away from 0 keep relu/abs/max away from their kinks
            x = rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
            arrays.append(x)
    return arrays


def numeric_grad(f, x, eps=1e-6):
    """Central differences of the scalar function ``f`` at the float64 array ``x`` (restored after)."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        hi = f(x)
        x[i] = old - eps
        lo = f(x)
        x[i] = old
        g[i] = (hi - lo) / (2 * eps)
    return g


def weights_like(shape, seed=1):
    """A fixed, non-uniform upstream gradient, so rules are tested beyond all-ones."""
    return np.random.default_rng(seed).uniform(0.5, 1.5, shape)


def check_gradients(fn, arrays, rtol=1e-5, atol=1e-7):
    """Assert backward() through ``fn`` matches central differences for every input (float64)."""
    tensors = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = fn(*tensors)
    w = weights_like(out.shape)
    out.backward(w)
    for k, t in enumerate(tensors):
        def f(x, k=k):
            args = [Tensor(x if j == k else arrays[j]) for j in range(len(arrays))]
            return float((fn(*args).data * w).sum())

        expected = numeric_grad(f, arrays[k].copy())
        assert t.grad is not None, f"input {k} got no gradient"
        assert t.grad.shape == arrays[k].shape
        np.testing.assert_allclose(t.grad, expected, rtol=rtol, atol=atol, err_msg=f"input {k}")


def _torch_leaky(t):
    import torch

    return torch.nn.functional.leaky_relu(t, 0.1)


def _torch_getitem(t):
    return t[_REPEAT][:, 1:] * 2


CASES = [
    # name, engine fn, torch fn, shapes, domain
    ("add_broadcast_right", lambda a, b: a + b, lambda a, b: a + b, [(2, 3), (3,)], "any"),
    ("add_broadcast_left", lambda a, b: a + b, lambda a, b: a + b, [(3,), (4, 3)], "any"),
    ("add_size1_both", lambda a, b: a + b, lambda a, b: a + b, [(2, 1, 4), (1, 3, 1)], "any"),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, [(2, 1), (1, 3)], "any"),
    ("rsub_scalar", lambda a: 3.0 - a, lambda a: 3.0 - a, [(2, 3)], "any"),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, [(2, 3), (2, 1)], "any"),
    ("mul_self", lambda a: a * a, lambda a: a * a, [(4,)], "any"),
    ("div", lambda a, b: a / b, lambda a, b: a / b, [(2, 3), (3,)], "positive"),
    ("rdiv_scalar", lambda a: 2.0 / a, lambda a: 2.0 / a, [(2, 3)], "positive"),
    ("neg", lambda a: -a, lambda a: -a, [(2, 3)], "any"),
    ("pow_const", lambda a: a ** 3, lambda a: a ** 3, [(2, 3)], "any"),
    ("pow_square", lambda a: a ** 2, lambda a: a ** 2, [(2, 3)], "any"),
    ("pow_frac", lambda a: a ** 1.5, lambda a: a ** 1.5, [(2, 3)], "positive"),
    ("pow_tensor", lambda a, b: a ** b, lambda a, b: a ** b, [(2, 3), (3,)], "positive"),
    ("rpow_scalar", lambda a: 2.0 ** a, lambda a: 2.0 ** a, [(2, 3)], "any"),
    ("matmul", lambda a, b: a @ b, lambda a, b: a @ b, [(2, 3), (3, 4)], "any"),
    ("matmul_batched", lambda a, b: a @ b, lambda a, b: a @ b, [(2, 2, 3), (2, 3, 4)], "any"),
    ("matmul_broadcast", lambda a, b: a @ b, lambda a, b: a @ b, [(2, 1, 2, 3), (3, 3, 2)], "any"),
    ("matmul_vec_mat", lambda a, b: a @ b, lambda a, b: a @ b, [(3,), (2, 3, 4)], "any"),
    ("matmul_mat_vec", lambda a, b: a @ b, lambda a, b: a @ b, [(2, 3), (3,)], "any"),
    ("matmul_vec_vec", lambda a, b: a @ b, lambda a, b: a @ b, [(3,), (3,)], "any"),
    ("dense_relu", lambda x, w, b: F.dense(x, w, b, "relu"), lambda x, w, b: (x @ w + b).relu(),
     [(4, 3), (3, 5), (5,)], "any"),
    ("dense_batched_linear", lambda x, w, b: F.dense(x, w, b), lambda x, w, b: x @ w + b,
     [(2, 3, 4), (4, 2), (2,)], "any"),
    ("dense_vector_no_bias", lambda x, w: F.dense(x, w, activation="relu"), lambda x, w: (x @ w).relu(),
     [(3,), (3, 4)], "any"),
    ("exp", lambda a: a.exp(), lambda a: a.exp(), [(2, 3)], "any"),
    ("log", lambda a: a.log(), lambda a: a.log(), [(2, 3)], "positive"),
    ("sqrt", lambda a: a.sqrt(), lambda a: a.sqrt(), [(2, 3)], "positive"),
    ("abs", lambda a: a.abs(), lambda a: a.abs(), [(2, 3)], "any"),
    ("tanh", lambda a: a.tanh(), lambda a: a.tanh(), [(2, 3)], "any"),
    ("sigmoid", lambda a: a.sigmoid(), lambda a: a.sigmoid(), [(2, 3)], "any"),
    ("relu", lambda a: a.relu(), lambda a: a.relu(), [(2, 3)], "any"),
    ("leaky_relu", lambda a: a.leaky_relu(0.1), lambda a: _torch_leaky(a), [(2, 3)], "any"),
    ("clip", lambda a: a.clip(-0.5, 0.7), lambda a: a.clamp(-0.5, 0.7), [(3, 4)], "any"),
    ("sum_all", lambda a: a.sum(), lambda a: a.sum(), [(2, 3)], "any"),
    ("sum_axis_neg_keepdims", lambda a: a.sum(axis=-1, keepdims=True), lambda a: a.sum(-1, keepdim=True),
     [(2, 3)], "any"),
    ("sum_tuple_axes", lambda a: a.sum(axis=(0, 2)), lambda a: a.sum((0, 2)), [(2, 3, 4)], "any"),
    ("mean", lambda a: a.mean(axis=1), lambda a: a.mean(1), [(2, 3, 2)], "any"),
    ("mean_keepdims", lambda a: a.mean(axis=(-1, 0), keepdims=True), lambda a: a.mean((-1, 0), keepdim=True),
     [(2, 3, 2)], "any"),
    ("max_axis", lambda a: a.max(axis=0), lambda a: a.amax(0), [(3, 4)], "any"),
    ("max_all", lambda a: a.max(), lambda a: a.amax(), [(3, 4)], "any"),
    ("min_keepdims", lambda a: a.min(axis=-1, keepdims=True), lambda a: a.amin(-1, keepdim=True),
     [(3, 4)], "any"),
    ("var", lambda a: a.var(axis=1), lambda a: a.var(1, unbiased=False), [(3, 4)], "any"),
    ("var_all", lambda a: a.var(), lambda a: a.var(unbiased=False), [(3, 4)], "any"),
    ("logsumexp", lambda a: a.logsumexp(axis=-1), lambda a: a.logsumexp(-1), [(3, 4)], "any"),
    ("logsumexp_keepdims", lambda a: a.logsumexp(axis=(0, 1), keepdims=True),
     lambda a: a.logsumexp((0, 1), keepdim=True), [(3, 4)], "any"),
    ("softmax", lambda a: a.softmax(), lambda a: a.softmax(-1), [(3, 4)], "any"),
    ("softmax_axis0", lambda a: a.softmax(axis=0), lambda a: a.softmax(0), [(3, 4)], "any"),
    ("log_softmax", lambda a: a.log_softmax(), lambda a: a.log_softmax(-1), [(3, 4)], "any"),
    ("reshape", lambda a: a.reshape(3, -1) * 1.0, lambda a: a.reshape(3, -1) * 1.0, [(2, 3, 2)], "any"),
    ("transpose", lambda a: a.transpose(2, 0, 1), lambda a: a.permute(2, 0, 1), [(2, 3, 4)], "any"),
    ("T", lambda a, b: a.T @ b, lambda a, b: a.T @ b, [(3, 2), (3, 4)], "any"),
    ("flatten", lambda a: a.flatten(1), lambda a: a.flatten(1), [(2, 3, 4)], "any"),
    ("squeeze_expand", lambda a: a.squeeze(1).expand_dims(-1), lambda a: a.squeeze(1).unsqueeze(-1),
     [(3, 1, 2)], "any"),
    ("getitem_basic", lambda a: a[1:, None, ..., ::2], lambda a: a[1:, None, ..., ::2], [(3, 4)], "any"),
    ("getitem_int", lambda a: a[-1], lambda a: a[-1], [(3, 4)], "any"),
    ("getitem_repeated", lambda a: a[_REPEAT][:, 1:] * 2, lambda a: _torch_getitem(a), [(3, 4)], "any"),
    ("getitem_pairs", lambda a: a[[0, 2, 0], [1, 1, 1]], lambda a: a[[0, 2, 0], [1, 1, 1]], [(3, 4)], "any"),
    ("getitem_mask", lambda a: a[a.data > 0], None, [(3, 4)], "any"),
    ("concatenate", lambda a, b: concatenate([a, b, a], axis=-1), None, [(2, 3), (2, 1)], "any"),
    ("stack", lambda a, b: stack([a, b], axis=1), None, [(2, 3), (2, 3)], "any"),
    ("where", lambda a, b: where(a.data > 0, a, b), None, [(2, 3), (3,)], "any"),
    ("maximum", lambda a, b: maximum(a, b), None, [(2, 3), (3,)], "any"),
    ("minimum", lambda a, b: minimum(a, b), None, [(2, 3), (2, 1)], "any"),
    ("broadcast_to", lambda a: a.broadcast_to(2, 3, 4) * 1.0, None, [(3, 1)], "any"),
    ("mlp_chain", lambda x, w, b: (x @ w + b).tanh().log_softmax().mean(axis=0), None,
     [(4, 3), (3, 5), (5,)], "any"),
]

CASE_IDS = [c[0] for c in CASES]
