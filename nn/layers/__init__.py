"""Keras-style layers (``nn.layers`` mirrors ``tensorflow.keras.layers``).

Example:
    >>> import numpy as np
    >>> from nn.layers import Conv2D, Dense, Flatten, MaxPooling2D
    >>> x = np.zeros((2, 8, 8, 1), dtype=np.float32)
    >>> for layer in [Conv2D(4, 3, activation="relu"), MaxPooling2D(2), Flatten(), Dense(10)]:
    ...     x = layer(x)
    >>> x.shape
    (2, 10)
"""

from .base import Layer, clear_names
from .conv import AveragePooling2D, Conv2D, MaxPooling2D
from .core import Activation, Dense, Dropout, Flatten, Input
from .normalization import BatchNormalization

__all__ = [
    "Activation", "AveragePooling2D", "BatchNormalization", "Conv2D", "Dense", "Dropout", "Flatten",
    "Input", "Layer", "MaxPooling2D", "clear_names",
]
