"""nn.datasets.cifar10.load_data() and mnist.load_data(): Keras's spellings. CIFAR-10 is read from a
tiny archive built here in the official binary format (never the network)."""

import hashlib
import io
import tarfile

import numpy as np
import pytest

from nn.datasets import cifar10, mnist

RECORD = 1 + 3 * 32 * 32


def record(label, red, green, blue):
    """One CIFAR record: the label byte, then the red, green and blue planes (32 x 32 each)."""
    planes = [np.full(1024, v, np.uint8) for v in (red, green, blue)]
    planes[0][33] = 250  # row 1, column 1 of the red plane: checks the row-major layout
    return bytes([label]) + b"".join(p.tobytes() for p in planes)


def build_archive(path, per_batch=2, members=None):
    files = members if members is not None else {
        **{f"data_batch_{b}.bin": b"".join(record((b + i) % 10, b, 10 * i, 99) for i in range(per_batch))
           for b in range(1, 6)},
        "test_batch.bin": record(7, 1, 2, 3),
    }
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cifar10_reads_the_binary_format(tmp_path):
    archive = tmp_path / "cifar-10-binary.tar.gz"
    digest = build_archive(archive)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data(path=archive, file_hash=digest)
    assert x_train.shape == (10, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (10, 1) and y_train.dtype == np.uint8
    assert y_train.ravel().tolist() == [(b + i) % 10 for b in range(1, 6) for i in range(2)]
    assert x_train[3, 0, 0].tolist() == [2, 10, 99]  # batch 2, record 1: red 2, green 10, blue 99
    assert x_train[3, 1, 1, 0] == 250 and x_train[3, 1, 2, 0] == 2
    assert x_test.shape == (1, 32, 32, 3) and y_test.tolist() == [[7]] and x_test[0, 5, 5].tolist() == [1, 2,
                                                                                                        3]
    assert cifar10.CLASS_NAMES[int(y_test[0, 0])] == "horse"


def test_cifar10_downloads_through_get_file_and_checks_the_hash(tmp_path):
    source = tmp_path / "mirror" / "cifar-10-binary.tar.gz"
    source.parent.mkdir()
    digest = build_archive(source)
    (x_train, _), _ = cifar10.load_data(cache_dir=tmp_path / "cache", file_hash=digest,
                                        origin=source.as_uri())
    assert x_train.shape == (10, 32, 32, 3)
    assert (tmp_path / "cache" / "datasets" / "cifar-10-binary.tar.gz").is_file()
    cached = cifar10.load_data(cache_dir=tmp_path / "cache", file_hash=digest, download=False)
    np.testing.assert_array_equal(cached[0][0], x_train)
    with pytest.raises(ValueError, match=r"has sha256 .*expected c4a38c50"):  # the official hash by default
        cifar10.load_data(cache_dir=tmp_path / "other", origin=source.as_uri())
    with pytest.raises(FileNotFoundError, match="download=False"):
        cifar10.load_data(cache_dir=tmp_path / "empty", download=False)


def test_cifar10_refuses_wrong_archives(tmp_path):
    archive = tmp_path / "a.tar.gz"
    build_archive(archive)
    with pytest.raises(ValueError, match=r"has SHA-256 .* expected c4a38c50.*not the official archive"):
        cifar10.load_data(path=archive)
    short = tmp_path / "short.tar.gz"
    build_archive(short, members={"data_batch_1.bin": b"\x00" * (RECORD - 1)})
    with pytest.raises(ValueError, match=r"data_batch_1\.bin in .* holds 3072 bytes; expected whole "
                                          "3073-byte"):
        cifar10.load_data(path=short, file_hash=None)
    missing = tmp_path / "missing.tar.gz"
    build_archive(missing, members={"data_batch_1.bin": record(1, 0, 0, 0)})
    with pytest.raises(ValueError, match=r"has no cifar-10-batches-bin/data_batch_2\.bin"):
        cifar10.load_data(path=missing, file_hash=None)
    bad_label = tmp_path / "label.tar.gz"
    build_archive(bad_label, members={f"data_batch_{b}.bin": record(42, 0, 0, 0) for b in range(1, 6)})
    with pytest.raises(ValueError, match="has label 42"):
        cifar10.load_data(path=bad_label, file_hash=None)
    not_tar = tmp_path / "x.tar.gz"
    not_tar.write_bytes(b"plain text")
    with pytest.raises(ValueError, match="not a readable tar archive"):
        cifar10.load_data(path=not_tar, file_hash=None)


def test_mnist_load_data_is_load_mnist(tmp_path):
    with pytest.raises(FileNotFoundError, match="load_mnist: .*download=False"):
        mnist.load_data(cache_dir=tmp_path, download=False)
