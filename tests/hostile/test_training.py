"""What stepgrad promises when training goes wrong: a failed compile changes nothing, NaN is never the
best checkpoint, TerminateOnNaN stops a diverged run, CSVLogger keeps every row under its own header."""

from __future__ import annotations

import csv

import numpy as np
import pytest

import nn
from nn.callbacks import CSVLogger, ModelCheckpoint, TerminateOnNaN
from nn.layers import Dense
from nn.models import Sequential


def regression(seed=0):
    nn.utils.set_random_seed(seed)
    model = Sequential([Dense(1, input_shape=(2,))])
    x = np.random.default_rng(seed).normal(size=(32, 2)).astype(np.float32)
    return model, x, (x @ np.array([1.0, -1.0], np.float32))[:, None]


@pytest.mark.parametrize("bad", [
    {"optimizer": "adamm"}, {"loss": "binary_crossentropyy"}, {"metrics": ["acuracy"]},
    {"metrics": "accuracy"}, {"loss": {"no_such_output": "mse"}}, {"loss_weights": [1.0, 2.0, 3.0]},
])
def test_a_compile_that_raises_changes_nothing(bad):
    model, x, y = regression()
    model.compile(optimizer="sgd", loss="mae", metrics=["mse"])
    before = (model.optimizer, model.loss, model.metrics_names, model._compile_config)
    with pytest.raises((ValueError, TypeError)):
        model.compile(**{"optimizer": "adam", "loss": "mse", "metrics": None, **bad})
    assert (model.optimizer, model.loss, model.metrics_names, model._compile_config) == before
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(float(np.mean(np.abs(model.predict(x, verbose=0) - y))), rel=1e-5)


def test_save_best_only_never_takes_nan_as_the_best(tmp_path):
    model, x, y = regression()
    model.compile("sgd", "mse")
    path = tmp_path / "best.npz"
    ckpt = ModelCheckpoint(str(path), monitor="val_loss", save_best_only=True, save_weights_only=True)
    ckpt.set_model(model)
    ckpt.on_epoch_end(0, {"val_loss": float("nan")})
    assert ckpt.best is None and not path.exists()  # NaN is not an improvement, even on an empty record
    ckpt.on_epoch_end(1, {"val_loss": 2.0})
    assert ckpt.best == 2.0 and path.exists()
    saved = path.read_bytes()
    ckpt.on_epoch_end(2, {"val_loss": float("nan")})
    assert ckpt.best == 2.0 and path.read_bytes() == saved
    ckpt.on_epoch_end(3, {"val_loss": 1.0})
    assert ckpt.best == 1.0


def test_early_stopping_does_not_keep_nan_as_the_best():
    model, _, _ = regression()
    stop = nn.callbacks.EarlyStopping(monitor="loss", patience=5)
    stop.set_model(model)
    stop.on_train_begin()
    stop.on_epoch_end(0, {"loss": float("nan")})
    stop.on_epoch_end(1, {"loss": 3.0})
    assert stop.best == 3.0 and stop.best_epoch == 1


def test_terminate_on_nan_stops_at_the_first_bad_batch(capsys):
    model, x, y = regression()
    model.compile("sgd", "mse")
    x = x.copy()
    x[9] = np.nan  # the third batch of 4
    before = model.get_weights()
    history = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0, callbacks=[TerminateOnNaN()])
    assert "Batch 2: invalid loss, terminating training" in capsys.readouterr().out
    assert history.epoch == [0] and len(history.history["loss"]) == 1
    assert not np.isfinite(history.history["loss"][0])
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


def test_csv_logger_append_across_fits_with_different_metrics_rewrites_one_correct_header(tmp_path):
    path = tmp_path / "log.csv"
    model, x, y = regression()
    model.compile("sgd", "mse")
    model.fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(path, append=True)])
    model.compile("sgd", "mse", metrics=["mae"])
    model.fit(x, y, epochs=1, verbose=0, validation_split=0.25, callbacks=[CSVLogger(path, append=True)])
    rows = list(csv.DictReader(path.open()))
    assert list(rows[0]) == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert [r["epoch"] for r in rows] == ["0", "1", "0"]
    assert rows[0]["mae"] == "NA" and rows[2]["mae"] != "NA" and float(rows[2]["val_loss"]) > 0
    model.fit(x, y, epochs=1, verbose=0, validation_split=0.25, callbacks=[CSVLogger(path, append=True)])
    assert len(list(csv.DictReader(path.open()))) == 4  # same columns: rows are just added
    assert path.read_text().count("epoch") == 1
