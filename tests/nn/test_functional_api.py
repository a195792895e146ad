"""The functional API: nn.Input, layers called on symbolic tensors, nn.Model(inputs, outputs)."""

import numpy as np
import pytest

import nn
from nn.layers import Conv2D, Dense, Flatten, MaxPooling2D
from nn.models import Model, Sequential


# --- nn.Input --------------------------------------------------------------------------------------
def test_input_is_a_symbolic_tensor_with_keras_shapes_and_dtypes():
    x = nn.Input(shape=(784,))
    assert x.shape == (None, 784) and x.dtype == "float32" and x.ndim == 2
    assert nn.Input((3,), batch_size=8).shape == (8, 3)
    assert nn.Input(batch_shape=(None, 5, 2)).shape == (None, 5, 2)
    assert nn.Input((10,), dtype="int32", name="tokens").dtype == "int32"
    assert nn.layers.Dense(4)(x).shape == (None, 4)
    with pytest.raises(ValueError, match=r"positive sizes.*shape=\(3, -1\)"):
        nn.Input(shape=(3, -1))
    with pytest.raises(ValueError, match="not both"):
        nn.Input(shape=(3,), batch_shape=(None, 3))
    with pytest.raises(TypeError, match="symbolic"):
        np.asarray(x)


def test_a_layer_called_on_the_wrong_shape_names_itself_and_both_shapes():
    dense = Dense(2, name="head")
    dense(nn.Input((4,)))
    with pytest.raises(ValueError, match=r"Dense 'head'.*size 4.*received shape \(None, 5\)"):
        dense(nn.Input((5,)))
    with pytest.raises(ValueError, match=r"Conv2D 'conv'.*4-D input.*received shape \(None, 8\)"):
        Conv2D(2, 3, name="conv")(nn.Input((8,)))


# --- two inputs, two outputs, shared layers ------------------------------------------------------------
def two_by_two():
    nn.layers.clear_names()
    left, right = nn.Input((3,), name="left"), nn.Input((2,), name="right")
    shared = Dense(4, activation="tanh", name="shared")
    a, b = shared(left), shared(Dense(3, name="lift")(right))  # one layer, two calls: one kernel
    score = Dense(1, name="score")(nn.layers.Add(name="sum")([a, b]))
    kind = Dense(3, activation="softmax", name="kind")(b)
    return Model(inputs={"left": left, "right": right}, outputs={"score": score, "kind": kind}, name="two")


def two_by_two_data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = {"left": rng.normal(size=(n, 3)).astype(np.float32),
         "right": rng.normal(size=(n, 2)).astype(np.float32)}
    y = {"score": x["left"].sum(axis=1, keepdims=True), "kind": (x["right"][:, 0] > 0).astype(np.int64)
         + (x["right"][:, 1] > 1)}
    return x, y


def test_shared_layers_share_weights_and_layers_are_listed_once():
    model = two_by_two()
    names = [layer.name for layer in model.layers]
    assert names[:2] == ["left", "right"] and names.count("shared") == 1
    assert model.get_layer("shared").kernel.shape == (3, 4)
    assert model.output_names == ["score", "kind"] and model.input_names == ["left", "right"]
    assert len(model.inputs) == 2 and len(model.outputs) == 2


def test_two_inputs_two_outputs_fit_with_dicts_loss_weights_and_per_output_metrics():
    model = two_by_two()
    model.compile(optimizer=nn.optimizers.Adam(0.02),
                  loss={"score": "mse", "kind": "sparse_categorical_crossentropy"},
                  loss_weights={"score": 1.0, "kind": 0.5}, metrics={"kind": ["accuracy"]})
    x, y = two_by_two_data()
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0, validation_split=0.25)
    assert {"loss", "kind_accuracy", "val_loss", "val_kind_accuracy"} <= set(history.history)
    assert history.history["loss"][-1] < history.history["loss"][0]
    out = model.predict(x, verbose=0)
    assert sorted(out) == ["kind", "score"] and out["score"].shape == (96, 1) and out["kind"].shape == (96, 3)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    mse = float(np.mean((out["score"] - y["score"]) ** 2))
    ce = float(np.mean(-np.log(np.clip(out["kind"][np.arange(96), y["kind"]], 1e-7, 1))))
    assert logs["loss"] == pytest.approx(mse + 0.5 * ce, rel=1e-4)
    assert model.predict([x["left"], x["right"]], verbose=0)["score"] == pytest.approx(out["score"])


