"""flow_from_directory: discovery, labels per class_mode, shapes, seeding, epochs, subsets and bad input."""

import sys

import numpy as np
import pytest

PIL = pytest.importorskip("PIL")
from PIL import Image  # noqa: E402

from nn.preprocessing.image import ImageDataGenerator  # noqa: E402
from nn.preprocessing.image_io import pil_image  # noqa: E402


def _save(path, size=(12, 10), color=(200, 30, 90), mode="RGB", **kwargs):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, color if mode != "L" else color[0]).save(path, **kwargs)


@pytest.fixture
def folder(tmp_path):
    """cats: 6 images (png, jpg, JPEG, pgm, nested png) + a text file; dogs: bmp, gif, tif, ppm."""
    root = tmp_path / "data"
    for i in range(2):
        _save(root / "cats" / f"c{i}.png", size=(8 + i, 6))
    _save(root / "cats" / "c2.jpg")
    _save(root / "cats" / "C3.JPEG")
    _save(root / "cats" / "c4.pgm", mode="L", color=(77,))
    _save(root / "cats" / "sub" / "c5.png")
    (root / "cats" / "notes.txt").write_text("not an image")
    _save(root / "dogs" / "d0.bmp", color=(10, 250, 10))
    _save(root / "dogs" / "d1.gif", color=(10, 250, 10))
    _save(root / "dogs" / "d2.tif", color=(10, 250, 10))
    _save(root / "dogs" / "d3.ppm", color=(10, 250, 10))
    return root


def flow(root, gen=None, **kwargs):
    kwargs.setdefault("target_size", (5, 7))
    return (gen or ImageDataGenerator()).flow_from_directory(root, **kwargs)


def test_discovery_counts_order_and_message(folder, capsys):
    it = flow(folder, shuffle=False)
    assert capsys.readouterr().out.strip() == "Found 10 images belonging to 2 classes."
    assert it.class_indices == {"cats": 0, "dogs": 1} and it.num_classes == 2
    assert it.samples == 10 and len(it) == 1 and it.classes.dtype == np.int32
    assert it.classes.tolist() == [0] * 6 + [1] * 4
    assert it.filenames == ["cats/C3.JPEG", "cats/c0.png", "cats/c1.png", "cats/c2.jpg", "cats/c4.pgm",
                            "cats/sub/c5.png", "dogs/d0.bmp", "dogs/d1.gif", "dogs/d2.tif", "dogs/d3.ppm"]
    assert it.image_shape == (5, 7, 3)


def test_classes_argument_sets_label_order(folder):
    it = flow(folder, classes=["dogs", "cats"], shuffle=False, verbose=False)
    assert it.class_indices == {"dogs": 0, "cats": 1}
    assert it.classes.tolist() == [0] * 4 + [1] * 6  # files follow the classes' order, as in Keras
    assert it.filenames[0] == "dogs/d0.bmp"
    assert flow(folder, classes=["dogs"], verbose=False).samples == 4


@pytest.mark.parametrize("mode", ["categorical", "binary", "sparse", "input", None])
def test_labels_per_class_mode(folder, mode):
    it = flow(folder, class_mode=mode, shuffle=True, seed=1, batch_size=10, verbose=False)
    out = it[0]
    x = out if mode is None else out[0]
    assert x.shape == (10, 5, 7, 3) and x.dtype == np.float32
    # dogs are green, cats red-ish: the true class of each row is readable from its pixels
    truth = (x[:, 2, 3, 1] > 150).astype(int)
    if mode == "categorical":
        assert out[1].dtype == np.float32 and out[1].shape == (10, 2)
        np.testing.assert_array_equal(out[1], np.eye(2)[truth])
    elif mode in ("binary", "sparse"):
        assert out[1].dtype == (np.float32 if mode == "binary" else np.int32)
        np.testing.assert_array_equal(out[1], truth)
    elif mode == "input":
        np.testing.assert_array_equal(out[1], x)
        assert out[1] is not x


