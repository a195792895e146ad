"""nn.utils.image_dataset_from_directory and text_dataset_from_directory: Keras 3's arguments and
splits, the Dataset methods (take, map, prefetch), and bad input named."""

import numpy as np
import pytest

from nn.utils import Dataset, image_dataset_from_directory, text_dataset_from_directory

PIL = pytest.importorskip("PIL.Image", reason="image files need Pillow")


def make_folder(root, counts, size=(6, 8), mode="RGB"):
    """root/<class>/<i>.png, every pixel of image i of class k equal to 10 * k + i (so it is traceable)."""
    for k, (name, n) in enumerate(counts.items()):
        (root / name).mkdir(parents=True)
        for i in range(n):
            value = 10 * k + i
            channels = {"RGB": 3, "L": 1, "RGBA": 4}[mode]
            pixels = np.full((*size, channels), value, dtype=np.uint8)
            PIL.fromarray(pixels[..., 0] if mode == "L" else pixels, mode).save(root / name / f"{i}.png")
    return root


@pytest.fixture
def photos(tmp_path):
    return make_folder(tmp_path / "photos", {"cats": 5, "dogs": 3})


def everything(ds):
    xs, ys = zip(*ds, strict=True)
    return np.concatenate(xs), np.concatenate(ys)


def test_inferred_int_labels_batches_and_metadata(photos, capsys):
    ds = image_dataset_from_directory(photos, image_size=(4, 5), batch_size=3, shuffle=False)
    assert capsys.readouterr().out == "Found 8 files belonging to 2 classes.\n"
    assert ds.class_names == ["cats", "dogs"] and len(ds) == 3 and len(ds.file_paths) == 8
    batches = list(ds)
    assert [b[0].shape for b in batches] == [(3, 4, 5, 3), (3, 4, 5, 3), (2, 4, 5, 3)]
    x, y = everything(ds)
    assert x.dtype == np.float32 and y.dtype == np.int32
    assert y.tolist() == [0, 0, 0, 0, 0, 1, 1, 1]
    assert x[:, 0, 0, 0].tolist() == [0, 1, 2, 3, 4, 10, 11, 12]  # 0..255 values, not rescaled


@pytest.mark.parametrize("label_mode, expected", [
    ("categorical", lambda y: np.eye(2, dtype=np.float32)[y]),
    ("binary", lambda y: y.astype(np.float32)[:, None]),
])
def test_label_modes(photos, label_mode, expected):
    ds = image_dataset_from_directory(photos, label_mode=label_mode, image_size=(4, 4), shuffle=False,
                                      verbose=False)
    x, y = everything(ds)
    np.testing.assert_array_equal(y, expected(np.array([0] * 5 + [1] * 3)))
    assert y.dtype == np.float32


def test_no_labels_and_unbatched(photos):
    images = list(image_dataset_from_directory(photos, labels=None, image_size=(2, 2), batch_size=4,
                                               verbose=False))
    assert [b.shape for b in images] == [(4, 2, 2, 3), (4, 2, 2, 3)]
    single = list(image_dataset_from_directory(photos, batch_size=None, image_size=(2, 2), verbose=False))
    assert len(single) == 8 and single[0][0].shape == (2, 2, 3) and single[0][1].shape == ()


def test_explicit_labels_and_class_names_order(photos):
    labels = list(range(8))  # one per file, in sorted path order
    _, y = everything(image_dataset_from_directory(photos, labels=labels, shuffle=False, image_size=(2, 2),
                                                   verbose=False))
    assert y.tolist() == labels
    ds = image_dataset_from_directory(photos, class_names=["dogs", "cats"], shuffle=False, image_size=(2, 2),
                                      verbose=False)
    x, y = everything(ds)
    assert ds.class_names == ["dogs", "cats"] and y.tolist() == [0, 0, 0, 1, 1, 1, 1, 1]
    assert x[:3, 0, 0, 0].tolist() == [10, 11, 12]


