"""Optimizers: SGD, Adam, AdamW, RMSprop — one implementation for Value and Tensor parameters.

Each update is written once, with arithmetic that works on Python floats (a Value's ``data`` and
``grad``) and on ndarrays (a Tensor's) alike; ``p.data -= step`` rebinds a float but updates an
ndarray in place, so layers that hold the arrays see the new weights. Slots (momentum, moments)
are floats for Values and arrays of the parameter's dtype (float32) for Tensors.

Formulas follow Keras for Adam, AdamW and RMSprop, and PyTorch for SGD (see ``SGD``).

Example:
    >>> from autograd import Value
    >>> from nn.optimizers import SGD
    >>> w = Value(1.0)
    >>> opt = SGD([w], learning_rate=0.1)
    >>> (w * w).backward()          # dw = 2w = 2
    >>> opt.step(); w.data
    0.8
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._optimizer_base import LearningRate, Optimizer, check
from ._registry import NOT_RESOLVED, resolve

__all__ = ["SGD", "Adam", "AdamW", "RMSprop", "Optimizer", "get"]


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay.

    PyTorch's formulas (``torch.optim.SGD``, dampening 0)::

        g = grad + weight_decay * p
        b = momentum * b + g                       (b starts at 0)
        p -= lr * (g + momentum * b)   if nesterov else   p -= lr * b

    Keras keeps the velocity in parameter units instead (``v = momentum * v - lr * g; p += v``);
    with a constant learning rate both give the same trajectory, but when the rate changes PyTorch's
    buffer applies the new rate to the whole accumulated step at once. Keras's ``weight_decay`` is
    decoupled (``p -= lr * wd * p``); here it is added to the gradient as in PyTorch (identical
    without momentum).

    Args:
        params: Values/Tensors or a Module; None to bind later.
        learning_rate: step size (``lr`` is an alias). Default 0.01.
        momentum: in [0, 1). nesterov: use Nesterov momentum. weight_decay: L2 coefficient >= 0.

    Example:
        >>> from autograd import Value
        >>> w = Value(1.0); opt = SGD([w], lr=0.1, momentum=0.9)
        >>> for _ in range(2):
        ...     opt.zero_grad(); (w * w).backward(); opt.step()
        >>> round(w.data, 4)           # 1 - 0.2 = 0.8, then 0.8 - 0.1 * (1.6 + 0.9 * 2) = 0.46
        0.46
    """

    defaults = {"learning_rate": 0.01}
    hyper = ("momentum", "nesterov", "weight_decay")

    def __init__(
        self,
        params: Any = None,
        learning_rate: LearningRate | None = None,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        **kwargs: Any,
    ) -> None:
        check("SGD", "momentum", momentum, low=0.0, high=1.0)
        check("SGD", "weight_decay", weight_decay, low=0.0)
        if nesterov and momentum == 0:
            raise ValueError("SGD: nesterov=True needs a momentum > 0, received momentum=0")
        self.momentum, self.nesterov, self.weight_decay = float(momentum), bool(nesterov), float(weight_decay)
        self.slots = ("momentum",) if momentum else ()
        super().__init__(params, learning_rate, **kwargs)

    def _update(self, i, p, g, lr, t):
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        if self.momentum:
            b = self.state["momentum"][i]
            if isinstance(b, np.ndarray):  # in place: the buffer is the optimizer's own
                b *= self.momentum
                b += g
            else:
                b = self.momentum * b + g
                self.state["momentum"][i] = b
            g = g + self.momentum * b if self.nesterov else b
        p.data -= lr * g


