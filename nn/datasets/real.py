"""Small real datasets: the 8x8 UCI digits (shipped in the package) and MNIST (cached, checksummed).

``load_digits`` reads ``data/digits.csv.gz`` from the installed package, so it needs no network.
``load_mnist`` reads the four original IDX ``.gz`` files from a folder or a cache, downloading them
once when allowed; every file is checked against its published SHA-256 before it is parsed or cached.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..utils.file_utils import download, hash_file

DATA_DIR = Path(__file__).resolve().parent / "data"
DIGITS_FILE = "digits.csv.gz"

# SHA-256 of the original gzip files, as published by TensorFlow Datasets (url_checksums/mnist.txt).
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
# The same bytes are served by torchvision's S3 mirror and by the original site.
MNIST_MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/")
_IDX_MAGIC = {1: 2049, 3: 2051}  # ndim -> magic number (0x0801 labels, 0x0803 images; unsigned bytes)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 8x8 handwritten digits of the UCI "optical recognition" test set (sklearn's ``load_digits``).

    Each image counts the ink pixels in 4x4 blocks of a 32x32 bitmap, so pixels are integers 0..16.
    The data ships inside the package (``nn/datasets/data/digits.csv.gz``; see the README there for
    source and license), so this works offline and without scikit-learn.

    Example:
        >>> images, labels = load_digits()
        >>> images.shape, images.dtype, labels[:5].tolist()
        ((1797, 8, 8), dtype('float32'), [0, 1, 2, 3, 4])

    Returns:
        ``(images, labels)``: ``images`` float32 ``(1797, 8, 8)`` with values in ``[0, 16]`` (divide by
        16 to get ``[0, 1]``; ``images.reshape(-1, 64)`` is sklearn's ``X``), ``labels`` int64 0..9.
    """
    path = DATA_DIR / DIGITS_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"load_digits: the bundled data file {path} is missing; reinstall stepgrad (pip install stepgrad)"
        )
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if table.shape != (1797, 65):
        raise ValueError(f"load_digits: {path} holds a table of shape {table.shape}, expected (1797, 65)")
    return table[:, :64].reshape(-1, 8, 8).astype(np.float32), table[:, 64]


def _verify(path: Path, expected: str | None, where: str) -> None:
    if expected is None:
        return
    actual = hash_file(path)
    if actual != expected.lower():
        raise ValueError(
            f"{where}: {path} has SHA-256 {actual}, expected {expected}; the file is corrupt, truncated or "
            "not the original. Delete it and load again (or pass the right checksums=)."
        )


def download_from_mirrors(name: str, dest: Path, mirrors: Sequence[str], expected: str | None,
                          where: str) -> None:
    """Fetch ``name`` from the first mirror that serves the right bytes (``get_file``'s atomic download)."""
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + name
        try:
            download(url, str(dest), expected, "sha256", where)
            return
        except (ValueError, OSError) as error:  # unreachable, or wrong bytes: try the next mirror
            failures.append(f"{url}: {error}")
    raise OSError(
        f"{where}: could not download {name} (offline?). Tried:\n  " + "\n  ".join(failures)
        + f"\nPut the file in {dest.parent} yourself, or pass path= to a folder holding it."
    )


def _read_idx(path: Path, ndim: int) -> np.ndarray:
    """Parse a gzipped IDX file of unsigned bytes: magic, ``ndim`` big-endian sizes, then the payload."""
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as error:
        raise ValueError(f"load_mnist: {path} is not a readable gzip file ({error})") from error
    magic = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else None
    if magic != _IDX_MAGIC[ndim]:
        raise ValueError(
            f"load_mnist: {path} has IDX magic number {magic}, expected {_IDX_MAGIC[ndim]} "
            f"(unsigned bytes, {ndim} dimension{'s' if ndim > 1 else ''})"
        )
    header = 4 * (1 + ndim)
    if len(raw) < header:
        raise ValueError(f"load_mnist: {path} is too short for an IDX header ({len(raw)} bytes)")
    shape = np.frombuffer(raw[4:header], dtype=">u4").tolist()
    expected_bytes = int(np.prod(shape))
    if len(raw) - header != expected_bytes:
        raise ValueError(
            f"load_mnist: {path} holds {len(raw) - header} bytes of data, "
            f"its header {shape} says {expected_bytes}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def load_mnist(
    path: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    download: bool = True,
    checksums: Mapping[str, str | None] | None = None,
    mirrors: Sequence[str] = MNIST_MIRRORS,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST's 60,000 training and 10,000 test digits, as ``keras.datasets.mnist.load_data()`` returns them.

    Reads the four original IDX files (``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
    ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``) from ``path`` if given, else from
    ``cache_dir`` (default ``~/.cache/stepgrad/mnist``), downloading missing files into the cache when
    ``download`` is true. Every file must match its SHA-256 before it is used; a download that does not
    match is deleted, so nothing wrong is ever cached.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_mnist()  # doctest: +SKIP
        >>> x_train.shape, x_train.dtype, y_test.shape            # doctest: +SKIP
        ((60000, 28, 28), dtype('uint8'), (10000,))

    Args:
        path: a folder holding the four files; nothing is downloaded into it.
        cache_dir: where downloaded files are kept (used when ``path`` is None).
        download: fetch missing files from ``mirrors``; if false, a missing file is an error.
        checksums: file name -> expected SHA-256 (None skips that file's check); defaults to the
            published values in ``MNIST_SHA256``. Mainly for tests and private copies.
        mirrors: base URLs to try in order.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``: uint8 images ``(n, 28, 28)`` with 0 = background and
        uint8 labels 0..9, as in Keras.
    """
    sums = dict(MNIST_SHA256 if checksums is None else checksums)
    if path is not None:
        folder = Path(path).expanduser()
        if not folder.is_dir():
            raise FileNotFoundError(f"load_mnist: path={str(path)!r} is not a folder")
    else:
        default = Path.home() / ".cache" / "stepgrad" / "mnist"
        folder = Path(cache_dir).expanduser() if cache_dir is not None else default
    arrays = []
    for name in MNIST_SHA256:
        file = folder / name
        if not file.is_file():
            if path is not None or not download:
                why = "download=False" if path is None else f"path={str(path)!r} is used as is"
                raise FileNotFoundError(
                    f"load_mnist: {file} not found ({why}); expected the four files {sorted(MNIST_SHA256)}"
                )
            download_from_mirrors(name, file, mirrors, sums.get(name), "load_mnist")
        _verify(file, sums.get(name), "load_mnist")
        arrays.append(_read_idx(file, 3 if "images" in name else 1))
    x_train, y_train, x_test, y_test = arrays
    for x, y, split in ((x_train, y_train, "train"), (x_test, y_test, "t10k")):
        if len(x) != len(y):
            raise ValueError(f"load_mnist: {split} images ({len(x)}) and labels ({len(y)}) differ in number")
    return (x_train, y_train), (x_test, y_test)
