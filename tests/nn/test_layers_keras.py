"""The added layers against Keras 3 itself (torch backend): the same weights, moved with
get_weights()/set_weights() unchanged, give the same outputs. Skipped when Keras is not installed."""

import os

import numpy as np
import pytest

from nn import layers as L
from nn import ops

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras", reason="Keras 3 is the peer oracle here (pip install keras)")


def run_both(ours, theirs, *xs):
    """Build both on ``xs``, copy our weights into Keras's layer, return both outputs as numpy."""
    args = list(xs) if len(xs) > 1 else xs[0]
    mine = ours(args, training=False) if ours.uses_training else ours(args)
    theirs(args if len(xs) == 1 else list(xs))
    weights = ours.get_weights()
    assert [w.shape for w in weights] == [tuple(w.shape) for w in theirs.get_weights()]
    theirs.set_weights(weights)
    out = theirs(args if len(xs) == 1 else list(xs), training=False)
    return mine.numpy(), keras.ops.convert_to_numpy(out)


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


CASES = [
    ("conv_transpose_valid", lambda: L.Conv2DTranspose(3, 3, strides=2),
     lambda: keras.layers.Conv2DTranspose(3, 3, strides=2), (2, 5, 4, 2)),
    ("conv_transpose_same_odd", lambda: L.Conv2DTranspose(3, 3, strides=2, padding="same"),
     lambda: keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same"), (2, 4, 5, 2)),
    ("conv_transpose_same_even", lambda: L.Conv2DTranspose(2, 4, strides=2, padding="same"),
     lambda: keras.layers.Conv2DTranspose(2, 4, strides=2, padding="same"), (1, 3, 3, 3)),
    ("conv_transpose_small_kernel", lambda: L.Conv2DTranspose(2, 2, strides=3),
     lambda: keras.layers.Conv2DTranspose(2, 2, strides=3), (1, 3, 2, 2)),
    ("conv_transpose_same_stride1", lambda: L.Conv2DTranspose(2, (3, 5), padding="same", activation="relu"),
     lambda: keras.layers.Conv2DTranspose(2, (3, 5), padding="same", activation="relu"), (1, 4, 6, 3)),
    ("depthwise", lambda: L.DepthwiseConv2D(3, depth_multiplier=2, padding="same"),
     lambda: keras.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same"), (2, 6, 5, 3)),
    ("depthwise_strided", lambda: L.DepthwiseConv2D((2, 3), strides=2),
     lambda: keras.layers.DepthwiseConv2D((2, 3), strides=2), (1, 7, 7, 2)),
    ("separable", lambda: L.SeparableConv2D(4, 3, depth_multiplier=2, padding="same"),
     lambda: keras.layers.SeparableConv2D(4, 3, depth_multiplier=2, padding="same"), (2, 5, 5, 3)),
    ("layer_norm", lambda: L.LayerNormalization(), lambda: keras.layers.LayerNormalization(), (2, 3, 5)),
    ("layer_norm_axes", lambda: L.LayerNormalization(axis=[-2, -1], epsilon=1e-5),
     lambda: keras.layers.LayerNormalization(axis=[-2, -1], epsilon=1e-5), (2, 3, 4, 5)),
    ("prelu", lambda: L.PReLU(alpha_initializer="random_uniform", shared_axes=[1, 2]),
     lambda: keras.layers.PReLU(shared_axes=[1, 2]), (2, 3, 3, 4)),
    ("upsample_nearest", lambda: L.UpSampling2D((2, 3)), lambda: keras.layers.UpSampling2D((2, 3)), (1, 3, 2,
                                                                                                     2)),
    ("upsample_bilinear", lambda: L.UpSampling2D(2, interpolation="bilinear"),
     lambda: keras.layers.UpSampling2D(2, interpolation="bilinear"), (1, 3, 4, 2)),
    ("resize_up", lambda: L.Resizing(7, 5), lambda: keras.layers.Resizing(7, 5), (2, 4, 3, 3)),
    ("resize_down", lambda: L.Resizing(3, 4), lambda: keras.layers.Resizing(3, 4), (2, 9, 8, 1)),
    ("resize_nearest", lambda: L.Resizing(5, 3, interpolation="nearest"),
     lambda: keras.layers.Resizing(5, 3, interpolation="nearest"), (1, 4, 7, 2)),
    ("resize_crop", lambda: L.Resizing(4, 4, crop_to_aspect_ratio=True),
     lambda: keras.layers.Resizing(4, 4, crop_to_aspect_ratio=True), (1, 6, 10, 3)),
    ("center_crop", lambda: L.CenterCrop(3, 4), lambda: keras.layers.CenterCrop(3, 4), (2, 7, 8, 3)),
    ("zero_padding", lambda: L.ZeroPadding2D(((1, 2), (3, 0))),
     lambda: keras.layers.ZeroPadding2D(((1, 2), (3, 0))), (1, 2, 3, 2)),
    ("cropping", lambda: L.Cropping2D(((1, 0), (0, 2))), lambda: keras.layers.Cropping2D(((1, 0), (0, 2))),
     (1, 4, 5, 2)),
    ("reshape", lambda: L.Reshape((2, -1)), lambda: keras.layers.Reshape((2, -1)), (3, 4, 3)),
    ("permute", lambda: L.Permute((3, 1, 2)), lambda: keras.layers.Permute((3, 1, 2)), (2, 3, 4, 5)),
    ("repeat_vector", lambda: L.RepeatVector(3), lambda: keras.layers.RepeatVector(3), (2, 4)),
    ("gap", lambda: L.GlobalAveragePooling2D(), lambda: keras.layers.GlobalAveragePooling2D(), (2, 3, 4, 5)),
    ("gmp_keepdims", lambda: L.GlobalMaxPooling2D(keepdims=True),
     lambda: keras.layers.GlobalMaxPooling2D(keepdims=True), (2, 3, 4, 5)),
    ("relu6", lambda: L.ReLU(max_value=0.5, negative_slope=0.1, threshold=0.2),
     lambda: keras.layers.ReLU(max_value=0.5, negative_slope=0.1, threshold=0.2), (3, 7)),
    ("leaky", lambda: L.LeakyReLU(), lambda: keras.layers.LeakyReLU(), (3, 7)),
    ("softmax", lambda: L.Softmax(axis=1), lambda: keras.layers.Softmax(axis=1), (2, 3, 4)),
    ("rescaling", lambda: L.Rescaling(1 / 127.5, offset=-1), lambda: keras.layers.Rescaling(1 / 127.5,
                                                                                            offset=-1),
     (2, 3, 3, 3)),
]


@pytest.mark.parametrize("name, ours, theirs, shape", CASES, ids=[c[0] for c in CASES])
def test_same_weights_same_outputs_as_keras(name, ours, theirs, shape):
    x = rand(*shape)
    mine, reference = run_both(ours(), theirs(), x)
    assert mine.shape == reference.shape
    np.testing.assert_allclose(mine, reference, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("ours, theirs", [
    (L.Add, keras.layers.Add), (L.Subtract, keras.layers.Subtract), (L.Multiply, keras.layers.Multiply),
    (L.Average, keras.layers.Average), (L.Maximum, keras.layers.Maximum), (L.Minimum, keras.layers.Minimum),
    (L.Concatenate, keras.layers.Concatenate),
])
def test_merge_layers_match_keras(ours, theirs):
    a, b = rand(2, 3, 4), rand(2, 3, 4, seed=1)
    mine = ours()([a, b]).numpy()
    reference = keras.ops.convert_to_numpy(theirs()([a, b]))
    np.testing.assert_allclose(mine, reference, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name, call", [
    ("expand_dims", lambda o, x: o.expand_dims(x, 1)), ("squeeze", lambda o, x: o.squeeze(o.expand_dims(x,
                                                                                                        0))),
    ("transpose", lambda o, x: o.transpose(x)), ("sum", lambda o, x: o.sum(x, axis=1)),
    ("mean", lambda o, x: o.mean(x, axis=0, keepdims=True)), ("max", lambda o, x: o.max(x, axis=-1)),
    ("argmax", lambda o, x: o.argmax(x, axis=1)), ("softmax", lambda o, x: o.softmax(x)),
    ("sigmoid", lambda o, x: o.sigmoid(x)), ("one_hot", lambda o, x: o.one_hot(o.argmax(x, axis=1), 5)),
    ("where", lambda o, x: o.where(x > 0, x, o.zeros_like(x))), ("clip", lambda o, x: o.clip(x, -0.5, 0.5)),
    ("matmul", lambda o, x: o.matmul(x, o.transpose(x))), ("concatenate", lambda o, x: o.concatenate([x, x],
                                                                                                     1)),
])
def test_ops_match_keras_ops(name, call):
    x = rand(3, 5)
    np.testing.assert_allclose(ops.convert_to_numpy(call(ops, x)),
                               keras.ops.convert_to_numpy(call(keras.ops, x)), rtol=1e-5, atol=1e-6)


AUGMENTATIONS = [  # ranges of one value: the random draw is fixed, so the outputs must agree exactly
    ("rotate", lambda m: m.RandomRotation((0.1, 0.1), fill_mode="constant")),
    ("rotate_reflect", lambda m: m.RandomRotation((-0.05, -0.05))),
    ("rotate_nearest", lambda m: m.RandomRotation((0.25, 0.25), interpolation="nearest")),  # square: no ties
    ("translate", lambda m: m.RandomTranslation((0.2, 0.2), (-0.1, -0.1), fill_mode="constant")),
    ("translate_wrap", lambda m: m.RandomTranslation((0.3, 0.3), 0.0, fill_mode="wrap")),
    ("translate_nearest", lambda m: m.RandomTranslation((0.3, 0.3), 0.0, fill_mode="nearest")),
    ("zoom_out", lambda m: m.RandomZoom((0.5, 0.5), fill_mode="constant")),
    ("zoom_in", lambda m: m.RandomZoom((-0.3, -0.3), (-0.2, -0.2))),
    ("brightness", lambda m: m.RandomBrightness((0.1, 0.1))),
]


@pytest.mark.parametrize("name, make", AUGMENTATIONS, ids=[a[0] for a in AUGMENTATIONS])
def test_augmentation_matches_keras_for_a_fixed_draw(name, make):
    size = (9, 9) if name == "rotate_nearest" else (8, 9)  # a quarter turn of 8x9 lands on pixel edges
    x = np.random.default_rng(0).uniform(0, 255, (2, *size, 3)).astype(np.float32)
    mine = make(L)(x, training=True).numpy()
    reference = keras.ops.convert_to_numpy(make(keras.layers)(x, training=True))
    np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-3)
