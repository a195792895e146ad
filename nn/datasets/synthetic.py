"""Seeded toy datasets in two dimensions: moons, spirals and blobs (sklearn-style ``(X, y)`` pairs).

Each function draws from its own ``numpy.random.default_rng(seed)``, so the same seed gives the same
points and no global random state is touched. ``X`` is float32 (the engine's default float), ``y`` int64.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike


def _split_counts(n_samples: int, n_parts: int) -> list[int]:
    """``n_samples`` spread over ``n_parts`` as evenly as possible, the first parts one larger."""
    base, extra = divmod(n_samples, n_parts)
    return [base + (1 if i < extra else 0) for i in range(n_parts)]


def _check_count(where: str, name: str, value: int, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{where}: {name} must be an integer >= {minimum}, received {name}={value!r}")
    return int(value)


def _check_noise(where: str, noise: float) -> float:
    if noise is None:
        return 0.0
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"{where}: noise must be a finite number >= 0, received noise={noise!r}")
    return float(noise)


def _finish(X: np.ndarray, y: np.ndarray, rng: np.random.Generator, shuffle: bool, dtype: DTypeLike):
    if shuffle:  # the generators build class by class; shuffle so batches mix classes, as sklearn does
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    return X.astype(dtype), y.astype(np.int64)


def make_moons(
    n_samples: int = 100, noise: float = 0.1, seed: int | None = None, shuffle: bool = True,
    dtype: DTypeLike = np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: class 0 on ``(cos t, sin t)``, class 1 on ``(1 - cos t, 0.5 - sin t)``.

    ``t`` runs evenly over ``[0, pi]``; Gaussian noise of standard deviation ``noise`` is added to both
    coordinates (sklearn's ``make_moons`` layout, with an int ``seed`` instead of ``random_state``).

    Example:
        >>> X, y = make_moons(200, noise=0.1, seed=0)
        >>> X.shape, y.shape, sorted(set(y.tolist()))
        ((200, 2), (200,), [0, 1])

    Args:
        n_samples: total number of points; class 0 gets ``n_samples // 2``, class 1 the rest.
        noise: standard deviation of the Gaussian noise (0 or None for exact half circles).
        seed: seed for the random generator (None: fresh entropy each call).
        shuffle: shuffle the points (otherwise class 0 comes first).
        dtype: float dtype of ``X``.

    Returns:
        ``(X, y)``: ``X`` of shape ``(n_samples, 2)``, ``y`` int64 labels 0/1 of shape ``(n_samples,)``.
    """
    n_samples = _check_count("make_moons", "n_samples", n_samples, 2)
    noise = _check_noise("make_moons", noise)
    rng = np.random.default_rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    t_outer = np.linspace(0.0, np.pi, n_outer)
    t_inner = np.linspace(0.0, np.pi, n_inner)
    outer = np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1)
    inner = np.stack([1.0 - np.cos(t_inner), 0.5 - np.sin(t_inner)], axis=1)
    X = np.concatenate([outer, inner])
    y = np.concatenate([np.zeros(n_outer), np.ones(n_inner)])
    if noise:
        X = X + rng.normal(0.0, noise, size=X.shape)
    return _finish(X, y, rng, shuffle, dtype)


