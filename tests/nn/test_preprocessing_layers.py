"""Preprocessing layers inside the model: Rescaling, Resizing, CenterCrop and the random augmentation
layers (active only while training, seeded); values against torch / numpy, gradients by gradcheck."""

import numpy as np
import pytest

from autograd import Tensor, gradcheck
from nn import layers as L
from nn.preprocessing.augment import apply_transform

try:
    import torch
    import torch.nn.functional as tF
except ImportError:
    torch = tF = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch is the reference for resizing")


def rand(*shape, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, size=shape)


def grads_ok(layer, x, training=True, seed=None):
    """gradcheck of sum(layer(x) * w) in x, the layer's generator reset before each call."""
    t = Tensor(np.array(x, dtype=np.float64), requires_grad=True)

    def run(_):
        if seed is not None:
            layer._rng = np.random.default_rng(seed)
        return layer(t, training=training) if layer.uses_training else layer(t)

    w = Tensor(np.random.default_rng(9).normal(size=run(t).shape))
    return gradcheck(lambda a: (run(a) * w).sum(), [t], atol=1e-5, rtol=1e-4)


def test_rescaling_values_per_channel_and_gradient():
    x = rand(2, 3, 3, 3)
    np.testing.assert_allclose(L.Rescaling(1 / 255)(x).numpy(), x / 255, rtol=1e-6)
    y = L.Rescaling([1.0, 2.0, 3.0], offset=[0.0, -1.0, 1.0])(np.ones((1, 1, 1, 3))).numpy()
    assert y.ravel().tolist() == [1.0, 1.0, 4.0]
    assert grads_ok(L.Rescaling(0.5, offset=1.0), rand(1, 2, 2, 1))
    with pytest.raises(TypeError, match="scale and offset must be numbers"):
        L.Rescaling("1/255")


@needs_torch
@pytest.mark.parametrize("size, out, method, torch_mode", [
    ((5, 7), (10, 3), "bilinear", "bilinear"),
    ((8, 8), (3, 5), "bilinear", "bilinear"),
    ((4, 6), (7, 9), "nearest", "nearest-exact"),
    ((9, 6), (4, 3), "nearest", "nearest-exact"),
])
def test_resizing_matches_torch_interpolate(size, out, method, torch_mode):
    x = rand(2, *size, 3)
    layer = L.Resizing(*out, interpolation=method)
    kwargs = {"align_corners": False, "antialias": False} if torch_mode == "bilinear" else {}
    ref = tF.interpolate(torch.tensor(x).permute(0, 3, 1, 2), size=out, mode=torch_mode, **kwargs)
    np.testing.assert_allclose(layer(x).numpy(), ref.permute(0, 2, 3, 1).numpy(), rtol=1e-4, atol=1e-3)
    assert layer.compute_output_shape((None, *size, 3)) == (None, *out, 3)
    assert grads_ok(layer, rand(1, *size, 1) / 255)


def test_resizing_aspect_options_and_single_images():
    x = np.arange(4 * 8, dtype=np.float64).reshape(1, 4, 8, 1)
    cropped = L.Resizing(4, 4, crop_to_aspect_ratio=True)(x).numpy()
    np.testing.assert_allclose(cropped[0, :, :, 0], x[0, :, 2:6, 0], rtol=1e-6)  # centre square, unresized
    padded = L.Resizing(8, 8, pad_to_aspect_ratio=True, fill_value=-1.0)(x).numpy()
    assert padded[0, :2, :, 0].max() == -1 and padded[0, 6:, :, 0].max() == -1
    np.testing.assert_allclose(padded[0, 2:6, :, 0], x[0, :, :, 0], rtol=1e-6)
    single = L.Resizing(2, 3)(np.ones((5, 5, 3)))
    assert single.shape == (2, 3, 3) and L.Resizing(2, 3).compute_output_shape((5, 5, 3)) == (2, 3, 3)
    with pytest.raises(ValueError, match="interpolation must be one of"):
        L.Resizing(2, 2, interpolation="bicubic")


def test_center_crop_crops_or_resizes_up():
    x = rand(2, 6, 7, 3)
    np.testing.assert_allclose(L.CenterCrop(4, 3)(x).numpy(), x[:, 1:5, 2:5].astype(np.float32), rtol=1e-6)
    assert L.CenterCrop(10, 10)(x).shape == (2, 10, 10, 3)
    assert grads_ok(L.CenterCrop(3, 3), rand(1, 5, 4, 2))


def test_random_layers_are_identity_unless_training_and_repeat_with_a_seed():
    x = rand(3, 8, 8, 3)
    makers = [
        lambda: L.RandomFlip(seed=1), lambda: L.RandomRotation(0.2, seed=1), lambda: L.RandomZoom(0.3,
                                                                                                  seed=1),
        lambda: L.RandomTranslation(0.2, 0.2, seed=1), lambda: L.RandomContrast(0.5, seed=1),
        lambda: L.RandomBrightness(0.3, seed=1),
    ]
    for make in makers:
        layer = make()
        np.testing.assert_array_equal(layer(x, training=False).numpy(), x.astype(np.float32))
        layer.eval()
        np.testing.assert_array_equal(layer(x).numpy(), x.astype(np.float32))
        a, b = make()(x, training=True).numpy(), make()(x, training=True).numpy()
        np.testing.assert_array_equal(a, b)
        assert not np.allclose(a, x), type(layer).__name__


