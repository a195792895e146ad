"""Datasets: seeded toy generators (moons, spirals, blobs) and small real image sets.

``make_moons``, ``make_spirals`` and ``make_blobs`` return sklearn-style ``(X, y)`` pairs.
"""

from .synthetic import make_blobs, make_moons, make_spirals

__all__ = ["make_blobs", "make_moons", "make_spirals"]