def make_spirals(
    n_samples: int = 100, n_classes: int = 2, noise: float = 0.2, seed: int | None = None,
    shuffle: bool = True, dtype: DTypeLike = np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` interleaved spiral arms: point ``i`` of arm ``k`` is ``r * (sin t, cos t)``.

    ``r`` runs from 0 to 1 along each arm and ``t = 4 * (k + r) + noise * N(0, 1)`` (the CS231n
    spiral), so arms are rotated copies of one another and ``noise`` blurs them angularly.

    Example:
        >>> X, y = make_spirals(300, n_classes=3, seed=0)
        >>> X.shape, [int((y == k).sum()) for k in range(3)]
        ((300, 2), [100, 100, 100])

    Args:
        n_samples: total number of points, spread as evenly as possible over the arms.
        n_classes: number of arms (classes), at least 2.
        noise: standard deviation of the angular noise, in radians.
        seed: seed for the random generator.
        shuffle: shuffle the points (otherwise arm 0 comes first).
        dtype: float dtype of ``X``.

    Returns:
        ``(X, y)``: ``X`` of shape ``(n_samples, 2)`` within the unit disc, ``y`` int64 in ``[0, n_classes)``.
    """
    n_classes = _check_count("make_spirals", "n_classes", n_classes, 2)
    n_samples = _check_count("make_spirals", "n_samples", n_samples, n_classes)
    noise = _check_noise("make_spirals", noise)
    rng = np.random.default_rng(seed)
    Xs, ys = [], []
    for k, count in enumerate(_split_counts(n_samples, n_classes)):
        r = np.linspace(0.0, 1.0, count)
        t = 4.0 * (k + r) + noise * rng.standard_normal(count)  # each arm starts 4 radians further round
        Xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(count, k))
    return _finish(np.concatenate(Xs), np.concatenate(ys), rng, shuffle, dtype)


def make_blobs(
    n_samples: int = 100, centers: int | np.ndarray = 3, n_features: int = 2, cluster_std: float = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0), seed: int | None = None, shuffle: bool = True,
    dtype: DTypeLike = np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs: class ``k`` is drawn from ``N(centers[k], cluster_std**2 * I)``.

    With an integer ``centers``, the centres are drawn uniformly from ``center_box`` in each
    dimension (sklearn's ``make_blobs``).

    Example:
        >>> X, y = make_blobs(90, centers=3, seed=0)
        >>> X.shape, [int((y == k).sum()) for k in range(3)]
        ((90, 2), [30, 30, 30])

    Args:
        n_samples: total number of points, spread as evenly as possible over the blobs.
        centers: number of blobs, or an array ``(n_centers, n_features)`` of their centres.
        n_features: dimension of each point (ignored when ``centers`` is an array).
        cluster_std: standard deviation of every blob, or one value per blob.
        center_box: ``(low, high)`` bounds for randomly drawn centres.
        seed: seed for the random generator.
        shuffle: shuffle the points (otherwise blob 0 comes first).
        dtype: float dtype of ``X``.

    Returns:
        ``(X, y)``: ``X`` of shape ``(n_samples, n_features)``, ``y`` int64 blob indices.
    """
    if np.ndim(centers) == 0:
        n_centers = _check_count("make_blobs", "centers", centers, 1)
        n_features = _check_count("make_blobs", "n_features", n_features, 1)
        centers_arr = None
    else:
        centers_arr = np.asarray(centers, dtype=np.float64)
        if centers_arr.ndim != 2:
            raise ValueError(
                f"make_blobs: centers must be an int or a 2-D array (n_centers, n_features), "
                f"received an array of shape {centers_arr.shape}"
            )
        n_centers, n_features = centers_arr.shape
    n_samples = _check_count("make_blobs", "n_samples", n_samples, 1)
    stds = np.broadcast_to(np.asarray(cluster_std, dtype=np.float64), (n_centers,))
    if np.any(stds < 0) or not np.all(np.isfinite(stds)):
        raise ValueError(
            f"make_blobs: cluster_std must be finite and >= 0, received cluster_std={cluster_std!r}"
        )
    rng = np.random.default_rng(seed)
    if centers_arr is None:
        centers_arr = rng.uniform(center_box[0], center_box[1], size=(n_centers, n_features))
    Xs, ys = [], []
    for k, count in enumerate(_split_counts(n_samples, n_centers)):
        Xs.append(centers_arr[k] + stds[k] * rng.standard_normal((count, n_features)))
        ys.append(np.full(count, k))
    return _finish(np.concatenate(Xs), np.concatenate(ys), rng, shuffle, dtype)
