"""nn.layers image and normalization layers: Conv2D, pooling, BatchNormalization; torch parity."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Tensor
from nn.layers import AveragePooling2D, BatchNormalization, Conv2D, Dense, Dropout, Flatten, MaxPooling2D


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


# --- Conv2D and pooling ---------------------------------------------------------------------------
def test_conv2d_builds_a_keras_layout_kernel():
    layer = Conv2D(8, (3, 5))
    y = layer(rand(2, 10, 12, 4))
    assert layer.kernel.shape == (3, 5, 4, 8) and layer.bias.shape == (8,)
    assert y.shape == (2, 8, 8, 8) and y.dtype == np.float32
    assert [name for name, _ in layer.named_parameters()] == ["kernel", "bias"]
    assert layer.count_params() == 3 * 5 * 4 * 8 + 8
    limit = np.sqrt(6 / (3 * 5 * 4 + 3 * 5 * 8))  # Keras fans include the receptive field
    assert np.abs(layer.kernel.numpy()).max() <= limit


def test_conv2d_matches_a_direct_numpy_sum():
    x, layer = rand(1, 5, 5, 2), Conv2D(3, 3, activation="relu", input_shape=(5, 5, 2))
    layer.bias.data[:] = [0.1, -0.2, 0.3]
    k = layer.kernel.numpy()
    expected = np.zeros((1, 3, 3, 3), np.float32)
    for i in range(3):
        for j in range(3):
            expected[0, i, j] = np.einsum("abc,abcf->f", x[0, i:i + 3, j:j + 3], k) + layer.bias.numpy()
    np.testing.assert_allclose(layer(x).numpy(), np.maximum(expected, 0), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("layer, shape, expected", [
    (MaxPooling2D(2, 2), (1, 4, 4, 1), [[5, 7], [13, 15]]),
    (AveragePooling2D(2), (1, 4, 4, 1), [[2.5, 4.5], [10.5, 12.5]]),
    (MaxPooling2D((1, 2)), (1, 2, 4, 1), [[1, 3], [5, 7]]),
])
def test_pooling_values(layer, shape, expected):
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    np.testing.assert_array_equal(layer(x).numpy()[0, :, :, 0], expected)


def test_pooling_strides_default_to_pool_size():
    assert MaxPooling2D(2, 2).strides == MaxPooling2D(2).strides == (2, 2)
    assert AveragePooling2D(3, strides=1).strides == (1, 1)
    assert MaxPooling2D(2).compute_output_shape((None, 75, 75, 8)) == (None, 37, 37, 8)
    assert MaxPooling2D(2, padding="same").compute_output_shape((None, 75, 75, 8)) == (None, 38, 38, 8)


@settings(max_examples=40, deadline=None)
@given(h=st.integers(1, 9), w=st.integers(1, 9), kh=st.integers(1, 4), kw=st.integers(1, 4),
       sh=st.integers(1, 3), sw=st.integers(1, 3), padding=st.sampled_from(["valid", "same"]),
       kind=st.sampled_from([Conv2D, MaxPooling2D, AveragePooling2D]))
def test_windowed_output_shape_matches_the_kernels(h, w, kh, kw, sh, sw, padding, kind):
    args = (2, (kh, kw)) if kind is Conv2D else ((kh, kw),)
    layer = kind(*args, strides=(sh, sw), padding=padding)
    x = rand(1, h, w, 2)
    fits = padding == "same" or (h >= kh and w >= kw)
    if not fits:
        with pytest.raises(ValueError, match="smaller than the window"):
            layer(x)
        return
    assert layer(x).shape == layer.compute_output_shape((1, h, w, 2))


# --- BatchNormalization ---------------------------------------------------------------------------
def test_batchnorm_training_uses_batch_statistics_and_updates_moving_ones():
    x = rand(64, 3) * np.float32([1, 5, 0.2]) + np.float32([3, -2, 10])
    bn = BatchNormalization()
    y = bn(x).numpy()  # a fresh layer trains
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=0), np.sqrt(x.var(axis=0) / (x.var(axis=0) + 1e-3)), rtol=1e-4)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * x.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.99 + 0.01 * x.var(axis=0), rtol=1e-5)


def test_batchnorm_on_another_axis():
    x = rand(16, 3, 5) * np.float32([1, 4, 9])[:, None]  # channels on axis 1
    bn = BatchNormalization(axis=1, momentum=0.0)  # momentum 0: the moving statistics become the batch's
    y = bn(x).numpy()
    assert bn.gamma.shape == (3,)
    np.testing.assert_allclose(y.mean(axis=(0, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), x.var(axis=(0, 2)), rtol=1e-4)
    bn.eval()
    np.testing.assert_allclose(bn(x).numpy(), y, rtol=1e-4, atol=1e-5)  # same statistics, same output


def test_batchnorm_eval_uses_moving_statistics_and_leaves_them_alone():
    bn = BatchNormalization(input_shape=(4, 4, 2))
    bn.moving_mean.data[:] = [1.0, -1.0]
    bn.moving_variance.data[:] = [4.0, 0.25]
    bn.gamma.data[:] = [2.0, 1.0]
    bn.beta.data[:] = [0.0, 0.5]
    x = rand(3, 4, 4, 2)
    bn.eval()
    y = bn(x).numpy()
    expected = (x - [1.0, -1.0]) / np.sqrt(np.float32([4.0, 0.25]) + 1e-3) * [2.0, 1.0] + [0.0, 0.5]
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    assert bn.moving_mean.numpy().tolist() == [1.0, -1.0]  # no update outside training
    with_flag = BatchNormalization()
    with_flag(x, training=False)
    assert with_flag.moving_mean.numpy().tolist() == [0.0, 0.0]


def test_batchnorm_weights_parameters_buffers_and_state_dict():
    bn = BatchNormalization(input_shape=(5,))
    assert [name for name, _ in bn.named_parameters()] == ["gamma", "beta"]
    assert [w.label.split("/")[-1] for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.shape for w in bn.get_weights()] == [(5,)] * 4
    assert bn.count_params() == 20  # Keras counts the moving statistics too (non-trainable)
    bn(rand(8, 5))
    state = bn.state_dict()
    assert list(state) == ["moving_mean", "moving_variance", "gamma", "beta"]
    fresh = BatchNormalization(input_shape=(5,))
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.moving_variance.numpy(), bn.moving_variance.numpy())
    fresh.eval(), bn.eval()
    np.testing.assert_array_equal(fresh(rand(2, 5, seed=1)).numpy(), bn(rand(2, 5, seed=1)).numpy())


def test_batchnorm_errors():
    with pytest.raises(ValueError, match=r"axis=0 is not a feature axis of inputs of shape \(None, 3\)"):
        BatchNormalization(axis=0, input_shape=(3,))
    with pytest.raises(ValueError, match="momentum must be in \\[0, 1\\], received momentum=1.5"):
        BatchNormalization(momentum=1.5)
    bn = BatchNormalization(input_shape=(3,))
    with pytest.raises(ValueError, match=r"size 3.*received shape \(2, 4\)"):
        bn(np.zeros((2, 4)))


# --- every parameter learns -----------------------------------------------------------------------
def small_mlp():
    return [Dense(8, activation="tanh"), Dense(3)], rand(16, 4)


def small_cnn():
    return [Conv2D(4, 3, activation="relu", padding="same"), BatchNormalization(), MaxPooling2D(2),
            Conv2D(6, 3, strides=2, activation="tanh"), AveragePooling2D(1), Flatten(), Dropout(0.2, seed=0),
            Dense(5, activation="sigmoid"), Dense(3)], rand(8, 10, 10, 2)


@pytest.mark.parametrize("make, n_params", [(small_mlp, 4), (small_cnn, 10)])
def test_every_parameter_gets_a_gradient_and_an_sgd_step_lowers_the_loss(make, n_params):
    stack, x = make()
    target = rand(len(x), 3, seed=1)

    def loss():
        for layer in stack:
            if isinstance(layer, Dropout):
                layer._rng = np.random.default_rng(0)  # the same mask both times: compare like with like
        y = x
        for layer in stack:
            y = layer(y)
        diff = y - target
        return (diff * diff).mean()

    before = loss()
    before.backward()
    params = [p for layer in stack for p in layer.parameters()]
    assert len(params) == n_params
    for p in params:
        assert p.grad is not None and p.grad.shape == p.shape and np.abs(p.grad).sum() > 0
        p.data -= 0.05 * p.grad
    assert loss().item() < before.item()


# --- torch parity ---------------------------------------------------------------------------------
def test_dense_matches_torch():
    torch = pytest.importorskip("torch")
    layer, x = Dense(6, activation="sigmoid", input_shape=(4,)), rand(3, 4)
    layer.bias.data[:] = rand(6, seed=2)
    expected = torch.sigmoid(torch.nn.functional.linear(
        torch.tensor(x), torch.tensor(layer.kernel.numpy().T), torch.tensor(layer.bias.numpy())))
    np.testing.assert_allclose(layer(x).numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


def _keras_same_pad(length, k, s):
    """(before, after) zero padding Keras 'same' uses: the odd one goes after."""
    out = -(-length // s)
    total = max((out - 1) * s + k - length, 0)
    return total // 2, total - total // 2


@pytest.mark.parametrize("kernel_size, strides, padding", [(3, 1, "valid"), ((3, 2), 2, "valid"),
                                                            (3, 1, "same"), (3, 2, "same"), (2, 2, "same")])
def test_conv2d_forward_and_gradients_match_torch(kernel_size, strides, padding):
    torch = pytest.importorskip("torch")
    layer = Conv2D(5, kernel_size, strides=strides, padding=padding, input_shape=(9, 8, 3))
    x = rand(2, 9, 8, 3)
    layer.bias.data[:] = rand(5, seed=3)
    xt = Tensor(x, requires_grad=True)
    y = layer(xt)
    g = rand(*y.shape, seed=4)
    (y * g).sum().backward()

    tx = torch.tensor(x).permute(0, 3, 1, 2).requires_grad_()
    tk = torch.tensor(layer.kernel.numpy()).permute(3, 2, 0, 1).requires_grad_()  # (F, C, KH, KW)
    tb = torch.tensor(layer.bias.numpy()).requires_grad_()
    padded = tx
    if padding == "same":
        (kh, kw), (sh, sw) = layer.kernel_size, layer.strides
        top, bottom = _keras_same_pad(9, kh, sh)
        left, right = _keras_same_pad(8, kw, sw)
        padded = torch.nn.functional.pad(tx, (left, right, top, bottom))
    ty = torch.nn.functional.conv2d(padded, tk, tb, stride=layer.strides).permute(0, 2, 3, 1)
    (ty * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(xt.grad, tx.grad.permute(0, 2, 3, 1).numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.kernel.grad, tk.grad.permute(2, 3, 1, 0).numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.bias.grad, tb.grad.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("layer, torch_fn", [(MaxPooling2D(2), "max_pool2d"),
                                             (AveragePooling2D(3, 2), "avg_pool2d")])
def test_pooling_matches_torch(layer, torch_fn):
    torch = pytest.importorskip("torch")
    x = rand(2, 7, 6, 3)
    expected = getattr(torch.nn.functional, torch_fn)(
        torch.tensor(x).permute(0, 3, 1, 2), layer.pool_size, layer.strides).permute(0, 2, 3, 1)
    np.testing.assert_allclose(layer(x).numpy(), expected.numpy(), rtol=1e-6, atol=1e-6)


def test_batchnorm_matches_torch_in_training_and_eval():
    torch = pytest.importorskip("torch")
    x, g = rand(6, 4, 4, 3), rand(6, 4, 4, 3, seed=1)
    bn = BatchNormalization(input_shape=(4, 4, 3))
    bn.gamma.data[:], bn.beta.data[:] = rand(3, seed=2), rand(3, seed=3)
    tbn = torch.nn.BatchNorm2d(3, eps=1e-3, momentum=0.01)  # torch's momentum is Keras's 1 - momentum
    with torch.no_grad():
        tbn.weight.copy_(torch.tensor(bn.gamma.numpy()))
        tbn.bias.copy_(torch.tensor(bn.beta.numpy()))
    xt, tx = Tensor(x, requires_grad=True), torch.tensor(x).permute(0, 3, 1, 2).requires_grad_()
    y, ty = bn(xt), tbn(tx).permute(0, 2, 3, 1)
    (y * g).sum().backward()
    (ty * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(xt.grad, tx.grad.permute(0, 2, 3, 1).numpy(), rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(bn.gamma.grad, tbn.weight.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(bn.beta.grad, tbn.bias.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(bn.moving_mean.numpy(), tbn.running_mean.numpy(), rtol=1e-5, atol=1e-6)
    # torch's running variance uses the unbiased batch variance; Keras (and we) use the biased one
    bn.eval(), tbn.eval()
    with torch.no_grad():
        tbn.running_var.copy_(torch.tensor(bn.moving_variance.numpy()))
        ty = tbn(torch.tensor(x).permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
    np.testing.assert_allclose(bn(x).numpy(), ty.numpy(), rtol=1e-4, atol=1e-4)
