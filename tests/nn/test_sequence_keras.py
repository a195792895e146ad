"""Sequence layers against Keras 3 (torch backend): Keras's own layer gets our weights unchanged through
``set_weights`` (so the layouts are Keras's), then outputs, final states and the gradients of inputs,
initial states and weights must agree, with arbitrary masks (holes included) and go_backwards.

Compared in float32 (max abs difference < 1e-4): Keras 3.15 promotes float64 @ float64 to float32
(``keras.backend.result_type("float64", "float64") == "float32"``), so its float64 layers are not
float64-exact; the float64 parity (< 1e-8) is checked against torch in test_recurrent_torch.py.
Skips when Keras is not installed, or was already imported with a backend other than torch.
"""

import os

import numpy as np
import pytest

from autograd import Tensor
from nn import layers as L

os.environ.setdefault("KERAS_BACKEND", "torch")
torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip(f"Keras runs on the {keras.backend.backend()} backend here; these tests need torch",
                allow_module_level=True)

BATCH, STEPS, FEATURES, UNITS = 4, 7, 3, 5
MASK = np.array([[1, 1, 1, 1, 1, 1, 1],
                 [1, 1, 1, 1, 0, 0, 0],
                 [1, 0, 1, 1, 0, 1, 0],  # holes: the states carry over each padded step
                 [0, 0, 0, 1, 1, 1, 1]], dtype=bool)


DTYPE = np.float32
TOL = 1e-4


def randomize(layer, dtype, seed=0):
    """Random weights of ``dtype`` (biases included) for a built layer of ours."""
    rng = np.random.default_rng(seed)
    for w in layer.weights:
        w.data = rng.uniform(-0.6, 0.6, w.shape).astype(dtype)


def keras_twin(ours, keras_layer, input_shape, dtype):
    keras_layer.build(input_shape)
    keras_layer.set_weights([w.data for w in ours.weights])
    return keras_layer


def compare(ours, theirs, x0, dtype, mask=None, initial=None):
    """Run both on x0 (and initial states), backprop the same random weighting, compare everything."""
    rng = np.random.default_rng(7)
    x = Tensor(x0, requires_grad=True)
    ours_initial = None if initial is None else [Tensor(s, requires_grad=True) for s in initial]
    kwargs = {} if mask is None else {"mask": mask}
    out = ours(x, initial_state=ours_initial, **kwargs) if initial is not None else ours(x, **kwargs)
    tx = torch.tensor(x0, requires_grad=True)
    t_initial = None if initial is None else [torch.tensor(s, requires_grad=True) for s in initial]
    t_kwargs = {} if mask is None else {"mask": torch.tensor(mask)}
    if initial is not None:
        t_kwargs["initial_state"] = t_initial
    t_out = theirs(tx, **t_kwargs)
    outs = out if isinstance(out, list) else [out]
    t_outs = list(t_out) if isinstance(t_out, (list, tuple)) else [t_out]
    assert len(outs) == len(t_outs)
    loss, t_loss = 0.0, 0.0
    for o, t in zip(outs, t_outs, strict=True):
        assert o.shape == tuple(t.shape)
        assert np.abs(o.data - t.detach().numpy()).max() < TOL
        w = rng.standard_normal(o.shape).astype(dtype)
        loss, t_loss = loss + (o * w).sum(), t_loss + (t * torch.tensor(w)).sum()
    loss.backward()
    t_loss.backward()
    assert np.abs(x.grad - tx.grad.numpy()).max() < TOL
    for s, ts in zip(ours_initial or [], t_initial or [], strict=True):
        assert np.abs(s.grad - ts.grad.numpy()).max() < TOL
    for w, tw in zip(ours.weights, theirs.trainable_weights, strict=True):
        assert w.shape == tuple(tw.shape), w.label
        assert np.abs(w.grad - tw.value.grad.numpy()).max() < TOL, w.label


def sequence(dtype, seed=1):
    return np.random.default_rng(seed).standard_normal((BATCH, STEPS, FEATURES)).astype(dtype)


RECURRENT = [
    (L.SimpleRNN, keras.layers.SimpleRNN, {}),
    (L.GRU, keras.layers.GRU, {}),
    (L.GRU, keras.layers.GRU, {"reset_after": False}),
    (L.LSTM, keras.layers.LSTM, {}),
]


