"""nn.layers core (Keras style): lifecycle, names, shapes, parameter counts, gradients, errors, Dropout."""

import re

import numpy as np
import pytest

from autograd import Tensor
from nn import Module, layers
from nn.layers import Activation, Conv2D, Dense, Dropout, Flatten, InputLayer, MaxPooling2D
from nn.layers.base import snake_case


def seed_cnn():
    """The seed's section-4 CNN, verbatim apart from the import path."""
    return [
        Conv2D(32, (3, 3), activation="relu", input_shape=(150, 150, 3)),
        MaxPooling2D(2, 2),
        Conv2D(64, (3, 3), activation="relu"),
        MaxPooling2D(2, 2),
        Conv2D(128, (3, 3), activation="relu"),
        MaxPooling2D(2, 2),
        layers.Flatten(),
        Dense(512, activation="relu"),
        Dense(1, activation="sigmoid"),
    ]


def build_chain(stack, input_shape):
    """Size every layer from shapes alone, as summary() does; returns the output shapes."""
    shapes, shape = [], input_shape
    for layer in stack:
        shape = layer.maybe_build(shape)
        shapes.append(shape)
    return shapes


# --- lifecycle, names, weights ---------------------------------------------------------------------
def test_dense_builds_on_first_call_with_keras_defaults():
    layer = Dense(4)
    assert not layer.built and layer.kernel is None and layer.parameters() == []
    y = layer(np.ones((2, 3)))
    assert layer.built and y.shape == (2, 4) and y.dtype == np.float32
    assert layer.input_shape == (2, 3) and layer.output_shape == (2, 4)
    assert layer.kernel.shape == (3, 4) and layer.bias.shape == (4,)
    assert layer.kernel.dtype == np.float32 and layer.kernel.requires_grad and layer.bias.requires_grad
    np.testing.assert_array_equal(layer.bias.numpy(), 0.0)  # zero biases
    assert [name for name, _ in layer.named_parameters()] == ["kernel", "bias"]
    assert layer.count_params() == 3 * 4 + 4


def test_input_shape_builds_at_once():
    layer = Dense(3, input_shape=(5,))
    assert layer.built and layer.kernel.shape == (5, 3)
    assert layer.input_shape == (None, 5) and layer.output_shape == (None, 3)
    assert Dense(12, input_dim=8).kernel.shape == (8, 12)  # Keras 2 spelling


def test_glorot_uniform_kernel_is_bounded_and_spread():
    kernel = Dense(300, input_shape=(200,)).kernel.numpy()
    limit = np.sqrt(6 / (200 + 300))
    assert np.abs(kernel).max() <= limit
    assert abs(kernel.std() - limit / np.sqrt(3)) < 0.05 * limit  # uniform(-l, l) has std l/sqrt(3)


def test_dense_forward_matches_numpy_formula_and_activation():
    layer = Dense(3, activation="relu", input_shape=(4,))
    layer.bias.data[:] = [0.5, -0.5, 0.0]
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    expected = np.maximum(x @ layer.kernel.numpy() + layer.bias.numpy(), 0)
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("activation, ops", [("relu", ["dense"]), ("tanh", ["dense", "tanh"]),
                                             (None, ["dense"])])
def test_dense_is_one_fused_node_plus_any_other_activation(activation, ops):
    layer = Dense(2, activation=activation, input_shape=(3,))
    y = layer(Tensor(np.ones((4, 3), np.float32), requires_grad=True))
    chain = []
    node = y
    while node.op:
        chain.append(node.op)
        node = node.parents[0]
    assert chain[::-1] == ops


def test_dense_without_bias_and_on_last_axis_of_3d_input():
    layer = Dense(2, use_bias=False)
    x = np.random.default_rng(1).normal(size=(3, 5, 4)).astype(np.float32)
    y = layer(x)
    assert layer.bias is None and layer.count_params() == 8
    assert y.shape == (3, 5, 2) == layer.compute_output_shape((3, 5, 4))
    np.testing.assert_allclose(y.numpy(), x @ layer.kernel.numpy(), rtol=1e-5, atol=1e-6)


def test_names_are_snake_case_and_unique_like_keras():
    assert [snake_case(n) for n in ("Dense", "Conv2D", "MaxPooling2D", "BatchNormalization")] == [
        "dense", "conv2d", "max_pooling2d", "batch_normalization"]
    layers.clear_names()
    assert [Dense(1).name, Dense(1).name, Conv2D(1, 3).name, Dense(1).name] == [
        "dense", "dense_1", "conv2d", "dense_2"]
    assert Dense(1, name="head").name == "head"
    layers.clear_names()
    assert Dense(1).name == "dense"


