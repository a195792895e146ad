"""Plots the tutorials and the ``stepgrad train`` command share: curves, boundaries, image grids.

Each function draws into a new matplotlib figure (or into ``ax`` when given) and returns the
``Figure``. matplotlib is imported lazily, so ``nn`` works without it; install it with
``pip install "stepgrad[notebooks]"``.

Example:
    >>> from nn.plotting import plot_curves
    >>> fig = plot_curves({"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.7, 0.5]})
    >>> fig.axes[0].get_title()
    'loss'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError('nn.plotting needs matplotlib: pip install "stepgrad[notebooks]"') from err
    return plt


def _figure(ax: Any, figsize: tuple[float, float]):
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def plot_curves(
    history: Any, metrics: Sequence[str] | None = None, figsize: tuple[float, float] | None = None,
    xlabel: str = "epoch", logy: bool = False,
):
    """Training curves: one panel per metric, training and ``val_`` curves together, against epoch.

    Example:
        >>> fig = plot_curves({"loss": [0.9, 0.4], "accuracy": [0.6, 0.9], "val_accuracy": [0.5, 0.8]})
        >>> [a.get_title() for a in fig.axes]
        ['loss', 'accuracy']

    Args:
        history: a ``History`` (anything with a ``.history`` dict) or a dict of name -> list of numbers.
        metrics: the panels to draw (default: every key without the ``val_`` prefix).
        figsize: figure size in inches (default: 4.5 wide per panel, 3.2 high).
        xlabel: what one point on the x axis is ("epoch", "step").
        logy: logarithmic y axis (for losses that fall by orders of magnitude).
    """
    logs: Mapping[str, Sequence[float]] = getattr(history, "history", history)
    if not isinstance(logs, Mapping) or not logs:
        raise ValueError(f"plot_curves: expected a History or a non-empty dict of lists, received {logs!r}")
    names = list(metrics) if metrics else [k for k in logs if not k.startswith("val_")]
    if not names:
        names = [k[4:] for k in logs]  # only validation curves were logged
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(names), figsize=figsize or (4.5 * len(names), 3.2), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        for key, style in ((name, "-"), ("val_" + name, "--")):
            if key in logs:
                values = np.asarray(logs[key], dtype=float)
                ax.plot(np.arange(1, len(values) + 1), values, style, marker="o", ms=3, label=key)
        ax.set_title(name)
        ax.xaxis.get_major_locator().set_params(integer=True)  # epochs and steps are whole numbers
        ax.set_xlabel(xlabel)
        if logy:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def plot_decision_boundary(
    predict: Callable[[np.ndarray], Any], X: np.ndarray, y: np.ndarray, steps: int = 60,
    margin: float = 0.5, threshold: float = 0.0, ax: Any = None,
):
    """Colour the plane by the model's decision and scatter the labelled points on top.

    ``predict`` maps an (N, 2) array of points to N scores; a point is class 1 where the score is
    above ``threshold`` (0 for raw scores or logits, 0.5 for probabilities).

    Example:
        >>> import numpy as np
        >>> X = np.array([[0.0, 0.0], [1.0, 1.0]]); y = np.array([0, 1])
        >>> fig = plot_decision_boundary(lambda P: P.sum(axis=1) - 1.0, X, y, steps=10)

    Args:
        predict: function from an (N, 2) float array to N scores (array, list, or Values/Tensors).
        X: (N, 2) points; y: their N labels (0/1, or -1/1).
        steps: grid resolution along each axis (predict is called once on steps * steps points).
        margin: how far the grid reaches beyond the data.
        threshold: the score above which a point counts as class 1.
        ax: draw into these axes instead of a new figure.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must have shape (N, 2), received {X.shape}")
    xs = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, steps)
    ys = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, steps)
    gx, gy = np.meshgrid(xs, ys)
    scores = np.asarray(_raw(predict(np.c_[gx.ravel(), gy.ravel()])), dtype=float).ravel()
    fig, ax = _figure(ax, (5, 4))
    ax.contourf(gx, gy, (scores > threshold).reshape(gx.shape), levels=[-0.5, 0.5, 1.5],
                cmap="coolwarm", alpha=0.3)
    ax.contour(gx, gy, scores.reshape(gx.shape), levels=[threshold], colors="k", linewidths=1)
    ax.scatter(X[:, 0], X[:, 1], c=np.asarray(y) > 0, cmap="coolwarm", edgecolors="k", s=25)
    ax.set_title("decision boundary")
    return fig


def _raw(x: Any) -> Any:
    """Numbers from a Tensor, a list of Values, or an array (plots want plain floats)."""
    if hasattr(x, "numpy"):
        return x.numpy()
    return np.asarray([getattr(v, "data", v) for v in x], dtype=float) if isinstance(x, list) else x


