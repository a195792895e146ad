"""The Keras 3 layers added on top of the seed's: reshaping, merging, convolution variants, global
pooling, LayerNormalization, activation and noise layers. Each is checked for its gradients (float64
central differences, for the input and every weight) and for its numbers (torch where torch has the
op, numpy formulas otherwise)."""

import numpy as np
import pytest

from autograd import Tensor, gradcheck
from nn import layers as L

try:
    import torch
    import torch.nn.functional as tF
except ImportError:  # the torch comparisons skip; the gradchecks and numpy checks still run
    torch = tF = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch is the reference for these layers")


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def check_grads(layer, *xs, training=None, seed=1, reseed=None):
    """gradcheck of ``sum(layer(x) * w)`` (random ``w``, so sums that are constant still test) in the
    inputs and the layer's weights; ``reseed`` resets a noise layer's generator before each call."""
    tensors = [Tensor(np.array(x, dtype=np.float64), requires_grad=True) for x in xs]

    def run(*_):
        if reseed is not None:
            layer._rng = np.random.default_rng(reseed)
        args = tensors if len(tensors) > 1 else tensors[0]
        kwargs = {} if training is None else {"training": training}
        return layer(list(args) if len(tensors) > 1 else args, **kwargs)

    w = Tensor(rand(*run().shape, seed=seed))
    assert gradcheck(lambda *a: (run(*a) * w).sum(), [*tensors, *layer.parameters()], atol=1e-6, rtol=1e-4)


# --- reshaping --------------------------------------------------------------------------------------
@pytest.mark.parametrize("layer, shape, expected", [
    (lambda: L.Reshape((3, 4)), (2, 12), lambda x: x.reshape(2, 3, 4)),
    (lambda: L.Reshape((-1, 2)), (2, 3, 4), lambda x: x.reshape(2, 6, 2)),
    (lambda: L.Permute((2, 1)), (2, 3, 4), lambda x: x.transpose(0, 2, 1)),
    (lambda: L.Permute((3, 1, 2)), (2, 3, 4, 5), lambda x: x.transpose(0, 3, 1, 2)),
    (lambda: L.RepeatVector(3), (2, 4), lambda x: np.repeat(x[:, None], 3, axis=1)),
    (lambda: L.ZeroPadding2D(((1, 2), (0, 3))), (2, 3, 4, 2),
     lambda x: np.pad(x, ((0, 0), (1, 2), (0, 3), (0, 0)))),
    (lambda: L.ZeroPadding2D(1), (1, 2, 2, 1), lambda x: np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))),
    (lambda: L.Cropping2D(((1, 0), (1, 2))), (2, 4, 5, 3), lambda x: x[:, 1:, 1:3]),
    (lambda: L.Cropping2D(1), (1, 4, 4, 1), lambda x: x[:, 1:3, 1:3]),
    (lambda: L.UpSampling2D((2, 3)), (2, 2, 3, 2), lambda x: x.repeat(2, axis=1).repeat(3, axis=2)),
])
def test_reshaping_layers_values_and_gradients(layer, shape, expected):
    x = rand(*shape)
    built = layer()
    out = built(x)
    np.testing.assert_allclose(out.numpy(), expected(x.astype(np.float32)), rtol=1e-6)
    assert built.compute_output_shape((None, *shape[1:])) == (None, *out.shape[1:])
    check_grads(layer(), x)


def test_reshape_refuses_sizes_that_do_not_fit():
    with pytest.raises(ValueError, match=r"Reshape 'r1': cannot reshape samples of shape \(5,\)"):
        L.Reshape((2, 2), name="r1")(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="at most one -1"):
        L.Reshape((-1, -1))
    assert L.Reshape((-1, 4)).compute_output_shape((None, None)) == (None, None, 4)


def test_padding_and_cropping_arguments():
    assert L.ZeroPadding2D((1, 2)).padding == ((1, 1), (2, 2))
    with pytest.raises(ValueError, match="padding must hold non-negative ints"):
        L.ZeroPadding2D(-1)
    with pytest.raises(ValueError, match="removes every row"):
        L.Cropping2D(2)(np.zeros((1, 4, 4, 1)))
    with pytest.raises(ValueError, match="channels_last"):
        L.UpSampling2D(data_format="channels_first")