class Adam(Optimizer):
    """Adam, with Keras's formulas (epsilon is added to sqrt(v), the paper's "epsilon hat")::

        m = m + (1 - beta_1) * (g - m);   v = v + (1 - beta_2) * (g**2 - v)
        alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        p -= alpha * m / (sqrt(v) + epsilon)

    PyTorch adds its epsilon to the bias-corrected sqrt(v_hat) instead; the two differ only by
    epsilon * sqrt(1 - beta_2**t), negligible unless gradients are ~epsilon. ``weight_decay``
    (0 here) is decoupled as in Keras and AdamW: ``p -= lr * weight_decay * p`` before the step.

    Args:
        params: Values/Tensors or a Module; None to bind later.
        learning_rate: step size (``lr`` is an alias). Default 0.001.
        beta_1, beta_2: moment decay rates in [0, 1). epsilon: added to sqrt(v).
        weight_decay: decoupled weight decay (AdamW's), default 0.

    Example:
        >>> from autograd import Value
        >>> w = Value(1.0); opt = Adam([w], learning_rate=0.1)
        >>> (w * w).backward(); opt.step()   # the first Adam step moves by ~lr
        >>> round(w.data, 6)
        0.9
    """

    defaults = {"learning_rate": 0.001}
    hyper = ("beta_1", "beta_2", "epsilon", "weight_decay")
    slots = ("m", "v")
    default_weight_decay = 0.0

    def __init__(
        self,
        params: Any = None,
        learning_rate: LearningRate | None = None,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        weight_decay: float | None = None,
        **kwargs: Any,
    ) -> None:
        name = type(self).__name__
        check(name, "beta_1", beta_1, low=0.0, high=1.0)
        check(name, "beta_2", beta_2, low=0.0, high=1.0)
        check(name, "epsilon", epsilon, low=0.0)
        weight_decay = self.default_weight_decay if weight_decay is None else weight_decay
        check(name, "weight_decay", weight_decay, low=0.0)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.weight_decay = float(weight_decay)
        super().__init__(params, learning_rate, **kwargs)

    def _update(self, i, p, g, lr, t):
        if self.weight_decay:
            p.data -= lr * self.weight_decay * p.data
        m = self.state["m"][i]
        v = self.state["v"][i]
        alpha = lr * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        if not isinstance(m, np.ndarray):  # a Value's float slots
            m = m + (1.0 - self.beta_1) * (g - m)
            v = v + (1.0 - self.beta_2) * (g * g - v)
            self.state["m"][i], self.state["v"][i] = m, v
            p.data -= alpha * m / (v**0.5 + self.epsilon)
            return
        # arrays: the same formulas in place, through one scratch array instead of six temporaries
        tmp = np.subtract(g, m)
        tmp *= 1.0 - self.beta_1
        m += tmp
        np.multiply(g, g, out=tmp)
        tmp -= v
        tmp *= 1.0 - self.beta_2
        v += tmp
        np.sqrt(v, out=tmp)
        tmp += self.epsilon
        np.divide(m, tmp, out=tmp)
        tmp *= alpha
        p.data -= tmp


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), Keras default ``weight_decay=0.004``::

        p -= lr * weight_decay * p;   then the Adam step

    (``torch.optim.AdamW`` does the same, with default weight_decay 0.01 and eps 1e-8.)

    Example:
        >>> from autograd import Value
        >>> w = Value(1.0); opt = AdamW([w], learning_rate=0.1)
        >>> (w * 0).backward(); opt.step()          # zero gradient: only the decay acts
        >>> round(w.data, 6)                        # 1 - 0.1 * 0.004
        0.9996
    """

    default_weight_decay = 0.004


class RMSprop(Optimizer):
    """RMSprop with Keras's formulas (epsilon inside the square root, Keras defaults)::

        v = rho * v + (1 - rho) * g**2
        a = rho * a + (1 - rho) * g                 (only when centered; then v - a**2 below)
        step = lr * g / sqrt(v + epsilon)
        mom = momentum * mom + step; p -= mom       (or p -= step when momentum is 0)

    PyTorch's RMSprop uses ``lr * g / (sqrt(v) + eps)``, alpha=0.99 and eps=1e-8 by default.

    Args:
        params: Values/Tensors or a Module; None to bind later.
        learning_rate: step size (``lr`` is an alias). Default 0.001.
        rho: decay of the squared-gradient average, in [0, 1). momentum: in [0, 1).
        epsilon: added to v before the square root. centered: normalise by the variance estimate.
        weight_decay: decoupled, as in Keras (``p -= lr * weight_decay * p``).

    Example:
        >>> from autograd import Value
        >>> w = Value(1.0); opt = RMSprop([w], learning_rate=0.01)
        >>> (w * w).backward(); opt.step()   # 1 - 0.01 * 2 / sqrt(0.1 * 4 + 1e-7)
        >>> round(w.data, 5)
        0.96838
    """

    defaults = {"learning_rate": 0.001}
    hyper = ("rho", "momentum", "epsilon", "centered", "weight_decay")

    def __init__(
        self,
        params: Any = None,
        learning_rate: LearningRate | None = None,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        weight_decay: float = 0.0,
        **kwargs: Any,
    ) -> None:
        check("RMSprop", "rho", rho, low=0.0, high=1.0)
        check("RMSprop", "momentum", momentum, low=0.0, high=1.0)
        check("RMSprop", "epsilon", epsilon, low=0.0)
        check("RMSprop", "weight_decay", weight_decay, low=0.0)
        self.rho, self.momentum, self.epsilon = float(rho), float(momentum), float(epsilon)
        self.centered, self.weight_decay = bool(centered), float(weight_decay)
        extra = (("average_gradient",) if centered else ()) + (("momentum",) if momentum else ())
        self.slots = ("velocity", *extra)
        super().__init__(params, learning_rate, **kwargs)

    def _update(self, i, p, g, lr, t):
        if self.weight_decay:
            p.data -= lr * self.weight_decay * p.data
        rho, state = self.rho, self.state
        v = state["velocity"][i]
        if isinstance(v, np.ndarray):
            return self._update_array(i, p, g, lr)
        v = rho * v + (1.0 - rho) * g * g
        state["velocity"][i] = v
        if self.centered:
            a = rho * state["average_gradient"][i] + (1.0 - rho) * g
            state["average_gradient"][i] = a
            v = v - a * a
        step = lr * g / (v + self.epsilon) ** 0.5
        if self.momentum:
            step = self.momentum * state["momentum"][i] + step
            state["momentum"][i] = step
        p.data -= step

    def _update_array(self, i, p, g, lr):
        """The same formulas on arrays, in place in the slots, through one scratch array."""
        rho, state = self.rho, self.state
        v = state["velocity"][i]
        tmp = np.multiply(g, g)
        tmp *= 1.0 - rho
        v *= rho
        v += tmp
        if self.centered:
            a = state["average_gradient"][i]
            np.multiply(g, 1.0 - rho, out=tmp)
            a *= rho
            a += tmp
            np.multiply(a, a, out=tmp)
            np.subtract(v, tmp, out=tmp)  # v - a**2
            tmp += self.epsilon
        else:
            np.add(v, self.epsilon, out=tmp)
        np.sqrt(tmp, out=tmp)
        np.divide(g, tmp, out=tmp)
        tmp *= lr
        if self.momentum:
            b = state["momentum"][i]
            b *= self.momentum
            b += tmp
            tmp = b
        p.data -= tmp


_OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop}


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name ("sgd", "adam", "adamw", "rmsprop"; any case), class, instance or config.

    A config is ``{"class_name": "Adam", "config": {...}}`` as built from ``get_config()``.

    Example:
        >>> get("adam").learning_rate
        0.001
    """
    optimizer = resolve(identifier, "optimizers", "optimizer", Optimizer, _OPTIMIZERS)
    if optimizer is not NOT_RESOLVED:
        return optimizer
    raise TypeError(
        f"optimizers.get: expected a name, an Optimizer class or instance, or a config dict; "
        f"received {type(identifier).__name__} {identifier!r}"
    )
