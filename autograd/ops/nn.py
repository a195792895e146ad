"""Network ops: matmul, dense, conv2d, max/avg pooling and the fused cross-entropy losses.

Images are NHWC (N, H, W, C) and kernels (KH, KW, C, F), as in Keras. The numpy kernels for
convolution and pooling are in ``kernels.py``; the public functions that check arguments and
apply these ops are in ``autograd/functional.py``. Fused ops do in one node what would take
several, so a training step builds a smaller graph and fewer temporary arrays. Ops whose inputs
may be constants get ``needs`` (which inputs want a gradient) as their last argument, so that
``x @ W`` with a constant ``x`` never computes ``g @ W.T``.

Second derivatives: on raw arrays each rule calls its fast numpy kernel; under
``create_graph=True`` (a node among the rule's arguments) it computes the same gradient with
recorded ops instead, so the gradient can be differentiated again. Convolution and pooling are
linear in ``g``, so their gradients are linear maps whose own gradients are their adjoints:
``Im2Col``/``Col2Im``, ``MaxPoolRoute``/``MaxPoolPick`` and ``AvgPoolGrad``/``AvgPool2D`` come in
pairs, each the other's backward.
"""

from __future__ import annotations

import numpy as np

from ..graph import Node, Op, _raw
from . import kernels as k
from .elementwise import Sigmoid
from .reduce import LogSoftmax, Softmax


def _recorded(op, *args):
    """``op`` applied to ``args``: recorded when one of them is a node, a plain forward otherwise."""
    for a in args:
        if isinstance(a, Node):
            return a._apply(op, *args)
    return op.forward(*args)


def _any_node(*args) -> bool:
    return any(isinstance(a, Node) for a in args)


def _swap(x):
    """Swap the last two axes (the matrix transpose of a batch of matrices)."""
    return x.T if x.ndim == 2 else x.swapaxes(-1, -2)


class MatMul(Op):
    """f(a, b) = a @ b;  df/da = g @ b^T, df/db = a^T @ g  (batched over leading axes)"""

    name = "matmul"
    text = '{0} @ {1}'
    grads = ('{g} @ {1.T}', '{0.T} @ {g}', None)
    verb = "matmul"
    shape_error = "{op}: shapes {a} and {b} are not aligned"

    @staticmethod
    def forward(a, b, needs):
        return np.matmul(a, b)

    @staticmethod
    def backward(g, out, a, b, needs):
        a_vec, b_vec = a.ndim == 1, b.ndim == 1
        if not (a_vec or b_vec):  # the common case: matrices (or batches of them)
            return (g @ _swap(b) if needs[0] else None), (_swap(a) @ g if needs[1] else None), None
        # a vector operand is a 1-row (or 1-column) matrix whose extra axis was dropped from g
        a2 = a.reshape((1, a.shape[0])) if a_vec else a
        b2 = b.reshape((b.shape[0], 1)) if b_vec else b
        g2 = g
        if a_vec and b_vec:
            g2 = g.reshape((1, 1))
        elif a_vec:
            g2 = g.reshape(g.shape[:-1] + (1, g.shape[-1]))
        elif b_vec:
            g2 = g.reshape(g.shape + (1,))
        ga = gb = None
        if needs[0]:
            ga = g2 @ _swap(b2)
            if a_vec:
                ga = ga.reshape(ga.shape[:-2] + (ga.shape[-1],))
        if needs[1]:
            gb = _swap(a2) @ g2
            if b_vec:
                gb = gb.reshape(gb.shape[:-1])
        return ga, gb, None


class Dense(Op):
    """y = act(x @ W + b), act = relu or identity;  with gz = g * act'(y): dx = gz @ W^T,
    dW = x^T @ gz, db = sum_rows(gz)  (x's leading axes all count as rows)"""

    name = "dense"
    text = '{0} @ {1} + {2}{act}'
    grads = ('{gz} @ {1.T}', '{0.T} @ {gz}', '{gz} summed over rows', None, None)

    @staticmethod
    def forward(x, kernel, bias, activation, needs):
        y = x @ kernel  # a fresh array: the bias and the relu go into it in place (no temporaries)
        if bias is not None:
            if y.dtype == bias.dtype:
                y += bias
            else:
                y = y + bias  # e.g. an int input: let numpy promote
        if activation == "relu":
            np.maximum(y, 0, out=y)
        return y

    @staticmethod
    def backward(g, out, x, kernel, bias, activation, needs):
        if activation == "relu":
            g = g * (_raw(out) > 0)  # the mask is locally constant: a raw array even under create_graph
        rows = g if g.ndim == 2 else g.reshape((-1, g.shape[-1]))
        dx = dk = db = None
        if needs[0]:
            dx = g @ kernel.T
        if needs[1]:
            x_rows = x if x.ndim == 2 else x.reshape((-1, x.shape[-1]))
            dk = x_rows.T @ rows
        if needs[2]:
            db = rows.sum(axis=0)
        return dx, dk, db, None, None


