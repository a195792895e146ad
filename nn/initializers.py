"""Weight initializers, with Keras's names, defaults and fan rules.

Each initializer is called as ``init(shape, dtype=np.float32, rng=None)`` and returns an ndarray.
Lower-case names (``glorot_uniform``) are plain functions of the shape; CamelCase classes
(``GlorotUniform(seed=0)``) carry their settings and an optional seed. ``get()`` resolves what a
layer's ``kernel_initializer=`` receives.

Randomness: pass ``rng`` (a ``numpy.random.Generator``) to a call, or ``seed`` to a class (its
generator is made once, so successive calls differ but the sequence is reproducible). Without
either, the seed comes from numpy's global generator, so ``nn.utils.set_random_seed(n)`` (or
``np.random.seed(n)``) makes a run repeatable, as in Keras.

Fans, as Keras computes them: a Dense kernel ``(in, out)`` has fan_in = in, fan_out = out; a conv
kernel ``(KH, KW, C, F)`` has fan_in = KH*KW*C and fan_out = KH*KW*F.

Example:
    >>> from nn import initializers
    >>> w = initializers.get("glorot_uniform")((3, 4), rng=np.random.default_rng(0))
    >>> w.shape, w.dtype, bool(np.all(np.abs(w) <= (6 / 7) ** 0.5))
    ((3, 4), dtype('float32'), True)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ._registry import NOT_RESOLVED, resolve
from .utils import fresh_rng

Shape = tuple[int, ...]
# stddev of a standard normal truncated to [-2, 2]; dividing by it restores the asked-for variance
_TRUNCATED_STD = 0.87962566103423978


def compute_fans(shape: Shape) -> tuple[float, float]:
    """``(fan_in, fan_out)`` of a kernel shape, as Keras: ``(in, out)`` or ``(*window, in, out)``."""
    shape = tuple(int(d) for d in shape)
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    receptive_field = math.prod(shape[:-2])  # 1 for a Dense kernel; KH*KW for a conv kernel
    return float(shape[-2] * receptive_field), float(shape[-1] * receptive_field)


class Initializer:
    """Base class: ``init(shape, dtype=np.float32, rng=None) -> ndarray``."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def __call__(
        self, shape: Shape, dtype: Any = np.float32, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        shape = _as_shape(shape, type(self).__name__)
        rng = rng or self._rng or fresh_rng()
        return np.asarray(self.sample(shape, rng), dtype=dtype)

    def sample(self, shape: Shape, rng: np.random.Generator) -> np.ndarray:
        raise TypeError(f"{type(self).__name__}: an Initializer subclass must define sample(shape, rng)")

    config_keys: tuple[str, ...] | None = None  # constructor arguments, when not every attribute is one

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments, so ``get({"class_name": ..., "config": ...})`` rebuilds it."""
        if self.config_keys is not None:
            return {k: getattr(self, k) for k in self.config_keys}
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


class Zeros(Initializer):
    """All zeros (Keras's default bias initializer)."""

    def sample(self, shape, rng):
        return np.zeros(shape)


class Ones(Initializer):
    """All ones (BatchNormalization's gamma and moving variance)."""

    def sample(self, shape, rng):
        return np.ones(shape)


class Constant(Initializer):
    """Every entry equals ``value``."""

    def __init__(self, value: float = 0.0) -> None:
        super().__init__()
        self.value = float(value)

    def sample(self, shape, rng):
        return np.full(shape, self.value)


class RandomNormal(Initializer):
    """w ~ N(mean, stddev**2); Keras defaults mean=0, stddev=0.05."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = float(mean), float(stddev)

    def sample(self, shape, rng):
        return rng.normal(self.mean, self.stddev, shape)


class TruncatedNormal(Initializer):
    """w ~ N(mean, stddev**2) redrawn until within 2 stddev of the mean; Keras defaults 0, 0.05."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = float(mean), float(stddev)

    def sample(self, shape, rng):
        return self.mean + self.stddev * _truncated_standard_normal(shape, rng)


class RandomUniform(Initializer):
    """w ~ U(minval, maxval); Keras defaults -0.05, 0.05."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.minval, self.maxval = float(minval), float(maxval)

    def sample(self, shape, rng):
        return rng.uniform(self.minval, self.maxval, shape)


class VarianceScaling(Initializer):
    """Variance ``scale / fan`` (fan by ``mode``): the family behind Glorot, He and LeCun.

    ``distribution="truncated_normal"``: stddev sqrt(scale/fan) / 0.8796 (truncated at 2 stddev);
    ``"untruncated_normal"``: stddev sqrt(scale/fan); ``"uniform"``: U(-limit, limit) with
    limit = sqrt(3 scale / fan).

    Args:
        scale: positive factor. mode: "fan_in", "fan_out" or "fan_avg".
        distribution: "truncated_normal", "untruncated_normal" or "uniform". seed: optional int.
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal",
                 seed: int | None = None) -> None:
        super().__init__(seed)
        if not scale > 0:
            raise ValueError(f"VarianceScaling: scale must be positive, received scale={scale!r}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(
                f"VarianceScaling: mode must be 'fan_in', 'fan_out' or 'fan_avg', received mode={mode!r}"
            )
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(
                "VarianceScaling: distribution must be 'truncated_normal', 'untruncated_normal' or "
                f"'uniform', received distribution={distribution!r}"
            )
        self.scale, self.mode, self.distribution = float(scale), mode, distribution

    def sample(self, shape, rng):
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, fan)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return rng.uniform(-limit, limit, shape)
        if self.distribution == "untruncated_normal":
            return math.sqrt(variance) * rng.standard_normal(shape)
        return math.sqrt(variance) / _TRUNCATED_STD * _truncated_standard_normal(shape, rng)