def test_random_flip_flips_whole_images():
    x = rand(16, 3, 4, 2)
    y = L.RandomFlip("horizontal", seed=0)(x, training=True).numpy()
    flipped = [np.allclose(y[i], x[i, :, ::-1]) for i in range(16)]
    kept = [np.allclose(y[i], x[i]) for i in range(16)]
    assert all(f or k for f, k in zip(flipped, kept, strict=True)) and 0 < sum(flipped) < 16
    both = L.RandomFlip(seed=0)(x, training=True).numpy()
    options = [x, x[:, ::-1], x[:, :, ::-1], x[:, ::-1, ::-1]]
    assert all(any(np.allclose(both[i], o[i]) for o in options) for i in range(16))
    with pytest.raises(ValueError, match="mode must be one of"):
        L.RandomFlip("diagonal")


@pytest.mark.parametrize("fill_mode", ["reflect", "constant", "nearest", "wrap"])
def test_geometric_layers_resample_as_image_data_generator_does(fill_mode):
    """Same transform, same taps: the layer equals nn.preprocessing's numpy warp image by image."""
    x = rand(2, 9, 7, 3)
    layer = L.RandomRotation(0.25, fill_mode=fill_mode, seed=5)
    params = [{"theta": 30.0}, {"theta": -75.0}]
    draws = iter(params)
    layer.draw = lambda h, w: next(draws)
    y = layer(x, training=True).numpy()
    for i, p in enumerate(params):
        np.testing.assert_allclose(y[i], apply_transform(x[i].astype(np.float32), p, fill_mode), rtol=1e-4,
                                   atol=1e-3)


def test_translation_zoom_and_nearest_interpolation():
    x = np.arange(25.0).reshape(1, 5, 5, 1)
    down = L.RandomTranslation((0.2, 0.2), 0.0, fill_mode="constant", interpolation="nearest")
    np.testing.assert_array_equal(down(x, training=True).numpy()[0, :, :, 0],
                                  np.vstack([np.zeros((1, 5)), x[0, :4, :, 0]]))
    zoom_in = L.RandomZoom((-0.5, -0.5), interpolation="nearest", seed=0)
    centre = zoom_in(np.arange(64.0).reshape(1, 8, 8, 1), training=True).numpy()[0, :, :, 0]
    assert centre.min() >= 8 * 2 and centre.max() <= 8 * 5 + 6  # the middle half, magnified
    with pytest.raises(ValueError, match="fill_mode must be one of"):
        L.RandomZoom(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match=r"width_factor must give low <= high within \[-1, 1\]"):
        L.RandomTranslation(0.1, (0.5, 2.0))


def test_contrast_and_brightness_formulas():
    x = rand(4, 3, 3, 2)
    y = L.RandomContrast((0.5, 0.5), seed=2, value_range=(-1e9, 1e9))(x, training=True).numpy()
    mean = x.mean(axis=(1, 2), keepdims=True)
    ratio = (y - mean) / (x - mean)
    per_image = ratio.reshape(4, -1)
    assert np.allclose(per_image, per_image[:, :1],
                       rtol=1e-3) and np.all((per_image >= 0.5) & (per_image <= 1.5))
    b = L.RandomBrightness(0.1, seed=2)(x, training=True).numpy()
    shift = (b - x).reshape(4, -1)
    inside = (b > 0) & (b < 255)
    assert np.all(np.abs(shift) <= 25.5 + 1e-3) and inside.any()
    assert b.min() >= 0 and b.max() <= 255
    with pytest.raises(ValueError, match="factor must give low <= high within"):
        L.RandomBrightness(1.5)


@pytest.mark.parametrize("make", [
    lambda: L.RandomFlip(), lambda: L.RandomRotation(0.1), lambda: L.RandomZoom(0.2),
    lambda: L.RandomTranslation(0.1, 0.1, fill_mode="constant", fill_value=3.0),
    lambda: L.RandomRotation(0.1, interpolation="nearest"), lambda: L.RandomContrast(0.3),
    lambda: L.RandomBrightness(0.1),
])
def test_augmentation_gradients(make):
    x = np.random.default_rng(1).uniform(50, 200, size=(2, 5, 4, 2))  # inside the value range: no clipping
    assert grads_ok(make(), x, seed=4)


def test_augmentation_runs_in_fit_and_not_in_predict():
    from nn.models import Sequential

    model = Sequential([L.RandomFlip("horizontal", seed=0), L.RandomRotation(0.1, seed=0),
                        L.Rescaling(1 / 255),
                        L.Conv2D(2, 3), L.GlobalAveragePooling2D(), L.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = rand(8, 8, 8, 3), np.arange(8) % 2
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))


def test_wrong_rank_names_the_layer_and_shape():
    with pytest.raises(ValueError, match=r"Resizing 'rs': expected an input of at least 3 dim.*\(4, 4\)"):
        L.Resizing(2, 2, name="rs")(np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"RandomFlip 'rf': expected a 4-D input .*\(1, 2, 2, 2, 1\)"):
        L.RandomFlip(name="rf")(np.zeros((1, 2, 2, 2, 1)), training=True)