def show_images(
    images: Any, titles: Sequence[str] | None = None, ncols: int = 8, cmap: str | Sequence[str] = "gray",
    size: float = 1.4, colors: Sequence[str] | None = None, suptitle: str | None = None,
    colorbar: str | None = None,
):
    """A grid of images (N, H, W) or (N, H, W, C), each with an optional title.

    Example:
        >>> import numpy as np
        >>> fig = show_images(np.zeros((3, 8, 8)), titles=["a", "b", "c"], ncols=3)
        >>> len(fig.axes)
        3

    Args:
        images: the images; one channel is drawn with ``cmap``, three as RGB; each image is scaled to
            its own range.
        titles: one short title per image (e.g. "7 (p=0.98)").
        ncols: images per row.
        cmap: colour map for one-channel images ("gray", or "RdBu" for signed values such as filters),
            or one colour map per image.
        size: inches per image.
        colors: one title colour per image (e.g. "green"/"red" for right/wrong predictions).
        suptitle: a title over the whole grid.
        colorbar: a label such as "weight": one-channel images then share one colour scale (symmetric
            about 0 for "RdBu_r"/"bwr"/"coolwarm"), shown by a colorbar with that label.
    """
    images = np.asarray(_raw(images), dtype=float)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4):
        raise ValueError(f"show_images: expected (N, H, W) or (N, H, W, C) images, received {images.shape}")
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    plt = _pyplot()
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if suptitle else 0)),
                             squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= n:
            ax.remove()
            continue
        img = images[i]
        cm = cmap if isinstance(cmap, str) else cmap[i]
        if img.ndim == 3:  # RGB: scale into [0, 1] for imshow
            lo, hi = img.min(), img.max()
            ax.imshow((img - lo) / (hi - lo) if hi > lo else np.zeros_like(img))
            continue
        scope = images if colorbar else img  # a colorbar needs one scale for every image
        if cm in _DIVERGING:  # signed maps: keep 0 at the middle colour
            lim = np.abs(scope).max() or 1.0
            shown = ax.imshow(img, cmap=cm, vmin=-lim, vmax=lim)
        else:
            shown = ax.imshow(img, cmap=cm, vmin=scope.min(), vmax=scope.max())
        if titles is not None:
            ax.set_title(titles[i], fontsize=9, color=colors[i] if colors is not None else "black")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    if colorbar and images.ndim == 3:
        fig.colorbar(shown, ax=list(axes.ravel()[:n]), shrink=0.8, label=colorbar)
    return fig


_DIVERGING = ("RdBu", "RdBu_r", "bwr", "coolwarm")


