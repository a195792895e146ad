"""``Optimizer``: what every optimizer shares (binding, clipping, stepping, schedules, saving).

Each optimizer (``sgd.py``, ``adam.py``, ``adamw.py``, ``rmsprop.py``) writes one
``update(p, g, slots, lr, t)`` whose arithmetic works on a Value's floats and a Tensor's ndarrays
alike: slots are read from and written back to ``slots`` (a dict of this parameter's state), and the
parameter moves with ``p.data -= step`` (in place for an ndarray, so layers holding it see the change).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from numbers import Real
from typing import Any

import numpy as np

from autograd.graph import Node

from ..module import zero_grads
from .schedules import LearningRateSchedule

LearningRate = float | Callable[[int], float]


class Optimizer:
    """Base class: parameter binding, gradient clipping, ``step()``, state saving and loading.

    Subclasses set ``defaults`` (``learning_rate``), ``hyper`` (names of their hyperparameters, for
    ``get_config``), ``slots`` (per-parameter state names) and write ``update(p, g, slots, lr, t)``.

    Args:
        params: parameters (Values or Tensors) or a Module, PyTorch style; or, as Keras reads its
            first argument, the learning rate (a number or a schedule); or None to bind later with
            ``bind`` (``compile()`` does it).
        learning_rate: a float, or a schedule ``f(iterations) -> float`` such as
            ``nn.optimizers.schedules.ExponentialDecay``. ``lr`` is an alias.
        clipnorm: if set, each gradient is rescaled so its L2 norm is at most this (Keras).
        clipvalue: if set, each gradient is clipped to ``[-clipvalue, clipvalue]`` (Keras).
    """

    defaults: dict[str, float] = {"learning_rate": 0.01}
    hyper: tuple[str, ...] = ()
    slots: tuple[str, ...] = ()

    def __init__(
        self,
        params: Any = None,
        learning_rate: LearningRate | None = None,
        *,
        lr: LearningRate | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
    ) -> None:
        name = type(self).__name__
        if _is_rate(params):  # Keras: Adam(3e-4) or Adam(schedule) means the learning rate
            if learning_rate is not None or lr is not None:
                raise ValueError(f"{name}: received a learning rate twice: {params!r} as the first "
                                 "argument and "
                                 f"learning_rate={learning_rate if learning_rate is not None else lr!r}")
            params, learning_rate = None, params
        if lr is not None and learning_rate is not None and lr != learning_rate:
            raise ValueError(f"{name}: received both lr={lr} and learning_rate={learning_rate}; pass one")
        rate = learning_rate if learning_rate is not None else lr
        if isinstance(rate, Mapping):  # a schedule's config, as get_config() writes it
            rate = LearningRateSchedule.from_config(rate)
        self.learning_rate = self.defaults["learning_rate"] if rate is None else rate
        if not callable(self.learning_rate):
            check(name, "learning_rate", self.learning_rate, low=0.0)
            self.learning_rate = float(self.learning_rate)
        for key, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue)):
            if value is not None:
                check(name, key, value, low=0.0, open_low=True)
        self.clipnorm, self.clipvalue = clipnorm, clipvalue
        self.iterations = 0
        self.params: list[Any] | None = None
        self.state: dict[str, list[Any]] = {}
        if params is not None:
            self.bind(params)

    # Keras code reads and sets `optimizer.lr` as well as `optimizer.learning_rate`
    @property
    def lr(self) -> LearningRate:
        return self.learning_rate

    @lr.setter
    def lr(self, value: LearningRate) -> None:
        self.learning_rate = value

    def bind(self, params: Any) -> Optimizer:
        """Attach parameters (duplicates dropped) and reset the slots; returns the optimizer."""
        if hasattr(params, "parameters") and callable(params.parameters):
            params = params.parameters()
        unique, seen = [], set()
        for i, p in enumerate(params):
            if not isinstance(p, Node):
                raise TypeError(
                    f"{type(self).__name__}: parameter {i} is {type(p).__name__}, expected a Value or Tensor"
                )
            if id(p) not in seen:
                seen.add(id(p))
                unique.append(p)
        self.params = unique
        self.iterations = 0
        self.state = {s: [_zeros_like(p.data) for p in unique] for s in self.slots}
        return self

    def current_learning_rate(self) -> float:
        """The learning rate for the next step (a schedule is called with ``iterations``)."""
        rate = self.learning_rate
        return float(rate(self.iterations) if callable(rate) else rate)

    def zero_grad(self) -> None:
        """Reset the parameters' gradients (Values: 0.0; Tensors: None)."""
        zero_grads(self._bound("zero_grad"))

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient (Tensors with grad None are skipped)."""
        params = self._bound("step")
        self._apply(list(enumerate((p.grad, p) for p in params)))

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Any]]) -> None:
        """Keras's spelling: one update from ``(gradient, parameter)`` pairs instead of ``.grad``.

        Binds the parameters on first use (their order then fixes the slots), so a custom loop
        ``opt.apply_gradients(zip(autograd.grad(loss, params), params))`` works as in Keras.
        """
        pairs = list(grads_and_vars)
        if self.params is None:
            self.bind([p for _, p in pairs])
        index = {id(p): i for i, p in enumerate(self.params)}
        unknown = [i for i, (_, p) in enumerate(pairs) if id(p) not in index]
        if unknown:
            raise ValueError(
                f"{type(self).__name__}.apply_gradients: pairs {unknown} hold parameters this optimizer "
                "was not bound to; bind(...) all of them first"
            )
        self._apply([(index[id(p)], (g, p)) for g, p in pairs])

    def _apply(self, indexed: list[tuple[int, tuple[Any, Any]]]) -> None:
        """One optimizer iteration over ``[(slot index, (gradient, parameter)), ...]``."""
        lr, t = self.current_learning_rate(), self.iterations + 1
        for i, (g, p) in indexed:
            if g is None:
                continue
            if isinstance(g, Node):  # a gradient recorded with create_graph=True
                g = g.data
            if isinstance(p.data, np.ndarray):
                g = np.asarray(g, dtype=p.data.dtype)  # keep float32 slots float32
            slots = {s: self.state[s][i] for s in self.slots}
            self.update(p, self._clip(g), slots, lr, t)
            for s in self.slots:  # floats were rebound; arrays updated in place are the same objects
                self.state[s][i] = slots[s]
        self.iterations = t

    def update(self, p: Any, g: Any, slots: dict[str, Any], lr: float, t: int) -> None:
        """Move ``p`` one step along gradient ``g`` (a float or an ndarray); ``t`` counts from 1."""
        raise TypeError(f"{type(self).__name__}: an Optimizer subclass must define "
                        "update(p, g, slots, lr, t)")

    def _clip(self, g: Any) -> Any:
        if self.clipvalue is not None:
            c = self.clipvalue
            g = np.clip(g, -c, c) if isinstance(g, np.ndarray) else min(max(g, -c), c)
        if self.clipnorm is not None:
            norm = math.sqrt(float((g * g).sum()) if isinstance(g, np.ndarray) else g * g)
            if norm > self.clipnorm:
                g = g * (self.clipnorm / norm)
        return g

    def _bound(self, what: str) -> list[Any]:
        if self.params is None:
            raise ValueError(
                f"{type(self).__name__}.{what}: no parameters; pass params= to the constructor or call "
                "bind(model.parameters()) (compile() does this)"
            )
        return self.params

    # --- saving -------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """``iterations``, ``learning_rate`` (when a number) and every slot as ``"<slot>.<i>"`` arrays."""
        out = {"iterations": np.array(self.iterations, dtype=np.int64)}
        if not callable(self.learning_rate):
            out["learning_rate"] = np.array(self.learning_rate, dtype=np.float64)
        for s, values in self.state.items():
            for i, v in enumerate(values):
                out[f"{s}.{i}"] = np.array(v, copy=True)
        return out

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore ``state_dict()`` output, all or nothing: everything is checked before anything is set."""
        name = f"{type(self).__name__}.load_state_dict"
        expected = self.state_dict()
        optional = {"learning_rate"}
        missing = [k for k in expected if k not in state and k not in optional]
        unexpected = [k for k in state if k not in expected and k not in optional]
        problems = [f"missing keys {missing}, unexpected keys {unexpected}"] if missing or unexpected else []
        if unexpected and self.params is None:
            problems.append("bind the parameters first (bind(model.parameters()), as compile() and fit() do)")
        for k, old in expected.items():
            if k not in state:
                continue
            new = np.asarray(state[k])
            if new.shape != old.shape:
                problems.append(f"'{k}': shape {new.shape} in the state, {old.shape} expected")
            elif new.dtype.kind not in "biuf":
                problems.append(f"'{k}': dtype {new.dtype} is not numeric")
        if problems:
            raise ValueError(f"{name}: " + "; ".join(problems) + " (nothing was loaded)")
        self.iterations = int(np.asarray(state["iterations"]))
        if "learning_rate" in state and not callable(self.learning_rate):
            self.learning_rate = float(np.asarray(state["learning_rate"]))
        for s, values in self.state.items():
            for i, p in enumerate(self.params or ()):
                new = np.asarray(state[f"{s}.{i}"])
                is_array = isinstance(p.data, np.ndarray)
                values[i] = new.astype(p.data.dtype, copy=True) if is_array else float(new)

    def get_config(self) -> dict[str, Any]:
        """Hyperparameters, so ``get({"class_name": ..., "config": ...})`` rebuilds the optimizer."""
        rate = self.learning_rate
        if isinstance(rate, LearningRateSchedule):
            rate = {"class_name": type(rate).__name__, "config": rate.get_config()}
        config = {"learning_rate": rate, "clipnorm": self.clipnorm, "clipvalue": self.clipvalue}
        config.update({h: getattr(self, h) for h in self.hyper})
        return config

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if v is not None)
        return f"{type(self).__name__}({args})"


def _is_rate(x: Any) -> bool:
    """A learning rate (a number or a schedule), not parameters."""
    return isinstance(x, (Real, LearningRateSchedule)) and not isinstance(x, bool) or (
        callable(x) and not hasattr(x, "parameters") and not isinstance(x, Node))


def _zeros_like(data: Any) -> Any:
    return np.zeros_like(data) if isinstance(data, np.ndarray) else 0.0


def check(
    where: str, key: str, value: Any, low: float, high: float | None = None, open_low: bool = False
) -> None:
    """Keras-style hyperparameter check: a real number in range, else ValueError naming it."""
    ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (value > low if open_low else value >= low) and (high is None or value < high)
    if not ok:
        bounds = f"{'(' if open_low else '['}{low}, {high if high is not None else 'inf'})"
        raise ValueError(f"{where}: {key} must be a number in {bounds}, received {key}={value!r}")
