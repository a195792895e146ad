"""Sequence layers on their own: exact backprop through time (gradcheck), long sequences, masks in a
Sequential model, shapes, and the errors bad input gets."""

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck
from nn import layers as L


def float64_layer(layer, input_shape, seed=0):
    """Build ``layer`` and give it random float64 weights (gradcheck works in float64)."""
    layer.maybe_build(input_shape)
    rng = np.random.default_rng(seed)
    for w in layer.weights:
        w.data = rng.uniform(-0.7, 0.7, w.shape)
    return layer


MASK = np.array([[1, 1, 1, 0], [1, 0, 1, 1], [0, 0, 1, 1]], dtype=bool)


@pytest.mark.parametrize("cls", [L.SimpleRNN, L.GRU, L.LSTM])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_backprop_through_time_is_exact(cls, go_backwards, masked):
    layer = cls(3, return_sequences=True, return_state=True, go_backwards=go_backwards)
    layer = float64_layer(layer, (None, 4, 2))
    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((3, 4, 2)), requires_grad=True)
    h0 = [Tensor(rng.standard_normal((3, 3)), requires_grad=True) for _ in range(cls.state_count)]
    weights = rng.standard_normal((3, 4, 3))

    def loss(x, *params_and_states):
        out, *states = layer(x, initial_state=list(params_and_states[-cls.state_count:]),
                             mask=MASK if masked else None)
        return (out * weights).sum() + sum((s * s).sum() for s in states)

    assert gradcheck(loss, [x, *layer.weights, *h0], atol=1e-7, rtol=1e-5)


def test_bidirectional_and_conv1d_gradcheck():
    bi = float64_layer(L.Bidirectional(L.GRU(2, return_sequences=True), merge_mode="mul"), (None, 4, 2))
    conv = float64_layer(L.Conv1D(2, 3, padding="causal", dilation_rate=2), (None, 4, 2))
    x = Tensor(np.random.default_rng(2).standard_normal((3, 4, 2)), requires_grad=True)
    assert gradcheck(lambda x, *w: (bi(x, mask=MASK) ** 2).sum(), [x, *bi.weights], atol=1e-7, rtol=1e-5)
    assert gradcheck(lambda x, *w: conv(x).tanh().sum(), [x, *conv.weights], atol=1e-7, rtol=1e-5)


def test_embedding_gradient_scatter_adds_repeated_ids():
    emb = L.Embedding(5, 2)
    out = emb([[1, 1, 3], [1, 0, 3]])
    out.sum().backward()
    assert emb.embeddings.grad[:, 0].tolist() == [1.0, 3.0, 0.0, 2.0, 0.0]


def test_a_thousand_steps_do_not_hit_the_recursion_limit():
    layer = L.LSTM(2)
    x = Tensor(np.random.default_rng(0).standard_normal((1, 1000, 1)).astype(np.float32), requires_grad=True)
    layer(x).sum().backward()
    assert x.grad.shape == (1, 1000, 1) and np.isfinite(x.grad).all() and np.abs(layer.kernel.grad).sum() > 0


def test_padded_steps_carry_the_state_and_repeat_the_output():
    ids = np.array([[3, 4, 0, 0]])
    emb, rnn = L.Embedding(6, 2, mask_zero=True), L.SimpleRNN(3, return_sequences=True, return_state=True)
    out, h = rnn(emb(ids))
    assert np.allclose(out.data[0, 2], out.data[0, 1]) and np.allclose(out.data[0, 3], out.data[0, 1])
    assert np.allclose(h.data, out.data[:, 1])
    unpadded = rnn(emb(ids[:, :2]))[1]
    assert np.allclose(h.data, unpadded.data)


def test_masks_flow_through_a_sequential_model_and_training_learns():
    """Embedding(mask_zero) -> LSTM -> Dense in Sequential: padding changes nothing; fit lowers the loss."""
    nn.utils.set_random_seed(0)
    layers = [L.Embedding(8, 4, mask_zero=True), L.LSTM(6), L.Dense(1, activation="sigmoid")]
    model = nn.models.Sequential(layers)
    short = np.array([[5, 2, 7]])
    padded = np.array([[5, 2, 7, 0, 0, 0]])
    assert np.allclose(model(short).data, model(padded).data, atol=1e-6)
    rng = np.random.default_rng(0)
    x = rng.integers(1, 8, (64, 6))
    y = (x[:, 0] > 4).astype(np.float32)[:, None]
    model.compile(optimizer=nn.optimizers.Adam(learning_rate=0.05), loss="binary_crossentropy")
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_time_distributed_and_pooling_shapes():
    x = np.ones((2, 6, 3), dtype=np.float32)
    assert L.TimeDistributed(L.Dense(4))(x).shape == (2, 6, 4)
    assert L.MaxPooling1D(2, padding="same")(np.ones((2, 5, 3))).shape == (2, 3, 3)
    assert L.GlobalMaxPooling1D(keepdims=True)(x).shape == (2, 1, 3)
    assert L.Conv1D(4, 3, strides=2, padding="same").compute_output_shape((None, 7, 3)) == (None, 4, 4)
    bi = L.Bidirectional(L.LSTM(5, return_state=True))
    assert bi.compute_output_shape((None, 6, 3)) == [(None, 10), (None, 5), (None, 5), (None, 5), (None, 5)]
    out, *states = bi(x)
    assert out.shape == (2, 10) and len(states) == 4
    assert [w.label.split("/")[0] for w in bi.weights][::3] == [bi.forward_layer.name, bi.backward_layer.name]