class GlorotUniform(VarianceScaling):
    """U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)): Keras's default kernel initializer."""

    config_keys = ("seed",)

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "uniform", seed)


class GlorotNormal(VarianceScaling):
    """Truncated normal with stddev sqrt(2 / (fan_in + fan_out)) (before truncation correction)."""

    config_keys = ("seed",)

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)


class HeNormal(VarianceScaling):
    """Truncated normal with stddev sqrt(2 / fan_in): for ReLU layers."""

    config_keys = ("seed",)

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "truncated_normal", seed)


class HeUniform(VarianceScaling):
    """U(-limit, limit), limit = sqrt(6 / fan_in): for ReLU layers."""

    config_keys = ("seed",)

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "uniform", seed)


class LecunNormal(VarianceScaling):
    """Truncated normal with stddev sqrt(1 / fan_in)."""

    config_keys = ("seed",)

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_in", "truncated_normal", seed)


class LecunUniform(VarianceScaling):
    """U(-limit, limit), limit = sqrt(3 / fan_in)."""

    config_keys = ("seed",)

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_in", "uniform", seed)


class Orthogonal(Initializer):
    """A random orthogonal matrix times ``gain`` (Keras's default recurrent-kernel initializer).

    The shape is read as a matrix ``(prod(shape[:-1]), shape[-1])``; its rows (or columns, whichever
    are fewer) are orthonormal: the Q of a QR factorisation of a standard normal matrix, with signs
    fixed by R's diagonal so that Q is uniformly distributed.
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = float(gain)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}

    def sample(self, shape, rng):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: needs a shape of at least 2 dimensions, received shape={shape}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = rng.standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))  # make the factorisation unique, so Q is uniform (Haar)
        if rows < cols:
            q = q.T
        return self.gain * q.reshape(shape)


def _truncated_standard_normal(shape: Shape, rng: np.random.Generator) -> np.ndarray:
    """Standard normal samples, each outside [-2, 2] redrawn (as Keras and TensorFlow do)."""
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2
    while bad.any():  # about 4.6% redrawn per round
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return out


def _as_shape(shape: Any, where: str) -> Shape:
    try:
        dims = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: shape must be a tuple of ints, received {shape!r}") from None
    if any(d < 0 for d in dims):
        raise ValueError(f"{where}: shape must have non-negative sizes, received {shape!r}")
    return dims


_CLASSES: dict[str, type[Initializer]] = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
    "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal, "he_normal": HeNormal,
    "he_uniform": HeUniform, "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
    "orthogonal": Orthogonal,
}
_ALIASES = {"xavier_uniform": "glorot_uniform", "xavier_normal": "glorot_normal", "normal": "random_normal",
            "uniform": "random_uniform", "zero": "zeros", "one": "ones"}


def _function(name: str) -> Callable[..., np.ndarray]:
    cls = _CLASSES[name]

    def init(shape: Shape, dtype: Any = np.float32, rng: np.random.Generator | None = None) -> np.ndarray:
        return cls()(shape, dtype, rng)

    init.__name__ = init.__qualname__ = name
    init.__doc__ = f"``{cls.__name__}()(shape, dtype, rng)`` with Keras's defaults: {cls.__doc__}"
    return init


zeros = _function("zeros")
ones = _function("ones")
random_normal = _function("random_normal")
random_uniform = _function("random_uniform")
truncated_normal = _function("truncated_normal")
glorot_uniform = _function("glorot_uniform")
glorot_normal = _function("glorot_normal")
he_normal = _function("he_normal")
he_uniform = _function("he_uniform")
lecun_normal = _function("lecun_normal")
lecun_uniform = _function("lecun_uniform")
orthogonal = _function("orthogonal")


def get(identifier: Any) -> Callable[..., np.ndarray]:
    """An initializer from a name ("glorot_uniform" or "GlorotUniform"), class, instance, callable or config.

    A config is ``{"class_name": "RandomNormal", "config": {"stddev": 0.1}}``; unknown names raise a
    ValueError listing the known ones.

    Example:
        >>> get("he_normal")
        HeNormal(seed=None)
    """
    init = resolve(identifier, "initializers", "initializer", Initializer, _CLASSES, _ALIASES, key=_snake)
    if init is not NOT_RESOLVED:
        return init
    if callable(identifier):
        return identifier
    raise TypeError(
        f"initializers.get: expected a name, an Initializer or a callable, received "
        f"{type(identifier).__name__} {identifier!r}"
    )


def _snake(name: str) -> str:
    """``GlorotUniform`` -> ``glorot_uniform``; snake_case names pass through."""
    out = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    return out.replace("__", "_")
