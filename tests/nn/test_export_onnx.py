"""ONNX export checked by ``onnx.checker`` and run by ONNX Runtime against stepgrad's own predictions."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from nn import layers as L
from nn.export import UnmappedLayerError, quantize_onnx, to_onnx
from nn.models import Sequential

onnx = pytest.importorskip("onnx", reason="the export extra (onnx) is not installed")
ort = pytest.importorskip("onnxruntime", reason="the export extra (onnxruntime) is not installed")


def cnn() -> Sequential:
    return Sequential([
        L.Conv2D(4, 3, activation="relu", padding="same", input_shape=(11, 10, 3)), L.BatchNormalization(),
        L.MaxPooling2D(2, padding="same"), L.Conv2D(5, (2, 3), strides=(1, 2), activation="silu"),
        L.AveragePooling2D(2, strides=1, padding="same"), L.Conv2D(2, 1, use_bias=False),
        L.Activation("tanh"),
        L.Flatten(), L.Dropout(0.3), L.Dense(6, activation="elu"), L.Dense(4), L.Activation("softmax"),
    ])


def image_out() -> Sequential:  # a 4-D output must come back NHWC
    return Sequential([L.Input((6, 6, 2)), L.Conv2D(3, 3, strides=2, padding="same", activation="leaky_relu"),
                       L.BatchNormalization(center=False), L.MaxPooling2D(2, strides=1)])


def mlp() -> Sequential:
    return Sequential([L.Dense(8, activation="sigmoid", input_shape=(5,)), L.BatchNormalization(scale=False),
                       L.Dense(3, activation="softplus"), L.Dense(2, activation="softmax")])


def preprocessing_head() -> Sequential:  # inference-only layers, activation layers, global pooling
    return Sequential([L.Input((8, 8, 3)), L.Rescaling([0.5, 1.0, 2.0], offset=-0.25), L.RandomFlip(seed=0),
                       L.RandomRotation(0.1, seed=0), L.GaussianNoise(0.3), L.Conv2D(6, 3, padding="same"),
                       L.ReLU(max_value=1.5, negative_slope=0.1), L.SpatialDropout2D(0.5),
                       L.GlobalMaxPooling2D(keepdims=True), L.LeakyReLU(0.2), L.Reshape((3, 2)),
                       L.Softmax(axis=1), L.Flatten(), L.Dense(4), L.ReLU(), L.Reshape((2, 2)), L.Flatten()])


def global_average() -> Sequential:
    return Sequential([L.Input((5, 4, 2)), L.Conv2D(3, 2), L.GlobalAveragePooling2D(), L.Dense(2)])


MODELS = {"cnn": cnn, "image_out": image_out, "mlp": mlp, "preprocessing_head": preprocessing_head,
          "global_average": global_average}


def random_weights(model: Sequential, seed: int) -> Sequential:
    rng = np.random.default_rng(seed)
    model.set_weights([np.abs(w) + 0.5 if "variance" in k else rng.normal(size=w.shape).astype("float32")
                       for k, w in model.state_dict().items()])
    return model


def session(path):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_onnx_runtime_matches_stepgrad_on_random_batches(kind, tmp_path):
    model = random_weights(MODELS[kind](), seed=0)
    proto = to_onnx(model, tmp_path / "m.onnx")
    onnx.checker.check_model(onnx.load(tmp_path / "m.onnx"), full_check=True)
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and [d.dim_value for d in dims[1:]] == list(model.input_shape[1:])
    run = session(tmp_path / "m.onnx")
    rng = np.random.default_rng(1)
    for batch in (1, 5, 13):
        x = rng.normal(size=(batch, *model.input_shape[1:])).astype("float32")
        (y,) = run.run(None, {"input": x})
        assert y.shape == model.predict(x).shape  # NHWC kept at the output
        np.testing.assert_allclose(y, model.predict(x), rtol=0, atol=1e-5)


def test_model_export_is_keras_spelling(tmp_path):
    model = random_weights(mlp(), seed=2)
    model.export(tmp_path / "m.onnx", format="onnx")
    x = np.random.default_rng(3).normal(size=(4, 5)).astype("float32")
    (y,) = session(tmp_path / "m.onnx").run(None, {"input": x})
    np.testing.assert_allclose(y, model.predict(x), atol=1e-5)
    with pytest.raises(ValueError, match="only format='onnx'"):
        model.export(tmp_path / "m", format="tf_saved_model")


def test_opset_is_chosen(tmp_path):
    proto = to_onnx(mlp(), tmp_path / "m.onnx", opset=13)
    assert proto.opset_import[0].version == 13
    x = np.ones((2, 5), "float32")
    assert session(tmp_path / "m.onnx").run(None, {"input": x})[0].shape == (2, 2)


def test_unmapped_layer_is_a_named_error_listing_it(tmp_path):
    class Double(L.Layer):
        def forward(self, x):
            return x * 2

    model = Sequential([L.Dense(3, input_shape=(2,)), Double(name="twice")])
    with pytest.raises(UnmappedLayerError, match=r"twice \(Double\)"):
        to_onnx(model, tmp_path / "m.onnx")
    custom = Sequential([L.Dense(3, activation=lambda x: x * 3, input_shape=(2,))])
    with pytest.raises(UnmappedLayerError, match="activation '<lambda>' has no ONNX mapping"):
        to_onnx(custom, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_unbuilt_model_and_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="no weights yet"):
        to_onnx(Sequential([L.Dense(2)]), tmp_path / "m.onnx")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        to_onnx(mlp(), tmp_path / "nope" / "m.onnx")


def test_dynamic_int8_quantization_is_smaller_and_close(tmp_path):
    model = Sequential([L.Dense(64, activation="relu", input_shape=(32,)), L.Dense(10)])
    random_weights(model, seed=4)
    to_onnx(model, tmp_path / "m.onnx")
    quantize_onnx(tmp_path / "m.onnx", tmp_path / "q.onnx")
    assert (tmp_path / "q.onnx").stat().st_size < 0.5 * (tmp_path / "m.onnx").stat().st_size
    ops = {n.op_type for n in onnx.load(tmp_path / "q.onnx").graph.node}
    assert "DynamicQuantizeLinear" in ops or "MatMulInteger" in ops
    x = np.random.default_rng(5).normal(size=(16, 32)).astype("float32")
    y = session(tmp_path / "q.onnx").run(None, {"input": x})[0]
    scale = np.abs(model.predict(x)).max()
    assert np.abs(y - model.predict(x)).max() < 0.05 * scale  # int8 weights: close, not equal
    with pytest.raises(FileNotFoundError, match="no such file"):
        quantize_onnx(tmp_path / "absent.onnx", tmp_path / "q2.onnx")


def test_nn_exposes_export():
    assert nn.export.to_onnx is to_onnx


def test_functional_model_with_two_inputs_and_outputs(tmp_path):
    image, extra = nn.Input(shape=(6, 6, 2), name="image"), nn.Input(shape=(3,), name="extra")
    features = L.Flatten()(L.MaxPooling2D(2)(L.Conv2D(4, 3, padding="same", activation="relu")(image)))
    shared = L.Dense(3, name="shared")
    mixed = L.Concatenate(name="mixed")([shared(L.Dense(3)(features)), shared(extra), extra])
    score = L.Dense(1, activation="sigmoid", name="score")(mixed)
    larger, difference = L.Maximum()([shared(extra), extra]), L.Subtract()([extra, shared(extra)])
    blend = L.Average(name="blend")([larger, difference])
    model = random_weights(nn.Model([image, extra], [score, blend]), seed=6)
    proto = to_onnx(model, tmp_path / "f.onnx")
    assert [i.name for i in proto.graph.input] == ["image", "extra"]
    assert [o.name for o in proto.graph.output] == ["score", "blend"]
    rng = np.random.default_rng(7)
    for batch in (1, 9):
        x = [rng.normal(size=(batch, *shape)).astype("float32") for shape in ((6, 6, 2), (3,))]
        got = session(tmp_path / "f.onnx").run(None, {"image": x[0], "extra": x[1]})
        for g, want in zip(got, model.predict(x), strict=True):
            np.testing.assert_allclose(g, want, rtol=0, atol=1e-5)
