"""Learning-rate schedules with Keras's names: ``schedule(step) -> learning rate``.

Pass one as an optimizer's learning rate; the optimizer calls it with its ``iterations`` (the number
of steps taken so far) before every step.

Example:
    >>> from nn.optimizers import SGD
    >>> from nn.optimizers.schedules import ExponentialDecay
    >>> schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> schedule(0), schedule(10), round(schedule(5), 6)      # 0.1 * 0.5 ** (step / 10)
    (0.1, 0.05, 0.070711)
    >>> SGD(schedule).current_learning_rate()
    0.1
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any


class LearningRateSchedule:
    """Base class: subclasses define ``__call__(step) -> float`` and ``get_config()``."""

    def __call__(self, step: int) -> float:
        raise TypeError(f"{type(self).__name__}: a LearningRateSchedule subclass must define __call__(step)")

    def get_config(self) -> dict[str, Any]:
        raise TypeError(f"{type(self).__name__}: a LearningRateSchedule subclass must define get_config()")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LearningRateSchedule:
        """Rebuild a schedule; ``{"class_name": ..., "config": ...}`` picks the class by name."""
        if "class_name" in config:
            known = {c.__name__: c for c in (ExponentialDecay, PiecewiseConstantDecay, CosineDecay)}
            if config["class_name"] not in known:
                raise ValueError(
                    f"schedules: unknown schedule {config['class_name']!r}; known: {sorted(known)}"
                )
            return known[config["class_name"]](**dict(config.get("config") or {}))
        return cls(**dict(config))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


def _positive(where: str, **values: Any) -> None:
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(f"{where}: {key} must be a positive number, received {key}={value!r}")


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (the exponent floored when
    ``staircase``).

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: steps over which the rate is multiplied by ``decay_rate`` once.
        decay_rate: the factor per ``decay_steps``.
        staircase: decay in whole steps of ``decay_steps`` rather than smoothly.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ) -> None:
        _positive(
            "ExponentialDecay",
            initial_learning_rate=initial_learning_rate,
            decay_steps=decay_steps,
            decay_rate=decay_rate,
        )
        self.initial_learning_rate, self.decay_steps = float(initial_learning_rate), decay_steps
        self.decay_rate, self.staircase, self.name = float(decay_rate), bool(staircase), name

    def __call__(self, step: int) -> float:
        p = step / self.decay_steps
        return self.initial_learning_rate * self.decay_rate ** (math.floor(p) if self.staircase else p)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[1]`` while ``step <= boundaries[1]``, ...,
    and ``values[-1]`` after the last boundary.

    Example:
        >>> s = PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])
        >>> s(100), s(101), s(500)
        (1.0, 0.5, 0.1)
    """

    def __init__(
        self, boundaries: Sequence[int], values: Sequence[float], name: str = "PiecewiseConstantDecay"
    ) -> None:
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                f"PiecewiseConstantDecay: values must have one more entry than boundaries, received "
                f"{len(boundaries)} boundaries and {len(values)} values"
            )
        if list(boundaries) != sorted(boundaries):
            raise ValueError(f"PiecewiseConstantDecay: boundaries must increase, received {list(boundaries)}")
        self.boundaries, self.values, self.name = list(boundaries), [float(v) for v in values], name

    def __call__(self, step: int) -> float:
        for boundary, value in zip(self.boundaries, self.values, strict=False):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Optional linear warm-up, then cosine decay (Loshchilov & Hutter, without restarts)::

        warm-up (step < warmup_steps): initial + (warmup_target - initial) * step / warmup_steps
        then, with s = min(step - warmup_steps, decay_steps) / decay_steps:
        peak * ((1 - alpha) * 0.5 * (1 + cos(pi * s)) + alpha)

    where ``peak`` is ``warmup_target`` if given, else ``initial_learning_rate``.

    Example:
        >>> s = CosineDecay(1.0, decay_steps=10, alpha=0.1)
        >>> s(0), round(s(5), 4), s(10), s(20)
        (1.0, 0.55, 0.1, 0.1)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        _positive("CosineDecay", decay_steps=decay_steps)
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"CosineDecay: alpha must be in [0, 1], received alpha={alpha!r}")
        if warmup_steps < 0:
            raise ValueError(
                f"CosineDecay: warmup_steps must be >= 0, received warmup_steps={warmup_steps!r}"
            )
        self.initial_learning_rate, self.decay_steps = float(initial_learning_rate), decay_steps
        self.alpha, self.name, self.warmup_target, self.warmup_steps = (
            float(alpha),
            name,
            warmup_target,
            warmup_steps,
        )

    def __call__(self, step: int) -> float:
        peak = self.initial_learning_rate if self.warmup_target is None else float(self.warmup_target)
        if step < self.warmup_steps:
            return self.initial_learning_rate + (peak - self.initial_learning_rate) * step / self.warmup_steps
        s = min(step - self.warmup_steps, self.decay_steps) / self.decay_steps
        return peak * ((1.0 - self.alpha) * 0.5 * (1.0 + math.cos(math.pi * s)) + self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }
