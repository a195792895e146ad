"""Callbacks: the hooks fit calls, EarlyStopping, ModelCheckpoint, CSVLogger, LearningRateScheduler."""

import csv

import numpy as np
import pytest

from nn.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
)
from nn.initializers import GlorotUniform
from nn.layers import Dense
from nn.models import Sequential, load_model


def regression(seed=0):
    model = Sequential([Dense(1, input_shape=(2,), kernel_initializer=GlorotUniform(seed))])
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(32, 2)).astype(np.float32)
    y = (x @ np.array([1.5, -2.0]) + 0.5).astype(np.float32)
    return model, x, y


class Scripted(Callback):
    """Feeds a scripted ``val_loss`` into the logs so EarlyStopping sees known numbers."""

    def __init__(self, values):
        super().__init__()
        self.values = values

    def on_epoch_end(self, epoch, logs=None):
        logs["val_loss"] = self.values[epoch]


def test_hooks_are_called_in_keras_order():
    model, x, y = regression()
    calls = []
    hooks = {name: (lambda *a, name=name: calls.append(name)) for name in (
        "on_train_begin", "on_epoch_begin", "on_train_batch_begin", "on_train_batch_end", "on_epoch_end",
        "on_test_begin", "on_test_end", "on_train_end")}
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, validation_split=0.25,
              callbacks=[LambdaCallback(**hooks)])
    assert calls == ["on_train_begin", "on_epoch_begin", "on_train_batch_begin", "on_train_batch_end",
                     "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
                     "on_epoch_end", "on_train_end"]


def test_early_stopping_patience_and_restore_best_weights():
    model, x, y = regression()
    snapshots = []
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    val_losses = [5.0, 3.0, 4.0, 3.5, 2.0, 1.0]  # best at epoch 1, then two epochs without improvement
    stop = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=6, verbose=0, callbacks=[Scripted(val_losses), record, stop])
    assert history.epoch == [0, 1, 2, 3] and stop.stopped_epoch == 3 and stop.best_epoch == 1
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), snapshots[1], strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(snapshots[3], snapshots[1], strict=True))


def test_early_stopping_min_delta_and_max_mode():
    stop = EarlyStopping(monitor="val_accuracy", min_delta=0.1)
    assert stop.mode == "max"
    assert stop._better(0.8, 0.65) and not stop._better(0.7, 0.65)
    with pytest.raises(ValueError, match="mode must be"):
        EarlyStopping(mode="bigger")


def test_stop_training_set_in_a_batch_hook_ends_fit():
    model, x, y = regression()

    def stop(batch, logs):
        model.stop_training = True

    history = model.fit(x, y, batch_size=8, epochs=5, verbose=0,
                        callbacks=[LambdaCallback(on_train_batch_end=stop)])
    assert history.epoch == [0]


def test_model_checkpoint_save_best_only(tmp_path):
    model, x, y = regression()
    path = tmp_path / "best-{epoch:02d}.npz"
    val_losses = [3.0, 2.0, 2.5, 1.0]
    ckpt = ModelCheckpoint(str(path), monitor="val_loss", save_best_only=True, save_weights_only=False)
    model.fit(x, y, epochs=4, verbose=0, callbacks=[Scripted(val_losses), ckpt])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best-01.npz", "best-02.npz", "best-04.npz"]
    assert ckpt.best == 1.0
    assert np.array_equal(load_model(tmp_path / "best-04.npz").predict(x), model.predict(x))


def test_model_checkpoint_formats_logs_and_saves_weights_only(tmp_path):
    model, x, y = regression()
    ckpt = ModelCheckpoint(str(tmp_path / "w-{epoch}-{loss:.1f}.npz"), save_weights_only=True)
    history = model.fit(x, y, epochs=1, verbose=0, callbacks=[ckpt])
    (saved,) = list(tmp_path.iterdir())
    assert saved.name == f"w-1-{history.history['loss'][0]:.1f}.npz"
    fresh, _, _ = regression(seed=5)
    fresh.load_weights(saved)
    assert np.array_equal(fresh.predict(x), model.predict(x))


def test_csv_logger_writes_header_and_rows_and_appends(tmp_path):
    model, x, y = regression()
    path = tmp_path / "log.csv"
    history = model.fit(x, y, epochs=2, verbose=0, validation_split=0.25, callbacks=[CSVLogger(path)])
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "loss", "val_loss"]
    assert [r[0] for r in rows[1:]] == ["0", "1"]
    assert float(rows[2][1]) == pytest.approx(history.history["loss"][1])
    appending = CSVLogger(path, separator=";", append=True)
    model.fit(x, y, epochs=1, verbose=0, validation_split=0.25, callbacks=[appending])
    lines = path.read_text().splitlines()
    assert len(lines) == 4 and lines[3].startswith("0;")


def test_learning_rate_scheduler_changes_the_optimizer_rate():
    model, x, y = regression()
    seen = []
    spy = LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(model.optimizer.learning_rate))
    sched = LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[sched, spy])
    assert seen == pytest.approx([0.1, 0.05, 0.1 / 3])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])
    one_arg = LearningRateScheduler(lambda epoch: 0.001)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[one_arg])
    assert model.optimizer.learning_rate == 0.001


def test_learning_rate_scheduler_rate_really_drives_the_step():
    model, x, y = regression()
    before = model.get_weights()
    model.fit(x, y, epochs=1, verbose=0, callbacks=[LearningRateScheduler(lambda epoch, lr: 0.0)])
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


def test_non_callback_objects_are_rejected():
    model, x, y = regression()
    with pytest.raises(TypeError, match="Callback instances, received"):
        model.fit(x, y, verbose=0, callbacks=[lambda: None])
