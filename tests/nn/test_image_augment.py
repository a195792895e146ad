"""ImageDataGenerator augmentation (warps, flips, seeding) and flow() over in-memory arrays."""

import numpy as np
import pytest

from nn.preprocessing.augment import affine_matrix, apply_transform, warp
from nn.preprocessing.image import ImageDataGenerator


def _image(h=6, w=6, c=2):
    return np.arange(h * w * c, dtype=np.float32).reshape(h, w, c)


def test_identity_params_leave_the_image_alone():
    x = _image()
    assert affine_matrix({}, 6, 6) is None
    np.testing.assert_array_equal(apply_transform(x, {"theta": 0.0, "zx": 1.0, "zy": 1.0}), x)


def test_rotation_by_90_degrees_is_exact():
    x = _image()
    out = apply_transform(x, {"theta": 90.0})
    assert any(np.allclose(out, np.rot90(x, k, axes=(0, 1)), atol=1e-4) for k in (1, 3))


def test_integer_shift_moves_content_and_fills():
    x = _image()
    out = apply_transform(x, {"tx": 1.0}, fill_mode="constant", cval=-1.0)
    np.testing.assert_allclose(out[:, 1:], x[:, :-1], atol=1e-5)  # content moved one column right
    assert np.all(out[:, 0] == -1.0)
    nearest = apply_transform(x, {"ty": -2.0}, fill_mode="nearest")
    np.testing.assert_allclose(nearest[:-2], x[2:], atol=1e-5)
    np.testing.assert_allclose(nearest[-1], x[-1], atol=1e-5)  # edge rows repeated


@pytest.mark.parametrize("mode", ["reflect", "wrap"])
def test_fill_modes_reflect_and_wrap(mode):
    x = _image()
    out = apply_transform(x, {"tx": 2.0}, fill_mode=mode)
    expected = x[:, [1, 0]] if mode == "reflect" else x[:, [4, 5]]
    np.testing.assert_allclose(out[:, :2], expected, atol=1e-5)


def test_zoom_below_one_magnifies_about_the_centre():
    x = np.zeros((9, 9, 1), dtype=np.float32)
    x[3:6, 3:6] = 1.0
    out = apply_transform(x, {"zx": 0.5, "zy": 0.5})
    assert out.sum() > 2 * x.sum() and out[4, 4, 0] == 1.0


def test_bilinear_warp_interpolates():
    x = np.array([[0.0, 10.0]], dtype=np.float32)[..., None]
    half = np.array([[1, 0, 0], [0, 1, 0.5], [0, 0, 1]], dtype=np.float64)
    assert warp(x, half)[0, 0, 0] == pytest.approx(5.0)


def test_flips():
    x = _image()
    np.testing.assert_array_equal(apply_transform(x, {"flip_horizontal": True}), x[:, ::-1])
    np.testing.assert_array_equal(apply_transform(x, {"flip_vertical": True}), x[::-1])


def test_random_transform_is_seeded_and_within_ranges():
    gen = ImageDataGenerator(rotation_range=20, width_shift_range=0.25, height_shift_range=3,
                             zoom_range=[0.8, 1.2], shear_range=5, horizontal_flip=True)
    draws = [gen.get_random_transform((8, 8, 3), seed=s) for s in range(50)]
    assert draws[3] == gen.get_random_transform((8, 8, 3), seed=3)
    assert all(abs(d["theta"]) <= 20 and abs(d["tx"]) <= 2 and abs(d["shear"]) <= 5 for d in draws)
    assert all(d["ty"] in (-2.0, -1.0, 0.0, 1.0, 2.0) for d in draws)  # int n: whole pixels in (-n, n)
    assert all(0.8 <= d["zx"] <= 1.2 and 0.8 <= d["zy"] <= 1.2 for d in draws)
    assert {d["flip_horizontal"] for d in draws} == {True, False}
    x = _image(8, 8, 3)
    np.testing.assert_array_equal(gen.random_transform(x, seed=1), gen.random_transform(x, seed=1))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"zoom_range": [1.2, 0.8]}, "zoom_range must be a float or"),
        ({"zoom_range": -0.5}, "zoom_range must be a number >= 0"),
        ({"rotation_range": -1}, "rotation_range must be a number >= 0, received rotation_range=-1"),
        ({"fill_mode": "mirror"}, "unknown fill_mode='mirror'; expected one of 'constant', 'nearest'"),
        ({"width_shift_range": "a"}, "width_shift_range must be a number"),
    ],
)
def test_generator_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ImageDataGenerator(**kwargs)


