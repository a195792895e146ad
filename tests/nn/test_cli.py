"""`stepgrad train` / `stepgrad predict` (nn.cli): outputs, the accuracy line, and clear errors."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from nn.cli import build_model, main

PIL = pytest.importorskip("PIL.Image")


def _write_folder(root, classes=("left", "right"), per_class=10, size=16, seed=0):
    """Classes a small CNN can tell apart: a bright stripe at a different place per class."""
    rng = np.random.default_rng(seed)
    for k, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            img = rng.integers(0, 60, (size, size, 3)).astype(np.uint8)
            cols = slice(k * size // len(classes), (k + 1) * size // len(classes))
            img[:, cols] = 230
            PIL.fromarray(img).save(root / name / f"{i}.png")
    return root


def _train(tmp_path, data, *extra):
    out = tmp_path / "run"
    code = main(["train", str(data), "--epochs", "1", "--image-size", "16", "--batch-size", "8",
                 "--dense-units", "16", "--out", str(out), *extra])
    return code, out


def test_train_binary_writes_outputs_and_prints_accuracy(tmp_path, capsys):
    data = _write_folder(tmp_path / "data")
    code, out = _train(tmp_path, data)
    printed = capsys.readouterr().out
    assert code == 0
    line = next(ln for ln in printed.splitlines() if ln.startswith("Final validation accuracy:"))
    accuracy = float(line.split()[3])
    assert 0.0 <= accuracy <= 1.0
    assert "(4 validation images)" in line  # 20% of 2 x 10 images
    for name in ("weights.npz", "model.json", "history.csv", "curves.png"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = list(csv.DictReader(open(out / "history.csv")))
    assert len(rows) == 1 and rows[0]["epoch"] == "1"
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(rows[0])
    assert float(rows[0]["val_accuracy"]) == pytest.approx(accuracy, abs=1e-4)
    config = json.loads((out / "model.json").read_text())
    assert config["classes"] == ["left", "right"] and config["image_size"] == 16

    images = [str(data / "left" / "0.png"), str(data / "right" / "1.png")]
    code = main(["predict", str(out / "weights.npz"), *images])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0 and len(lines) == 2
    for ln in lines:
        label, prob = ln.split(": ")[1].split(" (p=")
        assert label in ("left", "right") and 0.5 <= float(prob.rstrip(")")) <= 1.0


def test_train_three_classes_uses_softmax_head(tmp_path, capsys):
    data = _write_folder(tmp_path / "data", classes=("a", "b", "c"), per_class=5)
    code, out = _train(tmp_path, data, "--color-mode", "grayscale")
    assert code == 0
    assert "Final validation accuracy:" in capsys.readouterr().out
    model = build_model(16, 1, 3, dense_units=16)
    assert model.layers[-1].units == 3 and model.layers[-1].activation_name == "softmax"


def test_seed_model_shape_is_kept_when_scaled():
    names = [type(layer).__name__ for layer in build_model(150, 3, 2).layers]
    assert names == ["Conv2D", "MaxPooling2D"] * 3 + ["Flatten", "Dense", "Dense"]
    small = [type(layer).__name__ for layer in build_model(24, 1, 10).layers]
    assert small == ["Conv2D", "MaxPooling2D"] * 2 + ["Flatten", "Dense", "Dense"]


def test_missing_folder_is_a_clear_error(tmp_path, capsys):
    missing = tmp_path / "no_such_dir"
    assert main(["train", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "no such folder" in err and str(missing) in err


def test_folder_without_classes_and_bad_arguments(tmp_path, capsys):
    (tmp_path / "only").mkdir()
    assert main(["train", str(tmp_path)]) == 2
    assert "at least 2" in capsys.readouterr().err
    assert main(["train", str(tmp_path), "--validation-split", "1.5"]) == 2
    assert "--validation-split" in capsys.readouterr().err


def test_unreadable_image_names_the_file(tmp_path, capsys):
    data = _write_folder(tmp_path / "data", per_class=4)
    bad = data / "left" / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n this is not an image")
    code, _ = _train(tmp_path, data)
    assert code == 2
    err = capsys.readouterr().err
    assert "broken.png" in err and "--skip-unreadable" in err
    with pytest.warns(UserWarning, match="broken.png"):
        code, out = _train(tmp_path, data, "--skip-unreadable")
    assert code == 0 and (out / "weights.npz").exists()


def test_predict_errors(tmp_path, capsys):
    assert main(["predict", str(tmp_path / "weights.npz"), "x.png"]) == 2
    assert "no such weights file" in capsys.readouterr().err


def test_python_dash_m_nn(tmp_path):
    missing = tmp_path / "nowhere"
    proc = subprocess.run([sys.executable, "-m", "nn", "train", str(missing)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert str(missing) in proc.stderr


def test_train_writes_a_keras_archive_of_the_trained_model(tmp_path):
    pytest.importorskip("h5py", reason="model.keras needs the export extra (h5py)")
    from nn.models import load_model

    code, out = _train(tmp_path, _write_folder(tmp_path / "data"))
    assert code == 0
    model = load_model(out / "model.keras")
    reference = build_model(16, 3, 2, dense_units=16)
    reference.load_weights(str(out / "weights.npz"))
    x = np.random.default_rng(0).random((3, 16, 16, 3)).astype("float32")
    np.testing.assert_array_equal(model.predict(x), reference.predict(x))
    assert type(model.optimizer).__name__ == "Adam" and model.loss == "binary_crossentropy"