# --- merging ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("layer, fn, n", [
    (L.Add, lambda xs: sum(xs), 3),
    (L.Subtract, lambda xs: xs[0] - xs[1], 2),
    (L.Multiply, lambda xs: xs[0] * xs[1] * xs[2], 3),
    (L.Average, lambda xs: sum(xs) / len(xs), 2),
    (L.Maximum, lambda xs: np.maximum.reduce(xs), 3),
    (L.Minimum, lambda xs: np.minimum.reduce(xs), 2),
    (lambda: L.Concatenate(axis=1), lambda xs: np.concatenate(xs, axis=1), 3),
    (L.Concatenate, lambda xs: np.concatenate(xs, axis=-1), 2),
])
def test_merge_layers_values_and_gradients(layer, fn, n):
    xs = [rand(2, 3, 4, seed=i) for i in range(n)]
    np.testing.assert_allclose(layer()(xs).numpy(), fn([x.astype(np.float32) for x in xs]), rtol=1e-6)
    check_grads(layer(), *xs)


def test_merge_layers_broadcast_and_functional_twins():
    a, b = rand(2, 3), rand(1, 3, seed=1)
    np.testing.assert_allclose(L.add([a, b]).numpy(), (a + b).astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(L.subtract([a, b]).numpy(), (a - b).astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(L.multiply([a, b]).numpy(), (a * b).astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(L.average([a, b]).numpy(), ((a + b) / 2).astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(L.maximum([a, b]).numpy(), np.maximum(a, b).astype(np.float32))
    np.testing.assert_allclose(L.minimum([a, b]).numpy(), np.minimum(a, b).astype(np.float32))
    assert L.concatenate([a, a, a], axis=0).shape == (6, 3)
    assert L.Add().compute_output_shape([(None, 3), (1, 3)]) == (None, 3)
    assert L.Concatenate().compute_output_shape([(None, 3), (None, 5)]) == (None, 8)


def test_merge_layers_name_the_problem():
    with pytest.raises(TypeError, match="called on a list of inputs"):
        L.Add(name="add_x")(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="Subtract 'sub': expected a list of exactly 2 inputs, received 3"):
        L.Subtract(name="sub")([np.zeros(2)] * 3)
    with pytest.raises(ValueError, match=r"Add 'a2': inputs must have shapes that broadcast.*\(2, 4\)"):
        L.Add(name="a2")([np.zeros((2, 3)), np.zeros((2, 4))])
    with pytest.raises(ValueError, match=r"every axis but axis=-1, received shapes \[\(2, 3\), \(4, 3\)\]"):
        L.Concatenate()([np.zeros((2, 3)), np.zeros((4, 3))])


# --- convolution variants (torch reference) ---------------------------------------------------------


def nchw(x):
    return torch.tensor(np.asarray(x, dtype=np.float64)).permute(0, 3, 1, 2)


def nhwc(t):
    return t.permute(0, 2, 3, 1).detach().numpy()


@needs_torch
@pytest.mark.parametrize("kernel, strides, padding, output_padding, size, torch_pad", [
    (3, 1, "valid", None, (5, 4), 0),
    (3, 2, "valid", None, (4, 5), 0),
    (3, 1, "same", None, (5, 5), 1),
    (4, 2, "same", None, (3, 4), 1),
    ((2, 3), (2, 1), "valid", None, (3, 3), (0, 0)),
    (3, 2, "same", 1, (3, 3), 1),
    (3, 3, "valid", (1, 2), (2, 3), 0),
])
def test_conv2d_transpose_matches_torch(kernel, strides, padding, output_padding, size, torch_pad):
    layer = L.Conv2DTranspose(3, kernel, strides=strides, padding=padding, output_padding=output_padding)
    x = rand(2, *size, 2)
    y = layer(x)
    assert layer.kernel.shape == (*layer.kernel_size, 3, 2)
    layer.bias.data[:] = [0.5, -0.5, 1.0]
    weight = torch.tensor(layer.kernel.numpy().astype(np.float64)).permute(3, 2, 0, 1)  # (C_in, F, KH, KW)
    op = (0, 0) if output_padding is None else layer.output_padding
    ref = tF.conv_transpose2d(nchw(x), weight, stride=layer.strides, padding=torch_pad, output_padding=op)
    target = layer.compute_output_shape((None, *size, 2))[1:3]
    expected = nhwc(ref)  # Keras pads with zeros up to L*s when the kernel is smaller than the stride
    missing = ((0, 0), (0, target[0] - expected.shape[1]), (0, target[1] - expected.shape[2]), (0, 0))
    expected = np.pad(expected, missing) + layer.bias.numpy()
    y = layer(x)
    assert y.shape == expected.shape == (2, *layer.compute_output_shape((None, *size, 2))[1:])
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-4, atol=1e-5)
    check_grads(layer, rand(1, *size, 2, seed=3))


def test_conv2d_transpose_is_the_gradient_of_conv2d():
    """<conv2d(x, k), y> == <x, conv2d_transpose(y, k)> for 'same' with an odd kernel-minus-stride."""
    from autograd import functional as F
    x, y = rand(1, 6, 6, 2), rand(1, 3, 3, 4, seed=1)
    layer = L.Conv2DTranspose(2, 3, strides=2, padding="same", use_bias=False)
    back = layer(y).numpy()
    kernel = layer.kernel.numpy()  # (KH, KW, 2, 4): read as (KH, KW, C, F) it is the forward conv
    forward = F.conv2d(Tensor(x.astype(np.float32)), Tensor(kernel), strides=2, padding="same").numpy()
    assert back.shape == x.shape
    np.testing.assert_allclose((forward * y).sum(), (x * back).sum(), rtol=1e-4)


@needs_torch
@pytest.mark.parametrize("kernel, strides, padding, multiplier", [
    (3, 1, "valid", 1), (3, 1, "same", 2), (2, 2, "valid", 3), ((3, 1), (1, 2), "valid", 1),
])
def test_depthwise_conv2d_matches_torch(kernel, strides, padding, multiplier):
    layer = L.DepthwiseConv2D(kernel, strides=strides, padding=padding, depth_multiplier=multiplier)
    x = rand(2, 6, 5, 3)
    layer(x)
    layer.bias.data[:] = np.arange(3 * multiplier) / 10
    k = layer.kernel.numpy().astype(np.float64)  # (KH, KW, C, M); torch wants (C*M, 1, KH, KW)
    weight = torch.tensor(k.reshape(*k.shape[:2], -1)).permute(2, 0, 1)[:, None]
    pads = "same" if padding == "same" else 0
    bias = torch.tensor(layer.bias.numpy().astype(np.float64))
    ref = tF.conv2d(nchw(x), weight, bias, stride=layer.strides, padding=pads, groups=3)
    np.testing.assert_allclose(layer(x).numpy(), nhwc(ref), rtol=1e-4, atol=1e-5)
    assert layer.compute_output_shape((None, 6, 5, 3)) == (None, *nhwc(ref).shape[1:])
    check_grads(layer, rand(1, 5, 4, 3, seed=2))


@needs_torch
def test_separable_conv2d_matches_torch():
    layer = L.SeparableConv2D(4, 3, padding="same", depth_multiplier=2, activation="relu")
    x = rand(2, 5, 5, 3)
    layer(x)
    layer.bias.data[:] = [0.1, -0.1, 0.2, 0.0]
    dk = layer.depthwise_kernel.numpy().astype(np.float64)
    assert dk.shape == (3, 3, 3, 2) and layer.pointwise_kernel.shape == (1, 1, 6, 4)
    depth_weight = torch.tensor(dk.reshape(3, 3, 6)).permute(2, 0, 1)[:, None]
    depth = tF.conv2d(nchw(x), depth_weight, padding=1, groups=3)
    pk = torch.tensor(layer.pointwise_kernel.numpy().astype(np.float64)).permute(3, 2, 0, 1)
    ref = torch.relu(tF.conv2d(depth, pk, torch.tensor(layer.bias.numpy().astype(np.float64))))
    np.testing.assert_allclose(layer(x).numpy(), nhwc(ref), rtol=1e-4, atol=1e-5)
    assert layer.count_params() == 3 * 3 * 3 * 2 + 6 * 4 + 4
    check_grads(L.SeparableConv2D(2, 2, strides=2), rand(1, 4, 4, 2, seed=4))


@needs_torch
@pytest.mark.parametrize("size, mode", [((2, 2), "nearest"), ((2, 3), "bilinear")])
def test_upsampling_matches_torch_interpolate(size, mode):
    x = rand(2, 3, 4, 2)
    corners = {} if mode == "nearest" else {"align_corners": False}
    ref = tF.interpolate(nchw(x), scale_factor=size, mode=mode, **corners)
    layer = L.UpSampling2D(size, interpolation=mode)
    np.testing.assert_allclose(layer(x).numpy(), nhwc(ref), rtol=1e-5, atol=1e-6)
    check_grads(layer, rand(1, 2, 3, 1))


# --- pooling, normalization, activations ------------------------------------------------------------
@needs_torch
def test_global_pooling_matches_torch():
    x = rand(2, 3, 4, 5)
    avg, top = L.GlobalAveragePooling2D(), L.GlobalMaxPooling2D(keepdims=True)
    np.testing.assert_allclose(avg(x).numpy(), nchw(x).mean(dim=(2, 3)).numpy(), rtol=1e-5)
    np.testing.assert_allclose(top(x).numpy(), nhwc(tF.adaptive_max_pool2d(nchw(x), 1)), rtol=1e-6)
    assert avg.compute_output_shape((None, 7, 7, 5)) == (None, 5)
    assert top.compute_output_shape((None, 7, 7, 5)) == (None, 1, 1, 5)
    check_grads(avg, x)
    check_grads(top, x)


@needs_torch
@pytest.mark.parametrize("axis, torch_shape", [(-1, (5,)), ([-2, -1], (4, 5))])
def test_layer_normalization_matches_torch(axis, torch_shape):
    layer = L.LayerNormalization(axis=axis, epsilon=1e-3)
    x = rand(2, 3, 4, 5)
    layer(x)
    assert layer.gamma.shape == layer.beta.shape == torch_shape
    assert [w.label.split("/")[-1] for w in layer.weights] == ["gamma", "beta"]  # Keras's order
    layer.gamma.data[:] = rand(*torch_shape, seed=1)
    layer.beta.data[:] = rand(*torch_shape, seed=2)
    ref = tF.layer_norm(torch.tensor(x), torch_shape, torch.tensor(layer.gamma.numpy().astype(np.float64)),
                        torch.tensor(layer.beta.numpy().astype(np.float64)), eps=1e-3)
    np.testing.assert_allclose(layer(x).numpy(), ref.numpy(), rtol=1e-4, atol=1e-5)
    check_grads(layer, rand(2, 3, 4, 5, seed=5))


def test_layer_normalization_rms_scaling():
    x = rand(3, 4)
    y = L.LayerNormalization(rms_scaling=True, epsilon=0.0)(x).numpy()
    np.testing.assert_allclose(y, x / np.sqrt((x ** 2).mean(axis=-1, keepdims=True)), rtol=1e-5)


@needs_torch
@pytest.mark.parametrize("layer, reference", [
    (lambda: L.ReLU(), lambda t: torch.relu(t)),
    (lambda: L.ReLU(max_value=0.5), lambda t: torch.clamp(t, 0, 0.5)),
    (lambda: L.ReLU(negative_slope=0.1, threshold=0.3),
     lambda t: torch.where(t >= 0.3, t, 0.1 * (t - 0.3))),
    (lambda: L.LeakyReLU(), lambda t: tF.leaky_relu(t, 0.3)),
    (lambda: L.LeakyReLU(negative_slope=0.05), lambda t: tF.leaky_relu(t, 0.05)),
    (lambda: L.Softmax(), lambda t: torch.softmax(t, -1)),
    (lambda: L.Softmax(axis=1), lambda t: torch.softmax(t, 1)),
    (lambda: L.Softmax(axis=(1, 2)), lambda t: torch.softmax(t.reshape(2, -1), -1).reshape(t.shape)),
])
def test_activation_layers_match_torch(layer, reference):
    x = rand(2, 3, 4)
    np.testing.assert_allclose(layer()(x).numpy(), reference(torch.tensor(x)).numpy(), rtol=1e-5, atol=1e-6)
    check_grads(layer(), x)


@needs_torch
def test_prelu_matches_torch_and_learns_alpha():
    layer = L.PReLU(shared_axes=[1, 2])
    x = rand(2, 3, 4, 5)
    layer(x)
    assert layer.alpha.shape == (1, 1, 5) and layer.count_params() == 5
    layer.alpha.data[:] = rand(1, 1, 5, seed=1)
    ref = tF.prelu(nchw(x), torch.tensor(layer.alpha.numpy().astype(np.float64).ravel()))
    np.testing.assert_allclose(layer(x).numpy(), nhwc(ref), rtol=1e-5, atol=1e-6)
    check_grads(layer, x)
    assert L.PReLU()(np.zeros((2, 3, 4))) is not None
    with pytest.raises(ValueError, match="shared_axes must be axes >= 1"):
        L.PReLU(shared_axes=[0])


def test_noise_layers_are_identity_outside_training_and_seeded_inside():
    x = rand(4, 5, 5, 8)
    for layer in (L.SpatialDropout2D(0.5, seed=3), L.GaussianNoise(0.5, seed=3)):
        np.testing.assert_array_equal(layer(x, training=False).numpy(), x.astype(np.float32))
        layer.eval()
        np.testing.assert_array_equal(layer(x).numpy(), x.astype(np.float32))
    drop = L.SpatialDropout2D(0.5, seed=3)(x, training=True).numpy() / x.astype(np.float32)
    per_map = drop.reshape(4, 25, 8)
    assert np.allclose(per_map, per_map[:, :1]) and set(np.round(per_map.ravel(), 4)) <= {0.0, 2.0}
    a = L.GaussianNoise(0.5, seed=3)(x, training=True).numpy()
    b = L.GaussianNoise(0.5, seed=3)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    assert abs(np.std(a - x) - 0.5) < 0.05
    check_grads(L.SpatialDropout2D(0.5), rand(2, 3, 3, 4), training=True, reseed=0)
    check_grads(L.GaussianNoise(1.0), rand(2, 3), training=True, reseed=0)


@pytest.mark.parametrize("layer, shape", [
    (lambda: L.Conv2DTranspose(2, 3, name="up"), (2, 5, 5)),
    (lambda: L.DepthwiseConv2D(3, name="dw"), (2, 5)),
    (lambda: L.GlobalAveragePooling2D(name="gap"), (2, 5, 5)),
    (lambda: L.RepeatVector(2, name="rep"), (2, 5, 5)),
    (lambda: L.Permute((2, 1), name="perm"), (2, 5, 5, 1)),
])
def test_wrong_rank_names_the_layer_and_both_shapes(layer, shape):
    built = layer()
    with pytest.raises(ValueError, match=rf"'{built.name}': expected a {built.input_ndim}-D input.*{shape}"):
        built(np.zeros(shape))


def test_built_layers_refuse_a_different_channel_count():
    layer = L.SeparableConv2D(4, 3, name="sep")
    layer(np.zeros((1, 5, 5, 3)))
    with pytest.raises(ValueError, match=r"SeparableConv2D 'sep': expected axis -1 .* 3 .*\(1, 5, 5, 2\)"):
        layer(np.zeros((1, 5, 5, 2)))