def show_attributions(
    images: Any, maps: Any, titles: Sequence[str] | None = None, percentile: float = 99.0,
    alpha: float = 0.85, size: float = 1.5, suptitle: str | None = None,
):
    """Attribution maps (from ``nn.interpret``) as heatmaps over their images, with a colorbar.

    One row per image: the image, then one overlay per method. **Sign convention: red is positive**
    (the pixel raises the target class's score), **blue is negative** (it lowers it); where the
    attribution is near 0 the image shows through. Each map is summed over channels and divided by
    its own ``percentile``-th percentile of ``|value|`` (clipped to [-1, 1], as captum's
    ``visualize_image_attr`` clips outliers), so maps of different methods share the colorbar's
    scale. Non-negative maps (``|gradient|``, Grad-CAM) are red only.

    Example:
        >>> import numpy as np
        >>> images = np.zeros((2, 8, 8, 1)); maps = np.ones((2, 8, 8, 1))
        >>> fig = show_attributions(images, {"saliency": maps, "occlusion": -maps}, titles=["a", "b"])
        >>> fig.axes[-1].get_ylabel()[:30]
        'attribution (red: raises the s'

    Args:
        images: (N, H, W) or (N, H, W, C) images.
        maps: one array of maps shaped like the images (C may differ, e.g. Grad-CAM's 1), or a dict
            method name -> maps (one column each, in order).
        titles: one label per image (row), e.g. "a 7".
        percentile: which ``|value|`` percentile of each map becomes full colour (100: the maximum).
        alpha: opacity of full-colour pixels.
        size: inches per panel.
        suptitle: a title over the figure.
    """
    images = np.asarray(_raw(images), dtype=float)
    images = images[..., 0] if images.ndim == 4 and images.shape[-1] == 1 else images
    columns = dict(maps) if isinstance(maps, Mapping) else {"attribution": maps}
    if images.ndim not in (3, 4) or not columns:
        raise ValueError(f"show_attributions: expected (N, H, W[, C]) images and at least one map, received "
                         f"images of shape {images.shape}")
    heat = {}
    for name, m in columns.items():
        m = np.asarray(_raw(m), dtype=float)
        m = m.sum(axis=-1) if m.ndim == 4 else m  # one number per pixel: the channels add up
        if m.shape != images.shape[:3]:
            raise ValueError(f"show_attributions: maps {name!r} of shape {np.shape(columns[name])} do not "
                             f"match images of shape {images.shape}")
        scale = np.percentile(np.abs(m).reshape(len(m), -1), percentile, axis=1).reshape(-1, 1, 1)
        heat[name] = np.clip(m / np.where(scale > 0, scale, 1.0), -1.0, 1.0)
    n, ncols = len(images), len(heat) + 1
    plt = _pyplot()
    fig, axes = plt.subplots(n, ncols, figsize=(size * ncols + 1.0, size * n + (0.4 if suptitle else 0)),
                             squeeze=False)
    for row in range(n):
        img = images[row]
        lo, hi = img.min(), img.max()
        img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
        for col, ax in enumerate(axes[row]):
            ax.set_xticks([])
            ax.set_yticks([])
            faded = img if col == 0 else 0.3 + 0.4 * img  # under a map: low contrast, so the colours read
            ax.imshow(faded, cmap="gray" if img.ndim == 2 else None, vmin=0, vmax=1)
            if col:
                name = list(heat)[col - 1]
                v = heat[name][row]
                shown = ax.imshow(v, cmap="RdBu_r", vmin=-1.0, vmax=1.0, alpha=alpha * np.abs(v))
                if row == 0:
                    ax.set_title(name, fontsize=9)
            elif titles is not None:
                ax.set_ylabel(titles[row], fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    fig.colorbar(shown, ax=list(axes.ravel()), shrink=min(0.9, 2.5 / n + 0.3), label=(
        "attribution (red: raises the score, blue: lowers it;\n"
        f"each map / its {percentile:g}th-percentile |value|)"))
    return fig


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> np.ndarray:
    """Counts ``C[i, j]``: how many examples of true class i were predicted as class j.

    Example:
        >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2]).tolist()
        [[1, 0, 0], [0, 1, 1], [0, 0, 1]]

    Args:
        y_true: true class indices (N,), or one-hot (N, K).
        y_pred: predicted class indices (N,), or scores/probabilities (N, K) (argmax is taken).
        num_classes: K (default: one more than the largest index seen).
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    y_true = y_true.argmax(axis=-1) if y_true.ndim == 2 else y_true
    y_pred = y_pred.argmax(axis=-1) if y_pred.ndim == 2 else y_pred
    if y_true.shape != y_pred.shape:
        raise ValueError(f"confusion_matrix: y_true {y_true.shape} and y_pred {y_pred.shape} differ in shape")
    k = num_classes or int(max(y_true.max(initial=0), y_pred.max(initial=0))) + 1
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (y_true.astype(np.int64), y_pred.astype(np.int64)), 1)  # add.at: repeats accumulate
    return counts


def plot_confusion_matrix(counts: np.ndarray, class_names: Sequence[str] | None = None, ax: Any = None):
    """Draw a confusion matrix (from :func:`confusion_matrix`) with the count in every cell.

    Example:
        >>> fig = plot_confusion_matrix(confusion_matrix([0, 1, 1], [0, 1, 0]), ["cat", "dog"])

    Args:
        counts: (K, K) counts, rows = true class, columns = predicted class.
        class_names: K tick labels (default: 0..K-1).
        ax: draw into these axes instead of a new figure.
    """
    counts = np.asarray(counts)
    k = len(counts)
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    fig, ax = _figure(ax, (0.45 * k + 2.5, 0.45 * k + 2))
    ax.imshow(counts, cmap="Blues")
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if counts[i, j] > counts.max() / 2 else "black")
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"confusion matrix (accuracy {np.trace(counts) / max(counts.sum(), 1):.1%})")
    return fig


def plot_loss_surface(
    fn: Callable[[np.ndarray, np.ndarray], np.ndarray], trajectories: Mapping[str, Any] | None = None,
    xlim: tuple[float, float] = (-2.0, 2.0), ylim: tuple[float, float] = (-2.0, 2.0), levels: int = 30,
    title: str | None = None, ax: Any = None,
):
    """Contours of a loss of two parameters, with optimisation paths drawn on top.

    Example:
        >>> fig = plot_loss_surface(lambda x, y: x**2 + 10 * y**2, {"sgd": [(1.5, 1.0), (1.2, 0.0)]})

    Args:
        fn: the loss on numpy grids, ``fn(X, Y) -> Z`` (elementwise).
        trajectories: name -> sequence of (x, y) points visited, in order.
        xlim, ylim: the region drawn.
        levels: number of contour levels (spaced on a log scale, so the valley floor shows).
        title: a title for the plot.
        ax: draw into these axes instead of a new figure.
    """
    xs, ys = np.linspace(*xlim, 200), np.linspace(*ylim, 200)
    gx, gy = np.meshgrid(xs, ys)
    z = np.asarray(fn(gx, gy), dtype=float)
    fig, ax = _figure(ax, (6, 4.5))
    lo = max(z.min(), 1e-3 * (z.max() - z.min()) + z.min() + 1e-12)
    ax.contour(gx, gy, z, levels=np.geomspace(lo - z.min() + 1e-9, z.max() - z.min(), levels) + z.min(),
               cmap="viridis", linewidths=0.7)
    for name, path in (trajectories or {}).items():
        path = np.asarray(path, dtype=float)
        ax.plot(path[:, 0], path[:, 1], "-o", ms=2.5, lw=1.2, label=f"{name} ({len(path) - 1} steps)")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    if trajectories:
        ax.legend(fontsize=8, loc="upper left")
    if title:
        ax.set_title(title)
    return fig