@pytest.mark.parametrize("color_mode, channels", [("rgb", 3), ("rgba", 4), ("grayscale", 1)])
def test_color_modes(folder, color_mode, channels):
    x, _ = flow(folder, color_mode=color_mode, batch_size=4, verbose=False)[0]
    assert x.shape == (4, 5, 7, channels) and x.dtype == np.float32


def test_pgm_values_and_gif_first_frame(tmp_path):
    pixels = np.arange(48, dtype=np.uint8).reshape(6, 8) * 5
    (tmp_path / "a").mkdir()
    Image.fromarray(pixels, "L").save(tmp_path / "a" / "g.pgm")
    x, _ = flow(tmp_path, color_mode="grayscale", target_size=(6, 8), verbose=False)[0]
    np.testing.assert_array_equal(x[0, :, :, 0], pixels)  # same size: no resampling, exact values
    frames = [Image.new("RGB", (4, 4), c) for c in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(tmp_path / "a" / "m.gif", save_all=True, append_images=frames[1:])
    (tmp_path / "a" / "g.pgm").unlink()
    x, _ = flow(tmp_path, target_size=(4, 4), verbose=False)[0]
    assert x[0, 0, 0].tolist() == [255.0, 0.0, 0.0]


def test_rescale_and_preprocessing_function_order(folder):
    seen = []

    def pre(x):
        seen.append(float(x.max()))
        return x + 255.0

    x, _ = flow(folder, ImageDataGenerator(rescale=1 / 255, preprocessing_function=pre), verbose=False)[0]
    assert min(seen) > 1.0  # preprocessing_function saw raw 0..255 pixels: it runs before rescale
    assert x.min() >= 1.0 and x.max() <= 2.0 + 1e-6
    x, _ = flow(folder, ImageDataGenerator(rescale=1 / 255), verbose=False)[0]
    assert 0.0 <= x.min() and x.max() <= 1.0


def test_interpolation(tmp_path):
    checker = (np.indices((4, 4)).sum(0) % 2 * 255).astype(np.uint8)
    (tmp_path / "a").mkdir()
    Image.fromarray(checker, "L").save(tmp_path / "a" / "c.png")
    near = flow(tmp_path, color_mode="grayscale", target_size=(8, 8), class_mode=None, verbose=False)[0]
    bil = flow(tmp_path, color_mode="grayscale", target_size=(8, 8), class_mode=None,
               interpolation="bilinear", verbose=False)[0]
    assert set(np.unique(near).tolist()) == {0.0, 255.0}  # nearest only copies source pixels
    assert len(np.unique(bil)) > 2  # bilinear blends neighbours
    np.testing.assert_array_equal(near[0, ::2, ::2, 0], checker)


def test_batching_len_and_indexing(folder):
    it = flow(folder, batch_size=4, shuffle=False, verbose=False)
    assert len(it) == 3 and [len(it[i][0]) for i in range(3)] == [4, 4, 2]
    np.testing.assert_array_equal(it[-1][0], it[2][0])
    with pytest.raises(IndexError, match=r"batch index 3 out of range; there are 3 batches \(10 samples"):
        it[3]


def _order(it):
    """The class sequence of one epoch, read from the pixels (dogs are green)."""
    return np.concatenate([(it[i][0][:, 2, 3, 1] > 150) for i in range(len(it))]).astype(int)


def test_seed_determinism_and_epoch_reshuffle(folder):
    a = flow(folder, batch_size=3, seed=7, verbose=False)
    b = flow(folder, batch_size=3, seed=7, verbose=False)
    np.testing.assert_array_equal(a.index_array, b.index_array)
    np.testing.assert_array_equal(a[1][0], b[1][0])
    first = a.index_array.copy()
    orders = set()
    for _ in range(5):
        a.on_epoch_end()
        assert sorted(a.index_array.tolist()) == list(range(10))  # every sample once per epoch
        orders.add(tuple(a.index_array.tolist()))
    assert len(orders | {tuple(first.tolist())}) == 6  # six epochs, six different orders (seeded)
    c = flow(folder, batch_size=3, seed=8, verbose=False)
    assert not np.array_equal(c.index_array, first)
    assert _order(flow(folder, shuffle=False, batch_size=3, verbose=False)).tolist() == [0] * 6 + [1] * 4


def test_next_loops_forever_and_reshuffles(folder):
    it = flow(folder, batch_size=4, seed=3, verbose=False)
    epoch0 = it.index_array.copy()
    sizes = [len(next(it)[0]) for _ in range(7)]
    assert sizes == [4, 4, 2, 4, 4, 2, 4] and it.epoch == 2
    assert not np.array_equal(it.index_array, epoch0)


def test_threads_match_single_thread(folder):
    gen = ImageDataGenerator(rotation_range=30, horizontal_flip=True, zoom_range=0.2)
    one = flow(folder, gen, seed=5, workers=1, verbose=False)[0]
    many = flow(folder, gen, seed=5, workers=4, verbose=False)[0]
    np.testing.assert_array_equal(one[0], many[0])
    np.testing.assert_array_equal(one[1], many[1])


def test_subsets_are_disjoint_and_deterministic(folder):
    gen = ImageDataGenerator(validation_split=0.34)
    train = flow(folder, gen, subset="training", verbose=False)
    val = flow(folder, gen, subset="validation", verbose=False)
    assert not set(train.filenames) & set(val.filenames)
    assert sorted(train.filenames + val.filenames) == sorted(flow(folder, verbose=False).filenames)
    # per class: the first int(0.34 * n) sorted files are validation (cats 6 -> 2, dogs 4 -> 1)
    assert val.filenames == ["cats/C3.JPEG", "cats/c0.png", "dogs/d0.bmp"]
    assert flow(folder, gen, subset="validation", verbose=False).filenames == val.filenames


def test_corrupt_images_raise_or_skip(folder):
    (folder / "cats" / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    it = flow(folder, shuffle=False, verbose=False, batch_size=11)
    with pytest.raises(ValueError, match=r"cannot read image .*bad\.png.*on_error='skip'"):
        it[0]
    with pytest.warns(UserWarning, match=r"skipping unreadable image .*bad\.png"):
        it = flow(folder, on_error="skip", verbose=False)
    assert it.samples == 10 and "cats/bad.png" not in it.filenames


def test_truncated_image_is_dropped_from_its_batch_when_skipping(folder):
    noise = np.random.default_rng(0).integers(0, 256, (96, 96, 3), dtype=np.uint8)
    Image.fromarray(noise).save(folder / "cats" / "big.jpg")
    data = (folder / "cats" / "big.jpg").read_bytes()
    (folder / "cats" / "big.jpg").write_bytes(data[: len(data) // 2])  # header fine, pixels cut off
    it = flow(folder, on_error="skip", shuffle=False, batch_size=11, verbose=False)
    assert it.samples == 11
    with pytest.warns(UserWarning, match=r"skipping unreadable image .*big\.jpg"):
        x, y = it[0]
    assert len(x) == len(y) == 10


def test_bad_directories(tmp_path, folder):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        flow(tmp_path / "missing")
    (tmp_path / "file.png").write_bytes(b"x")
    with pytest.raises(NotADirectoryError, match="file.png"):
        flow(tmp_path / "file.png")
    loose = tmp_path / "loose"
    _save(loose / "a.png")
    with pytest.raises(ValueError, match=r"no class sub-folders in .*loose.*holds 1 image files directly"):
        flow(loose)
    (folder / "empty").mkdir()
    with pytest.warns(UserWarning, match=r"class folder .*empty.* has no image files"):
        it = flow(folder, class_mode="sparse", verbose=False)
    assert it.num_classes == 3 and it.samples == 10
    with pytest.raises(ValueError, match=r"classes=\['cats', 'birds'\].*missing: \['birds'\]"):
        flow(folder, classes=["cats", "birds"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"class_mode": "multi"}, "unknown class_mode='multi'; expected one of 'categorical', 'binary'"),
        ({"color_mode": "cmyk"}, "unknown color_mode='cmyk'; expected one of 'grayscale', 'rgb', 'rgba'"),
        ({"interpolation": "cubic"}, "unknown interpolation='cubic'; expected one of 'nearest', 'bilinear'"),
        ({"subset": "test"}, "unknown subset='test'"),
        ({"subset": "training"}, r"subset='training' needs ImageDataGenerator\(validation_split=...\)"),
        ({"target_size": (0, 5)}, r"target_size must be \(height, width\) with positive ints"),
        ({"batch_size": 0}, "batch_size must be a positive int, received batch_size=0"),
        ({"on_error": "ignore"}, "unknown on_error='ignore'"),
    ],
)
def test_bad_arguments(folder, kwargs, message):
    with pytest.raises(ValueError, match=message):
        flow(folder, verbose=False, **kwargs)


def test_binary_needs_two_classes(folder):
    _save(folder / "birds" / "b.png")
    with pytest.raises(ValueError, match=r"class_mode='binary' needs exactly 2 classes, found 3 in .*data"):
        flow(folder, class_mode="binary")


@pytest.mark.parametrize("split", [-0.1, 1.0, 1.5])
def test_validation_split_range(split):
    message = rf"validation_split must be in \[0, 1\), received validation_split={split}"
    with pytest.raises(ValueError, match=message):
        ImageDataGenerator(validation_split=split)


def test_missing_pillow_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r'pip install "stepgrad\[images\]"'):
        pil_image()


def test_prefetch_gives_the_same_batches(folder):
    gen = ImageDataGenerator(rotation_range=30, horizontal_flip=True)
    on = flow(folder, gen, seed=4, batch_size=3, prefetch=True, verbose=False)
    off = flow(folder, gen, seed=4, batch_size=3, prefetch=False, verbose=False)
    for _ in range(2):
        for i in [0, 1, 2, 3, 1, 2]:  # in order (prefetched) and out of order (recomputed)
            np.testing.assert_array_equal(on[i][0], off[i][0])
        on.on_epoch_end()
        off.on_epoch_end()
    for _ in range(9):
        a, b = next(on), next(off)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])