def test_nested_models_are_layers_and_feature_extraction_reuses_them():
    nn.layers.clear_names()
    inner_in = nn.Input((4,))
    inner = Model(inner_in, Dense(3, activation="relu", name="features")(inner_in), name="encoder")
    outer_in = nn.Input((4,))
    outer = Model(outer_in, Dense(1, name="out")(inner(outer_in)), name="outer")
    assert [layer.name for layer in outer.layers][1:] == ["encoder", "out"]
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    head = outer.get_layer("out")
    expected = inner.predict(x, verbose=0) @ head.kernel.numpy() + head.bias.numpy()
    np.testing.assert_allclose(outer.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    features = Model(inputs=inner.inputs, outputs=inner.get_layer("features").output)
    np.testing.assert_allclose(features.predict(x, verbose=0), inner.predict(x, verbose=0), rtol=1e-6)
    assert outer.count_params() == 4 * 3 + 3 + 3 + 1


def seed_cnn_layers():
    """The seed's section-4.2 CNN, layer for layer."""
    return [Conv2D(32, (3, 3), activation="relu"), MaxPooling2D(2, 2), Conv2D(64, (3, 3), activation="relu"),
            MaxPooling2D(2, 2), Conv2D(128, (3, 3), activation="relu"), MaxPooling2D(2, 2), Flatten(),
            Dense(512, activation="relu"), Dense(1, activation="sigmoid")]


def test_a_functional_model_of_the_seed_cnn_layers_predicts_as_the_sequential_one():
    layers = seed_cnn_layers()
    sequential = Sequential(layers)
    sequential.build((None, 150, 150, 3))
    inputs = nn.Input((150, 150, 3))
    x = inputs
    for layer in layers:
        x = layer(x)
    functional = Model(inputs, x)
    images = np.random.default_rng(1).uniform(size=(2, 150, 150, 3)).astype(np.float32)
    np.testing.assert_array_equal(functional.predict(images, verbose=0),
                                  sequential.predict(images, verbose=0))
    assert functional.count_params() == sequential.count_params()
    assert functional.count_params() == 19_034_177  # Keras's count for this model
    small = [Conv2D(4, 3), MaxPooling2D(2), Flatten(), Dense(3, activation="relu"), Dense(1)]
    other = Sequential([nn.Input((12, 12, 3)), *small])  # layers called only by this model
    assert other.get_layer(index=-1).output.shape == (None, 1)  # a Sequential's symbolic view
    middle = Model(other.inputs, other.layers[2].output)
    assert middle.predict(images[:, :12, :12], verbose=0).shape == (2, 5 * 5 * 4)  # 12 -> 10 -> 5


def test_plot_model_draws_the_layer_graph():
    model = two_by_two()
    drawing = nn.utils.plot_model(model, show_shapes=True)
    lines = drawing.text.splitlines()
    assert lines[0] == "left (InputLayer)  (None, 3)"
    assert "sum (Add)  (None, 4)  <- shared" in lines and "kind (Dense)  (None, 3)  <- shared" in lines
    index = {line.split()[0]: i for i, line in enumerate(lines)}
    assert f"n{index['shared']} -> n{index['sum']};" in drawing.source
    # right->lift, left->shared, lift->shared, shared->sum (two calls, one arrow), sum->score, shared->kind
    assert drawing.source.count("->") == 6
    svg = drawing._repr_svg_()
    assert svg is None or "<svg" in svg
    with pytest.raises(ValueError, match="rankdir"):
        nn.utils.plot_model(model, rankdir="UP")


def test_summary_shows_connected_to():
    lines = []
    two_by_two().summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Connected to" in lines[2] and 'Model: "two"' in lines[0]
    row = next(line for line in lines if line.lstrip().startswith("kind "))
    assert "shared[1][0]" in row and "(None, 3)" in row
    assert "Total params:" in text


def test_get_config_from_config_round_trip_and_save_load(tmp_path):
    model = two_by_two()
    config = model.get_config()
    assert config["input_layers"] == {"left": ["left", 0, 0], "right": ["right", 0, 0]}
    shared = next(spec for spec in config["layers"] if spec["name"] == "shared")
    assert shared["class_name"] == "Dense" and len(shared["inbound_nodes"]) == 2
    x, _ = two_by_two_data(8)
    rebuilt = nn.models.Functional.from_config(config)
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0)["score"], model.predict(x, verbose=0)["score"],
                               rtol=1e-6)
    model.compile("adam", {"score": "mse", "kind": "sparse_categorical_crossentropy"})
    model.save(tmp_path / "two.npz")
    loaded = nn.models.load_model(tmp_path / "two.npz")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0)["kind"], model.predict(x, verbose=0)["kind"])


