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

from .activation_layers import LeakyReLU, PReLU, ReLU, Softmax
from .augmentation import (
    RandomBrightness,
    RandomContrast,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
)
from .base import Layer, clear_names
from .conv import AveragePooling2D, Conv2D, MaxPooling2D
from .conv1d import Conv1D
from .conv_variants import Conv2DTranspose, DepthwiseConv2D, SeparableConv2D
from .core import Activation, Dense, Dropout, Flatten
from .embedding import Embedding
from .global_pooling import GlobalAveragePooling2D, GlobalMaxPooling2D
from .image_preprocessing import CenterCrop, Rescaling, Resizing
from .input_layer import Input, InputLayer
from .layer_normalization import LayerNormalization
from .merging import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from .noise import GaussianNoise, SpatialDropout2D
from .normalization import BatchNormalization
from .pooling1d import AveragePooling1D, GlobalAveragePooling1D, GlobalMaxPooling1D, MaxPooling1D
from .recurrent import GRU, LSTM, SimpleRNN
from .reshaping import Cropping2D, Permute, RepeatVector, Reshape, UpSampling2D, ZeroPadding2D
from .text import TextVectorization
from .wrappers import Bidirectional, TimeDistributed

__all__ = [
    "Activation", "Add", "Average", "AveragePooling2D", "BatchNormalization", "CenterCrop", "Concatenate",
    "Conv2D", "RandomBrightness", "RandomContrast", "RandomFlip", "RandomRotation", "RandomTranslation",
    "RandomZoom", "Rescaling", "Resizing",
    "Conv2DTranspose", "Cropping2D", "Dense", "DepthwiseConv2D", "Dropout", "Flatten", "GaussianNoise",
    "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Input", "InputLayer", "Layer", "LayerNormalization",
    "LeakyReLU",
    "MaxPooling2D", "Maximum", "Minimum", "Multiply", "PReLU", "Permute", "ReLU", "RepeatVector", "Reshape",
    "SeparableConv2D", "Softmax", "SpatialDropout2D", "Subtract", "UpSampling2D", "ZeroPadding2D", "add",
    "average", "clear_names", "concatenate", "maximum", "minimum", "multiply", "subtract",
    "AveragePooling1D", "Bidirectional", "Conv1D", "Embedding", "GRU", "GlobalAveragePooling1D",
    "GlobalMaxPooling1D", "LSTM", "MaxPooling1D", "SimpleRNN", "TextVectorization", "TimeDistributed",
]
