"""Files are safe: no pickle on load, atomic saves, failed loads change nothing, training resumes exactly."""

import os
import pickle

import numpy as np
import pytest

import nn
from nn import saving
from nn.initializers import GlorotUniform
from nn.layers import Dense, Dropout
from nn.models import Sequential, load_model


def small_model(seed=0, units=8, input_dim=4):
    model = Sequential([
        Dense(units, activation="relu", input_shape=(input_dim,), kernel_initializer=GlorotUniform(seed)),
        Dense(3, activation="softmax", kernel_initializer=GlorotUniform(seed + 1)),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def data(n=64, input_dim=4, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, input_dim)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 1).astype(np.int64)
    return x, y


def same_weights(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    return list(sa) == list(sb) and all(np.array_equal(sa[k], sb[k]) for k in sa)


def test_save_load_model_round_trips_bit_exactly(tmp_path):
    x, y = data()
    model = small_model()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = load_model(path)
    assert same_weights(model, loaded)
    assert np.array_equal(model.predict(x), loaded.predict(x))
    assert [type(layer).__name__ for layer in loaded.layers] == ["Dense", "Dense"]
    assert loaded.layers[0].activation_name == "relu" and loaded.layers[1].units == 3
    assert loaded.metrics_names == ["loss", "accuracy"]
    assert loaded.optimizer.iterations == model.optimizer.iterations == 8
    state, loaded_state = model.optimizer.state_dict(), loaded.optimizer.state_dict()
    assert all(np.array_equal(state[k], loaded_state[k]) for k in state)


def test_save_weights_round_trip_and_loading_into_an_unbuilt_model(tmp_path):
    model = small_model()
    path = tmp_path / "w.npz"
    model.save_weights(path)
    fresh = Sequential([Dense(8, activation="relu"), Dense(3, activation="softmax")])  # no input_shape
    fresh.load_weights(path)  # builds from the shape stored in the file
    assert same_weights(model, fresh)


def test_resume_from_a_saved_model_equals_training_straight_through(tmp_path):
    x, y = data()
    straight = small_model(seed=3)
    straight.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)

    first = small_model(seed=3)
    first.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    first.save(tmp_path / "ckpt.npz")
    resumed = load_model(tmp_path / "ckpt.npz")
    resumed.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    assert same_weights(straight, resumed)  # bit-exact: the Adam moments and step count came back


def test_resume_with_dropout_is_bit_exact_too(tmp_path):
    def model():
        m = Sequential([Dense(16, activation="relu", input_shape=(4,), kernel_initializer=GlorotUniform(0)),
                        Dropout(0.3, seed=7),
                        Dense(3, activation="softmax", kernel_initializer=GlorotUniform(1))])
        m.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
        return m

    x, y = data()
    straight = model()
    straight.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    first = model()
    first.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    first.save(tmp_path / "ckpt.npz")
    resumed = load_model(tmp_path / "ckpt.npz")
    resumed.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    assert same_weights(straight, resumed)  # the dropout masks continued from the saved random state


def test_an_npz_holding_pickled_objects_is_refused(tmp_path):
    model = small_model()
    path = tmp_path / "evil.npz"
    model.save(path)
    arrays = dict(np.load(path, allow_pickle=False))
    arrays["weights/layers.0.kernel"] = np.array([{"payload": 1}], dtype=object)  # needs pickle to load
    np.savez(path, **arrays)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"evil\.npz.*pickled Python objects"):
        model.load_weights(path)
    with pytest.raises(ValueError, match="pickled"):
        load_model(path)
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())


def test_a_plain_pickle_file_is_refused(tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    with pytest.raises(ValueError, match="pickle; refused"):
        load_model(path)


def test_a_crash_mid_save_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    model = small_model()
    path = tmp_path / "ckpt.npz"
    model.save(path)
    old_bytes = path.read_bytes()

    def crashing_savez(f, **arrays):
        f.write(b"PK\x03\x04 half an archive")  # some bytes reach the temporary file ...
        raise OSError("disk full")  # ... then the writer dies

    monkeypatch.setattr(saving.np, "savez", crashing_savez)
    x, y = data()
    model.fit(x, y, epochs=1, verbose=0)  # the weights change, so a completed save would differ
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == old_bytes
    assert sorted(os.listdir(tmp_path)) == ["ckpt.npz"]  # no temp file left behind
    assert load_model(path).layers[0].units == 8


def test_a_truncated_file_gives_a_clear_error_and_changes_nothing(tmp_path):
    model = small_model()
    path = tmp_path / "ckpt.npz"
    model.save(path)
    path.write_bytes(path.read_bytes()[:300])
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"ckpt\.npz.*(damaged|truncated)"):
        model.load_weights(path)
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())


def test_wrong_architecture_or_shape_is_refused_and_the_model_is_unchanged(tmp_path):
    path = tmp_path / "w.npz"
    small_model(units=8).save_weights(path)
    other = small_model(units=5, seed=9)
    before = other.state_dict()
    with pytest.raises(ValueError, match=r"w\.npz.*does not fit.*shape"):
        other.load_weights(path)
    assert all(np.array_equal(before[k], v) for k, v in other.state_dict().items())

    deeper = Sequential([Dense(8, input_shape=(4,)), Dense(8), Dense(3)])
    with pytest.raises(ValueError, match="missing keys"):
        deeper.load_weights(path)


def test_missing_key_is_named(tmp_path):
    model = small_model()
    path = tmp_path / "w.npz"
    model.save_weights(path)
    arrays = dict(np.load(path, allow_pickle=False))
    del arrays["weights/layers.1.bias"]
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=r"layers\.1\.bias"):
        model.load_weights(path)


def test_weights_only_file_is_not_a_model_and_unknown_layers_are_refused(tmp_path):
    model = small_model()
    model.save_weights(tmp_path / "w.npz")
    with pytest.raises(ValueError, match="weights only"):
        load_model(tmp_path / "w.npz")
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        load_model(tmp_path / "nope.npz")


def test_dropout_and_conv_models_round_trip(tmp_path):
    model = Sequential([
        nn.layers.Conv2D(4, (3, 3), activation="relu", padding="same", input_shape=(6, 6, 1)),
        nn.layers.MaxPooling2D(2, 2), nn.layers.Flatten(), Dropout(0.25), Dense(2, activation="softmax"),
    ])
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.save(tmp_path / "cnn.npz")
    loaded = load_model(tmp_path / "cnn.npz")
    assert loaded.layers[0].padding == "same" and loaded.layers[3].rate == 0.25
    x = np.random.default_rng(0).normal(size=(3, 6, 6, 1))
    assert np.array_equal(model.predict(x), loaded.predict(x))
