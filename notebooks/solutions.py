"""Reference answers to the tutorials' exercises (try them first: the notebooks say where).

Each name matches a checker in ``exercises.py``: ``exercises.check_NAME(solutions.NAME)`` prints
"correct". The test suite runs every pair.
"""

from __future__ import annotations

import math

import numpy as np

import autograd

# --- 01 · values and the chain rule: f = x*y + y**2, so df/dx = y and df/dy = x + 2y -----------------
chain_rule = (3.0, 2.0 + 2 * 3.0)


def backward_order(root):
    """Reverse topological order: every node comes before the nodes that made it."""
    return [node.label for node in reversed(autograd.topological_order(root))]


def _softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))   # log(1 + e^x) without overflow


def _softplus_derivative(x):
    return 1 / (1 + math.exp(-x))                          # d/dx log(1 + e^x) = e^x / (1 + e^x) = sigmoid(x)


softplus_op = (_softplus, _softplus_derivative)


# --- 02 · from a neuron to an MLP -------------------------------------------------------------------
def mlp_parameter_count(nin, nouts):
    sizes = [nin, *nouts]
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))   # weights a*b plus one bias per neuron


def hinge_loss(y, s):
    return sum(max(0.0, 1 - yi * si) for yi, si in zip(y, s)) / len(y)


def linear_collapse(W1, b1, W2, b2):
    return W2 @ W1, W2 @ b1 + b2        # two linear layers are one linear layer


# --- 03 · loss functions ----------------------------------------------------------------------------
def softmax_ce_gradient(z, k):
    q = np.exp(z - z.max())
    q /= q.sum()
    p = np.zeros_like(q)
    p[k] = 1.0
    return q - p


def binary_crossentropy(y, p):
    return -sum(t * math.log(q) + (1 - t) * math.log(1 - q) for t, q in zip(y, p)) / len(y)


def bce_logit_gradient(z, y):
    return 1 / (1 + math.exp(-z)) - y


# --- 04 · gradient descent --------------------------------------------------------------------------
divergence_lr = 0.4   # E'' = 5, so each step multiplies w - 3 by (1 - 5 lr); |1 - 5 lr| > 1 for lr > 2/5


def updates_per_epoch(n, batch_size):
    return math.ceil(n / batch_size)   # the last batch may be smaller, but it is still one update


def momentum_steps(w0, lr, momentum, steps):
    w, v, path = w0, 0.0, []
    for _ in range(steps):
        g = 2 * w                  # dE/dw for E = w**2
        v = momentum * v + g       # PyTorch's form; Keras's v = mu v - lr g is the same for a fixed lr
        w = w - lr * v
        path.append(w)
    return path


# --- 05 · tensors -----------------------------------------------------------------------------------
def dense_gradients(X, W, dZ):
    return X.T @ dZ, dZ.sum(axis=0), dZ @ W.T


def unbroadcast(g, shape):
    while g.ndim > len(shape):                 # leading axes that broadcasting added
        g = g.sum(axis=0)
    for axis, size in enumerate(shape):        # axes that were 1 and got stretched
        if size == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


# --- 06 · the seed's CNN ----------------------------------------------------------------------------
def conv_output_size(n, k, stride, padding):
    if padding == "same":
        return math.ceil(n / stride)
    return (n - k) // stride + 1


def conv_parameter_count(kernel_size, in_channels, filters):
    return kernel_size * kernel_size * in_channels * filters + filters


def max_pool(image):
    h, w = image.shape
    return image.reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))


# --- 09 · from here ---------------------------------------------------------------------------------
def seed_flatten_size(n):
    for _ in range(3):          # conv 3x3 "valid" takes 2 pixels off, pooling halves (rounding down)
        n = (n - 2) // 2
    return n * n * 128


model_megabytes = 19_034_177 * 4 / 1e6
