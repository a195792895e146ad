"""Hand-written numpy forward/backward of the benchmark nets: the baseline bench_tensor.py compares to.

What a careful numpy programmer writes without an autograd engine: float32 throughout, in-place
ReLU/Adam updates, convolution as im2col (one ``as_strided`` copy, cached for the kernel gradient)
times the kernel matrix, its input gradient as ``dcols = g @ K.T`` folded back with one strided add
per kernel offset (col2im), 2x2 max pooling as the max of the four strided sub-grids with an
equality mask for the gradient. Not library code: stepgrad does not import it.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

DT = np.float32


# --- layers: forward returns (out, cache); backward returns (dx, grads) ----------------------------
def dense_forward(x, w, b):
    return x @ w + b, x


def dense_backward(g, x, w, need_dx=True):
    return (g @ w.T if need_dx else None), (x.T @ g, g.sum(axis=0))


def relu_forward(z):
    return np.maximum(z, 0, out=z)  # in place: the pre-activation is not needed again


def relu_backward(g, a):
    g *= a > 0
    return g


def conv_forward(x, k, b):
    """'valid' 3x3 convolution, stride 1, NHWC: im2col (N*OH*OW, KH*KW*C) @ K (KH*KW*C, F)."""
    n, h, w, c = x.shape
    kh, kw, _, f = k.shape
    oh, ow = h - kh + 1, w - kw + 1
    sn, sh, sw, sc = x.strides
    cols = as_strided(x, (n, oh, ow, kh, kw, c), (sn, sh, sw, sh, sw, sc)).reshape(n * oh * ow, -1)
    out = cols @ k.reshape(-1, f)
    out += b
    return out.reshape(n, oh, ow, f), cols


def conv_backward(g, cols, x_shape, k, need_dx=True):
    n, h, w, c = x_shape
    kh, kw, _, f = k.shape
    oh, ow = h - kh + 1, w - kw + 1
    g2 = g.reshape(-1, f)
    dk = (cols.T @ g2).reshape(k.shape)
    db = g2.sum(axis=0)
    if not need_dx:
        return None, (dk, db)
    dcols = (g2 @ k.reshape(-1, f).T).reshape(n, oh, ow, kh, kw, c)
    dx = np.zeros(x_shape, DT)
    for i in range(kh):  # col2im: fold each kernel offset's slab back onto the input
        for j in range(kw):
            dx[:, i:i + oh, j:j + ow] += dcols[:, :, :, i, j]
    return dx, (dk, db)


def pool_forward(x):
    """2x2 max pooling, stride 2 ('valid': odd trailing rows/columns are dropped)."""
    n, h, w, c = x.shape
    x = x[:, :h // 2 * 2, :w // 2 * 2]
    top = np.maximum(x[:, 0::2, 0::2], x[:, 0::2, 1::2])
    bottom = np.maximum(x[:, 1::2, 0::2], x[:, 1::2, 1::2])
    return np.maximum(top, bottom, out=top), x


def pool_backward(g, x, out, x_shape):
    dx = np.zeros(x_shape, DT)
    for i in range(2):
        for j in range(2):
            dx[:, i:out.shape[1] * 2:2, j:out.shape[2] * 2:2] = g * (x[:, i::2, j::2] == out)
    return dx


def softmax_ce(z, y):
    """Mean cross-entropy of logits z (N, K) with int labels y, and dL/dz."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    n = len(y)
    loss = float(np.log(s).sum() - z[np.arange(n), y].sum()) / n
    e /= s
    e[np.arange(n), y] -= 1
    e /= n
    return loss, e


def sigmoid_bce(z, t):
    """Mean binary cross-entropy of logits z with targets t (same shape), and dL/dz."""
    e = np.exp(-np.abs(z))
    loss = float((np.maximum(z, 0) - z * t + np.log1p(e)).mean())
    sig = np.where(z >= 0, 1, e) / (1 + e)
    return loss, (sig - t) / z.size


# --- optimizers ----------------------------------------------------------------------------------
def sgd(params, grads, lr):
    for p, g in zip(params, grads, strict=True):
        p -= lr * g


