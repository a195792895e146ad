"""``.keras`` archives both ways, checked against the real Keras 3 (torch backend) where it is installed."""

from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np
import pytest

import nn
from nn import layers as L
from nn.models import Sequential, load_model

h5py = pytest.importorskip("h5py", reason="the export extra (h5py) is not installed")


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("torch", reason="Keras 3 needs a backend; torch is not installed")
    return pytest.importorskip("keras", reason="Keras 3 is not installed (pip install keras)")


def cnn() -> Sequential:
    return Sequential([
        L.Conv2D(4, 3, activation="relu", padding="same", input_shape=(9, 9, 2)), L.BatchNormalization(),
        L.MaxPooling2D(2), L.Conv2D(3, (2, 3), strides=(1, 2), activation="tanh"),
        L.AveragePooling2D(2, padding="same"),
        L.Flatten(), L.Dropout(0.25), L.Dense(6, activation="sigmoid"), L.Dense(4), L.Activation("softmax"),
    ])


def mlp() -> Sequential:
    return Sequential([L.Input((5,)), L.Dense(7, activation="relu", use_bias=False),
                       L.BatchNormalization(momentum=0.9), L.Dense(3, activation="leaky_relu"), L.Dense(1)])


MODELS = {"cnn": (cnn, (9, 9, 2)), "mlp": (mlp, (5,))}


def randomize(model: Sequential, seed: int = 0) -> None:
    """Non-trivial weights everywhere, BatchNorm statistics included (variances kept positive)."""
    rng = np.random.default_rng(seed)
    model.set_weights([np.abs(w) + 0.5 if "variance" in name else rng.normal(size=w.shape).astype("float32")
                       for name, w in model.state_dict().items()])


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_keras_loads_what_stepgrad_saves_and_predicts_the_same(kind, keras, tmp_path):
    make, shape = MODELS[kind]
    model = make()
    randomize(model)
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(tmp_path / "m.keras")
    x = np.random.default_rng(1).normal(size=(16, *shape)).astype("float32")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), model.predict(x), rtol=0, atol=1e-5)
    ours = [w.name for w in model.layers if not isinstance(w, L.InputLayer)]
    assert [w.name for w in theirs.layers] == ours


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_stepgrad_loads_what_keras_saves_and_predicts_the_same(kind, keras, tmp_path):
    make, shape = MODELS[kind]
    ours = make()
    ours.save(tmp_path / "ours.keras")
    theirs = keras.saving.load_model(tmp_path / "ours.keras")  # the same architecture, built by Keras
    rng = np.random.default_rng(2)
    theirs.set_weights([np.abs(w) + 0.5 if "variance" in v.path else rng.normal(size=w.shape).astype("f4")
                        for v, w in zip(theirs.weights, theirs.get_weights(), strict=True)])
    theirs.save(tmp_path / "theirs.keras")
    loaded = load_model(tmp_path / "theirs.keras")
    x = rng.normal(size=(16, *shape)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x), theirs.predict(x, verbose=0), rtol=0, atol=1e-5)


def test_keras_reads_the_compile_state_and_adam_moments(keras, tmp_path):
    model = mlp()
    model.compile(optimizer=nn.optimizers.Adam(learning_rate=0.003, beta_1=0.8), loss="mse", metrics=["mae"])
    x = np.random.default_rng(3).normal(size=(40, 5)).astype("float32")
    model.fit(x, x[:, :1], epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(tmp_path / "m.keras")
    opt = theirs.optimizer
    assert type(opt).__name__ == "Adam" and int(opt.iterations) == model.optimizer.iterations == 10
    assert float(opt.learning_rate) == pytest.approx(0.003) and opt.beta_1 == pytest.approx(0.8)
    assert theirs.loss == "mean_squared_error"
    kernel = model.layers[0].kernel
    i = [id(p) for p in model.optimizer.params].index(id(kernel))
    moments = [v for v in opt.variables if "momentum" in v.path]
    first_moment = keras.ops.convert_to_numpy(moments[0])
    np.testing.assert_allclose(first_moment, model.optimizer.state["m"][i], atol=1e-7)
    # ... and stepgrad reads its own archive back with the same optimizer state
    again = load_model(tmp_path / "m.keras")
    assert again.optimizer.iterations == 10 and again.loss == "mean_squared_error"
    np.testing.assert_allclose(again.optimizer.state["v"][i], model.optimizer.state["v"][i], atol=1e-7)


def test_stepgrad_reads_keras_compile_state(keras, tmp_path):
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    theirs.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.5),
                   loss="categorical_crossentropy", metrics=["accuracy"])
    theirs.save(tmp_path / "k.keras")
    model = load_model(tmp_path / "k.keras")
    assert type(model.optimizer).__name__ == "SGD" and model.optimizer.momentum == 0.5
    assert model.optimizer.learning_rate == pytest.approx(0.05)
    assert model.loss == "categorical_crossentropy" and model.metrics_names == ["loss", "accuracy"]