def test_keep_aspect_ratio_crops_the_centre(tmp_path):
    wide = np.zeros((4, 12), dtype=np.uint8)
    wide[:, 4:8] = 200  # a bright centre square between dark side bands
    (tmp_path / "a").mkdir()
    Image.fromarray(wide, "L").save(tmp_path / "a" / "w.png")
    kwargs = dict(color_mode="grayscale", target_size=(4, 4), class_mode=None, verbose=False)
    assert flow(tmp_path, keep_aspect_ratio=True, **kwargs)[0].min() == 200  # only the centre is kept
    assert flow(tmp_path, **kwargs)[0].min() == 0  # stretched: the dark bands remain


def test_load_img_img_to_array_and_array_to_img(tmp_path):
    from nn.preprocessing.image import array_to_img, img_to_array, load_img

    pixels = np.random.default_rng(0).integers(0, 256, (5, 6, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "p.png")
    img = load_img(tmp_path / "p.png")
    np.testing.assert_array_equal(img_to_array(img), pixels)
    assert img_to_array(load_img(tmp_path / "p.png", color_mode="grayscale")).shape == (5, 6, 1)
    assert load_img(tmp_path / "p.png", target_size=(3, 2)).size == (2, 3)  # PIL sizes are (w, h)
    back = array_to_img(pixels.astype(np.float32), scale=False)
    np.testing.assert_array_equal(np.asarray(back), pixels)
    with pytest.raises(ValueError, match=r"array_to_img: expected an \(height, width, 1\|3\|4\) array"):
        array_to_img(np.zeros((4, 4, 2)))


def test_multi_frame_files_are_closed(tmp_path):
    import gc
    import warnings

    from nn.preprocessing.image_io import read_image

    frames = [Image.new("RGB", (4, 4), c) for c in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(tmp_path / "m.gif", save_all=True, append_images=frames[1:])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_image(str(tmp_path / "m.gif"), "rgb", (4, 4), "nearest")
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