class Adam:
    """Keras-style Adam (epsilon added to sqrt(v)), in place."""

    def __init__(self, params, lr=1e-3, b1=0.9, b2=0.999, eps=1e-7):
        self.params, self.lr, self.b1, self.b2, self.eps, self.t = params, lr, b1, b2, eps, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads):
        self.t += 1
        alpha = self.lr * math.sqrt(1 - self.b2 ** self.t) / (1 - self.b1 ** self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            g *= g
            g *= 1 - self.b2
            v += g
            denom = np.sqrt(v)
            denom += self.eps
            np.divide(m, denom, out=denom)
            denom *= alpha
            p -= denom


# --- the nets -----------------------------------------------------------------------------------
def glorot(rng, fan_in, fan_out, shape):
    limit = math.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(DT)


class MLP:
    """Dense layers with ReLU between them; last layer linear; loss 'softmax' or 'sigmoid'."""

    def __init__(self, sizes, loss, lr=0.01, seed=0):
        rng = np.random.default_rng(seed)
        self.params = []
        for a, b in zip(sizes[:-1], sizes[1:], strict=True):
            self.params += [glorot(rng, a, b, (a, b)), np.zeros(b, DT)]
        self.loss, self.lr = loss, lr

    def step(self, x, y):
        caches, a = [], x
        n_layers = len(self.params) // 2
        for i in range(n_layers):
            z, cache = dense_forward(a, self.params[2 * i], self.params[2 * i + 1])
            a = relu_forward(z) if i < n_layers - 1 else z
            caches.append((cache, a))
        loss, g = softmax_ce(a, y) if self.loss == "softmax" else sigmoid_bce(a, y)
        grads = [None] * len(self.params)
        for i in reversed(range(n_layers)):
            cache, out = caches[i]
            if i < n_layers - 1:
                g = relu_backward(g, out)
            g, (grads[2 * i], grads[2 * i + 1]) = dense_backward(g, cache, self.params[2 * i], need_dx=i > 0)
        sgd(self.params, grads, self.lr)
        return loss


class CNN:
    """[Conv3x3(relu) > MaxPool2] * len(filters) > Flatten > Dense(relu)* > Dense(out); Adam."""

    def __init__(self, in_shape, filters, dense, loss, seed=0):
        rng = np.random.default_rng(seed)
        h, w, c = in_shape
        self.params = []
        for f in filters:
            self.params += [glorot(rng, 9 * c, 9 * f, (3, 3, c, f)), np.zeros(f, DT)]
            h, w, c = (h - 2) // 2, (w - 2) // 2, f
        sizes = [h * w * c, *dense]
        for a, b in zip(sizes[:-1], sizes[1:], strict=True):
            self.params += [glorot(rng, a, b, (a, b)), np.zeros(b, DT)]
        self.n_conv, self.n_dense, self.loss = len(filters), len(dense), loss
        self.opt = Adam(self.params)

    def step(self, x, y):
        p, caches, a = self.params, [], x
        for i in range(self.n_conv):
            z, cols = conv_forward(a, p[2 * i], p[2 * i + 1])
            r = relu_forward(z)
            a, cropped = pool_forward(r)
            caches.append((cols, r, cropped, a))
        flat_shape = a.shape
        a = a.reshape(len(a), -1)
        dense_caches = []
        for j in range(self.n_dense):
            k = 2 * (self.n_conv + j)
            z, cache = dense_forward(a, p[k], p[k + 1])
            a = relu_forward(z) if j < self.n_dense - 1 else z
            dense_caches.append((cache, a))
        loss, g = softmax_ce(a, y) if self.loss == "softmax" else sigmoid_bce(a, y)
        grads = [None] * len(p)
        for j in reversed(range(self.n_dense)):
            k = 2 * (self.n_conv + j)
            cache, out = dense_caches[j]
            if j < self.n_dense - 1:
                g = relu_backward(g, out)
            g, (grads[k], grads[k + 1]) = dense_backward(g, cache, p[k])
        g = g.reshape(flat_shape)
        for i in reversed(range(self.n_conv)):
            cols, r, cropped, out = caches[i]
            g = relu_backward(pool_backward(g, cropped, out, r.shape), r)
            in_shape = (r.shape[0], r.shape[1] + 2, r.shape[2] + 2, p[2 * i].shape[2])
            g, (grads[2 * i], grads[2 * i + 1]) = conv_backward(g, cols, in_shape, p[2 * i], need_dx=i > 0)
        self.opt.step(grads)
        return loss