def test_round_trip_without_keras_keeps_layers_and_weights(tmp_path):
    model = cnn()
    randomize(model, seed=4)
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    x = np.random.default_rng(5).normal(size=(8, 9, 9, 2)).astype("float32")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert [type(a) for a in loaded.layers] == [type(b) for b in model.layers]
    assert type(loaded.optimizer).__name__ == "RMSprop" and loaded.metrics_names == ["loss", "accuracy"]


def test_archive_layout_is_keras_3s(tmp_path):
    model = cnn()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        assert z.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        config = json.loads(z.read("config.json"))
        weights = z.read("model.weights.h5")
    assert config["class_name"] == "Sequential"
    assert [spec["class_name"] for spec in config["config"]["layers"]][:3] == ["InputLayer", "Conv2D",
                                                                             "BatchNormalization"]
    with h5py.File(io.BytesIO(weights), "r") as f:
        assert f["layers/conv2d/vars/0"].shape == (3, 3, 2, 4)
        assert f["layers/conv2d_1/vars/1"].shape == (3,)
        assert f["layers/batch_normalization/vars/3"].shape == (4,)  # moving variance
        assert f["layers/dense_1/vars/0"].shape == (6, 4)


def test_saving_is_atomic_and_follows_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        mlp().save(tmp_path / "m.keras")
    finally:
        os.umask(old)
    assert oct(os.stat(tmp_path / "m.keras").st_mode & 0o777) == oct(0o640)
    assert os.listdir(tmp_path) == ["m.keras"]  # the temporary file was renamed, not left behind


def _floats(shape):
    return lambda rng, n: rng.normal(size=(n, *shape)).astype("float32")


# One small model per row of nn.keras_layers.KERAS_LAYERS (Dense, Conv2D, pooling 2-D, Flatten, Dropout,
# Activation and BatchNormalization are in cnn() and mlp() above): (input maker, layers).
LAYER_CASES = {
    "Conv1D": (_floats((7, 3)), lambda: [L.Conv1D(4, 3, strides=2, padding="same", activation="relu")]),
    "Conv2DTranspose": (_floats((5, 5, 2)), lambda: [L.Conv2DTranspose(3, 3, strides=2, padding="same")]),
    "DepthwiseConv2D": (_floats((6, 6, 2)), lambda: [L.DepthwiseConv2D(3, depth_multiplier=2)]),
    "SeparableConv2D": (_floats((6, 6, 2)), lambda: [L.SeparableConv2D(4, 3, padding="same",
                                                                       activation="tanh")]),
    "MaxPooling1D": (_floats((8, 3)), lambda: [L.MaxPooling1D(2)]),
    # (padding="same" with uneven padding is left out: there Keras's torch backend averages the last window
    # [6, 7, pad] of arange(8) as 6.67 where stepgrad averages the real cells, 6.5)
    "AveragePooling1D": (_floats((8, 3)), lambda: [L.AveragePooling1D(3, strides=2)]),
    "GlobalMaxPooling1D": (_floats((5, 3)), lambda: [L.GlobalMaxPooling1D()]),
    "GlobalAveragePooling1D": (_floats((5, 3)), lambda: [L.GlobalAveragePooling1D(keepdims=True)]),
    "GlobalMaxPooling2D": (_floats((4, 4, 3)), lambda: [L.GlobalMaxPooling2D()]),
    "GlobalAveragePooling2D": (_floats((4, 4, 3)), lambda: [L.GlobalAveragePooling2D()]),
    "ZeroPadding2D": (_floats((3, 3, 2)), lambda: [L.ZeroPadding2D(((1, 2), (0, 1)))]),
    "Cropping2D": (_floats((6, 6, 2)), lambda: [L.Cropping2D(((1, 0), (2, 1)))]),
    "UpSampling2D": (_floats((3, 3, 2)), lambda: [L.UpSampling2D(2)]),
    "Reshape": (_floats((6,)), lambda: [L.Reshape((2, 3))]),
    "Permute": (_floats((2, 3)), lambda: [L.Permute((2, 1))]),
    "RepeatVector": (_floats((3,)), lambda: [L.RepeatVector(2)]),
    "SpatialDropout2D": (_floats((4, 4, 2)), lambda: [L.SpatialDropout2D(0.5)]),
    "GaussianNoise": (_floats((3,)), lambda: [L.GaussianNoise(0.1)]),
    "ReLU": (_floats((4,)), lambda: [L.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.2)]),
    "LeakyReLU": (_floats((4,)), lambda: [L.LeakyReLU(0.3)]),
    "Softmax": (_floats((4,)), lambda: [L.Softmax()]),
    "PReLU": (_floats((3, 3, 2)), lambda: [L.PReLU(shared_axes=(1, 2))]),
    "Embedding": (lambda rng, n: rng.integers(0, 10, size=(n, 5)).astype("float32"),
                  lambda: [L.Embedding(10, 4), L.GlobalAveragePooling1D()]),
    "SimpleRNN": (_floats((5, 3)), lambda: [L.SimpleRNN(4, return_sequences=True)]),
    "GRU": (_floats((5, 3)), lambda: [L.GRU(4)]),
    "LSTM": (_floats((5, 3)), lambda: [L.LSTM(3, go_backwards=True)]),
    "LayerNormalization": (_floats((3, 4)), lambda: [L.LayerNormalization()]),
}
IN_CNN_AND_MLP = {"Dense", "Conv2D", "MaxPooling2D", "AveragePooling2D", "Flatten", "Dropout", "Activation",
                  "BatchNormalization"}