def test_seed_cnn_has_19_034_177_parameters_and_keras_output_shapes():
    stack = seed_cnn()
    shapes = build_chain(stack, (None, 150, 150, 3))
    assert shapes == [(None, 148, 148, 32), (None, 74, 74, 32), (None, 72, 72, 64), (None, 36, 36, 64),
                      (None, 34, 34, 128), (None, 17, 17, 128), (None, 36992), (None, 512), (None, 1)]
    counts = [layer.count_params() for layer in stack]
    assert counts == [896, 0, 18496, 0, 73856, 0, 0, 18940416, 513]
    assert sum(counts) == 19_034_177


def test_get_and_set_weights_in_keras_order():
    layer = Dense(2, input_shape=(3,))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 2) and bias.shape == (2,)
    kernel[:] = 0  # a copy: the layer is unchanged
    assert np.abs(layer.kernel.numpy()).sum() > 0
    original = layer.kernel
    layer.set_weights([np.ones((3, 2)), np.full(2, 0.5)])
    assert layer.kernel is original  # updated in place
    np.testing.assert_array_equal(layer([[1.0, 2.0, 3.0]]).numpy(), [[6.5, 6.5]])
    with pytest.raises(ValueError, match=r"weight 1 \(dense\w*/bias\) has shape \(2,\), received .* \(3,\)"):
        layer.set_weights([np.zeros((3, 2)), np.zeros(3)])
    np.testing.assert_array_equal(layer.kernel.numpy(), 1.0)  # nothing was set
    with pytest.raises(ValueError, match="expected 2 arrays"):
        layer.set_weights([np.zeros((3, 2))])


def test_dotted_names_through_a_module_holding_layers():
    class Stack(Module):
        def __init__(self):
            super().__init__()
            self.layers = [Dense(4, input_shape=(3,)), layers.BatchNormalization(), Dense(1)]

    model = Stack()
    model.layers[1](model.layers[0](np.ones((2, 3))))
    assert [name for name, _ in model.named_parameters()] == [
        "layers.0.kernel", "layers.0.bias", "layers.1.gamma", "layers.1.beta"]  # layers.2 is not built yet
    assert {"layers.1.moving_mean", "layers.1.moving_variance"} <= set(model.state_dict())
    model.eval()
    assert not any(layer.training for layer in model.layers)


def test_count_params_before_build_raises_for_weighted_layers_only():
    with pytest.raises(ValueError, match=r"Dense 'dense\w*': count_params\(\) needs the weights"):
        Dense(3).count_params()
    assert Flatten().count_params() == 0


def test_flatten_and_activation_and_input():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    flat = Flatten()
    np.testing.assert_array_equal(flat(x).numpy(), x.reshape(2, 12))
    assert flat.compute_output_shape((None, 3, 4)) == (None, 12)
    assert Activation("tanh")(x).numpy()[1, 2, 3] == pytest.approx(np.tanh(23.0))
    inp = InputLayer((3, 4))  # the layer behind nn.Input (which returns a symbolic tensor, as in Keras 3)
    assert inp.output_shape == (None, 3, 4) and np.array_equal(inp(x).numpy(), x)
    with pytest.raises(ValueError, match=r"axis 2 of the input to have size 4.*received shape \(2, 3, 5\)"):
        inp(np.zeros((2, 3, 5)))


@pytest.mark.parametrize("make, shape", [
    (lambda: Dense(7, activation="softmax"), (3, 5)),
    (lambda: Flatten(), (2, 4, 3, 2)),
    (lambda: Activation("leaky_relu"), (2, 6)),
    (lambda: Dropout(0.3), (2, 6)),
    (lambda: Conv2D(5, 3, strides=2, padding="same"), (2, 9, 8, 3)),
    (lambda: MaxPooling2D(3, 2, padding="same"), (1, 7, 6, 2)),
])
def test_compute_output_shape_matches_the_real_output(make, shape):
    layer = make()
    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    assert layer(x).shape == layer.compute_output_shape(shape)
    assert layer.compute_output_shape((None, *shape[1:])) == (None, *layer(x).shape[1:])


def test_ndarray_list_and_integer_inputs_become_float32_tensors():
    layer = Dense(2, input_shape=(3,))
    for x in (np.ones((1, 3), dtype=np.float64), np.ones((1, 3), dtype=np.uint8), [[1.0, 1.0, 1.0]],
              Tensor(np.ones((1, 3), dtype=np.int64))):
        y = layer(x)
        assert isinstance(y, Tensor) and y.dtype == np.float32
    with pytest.raises(TypeError, match=r"Dense '\w+': expected a Tensor or an array.*received str"):
        layer("abc")


def test_layers_are_importable_from_nn_and_nn_layers():
    import nn

    assert nn.Dense is Dense and nn.layers.Conv2D is Conv2D
    assert nn.BatchNormalization is layers.BatchNormalization
    assert nn.Layer is not layers.Layer  # nn.Layer is the scalar (micrograd) layer


