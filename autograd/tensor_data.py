"""Array conversion and the dtype policy for Tensors (the class itself is in ``tensor.py``).

dtype policy (PyTorch's): Python floats and lists of floats become float32; float64 ndarrays and
``dtype=np.float64`` stay float64; ops between a float32 tensor and a Python or numpy scalar stay
float32; integer and bool arrays are allowed as data, but only float tensors can require grad.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .graph import Node

DEFAULT_FLOAT = np.float32


def as_array(data: Any, dtype: Any = None, where: str = "Tensor") -> np.ndarray:
    """numpy array of ``data``; Python floats and lists of floats become float32 unless ``dtype`` says."""
    if isinstance(data, Node):
        data = data.data
    try:
        array = np.asarray(data, dtype=dtype)
    except (ValueError, TypeError) as error:
        raise TypeError(
            f"{where}: expected numbers or a nested list of numbers, got {type(data).__name__} ({error})"
        ) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{where}: expected numbers (bool, int or float), got an array of dtype {array.dtype}"
            + (f" from {type(data).__name__}" if not isinstance(data, np.ndarray) else "")
        )
    if dtype is None and array.dtype.kind == "f" and not isinstance(data, (np.ndarray, np.generic)):
        array = array.astype(DEFAULT_FLOAT)  # python floats and lists default to float32, as in PyTorch
    return array


def operand(x: Any, where: str) -> Any:
    """The other side of a binary op: Tensors and Python numbers as they are, the rest as arrays.

    Numpy scalars become Python numbers so that ``float32 tensor * np.float64(2)`` stays float32
    (numpy would promote to float64; PyTorch does not).
    """
    if isinstance(x, Node):
        if not x._broadcasts:  # a Value: mixing the scalar and array engines is a mistake
            raise TypeError(f"{where}: cannot combine a Tensor with a {type(x).__name__}; "
                            f"use Tensor(value.data) for a constant")
        return x
    if isinstance(x, (int, float)):
        return x
    if isinstance(x, np.generic) and x.dtype.kind in "biuf":
        return x.item()
    if isinstance(x, np.ndarray) and x.dtype.kind in "biuf":
        return x
    return as_array(x, where=where)
