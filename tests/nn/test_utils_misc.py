"""nn.utils: get_file (local file:// origins only, never the network), PyDataset with fit,
to_categorical, and the image-file helpers under Keras's names."""

import hashlib
import io
import os
import tarfile
import zipfile

import numpy as np
import pytest

from nn import utils


def sha256(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "src" / "table.csv"
    path.parent.mkdir()
    path.write_bytes(b"a,b\n1,2\n")
    return path


def test_get_file_downloads_checks_and_caches(source, tmp_path):
    cache = tmp_path / "cache"
    path = utils.get_file("table.csv", source.as_uri(), file_hash=sha256(source.read_bytes()),
                          cache_dir=cache)
    assert path == str(cache / "datasets" / "table.csv") and open(path, "rb").read() == b"a,b\n1,2\n"
    source.write_bytes(b"changed upstream")  # a cached file that still matches is not fetched again
    again = utils.get_file("table.csv", source.as_uri(), file_hash=sha256(b"a,b\n1,2\n"), cache_dir=cache)
    assert open(again, "rb").read() == b"a,b\n1,2\n"
    fresh = utils.get_file(origin=source.as_uri(), cache_dir=cache, cache_subdir="other")  # name from the URL
    assert fresh.endswith(os.path.join("other", "table.csv")) and open(fresh,
                                                                       "rb").read() == b"changed upstream"
    assert [p.name for p in (cache / "datasets").iterdir()] == ["table.csv"]  # no temporary files left


def test_get_file_redownloads_a_stale_cache_and_refuses_wrong_bytes(source, tmp_path):
    cache = tmp_path / "cache"
    (cache / "datasets").mkdir(parents=True)
    (cache / "datasets" / "table.csv").write_bytes(b"truncat")
    good = sha256(source.read_bytes())
    path = utils.get_file("table.csv", source.as_uri(), file_hash=good, cache_dir=cache)
    assert open(path, "rb").read() == source.read_bytes()
    with pytest.raises(ValueError, match=r"has sha256 [0-9a-f]{64}, expected 0{64}.*not kept"):
        utils.get_file("other.csv", source.as_uri(), file_hash="0" * 64, cache_dir=cache)
    assert not (cache / "datasets" / "other.csv").exists()
    assert sorted(p.name for p in (cache / "datasets").iterdir()) == ["table.csv"]
    md5 = hashlib.md5(source.read_bytes()).hexdigest()
    assert utils.get_file("m.csv", source.as_uri(), md5_hash=md5, cache_dir=cache).endswith("m.csv")
    assert utils.validate_file(path, md5) and utils.validate_file(path, good)


def test_get_file_offline_error_says_where_to_put_the_file(tmp_path):
    missing = (tmp_path / "nowhere" / "data.bin").as_uri()
    with pytest.raises(OSError, match=r"get_file: could not download .*data\.bin.*put the file at "
                                       r".*data\.bin"):
        utils.get_file("data.bin", missing, cache_dir=tmp_path / "cache")
    with pytest.raises(ValueError, match="origin"):
        utils.get_file("x")


def test_get_file_extracts_tar_and_zip_archives(tmp_path):
    payload = b"hello"
    tar_path = tmp_path / "bundle.tar.gz"
    with tarfile.open(tar_path, "w:gz") as archive:
        info = tarfile.TarInfo("bundle/greeting.txt")
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
    folder = utils.get_file("bundle.tar.gz", tar_path.as_uri(), extract=True, cache_dir=tmp_path / "c")
    assert folder.endswith("bundle_extracted")
    assert open(os.path.join(folder, "bundle", "greeting.txt"), "rb").read() == payload
    zip_path = tmp_path / "z.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("inner/a.txt", "zip!")
    folder = utils.get_file("z.zip", zip_path.as_uri(), extract=True, cache_dir=tmp_path / "c")
    assert open(os.path.join(folder, "inner", "a.txt")).read() == "zip!"


def test_get_file_refuses_archives_that_escape_their_folder(tmp_path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../escaped.txt", "gotcha")
    with pytest.raises(ValueError, match=r"points outside the folder"):
        utils.get_file("evil.zip", evil.as_uri(), extract=True, cache_dir=tmp_path / "c")
    assert not (tmp_path / "escaped.txt").exists()
    linked = tmp_path / "link.tar"
    with tarfile.open(linked, "w") as archive:
        info = tarfile.TarInfo("sneaky")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(info)
    with pytest.raises(ValueError, match="a link or special file"):
        utils.get_file("link.tar", linked.as_uri(), extract=True, cache_dir=tmp_path / "c")


class Batches(utils.PyDataset):
    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size, self.epochs_ended = x, y, batch_size, 0

    def __len__(self):
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index):
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[part], self.y[part]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_py_dataset_iterates_in_order_on_threads_and_trains_with_fit():
    x = np.random.default_rng(0).normal(size=(50, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32)
    data = Batches(x, y, batch_size=8, workers=3, max_queue_size=2)
    assert data.num_batches == len(data) == 7
    np.testing.assert_array_equal(np.concatenate([b for _, b in data]), y)
    from nn import layers
    from nn.models import Sequential

    model = Sequential([layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(data, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3 and data.epochs_ended >= 2


def test_py_dataset_names_what_a_subclass_must_define():
    class Empty(utils.PyDataset):
        pass

    with pytest.raises(NotImplementedError, match="Empty: a PyDataset subclass must define __len__"):
        len(Empty())
    with pytest.raises(ValueError, match="workers must be a positive int"):
        Empty(workers=0)


def test_to_categorical_and_normalize():
    np.testing.assert_array_equal(utils.to_categorical([[1], [0]], 3), [[0, 1, 0], [1, 0, 0]])
    assert utils.to_categorical(np.array([[0, 1], [2, 1]])).shape == (2, 2, 3)
    assert utils.to_categorical([1.0, 0.0]).dtype == np.float32
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\), received values from 0 to 3"):
        utils.to_categorical([0, 3], 2)
    with pytest.raises(ValueError, match="integer class indices"):
        utils.to_categorical([0.5])
    np.testing.assert_allclose(utils.normalize([[3.0, 4.0], [0.0, 0.0]]), [[0.6, 0.8], [0.0, 0.0]])


def test_image_file_helpers_round_trip(tmp_path):
    pytest.importorskip("PIL")
    pixels = np.arange(4 * 5 * 3, dtype=np.float32).reshape(4, 5, 3)
    path = tmp_path / "p.png"
    utils.save_img(path, pixels, scale=False)
    np.testing.assert_array_equal(utils.img_to_array(utils.load_img(path)), pixels)
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o666 & ~_umask())  # the umask, not mkstemp's 0600
    assert utils.img_to_array(utils.array_to_img(pixels), dtype="uint8").dtype == np.uint8
    utils.save_img(tmp_path / "q.jpg", np.zeros((3, 3, 4)))  # alpha dropped for JPEG
    with pytest.raises(ValueError, match="cannot tell the image format"):
        utils.save_img(tmp_path / "r.unknown", pixels)
    with pytest.raises(ValueError, match="channels_last"):
        utils.img_to_array(utils.load_img(path), data_format="channels_first")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.png", "q.jpg"]


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_config_switches_are_recorded_and_unsupported_values_named():
    from nn import config

    config.disable_traceback_filtering()
    assert config.is_traceback_filtering_enabled() is False
    config.enable_traceback_filtering()
    assert config.is_traceback_filtering_enabled() is True
    config.disable_interactive_logging()
    assert config.is_interactive_logging_enabled() is False
    config.enable_interactive_logging()
    config.enable_unsafe_deserialization()
    assert (config.backend(), config.floatx(), config.image_data_format(), config.epsilon()) == (
        "stepgrad", "float32", "channels_last", 1e-7)
    config.set_floatx("float32")
    config.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="set_floatx: stepgrad supports only value='float32', received "
                                         "value='float16'"):
        config.set_floatx("float16")
    with pytest.raises(ValueError, match="channels_first"):
        config.set_image_data_format("channels_first")
