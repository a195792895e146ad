"""CIFAR-10 (``keras.datasets.cifar10.load_data()``), read from the official *binary* archive.

``cifar-10-binary.tar.gz`` holds ``cifar-10-batches-bin/data_batch_1.bin`` ... ``data_batch_5.bin``
and ``test_batch.bin``: records of 3073 bytes, one label byte (0-9) then a 32x32 image as 1024 red,
1024 green and 1024 blue bytes, rows top to bottom. Reading it needs no pickle (Keras's Python
archive is pickled, and unpickling can run code), and nothing is extracted to disk: the members are
read straight from the archive after its SHA-256 has been checked.
"""

from __future__ import annotations

import os
import tarfile

import numpy as np

from ..utils.file_utils import cache_root, get_file, hash_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
ARCHIVE = "cifar-10-binary.tar.gz"
# SHA-256 of the official archive (170,052,171 bytes), as TensorFlow Datasets records it.
SHA256 = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"
FOLDER = "cifar-10-batches-bin"
TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_FILE = "test_batch.bin"
RECORD_BYTES = 1 + 32 * 32 * 3
MAX_RECORDS = 10_000  # per batch file in the official archive; more is refused before reading
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def load_data(path: str | os.PathLike | None = None, cache_dir: str | os.PathLike | None = None,
              download: bool = True, file_hash: str | None = SHA256,
              origin: str = ORIGIN) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """CIFAR-10's 50,000 training and 10,000 test images, as Keras returns them.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()   # doctest: +SKIP
        >>> x_train.shape, x_train.dtype, y_train.shape, CLASS_NAMES[int(y_train[0, 0])]  # doctest: +SKIP
        ((50000, 32, 32, 3), dtype('uint8'), (50000, 1), 'frog')

    Args:
        path: the archive file to read (nothing is downloaded); default: the cached copy.
        cache_dir: the cache root for the download (``get_file``'s; ``datasets/`` below it).
        download: fetch the archive from ``origin`` when it is not cached; if false, a missing
            archive is an error.
        file_hash: the archive's expected SHA-256 (the official one by default; None skips the check).
        origin: where to download from.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``: uint8 images ``(n, 32, 32, 3)`` (channels last) and
        uint8 labels ``(n, 1)``; ``CLASS_NAMES[label]`` names a label.
    """
    where = "cifar10.load_data"
    if path is None:
        cached = os.path.join(cache_root(cache_dir), "datasets", ARCHIVE)
        if not download and not os.path.isfile(cached):
            raise FileNotFoundError(f"{where}: {cached} not found (download=False); put the official "
                                    f"{ARCHIVE} there or pass path= to it")
        archive = get_file(ARCHIVE, origin, file_hash=file_hash, cache_dir=cache_dir)
    else:
        archive = os.fspath(path)
        if not os.path.isfile(archive):
            raise FileNotFoundError(f"{where}: path={archive!r} is not a file (expected {ARCHIVE})")
        if file_hash is not None:
            actual = hash_file(archive)
            if actual != file_hash.lower():
                raise ValueError(f"{where}: {archive} has SHA-256 {actual}, expected {file_hash}; it is not "
                                 "the "
                                 "official archive (pass file_hash=None to read a copy you trust)")
    try:
        with tarfile.open(archive, "r:*") as tar:
            train = [_read_batch(tar, name, archive, where) for name in TRAIN_FILES]
            test = _read_batch(tar, TEST_FILE, archive, where)
    except tarfile.TarError as error:
        raise ValueError(f"{where}: {archive} is not a readable tar archive ({error})") from error
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    return (x_train, y_train), test


def _read_batch(tar: tarfile.TarFile, name: str, archive: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    """One batch file's images ``(n, 32, 32, 3)`` and labels ``(n, 1)``, checked before and after reading."""
    member_name = f"{FOLDER}/{name}"
    try:
        member = tar.getmember(member_name)
    except KeyError:
        raise ValueError(f"{where}: {archive} has no {member_name}; is it the binary CIFAR-10 archive "
                         f"({ARCHIVE})?") from None
    if not member.isfile() or member.size % RECORD_BYTES or member.size > MAX_RECORDS * RECORD_BYTES:
        raise ValueError(f"{where}: {member_name} in {archive} holds {member.size} bytes; expected whole "
                         f"{RECORD_BYTES}-byte records, at most {MAX_RECORDS} of them")
    raw = np.frombuffer(tar.extractfile(member).read(), dtype=np.uint8).reshape(-1, RECORD_BYTES)
    labels = raw[:, :1].copy()
    if labels.max(initial=0) > 9:
        raise ValueError(f"{where}: {member_name} in {archive} has label {int(labels.max())}; CIFAR-10 "
                         "labels "
                         "are 0-9")
    images = raw[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # planes (R, G, B) -> channels last
    return np.ascontiguousarray(images), labels
