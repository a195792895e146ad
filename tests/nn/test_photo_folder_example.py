"""examples/photo_folder.py in reduced form: a generated photo folder -> image_dataset_from_directory ->
augmentation layers -> a functional residual CNN, trained by fit on the dataset."""

import numpy as np
import pytest
from test_model_examples import load  # the examples' loader, shared (pytest puts tests/nn on sys.path)

pytest.importorskip("PIL", reason="the example writes and reads JPEG files")


def load_example():
    return load("photo_folder")


def test_generated_folder_has_one_sub_folder_per_class(tmp_path):
    example = load_example()
    root = example.make_photo_folder(str(tmp_path / "photos"), per_class=3, size=16)
    assert sorted(p.name for p in (tmp_path / "photos").iterdir()) == ["dots", "stripes"]
    assert len(list((tmp_path / "photos" / "dots").glob("*.jpg"))) == 3
    assert root == str(tmp_path / "photos")


def test_model_is_residual_and_augments_only_while_training():
    example = load_example()
    model = example.build_model(image_size=16, num_classes=2, width=4)
    names = [layer.name for layer in model.layers]
    assert "block1_add" in names and "block2_project" in names
    x = np.random.default_rng(0).uniform(0, 255, (2, 16, 16, 3)).astype(np.float32)
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))
    assert model.predict(x, verbose=0).shape == (2, 2)


def test_reduced_run_trains_on_the_folder(tmp_path):
    result = load_example().run(str(tmp_path / "photos"), per_class=10, epochs=2, image_size=16, batch_size=8,
                                verbose=0)
    history = result["history"]
    assert result["class_names"] == ["dots", "stripes"]
    assert len(history["loss"]) == len(history["val_accuracy"]) == 2
    assert all(np.isfinite(history["loss"])) and 0.0 <= result["val_accuracy"] <= 1.0