class Conv2D(Op):
    """y = im2col(x) @ K + b;  dK = im2col(x).T @ g, db = sum g, dx = col2im(g @ K.T)"""

    fresh_grads = True  # conv2d_backward / pool kernels allocate dx, dK, db anew
    name = "conv2d"
    text = 'conv2d({0}, {1}) + {2}, strides {3}, padding {4}'
    grads = (
        "col2im({g} @ {1}), each kernel offset's share added back",
        'im2col({0}).T @ {g}',
        '{g} summed over N, H, W',
        None,
        None,
        None,
    )
    saves = True

    @staticmethod
    def forward(x, kernel, bias, strides, padding, needs):
        y, cols = k.conv2d_forward(x, kernel, bias, strides, padding)
        return y, (cols if needs[1] else None)  # the im2col matrix, kept only when dK needs it

    @staticmethod
    def backward(g, out, cols, x, kernel, bias, strides, padding, needs):
        if not _any_node(g, x, kernel):
            dx, dk, db = k.conv2d_backward(g, cols, x, kernel, strides, padding, *needs)
            return dx, dk, db, None, None, None
        # create_graph: the same three products in recorded ops (im2col and col2im are adjoints)
        kh, kw, c, f = kernel.shape
        g2 = g.reshape((-1, f))
        dx = dk = db = None
        if needs[0]:
            dcols = g2 @ kernel.reshape((kh * kw * c, f)).T
            dx = _recorded(Col2Im, dcols, x.shape, (kh, kw), strides, padding)
        if needs[1]:
            dk = (_recorded(Im2Col, x, (kh, kw), strides, padding).T @ g2).reshape(kernel.shape)
        if needs[2]:
            db = g2.sum(axis=0)
        return dx, dk, db, None, None, None


class Im2Col(Op):
    """f(x) = the (N*OH*OW, KH*KW*C) matrix of receptive fields;  df/dx: g -> col2im(g) (its adjoint)"""

    name = "im2col"
    text = "im2col({0}) for {1} kernels, strides {2}, padding {3}"
    grads = ("col2im({g})", None, None, None)
    forward = staticmethod(k.im2col_padded)

    @staticmethod
    def backward(g, out, x, kernel_hw, strides, padding):
        return _recorded(Col2Im, g, x.shape, kernel_hw, strides, padding), None, None, None


class Col2Im(Op):
    """f(cols) = each row added back where im2col read it;  df/dcols: g -> im2col(g) (its adjoint)"""

    name = "col2im"
    text = "col2im({0}) into shape {1}"
    grads = ("im2col({g})", None, None, None, None)
    forward = staticmethod(k.col2im)

    @staticmethod
    def backward(g, out, cols, x_shape, kernel_hw, strides, padding):
        return _recorded(Im2Col, g, kernel_hw, strides, padding), None, None, None, None


class MaxPool2D(Op):
    """y = max over each window;  dx = g routed to each window's (first) maximum"""

    fresh_grads = True  # conv2d_backward / pool kernels allocate dx, dK, db anew
    name = "max_pool2d"
    text = 'max of {0} over {1} windows, strides {2}, padding {3}'
    grads = ("{g} routed to each window's maximum", None, None, None)

    @staticmethod
    def forward(x, pool, strides, padding):
        return k.max_pool_forward(x, pool, strides, padding)

    @staticmethod
    def backward(g, out, x, pool, strides, padding):
        if not _any_node(g, x):
            return k.max_pool_backward(g, out, x, pool, strides, padding), None, None, None
        # create_graph: routing is linear in g, and the winners are locally constant in x
        winner = k.max_pool_winners(_raw(x), _raw(out), pool, strides, padding)
        return _recorded(MaxPoolRoute, g, winner, x.shape, pool, strides, padding), None, None, None


class MaxPoolRoute(Op):
    """f(g) = each output cell's g sent to its window's winner;  df/dg: d -> d read at the winners"""

    name = "max_pool_route"
    text = "{0} routed to the maxima of {3} windows"
    grads = ("{g} read at each window's maximum", None, None, None, None, None)
    forward = staticmethod(k.max_pool_route)

    @staticmethod
    def backward(d, out, g, winner, x_shape, pool, strides, padding):
        return _recorded(MaxPoolPick, d, winner, pool, strides, padding), None, None, None, None, None


class MaxPoolPick(Op):
    """f(d) = d read at each window's winner;  df/dd: g -> g sent to the winners (MaxPoolRoute)"""

    name = "max_pool_pick"
    text = "{0} read at the maxima of {2} windows"
    grads = ("{g} routed to each window's maximum", None, None, None, None)
    forward = staticmethod(k.max_pool_pick)

    @staticmethod
    def backward(g, out, d, winner, pool, strides, padding):
        return _recorded(MaxPoolRoute, g, winner, d.shape, pool, strides, padding), None, None, None, None


class AvgPool2D(Op):
    """y = mean over each window's real cells;  dx = g / count, spread over the window"""

    fresh_grads = True  # conv2d_backward / pool kernels allocate dx, dK, db anew
    name = "avg_pool2d"
    text = 'mean of {0} over {1} windows, strides {2}, padding {3}'
    grads = ('{g} / (cells in the window), spread over each window', None, None, None)

    @staticmethod
    def forward(x, pool, strides, padding):
        return k.avg_pool_forward(x, pool, strides, padding)

    @staticmethod
    def backward(g, out, x, pool, strides, padding):
        return _recorded(AvgPoolGrad, g, x.shape, pool, strides, padding), None, None, None


