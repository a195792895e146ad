"""Random image transforms for ``ImageDataGenerator``: affine warps (rotation, shift, shear, zoom) and flips.

A transform is drawn as a dict of parameters (as Keras's ``get_random_transform``) and applied by
``apply_transform``. The warp maps every output pixel back to a source point and samples it bilinearly
(Keras uses scipy's ``affine_transform`` with order 1; this is the same idea in plain numpy).
"""

from __future__ import annotations

from typing import Any

import numpy as np

FILL_MODES = ("constant", "nearest", "reflect", "wrap")


def shift_amount(rng: np.random.Generator, shift_range: Any, size: int) -> float:
    """A random shift in pixels: floats < 1 are fractions of ``size``; ints give whole pixels in (-n, n)."""
    if np.ndim(shift_range) == 1:  # a list of allowed values, each with a random sign
        amount = float(rng.choice(np.asarray(shift_range))) * rng.choice([-1.0, 1.0])
    elif isinstance(shift_range, (int, np.integer)):
        amount = float(rng.integers(-int(shift_range) + 1, int(shift_range)))
    else:
        amount = float(rng.uniform(-shift_range, shift_range))
    return amount * size if np.max(np.abs(shift_range)) < 1 else amount


def affine_matrix(params: dict, height: int, width: int) -> np.ndarray | None:
    """3x3 matrix taking output (row, col, 1) to the source point, about the image centre; None = identity.

    source = C @ R(theta) @ (Shear @ Zoom @ p + shift) @ C^-1, the composition Keras uses: ``zx, zy`` < 1
    sample a smaller region, so they zoom in.
    """
    theta = np.deg2rad(params.get("theta", 0.0))
    shear = np.deg2rad(params.get("shear", 0.0))
    tx, ty = params.get("tx", 0.0), params.get("ty", 0.0)
    zx, zy = params.get("zx", 1.0), params.get("zy", 1.0)
    if theta == 0 and shear == 0 and tx == 0 and ty == 0 and zx == 1 and zy == 1:
        return None
    # coordinates are (row, col): zy scales rows, zx columns; ty shifts rows, tx columns
    rotation = np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0], [0, 0, 1]])
    shift = np.array([[1, 0, -ty], [0, 1, -tx], [0, 0, 1]])  # minus: sampling from -t moves content by +t
    shear_m = np.array([[np.cos(shear), 0, 0], [-np.sin(shear), 1, 0], [0, 0, 1]])
    zoom = np.diag([zy, zx, 1.0])
    cy, cx = (height - 1) / 2.0, (width - 1) / 2.0  # rotate and zoom about the centre of the pixel grid
    to_centre = np.array([[1, 0, -cy], [0, 1, -cx], [0, 0, 1]])
    back = np.array([[1, 0, cy], [0, 1, cx], [0, 0, 1]])
    return back @ rotation @ shift @ shear_m @ zoom @ to_centre


def _fold(index: np.ndarray, size: int, fill_mode: str) -> np.ndarray:
    """Integer source indices brought inside [0, size) by the fill mode (constant clips; masked later)."""
    if fill_mode == "reflect":  # half-sample symmetric: d c b a | a b c d | d c b a
        index = np.mod(index, 2 * size)
        return np.where(index >= size, 2 * size - 1 - index, index)
    if fill_mode == "wrap":
        return np.mod(index, size)
    return np.clip(index, 0, size - 1)