MERGING = {"Add": L.Add, "Subtract": L.Subtract, "Multiply": L.Multiply, "Average": L.Average,
           "Maximum": L.Maximum, "Minimum": L.Minimum, "Concatenate": L.Concatenate}


def test_every_row_of_the_table_has_a_round_trip_case():
    from nn.keras_layers import KERAS_LAYERS

    assert set(KERAS_LAYERS) == set(LAYER_CASES) | IN_CNN_AND_MLP | set(MERGING)


@pytest.mark.parametrize("name", sorted(LAYER_CASES))
def test_each_layer_round_trips_with_keras(name, keras, tmp_path):
    make_x, make_layers = LAYER_CASES[name]
    rng = np.random.default_rng(6)
    x = make_x(rng, 6)
    model = Sequential([L.Input(x.shape[1:]), *make_layers()])
    randomize(model, seed=7)
    model.save(tmp_path / "ours.keras")
    theirs = keras.saving.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), model.predict(x), rtol=0, atol=1e-5)
    theirs.set_weights([rng.normal(size=w.shape).astype("float32") for w in theirs.get_weights()])
    theirs.save(tmp_path / "theirs.keras")
    loaded = load_model(tmp_path / "theirs.keras")
    assert [type(a).__name__ for a in loaded.layers] == [type(b).__name__ for b in model.layers]
    np.testing.assert_allclose(loaded.predict(x), theirs.predict(x, verbose=0), rtol=0, atol=1e-5)


def two_branch_model():
    """Two inputs, a layer shared by both (called twice), merging layers and two outputs."""
    a, b = nn.Input(shape=(4,), name="a"), nn.Input(shape=(4,), name="b")
    shared = L.Dense(5, activation="tanh", name="shared")
    joined = L.Concatenate(name="joined")([shared(a), shared(b), L.Dense(3)(b)])
    first = L.Dense(2, name="first")(joined)
    second = L.Add(name="second")([L.Dense(2)(L.BatchNormalization()(joined)), first])
    return nn.Model([a, b], [first, second], name="two_branch")


def test_functional_models_round_trip_with_keras(keras, tmp_path):
    model = two_branch_model()
    randomize(model, seed=8)
    rng = np.random.default_rng(9)
    x = [rng.normal(size=(7, 4)).astype("float32") for _ in range(2)]
    model.save(tmp_path / "ours.keras")
    theirs = keras.saving.load_model(tmp_path / "ours.keras")
    for got, want in zip(theirs.predict(x, verbose=0), model.predict(x), strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)
    theirs.set_weights([np.abs(w) + 0.5 if "variance" in v.path else rng.normal(size=w.shape).astype("f4")
                        for v, w in zip(theirs.weights, theirs.get_weights(), strict=True)])
    theirs.save(tmp_path / "theirs.keras")
    loaded = load_model(tmp_path / "theirs.keras")
    assert sorted(layer.name for layer in loaded.layers) == sorted(layer.name for layer in theirs.layers)
    for got, want in zip(loaded.predict(x), theirs.predict(x, verbose=0), strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)


@pytest.mark.parametrize("name", sorted(MERGING))
def test_each_merging_layer_round_trips_with_keras(name, keras, tmp_path):
    a, b = nn.Input(shape=(3,), name="a"), nn.Input(shape=(3,), name="b")
    model = nn.Model([a, b], L.Dense(2)(MERGING[name]()([L.Dense(3)(a), b])))
    randomize(model, seed=10)
    x = list(np.random.default_rng(11).normal(size=(2, 5, 3)).astype("float32"))
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), model.predict(x), rtol=0, atol=1e-5)
    theirs.save(tmp_path / "theirs.keras")
    np.testing.assert_allclose(load_model(tmp_path / "theirs.keras").predict(x), model.predict(x), atol=1e-5)
