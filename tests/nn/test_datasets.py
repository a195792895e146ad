"""nn.datasets toy generators: shapes, dtypes, label balance, geometry, seeding and errors."""

import numpy as np
import pytest

from nn.datasets import make_blobs, make_moons, make_spirals


@pytest.mark.parametrize("make", [make_moons, make_spirals, make_blobs])
def test_shapes_dtypes_and_seeding(make):
    X, y = make(101, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float32
    assert y.shape == (101,) and y.dtype == np.int64
    X2, y2 = make(101, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make(101, seed=4)
    assert not np.array_equal(X, X3)


def test_moons_geometry_without_noise():
    X, y = make_moons(50, noise=0.0, shuffle=False)
    outer, inner = X[y == 0], X[y == 1]
    assert len(outer) == 25 and len(inner) == 25
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0, atol=1e-6)  # unit half circle
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0, atol=1e-6)
    assert outer[:, 1].min() >= -1e-6 and inner[:, 1].max() <= 0.5 + 1e-6  # upper and lower arcs


def test_moons_noise_scale():
    X0, _ = make_moons(2000, noise=0.0, seed=0, shuffle=False)
    X1, _ = make_moons(2000, noise=0.1, seed=0, shuffle=False)
    assert abs(float((X1 - X0).std()) - 0.1) < 0.01


def test_spirals_classes_and_radius():
    X, y = make_spirals(301, n_classes=3, noise=0.0, seed=0)
    assert sorted(np.bincount(y).tolist()) == [100, 100, 101]
    assert float(np.hypot(X[:, 0], X[:, 1]).max()) <= 1.0 + 1e-6


def test_blobs_centers_and_std():
    centers = np.array([[0.0, 0.0, 0.0], [20.0, 20.0, 20.0]])
    X, y = make_blobs(4000, centers=centers, cluster_std=[0.5, 2.0], seed=1)
    assert X.shape == (4000, 3)
    np.testing.assert_allclose(X[y == 1].mean(0), centers[1], atol=0.2)
    assert abs(float(X[y == 0].std()) - 0.5) < 0.05 and abs(float(X[y == 1].std()) - 2.0) < 0.1


def test_blobs_random_centers_in_box():
    X, y = make_blobs(300, centers=4, n_features=5, cluster_std=0.0, seed=2)
    assert X.shape == (300, 5) and set(y.tolist()) == {0, 1, 2, 3}
    assert X.min() >= -10 and X.max() <= 10


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: make_moons(1), "make_moons: n_samples must be an integer >= 2, received n_samples=1"),
        (lambda: make_moons(10, noise=-1), "noise must be a finite number >= 0"),
        (lambda: make_spirals(10, n_classes=1), "make_spirals: n_classes must be an integer >= 2"),
        (lambda: make_blobs(10, centers=np.zeros(3)), "make_blobs: centers must be an int or a 2-D array"),
        (lambda: make_blobs(10, cluster_std=-1.0), "cluster_std must be finite and >= 0"),
    ],
)
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()