def test_color_modes_image_size_and_aspect_options(tmp_path):
    (tmp_path / "wide" / "a").mkdir(parents=True)
    PIL.fromarray(np.full((4, 8, 3), 200, np.uint8)).save(tmp_path / "wide" / "a" / "x.png")  # 4 high, 8 wide
    root = tmp_path / "wide"
    for mode, channels in (("grayscale", 1), ("rgb", 3), ("rgba", 4)):
        ds = image_dataset_from_directory(root, color_mode=mode, image_size=(3, 3), verbose=False)
        x, _ = everything(ds)
        assert x.shape == (1, 3, 3, channels)
    padded, _ = everything(image_dataset_from_directory(root, image_size=(8, 8), pad_to_aspect_ratio=True,
                                                        interpolation="nearest", verbose=False))
    rows = padded[0, :, 0, 0].tolist()  # two black rows above and below the unstretched image
    assert rows == [0, 0, 200, 200, 200, 200, 0, 0]
    cropped, _ = everything(image_dataset_from_directory(root, image_size=(4, 4), crop_to_aspect_ratio=True,
                                                         interpolation="area", verbose=False))
    assert cropped.shape == (1, 4, 4, 3) and cropped.min() == 200  # the centre square, no padding


def test_validation_split_subsets_are_disjoint_and_cover_everything(photos, capsys):
    train, val = image_dataset_from_directory(photos, validation_split=0.25, subset="both", seed=7,
                                              image_size=(2, 2), batch_size=2)
    out = capsys.readouterr().out
    assert "Found 8 files belonging to 2 classes." in out and "Using 6 files for training." in out
    assert "Using 2 files for validation." in out
    assert sorted(train.file_paths + val.file_paths) == sorted(
        image_dataset_from_directory(photos, shuffle=False, verbose=False).file_paths)
    again = image_dataset_from_directory(photos, validation_split=0.25, subset="validation", seed=7,
                                         verbose=False)
    assert again.file_paths == val.file_paths  # two calls with one seed cut the same split


def test_shuffle_is_seeded_and_changes_every_epoch(photos):
    def order(ds):  # each image's pixel value identifies it
        return everything(ds)[0][:, 0, 0, 0].tolist()

    ds = image_dataset_from_directory(photos, seed=3, image_size=(2, 2), batch_size=8, verbose=False)
    epochs = [order(ds) for _ in range(3)]
    assert order(image_dataset_from_directory(photos, seed=3, image_size=(2, 2), verbose=False)) == epochs[0]
    assert sorted(epochs[0]) == [0, 1, 2, 3, 4, 10, 11, 12]
    assert epochs[0] != epochs[1] != epochs[2]
    assert order(image_dataset_from_directory(photos, shuffle=False, verbose=False)) == sorted(epochs[0])


def test_dataset_take_map_prefetch_repeat(photos):
    ds = image_dataset_from_directory(photos, image_size=(2, 2), batch_size=3, shuffle=False, verbose=False)
    assert len(ds.take(2)) == 2 and len(list(ds.take(2))) == 2 and ds.take(2).class_names == ds.class_names
    scaled = ds.map(lambda x, y: (x / 255.0, y))
    assert max(float(x.max()) for x, _ in scaled) <= 12 / 255 + 1e-6
    fetched = [y.tolist() for _, y in ds.prefetch(2)]
    assert fetched == [y.tolist() for _, y in ds]
    assert len(ds.repeat(2)) == 6 and len(list(ds.skip(1))) == 2 and ds.repeat().cardinality() == -1
    stream = iter(ds.prefetch(1))
    next(stream)
    stream.close()  # abandoning a prefetching pass stops its thread


def test_prefetch_raises_the_producers_error():
    def broken():
        yield 1
        raise RuntimeError("decoder exploded")

    ds = Dataset(broken, 2).prefetch(4)
    with pytest.raises(RuntimeError, match="decoder exploded"):
        list(ds)