def test_preprocessing_function_must_be_callable():
    with pytest.raises(TypeError, match="preprocessing_function must be callable"):
        ImageDataGenerator(preprocessing_function=3)


# ---- flow(): in-memory arrays ----

def _arrays(n=10):
    x = np.broadcast_to(np.arange(n, dtype=np.float32)[:, None, None, None], (n, 4, 4, 3)).copy()
    return x, np.arange(n) % 3


def test_flow_batching_and_labels():
    x, y = _arrays()
    it = ImageDataGenerator().flow(x, y, batch_size=4, shuffle=False)
    assert len(it) == 3
    bx, by = it[2]
    assert bx.shape == (2, 4, 4, 3) and bx.dtype == np.float32
    np.testing.assert_array_equal(bx[:, 0, 0, 0], [8, 9])
    np.testing.assert_array_equal(by, y[8:])
    only_x = ImageDataGenerator(rescale=0.5).flow(x, batch_size=4, shuffle=False)[0]
    np.testing.assert_array_equal(only_x[:, 0, 0, 0], [0, 0.5, 1, 1.5])


def test_flow_shuffles_per_epoch_with_seed_and_keeps_pairs():
    x, y = _arrays(12)
    a = ImageDataGenerator(horizontal_flip=True).flow(x, y, batch_size=5, seed=2)
    b = ImageDataGenerator(horizontal_flip=True).flow(x, y, batch_size=5, seed=2)
    np.testing.assert_array_equal(a[0][0], b[0][0])
    bx, by = a[1]
    np.testing.assert_array_equal(bx[:, 0, 0, 0].astype(int) % 3, by)  # images stay with their labels
    seen = np.concatenate([a[i][0][:, 0, 0, 0] for i in range(len(a))])
    a.on_epoch_end()
    again = np.concatenate([a[i][0][:, 0, 0, 0] for i in range(len(a))])
    assert sorted(seen) == sorted(again) == list(range(12)) and not np.array_equal(seen, again)


def test_flow_augmentation_changes_with_the_epoch_not_with_access_order():
    x, y = _arrays(4)
    x = x + np.random.default_rng(0).random(x.shape, dtype=np.float32)
    it = ImageDataGenerator(rotation_range=40).flow(x, y, batch_size=2, seed=0, shuffle=False)
    first = it[1][0]
    it[0]
    np.testing.assert_array_equal(it[1][0], first)  # it[i] is a pure function of (seed, epoch, i)
    it.on_epoch_end()
    assert not np.allclose(it[1][0], first)


def test_flow_subset_and_errors():
    x, y = _arrays(10)
    gen = ImageDataGenerator(validation_split=0.3)
    val, train = gen.flow(x, y, subset="validation", shuffle=False), gen.flow(x, y, subset="training")
    assert val.n == 3 and train.n == 7
    np.testing.assert_array_equal(val[0][1], y[:3])
    with pytest.raises(ValueError, match=r"x must be a batch of images \(n, height, width, channels\)"):
        gen.flow(np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match=r"same length, received x.shape=\(10, 4, 4, 3\), y.shape=\(5,\)"):
        gen.flow(x, y[:5])
    with pytest.warns(UserWarning, match="has 5 channels"):
        gen.flow(np.zeros((2, 3, 3, 5)))


def test_flow_next_is_endless():
    x, y = _arrays(5)
    it = ImageDataGenerator().flow(x, y, batch_size=2, seed=1)
    assert [len(next(it)[0]) for _ in range(7)] == [2, 2, 1, 2, 2, 1, 2]


def test_preprocessing_function_must_keep_the_shape():
    gen = ImageDataGenerator(preprocessing_function=lambda x: x[:2])
    with pytest.raises(ValueError, match=r"preprocessing_function must return an image of the shape"):
        gen.flow(np.zeros((3, 4, 4, 3)), batch_size=2)[0]


def test_seed_none_follows_numpys_global_seed():
    x, y = _arrays(20)
    np.random.seed(11)
    a = ImageDataGenerator().flow(x, y)
    np.random.seed(11)
    b = ImageDataGenerator().flow(x, y)
    np.testing.assert_array_equal(a.index_array, b.index_array)
