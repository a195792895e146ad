"""The added layers inside the functional API (nn.Input / nn.Model): merge layers take lists of
symbolic tensors, every layer's config round-trips, and shapes are known before any data."""

import numpy as np
import pytest

import nn
from nn import layers as L


def test_merge_layers_in_a_two_input_model():
    a, b = nn.Input((4,), name="a"), nn.Input((4,), name="b")
    added = L.add([a, b])
    joined = L.Concatenate(name="join")([added, L.multiply([a, b])])
    assert joined.shape == (None, 8)
    model = nn.Model([a, b], L.Dense(1, name="out")(joined))
    x1, x2 = np.ones((3, 4), np.float32), np.full((3, 4), 2.0, np.float32)
    dense = model.get_layer("out")
    expected = np.concatenate([x1 + x2, x1 * x2], axis=1) @ dense.kernel.numpy() + dense.bias.numpy()
    np.testing.assert_allclose(model.predict([x1, x2], verbose=0), expected, rtol=1e-5)
    model.compile(optimizer="adam", loss="mse")
    history = model.fit([x1, x2], np.zeros((3, 1)), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_shared_layer_and_wrong_shapes_in_a_graph_are_named():
    x = nn.Input((6, 6, 3))
    with pytest.raises(ValueError, match=r"Add 'bad_add': inputs must have shapes that broadcast"):
        L.Add(name="bad_add")([L.Conv2D(4, 3)(x), L.Conv2D(5, 3)(x)])


LAYERS = [
    lambda: L.Reshape((3, -1)), lambda: L.Permute((2, 1)), lambda: L.RepeatVector(2),
    lambda: L.ZeroPadding2D(((1, 0), (0, 2))), lambda: L.Cropping2D(1), lambda: L.UpSampling2D(2,
                                                                                               interpolation="bilinear"),
    lambda: L.Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu"),
    lambda: L.DepthwiseConv2D(3, depth_multiplier=2), lambda: L.SeparableConv2D(4, 3, padding="same"),
    lambda: L.GlobalAveragePooling2D(keepdims=True), lambda: L.GlobalMaxPooling2D(),
    lambda: L.LayerNormalization(axis=-1, epsilon=1e-4), lambda: L.SpatialDropout2D(0.3, seed=1),
    lambda: L.GaussianNoise(0.1, seed=1), lambda: L.LeakyReLU(0.1), lambda: L.ReLU(max_value=6.0),
    lambda: L.Softmax(axis=-1), lambda: L.PReLU(shared_axes=[1, 2]), lambda: L.Rescaling(1 / 255, offset=0.5),
    lambda: L.Resizing(4, 5), lambda: L.CenterCrop(3, 3), lambda: L.RandomFlip("horizontal", seed=2),
    lambda: L.RandomRotation(0.1, seed=2), lambda: L.RandomZoom(0.2, seed=2),
    lambda: L.RandomTranslation(0.1, 0.2, seed=2), lambda: L.RandomContrast(0.3, seed=2),
    lambda: L.RandomBrightness(0.2, seed=2),
]
SHAPES = {L.Reshape: (6, 4), L.Permute: (6, 4), L.RepeatVector: (5,)}


@pytest.mark.parametrize("make", LAYERS)
def test_config_round_trip_and_symbolic_shape(make):
    layer = make()
    clone = type(layer).from_config(layer.get_config())
    assert type(clone) is type(layer) and clone.get_config() == layer.get_config()
    sample = SHAPES.get(type(layer), (6, 6, 3))
    symbolic = layer(nn.Input(sample))
    x = np.random.default_rng(0).uniform(0, 1, (2, *sample)).astype(np.float32)
    assert symbolic.shape == (None, *layer(x, training=False).shape[1:]) if layer.uses_training else (
        None, *layer(x).shape[1:])