# --- bad input ------------------------------------------------------------------------------------------
def test_a_two_dimensional_input_to_a_recurrent_layer_is_refused():
    with pytest.raises(ValueError, match=r"GRU 'gru.*': expected a 3-D input \(batch, timesteps, features\), "
                                         r"received shape \(4, 5\) \(2-D\)"):
        L.GRU(3)(np.zeros((4, 5)))


def test_a_mask_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"mask must have shape \(batch, timesteps\) = \(2, 5\), "
                                         r"received a mask of shape \(2, 4\)"):
        L.LSTM(3)(np.zeros((2, 5, 1)), mask=np.ones((2, 4), dtype=bool))


def test_token_ids_out_of_range_are_named():
    with pytest.raises(ValueError, match=r"Embedding 'embedding.*': token id 12 at index \(1, 0\) is out of "
                                         r"range for input_dim=10"):
        L.Embedding(10, 3)([[1, 2], [12, 0]])
    with pytest.raises(ValueError, match=r"token id -1"):
        L.Embedding(10, 3)([[1, -1]])
    with pytest.raises(ValueError, match=r"whole numbers, received 1.5"):
        L.Embedding(10, 3)([[1.5, 2.0]])


def test_ragged_lists_are_refused_with_their_lengths():
    with pytest.raises(ValueError, match=r"ragged list of 3 sequences with lengths 2, 3, 1; pad them .*"
                                         r"pad_sequences"):
        L.Embedding(10, 3)([[1, 2], [3, 4, 5], [6]])
    with pytest.raises(ValueError, match=r"SimpleRNN .*ragged list of 2 sequences with lengths 1, 2"):
        L.SimpleRNN(2)([[[1.0]], [[1.0], [2.0]]])


def test_bad_states_and_arguments_are_named():
    with pytest.raises(ValueError, match=r"initial_state must be a list of 2 state\(s\) of shape \(2, 3\), "
                                         r"received 1"):
        L.LSTM(3)(np.zeros((2, 4, 1)), initial_state=[np.zeros((2, 3))])
    with pytest.raises(ValueError, match=r"initial_state\[0\] must have shape \(batch, units\) = \(2, 3\), "
                                         r"received shape \(2, 4\)"):
        L.GRU(3)(np.zeros((2, 4, 1)), initial_state=[np.zeros((2, 4))])
    with pytest.raises(ValueError, match="units must be a positive integer, received units=0"):
        L.LSTM(0)
    with pytest.raises(ValueError, match="merge_mode must be one of"):
        L.Bidirectional(L.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="padding must be one of"):
        L.Conv1D(2, 3, padding="full")
    with pytest.raises(ValueError, match=r"shorter than the window: 3 steps with kernel_size=3"):
        L.Conv1D(2, 3, dilation_rate=2)(np.zeros((1, 3, 1)))


def test_a_model_of_sequence_layers_saves_and_loads(tmp_path):
    model = nn.models.Sequential([
        L.Embedding(10, 4, mask_zero=True),
        L.Bidirectional(L.GRU(3, return_sequences=True, reset_after=False), merge_mode="sum"),
        L.TimeDistributed(L.Dense(2, activation="relu")),
        L.Conv1D(2, 3, padding="causal", dilation_rate=2),
        L.MaxPooling1D(2, padding="same"),
        L.GlobalAveragePooling1D(),
        L.Dense(1),
    ])
    x = np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0]])
    before = model(x).data
    model.save(tmp_path / "seq.stepgrad")
    loaded = nn.models.load_model(tmp_path / "seq.stepgrad")
    assert np.array_equal(loaded(x).data, before)
    bi = loaded.layers[1]
    assert bi.merge_mode == "sum" and not bi.forward_layer.reset_after and bi.backward_layer.go_backwards


def test_a_saved_wrapper_can_only_name_layers_of_nn_layers():
    with pytest.raises(ValueError, match="class 'os.system' is not a layer of nn.layers"):
        L.TimeDistributed({"class_name": "os.system", "config": {}})


@pytest.mark.parametrize("cls", [L.SimpleRNN, L.GRU, L.LSTM])
def test_dropout_acts_only_while_training_with_one_mask_for_all_steps(cls):
    plain = float64_layer(cls(3, return_sequences=True), (None, 5, 4))
    dropped = float64_layer(cls(3, return_sequences=True, dropout=0.5, recurrent_dropout=0.5, seed=1),
                            (None, 5, 4))
    x = Tensor(np.random.default_rng(0).standard_normal((2, 5, 4)))      # float64
    assert np.array_equal(plain(x).data, dropped(x, training=False).data)   # inference: no dropout
    dropped.eval()
    assert np.array_equal(plain(x).data, dropped(x).data)                   # eval mode: the same
    trained = dropped(x, training=True).data
    assert not np.allclose(trained, plain(x).data)
    # the same computation by hand: fixed masks on x_t and on h where it meets the recurrent kernel
    rng = np.random.default_rng(1)
    x_mask = (rng.random((2, 4)) >= 0.5) / 0.5
    h_mask = (rng.random((2, 3)) >= 0.5) / 0.5
    states = [Tensor(np.zeros((2, 3)))] * cls.state_count
    outputs = []
    for t in range(5):
        xw = Tensor(x.data[:, t] * x_mask) @ dropped.kernel + dropped.split_bias()[0]
        states = dropped.step(xw, states, states[0] * h_mask, dropped.split_bias()[1])
        outputs.append(states[0].data)
    assert np.allclose(trained, np.stack(outputs, axis=1), atol=1e-12)


def test_dropout_rates_are_checked():
    with pytest.raises(ValueError, match=r"recurrent_dropout must be a number in \[0, 1\), received "
                                         r"recurrent_dropout=1.0"):
        L.GRU(2, recurrent_dropout=1.0)