# --- Dropout --------------------------------------------------------------------------------------
def test_dropout_is_inverted_in_training_and_identity_in_eval():
    x = np.ones((200, 100), dtype=np.float32)
    layer = Dropout(0.25, seed=0)
    y = layer(x).numpy()  # a fresh layer is in training mode, as a fresh Module
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.75], rtol=1e-6)  # dropped, or scaled by 1/(1-rate)
    assert abs((y == 0).mean() - 0.25) < 0.01 and abs(y.mean() - 1.0) < 0.02  # expectation kept
    layer.eval()
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    assert (layer(x, training=True).numpy() == 0).any()  # training= overrides the mode


def test_dropout_is_seedable_and_its_gradient_is_the_scaled_mask():
    x = np.random.default_rng(0).normal(size=(4, 10)).astype(np.float32)
    a = Dropout(0.5, seed=7)(x).numpy()
    np.testing.assert_array_equal(a, Dropout(0.5, seed=7)(x).numpy())
    t = Tensor(x, requires_grad=True)
    y = Dropout(0.5, seed=7)(t)
    y.sum().backward()
    np.testing.assert_allclose(t.grad, (a != 0) * 2.0)


def test_dropout_noise_shape_drops_whole_columns():
    y = Dropout(0.5, noise_shape=(1, None), seed=3)(np.ones((6, 40))).numpy()
    assert (y == y[0]).all() and 0 < (y[0] == 0).sum() < 40


def test_dropout_rate_errors_name_the_received_value():
    with pytest.raises(ValueError, match=re.escape("Dropout: rate must be in [0, 1), received rate=1.5")):
        Dropout(1.5)
    with pytest.raises(ValueError, match=re.escape("received rate=1")):
        Dropout(1)
    with pytest.raises(TypeError, match="received rate='0.5'"):
        Dropout("0.5")
    assert Dropout(0.0)(np.ones((2, 2))).numpy().tolist() == [[1.0, 1.0], [1.0, 1.0]]


# --- errors ---------------------------------------------------------------------------------------
def test_wrong_rank_names_the_layer_and_the_received_shape():
    with pytest.raises(ValueError, match=re.escape(
            "expected a 4-D input (batch, height, width, channels), received shape (32, 150, 150) (3-D)")):
        Conv2D(32, 3)(np.zeros((32, 150, 150), dtype=np.float32))
    with pytest.raises(ValueError, match=r"Dense '\w+': expected an input of at least 2 dimensions.*\(5,\)"):
        Dense(2)(np.zeros(5))


def test_feature_size_changed_after_build():
    layer = Dense(2)
    layer(np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"expected axis -1 of the input to have size 3 \(the layer was "
                                         r"built for inputs of shape \(1, 3\)\), received shape \(1, 4\)"):
        layer(np.zeros((1, 4)))
    conv = Conv2D(2, 3, input_shape=(8, 8, 3))
    with pytest.raises(ValueError, match=r"to have size 3.*received shape \(1, 8, 8, 1\)"):
        conv(np.zeros((1, 8, 8, 1)))


@pytest.mark.parametrize("make, message", [
    (lambda: Dense(0), "units must be a positive integer, received units=0"),
    (lambda: Dense(2.5), "units must be a positive integer, received units=2.5"),
    (lambda: Conv2D(0, 3), "filters must be a positive integer, received filters=0"),
    (lambda: Conv2D(8, (3, 3, 3)), "kernel_size must be an int or a pair of ints, "
                                   "received kernel_size=(3, 3, 3)"),
    (lambda: Conv2D(8, 0), "kernel_size must be positive, received kernel_size=0"),
    (lambda: Conv2D(8, 3, strides=(1, -1)), "received strides=(1, -1)"),
    (lambda: Conv2D(8, 3, padding="full"), "padding must be 'valid' or 'same', received padding='full'"),
    (lambda: MaxPooling2D(2, padding="causal"), "received padding='causal'"),
    (lambda: Dense(2, input_shape=(0,)), "input_shape must have positive sizes, received input_shape=(0,)"),
])
def test_invalid_arguments(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


def test_input_smaller_than_the_window():
    with pytest.raises(ValueError, match=r"window: input shape \(None, 2, 2, 1\) with a 3x3"):
        Conv2D(1, 3, input_shape=(2, 2, 1))


def test_unknown_activation_name_is_an_error():
    with pytest.raises(ValueError, match=r"Dense 'dense\w*': .*unknown activation 'swishy'.*known.*'relu'"):
        Dense(2, activation="swishy")
    with pytest.raises(TypeError, match=r"Activation 'activation\w*': .*received int 3"):
        Activation(3)