@pytest.mark.parametrize("ours_cls, keras_cls, extra", RECURRENT, ids=["rnn", "gru", "gru_before", "lstm"])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_recurrent_layers_match_keras(ours_cls, keras_cls, extra, go_backwards, masked, return_sequences):
    dtype = DTYPE
    flags = {"return_sequences": return_sequences, "return_state": True, "go_backwards": go_backwards}
    flags.update(extra)
    ours = ours_cls(UNITS, **flags)
    ours.maybe_build((None, STEPS, FEATURES))
    randomize(ours, dtype)
    theirs = keras_twin(ours, keras_cls(UNITS, **flags), (None, STEPS, FEATURES), dtype)
    rng = np.random.default_rng(3)
    initial = [rng.standard_normal((BATCH, UNITS)).astype(dtype) for _ in range(ours.state_count)]
    compare(ours, theirs, sequence(dtype), dtype, mask=MASK if masked else None, initial=initial)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_matches_keras(merge_mode, return_sequences):
    dtype = DTYPE
    ours = L.Bidirectional(L.LSTM(UNITS, return_sequences=return_sequences), merge_mode=merge_mode)
    ours.maybe_build((None, STEPS, FEATURES))
    randomize(ours, dtype)
    inner = keras.layers.LSTM(UNITS, return_sequences=return_sequences)
    theirs = keras_twin(ours, keras.layers.Bidirectional(inner, merge_mode=merge_mode),
                        (None, STEPS, FEATURES), dtype)
    compare(ours, theirs, sequence(dtype), dtype, mask=MASK)


def test_bidirectional_states_match_keras():
    dtype = DTYPE
    ours = L.Bidirectional(L.GRU(UNITS, return_sequences=True, return_state=True))
    ours.maybe_build((None, STEPS, FEATURES))
    randomize(ours, dtype)
    inner = keras.layers.GRU(UNITS, return_sequences=True, return_state=True)
    theirs = keras_twin(ours, keras.layers.Bidirectional(inner), (None, STEPS, FEATURES), dtype)
    rng = np.random.default_rng(4)
    initial = [rng.standard_normal((BATCH, UNITS)).astype(dtype) for _ in range(2)]
    compare(ours, theirs, sequence(dtype), dtype, mask=MASK, initial=initial)


@pytest.mark.parametrize("padding", ["valid", "same", "causal"])
@pytest.mark.parametrize("strides, dilation", [(1, 1), (2, 1), (1, 2), (3, 1)])
@pytest.mark.parametrize("kernel_size", [3, 4])
def test_conv1d_matches_keras(padding, strides, dilation, kernel_size):
    dtype = DTYPE
    ours = L.Conv1D(4, kernel_size, strides=strides, padding=padding, dilation_rate=dilation,
                    activation="tanh")
    ours.maybe_build((None, STEPS + 3, FEATURES))
    randomize(ours, dtype)
    twin = keras.layers.Conv1D(4, kernel_size, strides=strides, padding=padding, dilation_rate=dilation,
                               activation="tanh")
    theirs = keras_twin(ours, twin, (None, STEPS + 3, FEATURES), dtype)
    x0 = np.random.default_rng(2).standard_normal((BATCH, STEPS + 3, FEATURES)).astype(dtype)
    compare(ours, theirs, x0, dtype)


@pytest.mark.parametrize("name", ["MaxPooling1D", "AveragePooling1D"])
@pytest.mark.parametrize("pool_size, strides, padding", [(2, None, "valid"), (3, 2, "same"), (3, 1, "valid")])
def test_pooling1d_matches_keras(name, pool_size, strides, padding):
    ours = getattr(L, name)(pool_size, strides, padding)
    theirs = getattr(keras.layers, name)(pool_size, strides, padding)
    compare(ours, theirs, sequence(DTYPE), DTYPE)


@pytest.mark.parametrize("name", ["GlobalAveragePooling1D", "GlobalMaxPooling1D"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling1d_matches_keras(name, keepdims):
    ours, theirs = getattr(L, name)(keepdims=keepdims), getattr(keras.layers, name)(keepdims=keepdims)
    compare(ours, theirs, sequence(DTYPE), DTYPE)


def test_masked_global_average_matches_keras():
    ours, theirs = L.GlobalAveragePooling1D(), keras.layers.GlobalAveragePooling1D()
    compare(ours, theirs, sequence(DTYPE), DTYPE, mask=MASK[[0, 1, 2, 2]])


def test_embedding_mask_reaches_keras_equal_lstm():
    """Embedding(mask_zero=True) -> LSTM in both libraries: the mask travels with the embedded batch."""
    ids = np.array([[3, 1, 4, 0, 0], [2, 0, 0, 0, 0], [5, 9, 2, 6, 5]])
    emb, lstm = L.Embedding(10, FEATURES, mask_zero=True), L.LSTM(UNITS)
    lstm.maybe_build((None, 5, FEATURES))
    randomize(lstm, np.float32)
    k_emb = keras.layers.Embedding(10, FEATURES, mask_zero=True)
    k_emb.build((None, 5))
    emb.maybe_build(ids.shape)
    k_emb.set_weights([emb.embeddings.data])
    k_lstm = keras_twin(lstm, keras.layers.LSTM(UNITS), (None, 5, FEATURES), np.float32)
    ours = lstm(emb(ids)).data
    k_in = torch.tensor(ids)
    theirs = k_lstm(k_emb(k_in), mask=k_emb.compute_mask(k_in)).detach().numpy()
    assert np.abs(ours - theirs).max() < 1e-5