def test_disconnected_outputs_and_duplicate_names_are_named_errors():
    a, b = nn.Input((2,), name="a"), nn.Input((2,), name="b")
    out = Dense(1, name="needs_b")(b)
    with pytest.raises(ValueError, match=r"output 'needs_b' depends on input 'b'.*not among.*\['a'\]"):
        Model(a, out)
    x = nn.Input((2,))
    y = Dense(2, name="twin")(x)
    z = Dense(2, name="twin")(y)
    with pytest.raises(ValueError, match=r"unique.*\['twin'\]"):
        Model(x, z)
    model = Model(x, y)
    with pytest.raises(ValueError, match=r"input '.*' expects shape \(None, 2\), received shape \(4, 3\)"):
        model.predict(np.zeros((4, 3)), verbose=0)


# --- training options --------------------------------------------------------------------------------
def test_sample_weight_and_class_weight_scale_the_loss():
    model = Sequential([Dense(1, input_shape=(1,), kernel_initializer="zeros")])
    model.compile("sgd", "mse")
    x, y = np.ones((4, 1)), np.array([[1.0], [1.0], [3.0], [3.0]])
    assert model.evaluate(x, y, verbose=0) == pytest.approx(5.0)  # predictions 0
    assert model.evaluate(x, y, sample_weight=np.array([1, 1, 0, 0]), verbose=0) == pytest.approx(0.5)
    from nn.models.compile_utils import class_weights

    np.testing.assert_array_equal(class_weights({0: 1.0, 1: 4.0}, np.array([0, 1, 1])), [1.0, 4.0, 4.0])
    np.testing.assert_array_equal(class_weights({2: 0.5}, np.eye(3)[[2, 0]]), [0.5, 1.0])
    seen = []

    class Spy(Sequential):
        def train_step(self, data):
            seen.append(np.asarray(data[2]))
            return super().train_step(data)

    spy = Spy([Dense(1, input_shape=(1,))])
    spy.compile("sgd", "binary_crossentropy")
    spy.fit(np.ones((4, 1)), np.array([0.0, 1.0, 1.0, 0.0]), class_weight={1: 3.0}, batch_size=4,
            shuffle=False, verbose=0)
    np.testing.assert_array_equal(seen[0], [1.0, 3.0, 3.0, 1.0])


def test_validation_data_as_a_dataset_and_checkpoints_every_n_batches(tmp_path):
    x = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)

    class Batches:  # a re-iterable dataset of (x, y) batches, as image_dataset_from_directory returns
        def __iter__(self):
            return iter([(x[i:i + 8], y[i:i + 8]) for i in range(0, 32, 8)])

    model = Sequential([Dense(1, activation="sigmoid", input_shape=(2,))])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    saved = []

    class Recording(nn.callbacks.ModelCheckpoint):
        def _save(self, epoch, batch, logs, when):
            saved.append((epoch, batch))
            super()._save(epoch, batch, logs, when)

    ckpt = Recording(str(tmp_path / "b{batch}.npz"), save_freq=3, save_weights_only=True)
    history = model.fit(Batches(), epochs=2, validation_data=Batches(), verbose=0, callbacks=[ckpt])
    assert len(history.history["val_loss"]) == 2
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(x, y, verbose=0)[0], rel=1e-5)
    assert saved == [(0, 2), (1, 1)]  # the 3rd and 6th training batches
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b2.npz", "b3.npz"]
    with pytest.raises(ValueError, match="save_freq"):
        nn.callbacks.ModelCheckpoint("x.npz", save_freq=0)
