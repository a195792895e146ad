"""Data preprocessing with Keras's module layout: ``nn.preprocessing.image``."""

from . import image as image
