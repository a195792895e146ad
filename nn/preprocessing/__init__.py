"""Data preprocessing with Keras's module layout: ``nn.preprocessing.image`` and ``.sequence``."""

from . import image as image
from . import sequence as sequence