class AvgPoolGrad(Op):
    """f(g) = g / count spread over each window;  df/dg: d -> avg_pool2d(d) (its adjoint)"""

    name = "avg_pool_grad"
    text = "{0} / (cells per window), spread over {2} windows"
    grads = ("avg_pool2d({g})", None, None, None, None)
    forward = staticmethod(k.avg_pool_backward)

    @staticmethod
    def backward(d, out, g, x_shape, pool, strides, padding):
        return _recorded(AvgPool2D, d, pool, strides, padding), None, None, None, None


class SoftmaxCrossEntropy(Op):
    """L = mean_n(logsumexp(z_n) - sum_k t_nk z_nk);  dL/dz = (softmax(z) * sum_k t - t) / N,
    dL/dt = -log_softmax(z) / N  (t: one-hot/probabilities, or int labels)"""

    name = "softmax_cross_entropy"
    text = 'cross-entropy of softmax({0}) against {1}, batch mean'
    grads = ('{g} * (softmax({0}) - onehot({1})) / N', '{g} * -log_softmax({0}) / N')
    saves = True

    @staticmethod
    def forward(logits, labels):
        z = logits.reshape(-1, logits.shape[-1])
        # ufunc reductions called directly: the ndarray methods add a Python-level wrapper each
        shifted = z - np.maximum.reduce(z, axis=1, keepdims=True)  # stable: exp never overflows
        probs = np.exp(shifted)
        sums = np.add.reduce(probs, axis=1, keepdims=True)
        probs /= sums
        log_norm = np.log(sums)  # log_softmax = shifted - log_norm
        n = z.shape[0]
        if labels.dtype.kind in "iu":
            rows, picked_cols = np.arange(n), labels.reshape(-1)
            loss = (np.add.reduce(log_norm, axis=None) - np.add.reduce(shifted[rows, picked_cols])) / n
            # int labels: dL/dz = (softmax - onehot) / N, made here in the array softmax already filled
            probs[rows, picked_cols] -= 1
            probs /= n
            return np.asarray(loss, dtype=logits.dtype), (probs, None)
        log_softmax = shifted - log_norm  # kept for the labels' own gradient
        loss = -(labels.reshape(z.shape) * log_softmax).sum() / n
        return np.asarray(loss, dtype=logits.dtype), (probs, log_softmax)

    @staticmethod
    def backward(g, out, saved, logits, labels):
        if _any_node(g, logits, labels):  # create_graph: the same formulas in recorded ops
            z = logits.reshape((-1, logits.shape[-1]))
            probs, n = _recorded(Softmax, z, 1), z.shape[0]
            if labels.dtype.kind in "iu":
                onehot = np.eye(z.shape[1], dtype=_raw(z).dtype)[_raw(labels).reshape(-1)]
                return ((probs - onehot) * (g / n)).reshape(logits.shape), None
            t, scale = labels.reshape(z.shape), g / n
            dz = (probs * t.sum(axis=1, keepdims=True) - t) * scale
            return dz.reshape(logits.shape), (-_recorded(LogSoftmax, z, 1) * scale).reshape(labels.shape)
        probs, log_softmax = saved  # read only: a retained graph can be walked again
        if log_softmax is None:  # int labels: probs already holds dL/dz for dL = 1
            return (probs * g).reshape(logits.shape), None
        n = probs.shape[0]
        scale = g / n
        t = labels.reshape(probs.shape)
        dz = (probs * t.sum(axis=1, keepdims=True) - t) * scale
        return dz.reshape(logits.shape), (-log_softmax * scale).reshape(labels.shape)


class SigmoidBinaryCrossEntropy(Op):
    """L = mean(max(z, 0) - z t + log1p(exp(-|z|)));  dL/dz = (sigmoid(z) - t) / n, dL/dt = -z / n"""

    name = "sigmoid_binary_cross_entropy"
    text = 'binary cross-entropy of sigmoid({0}) against {1}, mean'
    grads = ('{g} * (sigmoid({0}) - {1}) / n', '{g} * -{0} / n')
    saves = True

    @staticmethod
    def forward(logits, targets):
        e = np.exp(-np.abs(logits))  # in (0, 1]: no overflow for any z
        loss = (np.maximum(logits, 0) - logits * targets + np.log1p(e)).mean(dtype=logits.dtype)
        sigmoid = np.where(logits >= 0, 1, e) / (1 + e)  # stable on both sides
        return np.asarray(loss, dtype=logits.dtype), sigmoid

    @staticmethod
    def backward(g, out, sigmoid, logits, targets):
        scale = g / logits.size
        if _any_node(g, logits, targets):  # create_graph: sigmoid recorded, so it can be differentiated
            sigmoid = _recorded(Sigmoid, logits)
        return (sigmoid - targets) * scale, -logits * scale