def test_fit_and_evaluate_take_the_dataset_directly(photos):
    from nn import layers
    from nn.models import Sequential

    ds = image_dataset_from_directory(photos, image_size=(4, 4), batch_size=4, seed=0, verbose=False)
    model = Sequential([layers.Flatten(), layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    scaled = ds.map(lambda x, y: (x / 255.0, y))
    history = model.fit(scaled.prefetch(2), epochs=2, verbose=0, validation_data=scaled)
    assert len(history.history["loss"]) == len(history.history["val_loss"]) == 2
    assert np.isfinite(model.evaluate(scaled, verbose=0))
    assert model.predict(ds.map(lambda x, y: x), verbose=0).shape == (8, 2)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"subset": "training"}, ValueError, "subset and validation_split go together"),
    ({"validation_split": 0.2}, ValueError, "subset and validation_split go together"),
    ({"validation_split": 0.2, "subset": "training"}, ValueError, "pass a seed"),
    ({"validation_split": 1.5, "subset": "training", "seed": 1}, ValueError, "between 0 and 1"),
    ({"label_mode": "sparse"}, ValueError, "label_mode must be"),
    ({"color_mode": "cmyk"}, ValueError, "color_mode"),
    ({"interpolation": "gaussian"}, ValueError, "interpolation"),
    ({"image_size": (0, 4)}, ValueError, "target_size"),
    ({"batch_size": 0}, ValueError, "batch_size must be a positive int or None"),
    ({"class_names": ["cats"]}, ValueError, "must list the sub-folders"),
    ({"labels": [0, 1]}, ValueError, "labels has 2 entries but"),
    ({"labels": "folders"}, ValueError, "labels must be 'inferred'"),
    ({"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, ValueError, "cannot both"),
])
def test_bad_arguments_are_named(photos, kwargs, error, message):
    with pytest.raises(error, match=message):
        image_dataset_from_directory(photos, verbose=False, **kwargs)


def test_binary_needs_two_classes_and_empty_folders_are_refused(tmp_path):
    three = make_folder(tmp_path / "three", {"a": 1, "b": 1, "c": 1})
    with pytest.raises(ValueError, match="label_mode='binary' needs exactly 2 classes, found 3"):
        image_dataset_from_directory(three, label_mode="binary", verbose=False)
    (tmp_path / "empty" / "cats").mkdir(parents=True)
    (tmp_path / "empty" / "cats" / "notes.txt").write_text("no pictures here")
    with pytest.raises(ValueError, match=r"no images found in directory .*empty"):
        image_dataset_from_directory(tmp_path / "empty", verbose=False)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        image_dataset_from_directory(tmp_path / "missing", verbose=False)


def test_undecodable_image_names_its_path(photos):
    bad = photos / "dogs" / "9_broken.png"
    bad.write_bytes(b"\x89PNG not really")
    ds = image_dataset_from_directory(photos, image_size=(2, 2), shuffle=False, verbose=False)
    with pytest.raises(ValueError, match=r"cannot read image '.*9_broken\.png'"):
        list(ds)


def test_text_dataset(tmp_path):
    for label, texts in {"neg": ["bad", "awful film"], "pos": ["great", "lovely", "fine indeed"]}.items():
        (tmp_path / label).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / label / f"{i}.txt").write_text(text, encoding="utf-8")
    ds = text_dataset_from_directory(tmp_path, batch_size=2, shuffle=False, max_length=5, verbose=False)
    texts, labels = zip(*ds, strict=True)
    assert [t.tolist() for t in texts] == [["bad", "awful"], ["great", "lovel"], ["fine "]]
    assert np.concatenate(labels).tolist() == [0, 0, 1, 1, 1] and ds.class_names == ["neg", "pos"]
    train, val = text_dataset_from_directory(tmp_path, validation_split=0.4, subset="both", seed=1,
                                             verbose=False)
    assert len(train.file_paths) == 3 and len(val.file_paths) == 2
    (tmp_path / "pos" / "bad.txt").write_bytes(b"\xff\xfe\xfa")
    with pytest.raises(ValueError, match=r"'.*bad\.txt' is not UTF-8 text"):
        list(text_dataset_from_directory(tmp_path, verbose=False))


def test_text_dataset_feeds_text_vectorization(tmp_path):
    from nn.layers import TextVectorization

    for label, text in {"neg": "bad movie", "pos": "great film"}.items():
        (tmp_path / label).mkdir()
        (tmp_path / label / "a.txt").write_text(text)
    ds = text_dataset_from_directory(tmp_path, batch_size=1, shuffle=False, verbose=False)
    vectorize = TextVectorization(output_sequence_length=3)
    vectorize.adapt(ds.map(lambda x, y: x))  # Keras's idiom: adapt on the texts of the dataset
    assert sorted(vectorize.get_vocabulary()[2:]) == ["bad", "film", "great", "movie"]
    texts, _ = next(iter(ds))
    assert vectorize(texts).numpy().tolist() == [[vectorize.get_vocabulary().index("bad"),
                                                  vectorize.get_vocabulary().index("movie"), 0]]