def sampling_taps(matrix: np.ndarray, height: int, width: int, fill_mode: str = "nearest",
                  interpolation: str = "bilinear") -> tuple[list[tuple[np.ndarray, np.ndarray]],
                                                            np.ndarray | None]:
    """Where each output pixel reads its source, as a linear map: ``out = sum_k w_k * x_flat[i_k]``
    (+ ``fill_weight * cval`` for "constant").

    ``matrix`` takes output (row, col, 1) to the source point. Returns ``(taps, fill_weight)``: each tap
    is ``(flat_index (H, W), weight (H, W, 1))`` into the ``(H*W, C)`` view of the image; bilinear
    blends 4 neighbours, "nearest" takes 1. Source points outside the image are folded back by
    ``fill_mode``; with "constant" they get weight 0 and their share goes to ``fill_weight`` instead.
    Both the numpy warp below and the preprocessing layers (on Tensors, so gradients flow) use this.
    """
    m = matrix.astype(np.float32)  # float32 coordinates: exact enough for any image, and half the work
    rows = np.arange(height, dtype=np.float32)[:, None]
    cols = np.arange(width, dtype=np.float32)[None, :]
    src_r = m[0, 0] * rows + m[0, 1] * cols + m[0, 2]
    src_c = m[1, 0] * rows + m[1, 1] * cols + m[1, 2]
    if interpolation == "nearest":
        corners = [(np.rint(src_r).astype(np.intp), np.rint(src_c).astype(np.intp), np.ones_like(src_r))]
    else:
        r0f, c0f = np.floor(src_r), np.floor(src_c)
        fr, fc = src_r - r0f, src_c - c0f
        r0, c0 = r0f.astype(np.intp), c0f.astype(np.intp)
        corners = [(r0, c0, (1 - fr) * (1 - fc)), (r0, c0 + 1, (1 - fr) * fc),
                   (r0 + 1, c0, fr * (1 - fc)), (r0 + 1, c0 + 1, fr * fc)]
    taps, fill_weight = [], None
    for r, c, weight in corners:
        if fill_mode == "constant":  # neighbours outside the image contribute cval, not a pixel
            inside = (r >= 0) & (r < height) & (c >= 0) & (c < width)
            outside_share = np.where(inside, 0, weight)
            fill_weight = outside_share if fill_weight is None else fill_weight + outside_share
            weight = np.where(inside, weight, 0)
        flat = _fold(r, height, fill_mode) * width + _fold(c, width, fill_mode)
        taps.append((flat, weight[..., None]))
    return taps, None if fill_weight is None else fill_weight[..., None]


def warp(x: np.ndarray, matrix: np.ndarray, fill_mode: str = "nearest", cval: float = 0.0) -> np.ndarray:
    """Resample ``x`` (H, W, C) at ``matrix @ (row, col, 1)`` for every output pixel, bilinearly."""
    height, width, channels = x.shape
    pixels = x.reshape(-1, channels)  # gathering rows of a flat (H*W, C) view is the fastest numpy gather
    taps, fill_weight = sampling_taps(matrix, height, width, fill_mode)
    out = sum(np.take(pixels, flat, axis=0) * weight for flat, weight in taps)
    if fill_weight is not None:
        out = out + fill_weight * np.asarray(cval, dtype=np.float32)
    return out.astype(x.dtype, copy=False)


def apply_transform(x: np.ndarray, params: dict, fill_mode: str = "nearest", cval: float = 0.0) -> np.ndarray:
    """Apply a parameter dict from ``random_params`` to one (H, W, C) image: the affine warp, then flips."""
    matrix = affine_matrix(params, x.shape[0], x.shape[1])
    if matrix is not None:
        x = warp(x, matrix, fill_mode, cval)
    if params.get("flip_horizontal"):
        x = x[:, ::-1]
    if params.get("flip_vertical"):
        x = x[::-1]
    return np.ascontiguousarray(x)


def random_params(gen: Any, shape: tuple[int, ...], rng: np.random.Generator) -> dict:
    """Draw one transform for an image of ``shape`` (H, W, C) from the ranges held by ``gen``."""
    height, width = shape[0], shape[1]
    params = {
        "theta": float(rng.uniform(-gen.rotation_range, gen.rotation_range)) if gen.rotation_range else 0.0,
        "tx": shift_amount(rng, gen.width_shift_range, width) if np.any(gen.width_shift_range) else 0.0,
        "ty": shift_amount(rng, gen.height_shift_range, height) if np.any(gen.height_shift_range) else 0.0,
        "shear": float(rng.uniform(-gen.shear_range, gen.shear_range)) if gen.shear_range else 0.0,
        "zx": 1.0,
        "zy": 1.0,
    }
    low, high = gen.zoom_range
    if (low, high) != (1.0, 1.0):
        params["zx"], params["zy"] = (float(z) for z in rng.uniform(low, high, 2))
    params["flip_horizontal"] = bool(gen.horizontal_flip and rng.random() < 0.5)
    params["flip_vertical"] = bool(gen.vertical_flip and rng.random() < 0.5)
    return params
