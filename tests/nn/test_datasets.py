"""nn.datasets: toy generators (shapes, seeding, geometry, errors), bundled digits, MNIST loading."""

import gzip
import hashlib

import numpy as np
import pytest

from nn.datasets import load_digits, load_mnist, make_blobs, make_moons, make_spirals, real


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


# ---- load_digits: the bundled file ----

DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


def test_digits_file_is_the_recorded_one():
    path = real.DATA_DIR / real.DIGITS_FILE
    assert hashlib.sha256(path.read_bytes()).hexdigest() == DIGITS_SHA256
    assert (real.DATA_DIR / "README.md").is_file()


def test_load_digits():
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.float32
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert images.min() == 0 and images.max() == 16
    assert labels[:10].tolist() == list(range(10))
    assert np.bincount(labels).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


# ---- load_mnist: small IDX files written here ----

def _idx_gz(path, array):
    magic = 2051 if array.ndim == 3 else 2049
    header = np.array([magic, *array.shape], dtype=">u4").tobytes()
    path.write_bytes(gzip.compress(header + array.astype(np.uint8).tobytes()))
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def mini_mnist(tmp_path):
    """A folder with the four MNIST file names holding 6 train and 4 test tiny images; and their sums."""
    folder = tmp_path / "src"
    folder.mkdir()
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (6, 28, 28)),
        "train-labels-idx1-ubyte.gz": np.arange(6) % 10,
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (4, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": np.array([7, 2, 1, 0]),
    }
    sums = {name: _idx_gz(folder / name, a) for name, a in arrays.items()}
    return folder, sums, arrays


def test_load_mnist_from_path(mini_mnist):
    folder, sums, arrays = mini_mnist
    (x_train, y_train), (x_test, y_test) = load_mnist(path=folder, checksums=sums)
    assert x_train.shape == (6, 28, 28) and x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    np.testing.assert_array_equal(x_test, arrays["t10k-images-idx3-ubyte.gz"])
    assert y_test.tolist() == [7, 2, 1, 0]


def test_load_mnist_checks_official_sums_by_default(mini_mnist):
    folder, _, _ = mini_mnist
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz has SHA-256 .* expected 440fcabf"):
        load_mnist(path=folder)


def test_load_mnist_downloads_into_cache_then_reuses_it(mini_mnist, tmp_path):
    folder, sums, _ = mini_mnist
    cache = tmp_path / "cache"
    load_mnist(cache_dir=cache, checksums=sums, mirrors=[folder.as_uri()])
    assert sorted(p.name for p in cache.iterdir()) == sorted(sums)  # no .part leftovers
    (_, _), (_, y_test) = load_mnist(cache_dir=cache, checksums=sums, mirrors=[], download=False)
    assert y_test.tolist() == [7, 2, 1, 0]


def test_load_mnist_wrong_download_caches_nothing(mini_mnist, tmp_path):
    folder, sums, _ = mini_mnist
    bad = dict(sums, **{"train-labels-idx1-ubyte.gz": "0" * 64})
    cache = tmp_path / "cache"
    with pytest.raises(OSError, match="could not download train-labels-idx1-ubyte.gz"):
        load_mnist(cache_dir=cache, checksums=bad, mirrors=[folder.as_uri()])
    assert "train-labels-idx1-ubyte.gz" not in [p.name for p in cache.iterdir()]
    assert not any(p.suffix == ".part" for p in cache.iterdir())


def test_load_mnist_offline_and_not_cached(tmp_path):
    with pytest.raises(OSError, match=r"could not download .*offline\?"):
        load_mnist(cache_dir=tmp_path, mirrors=["http://127.0.0.1:9/"])
    with pytest.raises(FileNotFoundError, match="download=False"):
        load_mnist(cache_dir=tmp_path, download=False)
    assert list(tmp_path.iterdir()) == []


def test_load_mnist_corrupt_files(mini_mnist):
    folder, sums, _ = mini_mnist
    name = "t10k-images-idx3-ubyte.gz"
    (folder / name).write_bytes((folder / name).read_bytes()[:50])  # truncated gzip
    with pytest.raises(ValueError, match=f"{name} has SHA-256"):
        load_mnist(path=folder, checksums=sums)
    with pytest.raises(ValueError, match=f"{name} is not a readable gzip file"):
        load_mnist(path=folder, checksums=dict(sums, **{name: None}))
    _idx_gz(folder / name, np.zeros(5, dtype=np.uint8))  # a label file under an image file's name
    with pytest.raises(ValueError, match="IDX magic number 2049, expected 2051"):
        load_mnist(path=folder, checksums=dict(sums, **{name: None}))


def test_load_mnist_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        load_mnist(path=tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz not found"):
        load_mnist(path=tmp_path)
