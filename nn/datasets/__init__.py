"""Datasets: seeded toy generators (moons, spirals, blobs) and small real image sets.

``make_moons``, ``make_spirals`` and ``make_blobs`` return sklearn-style ``(X, y)`` pairs;
``load_digits()`` reads the 8x8 digits shipped in the package; ``load_mnist()`` reads (and, when
allowed, downloads and caches) the original MNIST files, verifying their SHA-256; ``load_names()``
reads the 1990 US Census first names with their sex, shipped in the package. Keras's spellings:
``mnist.load_data()`` and ``cifar10.load_data()`` (the official binary archive, SHA-256 checked).
"""

from . import cifar10 as cifar10
from . import mnist as mnist
from .names import load_names
from .real import MNIST_SHA256, load_digits, load_mnist
from .synthetic import make_blobs, make_moons, make_spirals

__all__ = [
    "MNIST_SHA256", "cifar10", "load_digits", "load_mnist", "load_names", "make_blobs", "make_moons",
    "make_spirals", "mnist",
]
