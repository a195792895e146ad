"""Recurrent layers against PyTorch: the same weights, converted to torch's layout, give the same outputs,
final states and gradients (inputs and weights), with padding masks and go_backwards (skips without torch).

torch has no masks: a masked batch is compared sample by sample on each sample's real steps (reversed
for go_backwards), which is what Keras's state carry-through amounts to for end-padded sequences.
"""

import numpy as np
import pytest

from autograd import Tensor
from nn.layers import GRU, LSTM, SimpleRNN

torch = pytest.importorskip("torch")

UNITS, FEATURES, BATCH, STEPS = 5, 3, 4, 6
LENGTHS = [6, 4, 1, 3]  # real steps per sample; the rest is padding at the end


def to_torch_layout(layer):
    """(weight_ih, weight_hh, bias_ih, bias_hh) for torch from Keras-layout weights (gate order converted)."""
    kernel, recurrent = layer.kernel.data, layer.recurrent_kernel.data
    u = layer.units
    if isinstance(layer, GRU):  # Keras z, r, h -> torch r, z, n; bias rows: input, recurrent
        order = np.r_[u:2 * u, 0:u, 2 * u:3 * u]
        return kernel[:, order].T, recurrent[:, order].T, layer.bias.data[0, order], layer.bias.data[1, order]
    # LSTM i, f, c, o is torch's i, f, g, o; SimpleRNN has one block. torch's second bias stays 0.
    return kernel.T, recurrent.T, layer.bias.data, np.zeros_like(layer.bias.data)


def torch_twin(layer, dtype):
    cls = {LSTM: torch.nn.LSTM, GRU: torch.nn.GRU, SimpleRNN: torch.nn.RNN}[type(layer)]
    twin = cls(layer.kernel.shape[0], layer.units, batch_first=True).to(getattr(torch, np.dtype(dtype).name))
    with torch.no_grad():
        for param, array in zip((twin.weight_ih_l0, twin.weight_hh_l0, twin.bias_ih_l0, twin.bias_hh_l0),
                                to_torch_layout(layer), strict=True):
            param.copy_(torch.from_numpy(np.ascontiguousarray(array)))
    return twin


def make_layer(cls, dtype, go_backwards, seed=0):
    rng = np.random.default_rng(seed)
    layer = cls(UNITS, return_sequences=True, return_state=True, go_backwards=go_backwards)
    layer.maybe_build((None, STEPS, FEATURES))
    for w in layer.weights:  # random biases too, so every term of the formula is exercised
        w.data = rng.uniform(-0.6, 0.6, w.shape).astype(dtype)
    return layer


def ours_vs_torch(cls, dtype, go_backwards, masked):
    rng = np.random.default_rng(1)
    x0 = rng.standard_normal((BATCH, STEPS, FEATURES)).astype(dtype)
    states0 = [rng.standard_normal((BATCH, UNITS)).astype(dtype) for _ in range(cls.state_count)]
    lengths = LENGTHS if masked else [STEPS] * BATCH
    mask = np.arange(STEPS)[None, :] < np.array(lengths)[:, None]
    out_weights = rng.standard_normal((BATCH, STEPS, UNITS)).astype(dtype)
    state_weights = [rng.standard_normal((BATCH, UNITS)).astype(dtype) for _ in range(cls.state_count)]

    layer = make_layer(cls, dtype, go_backwards)
    x = Tensor(x0, requires_grad=True)
    initial = [Tensor(s, requires_grad=True) for s in states0]
    out, *states = layer(x, initial_state=initial, mask=mask if masked else None)
    # processed position p of sample i reads time p (forwards) or STEPS-1-p (backwards); with end padding
    # the real steps are positions [0, n) forwards and [STEPS-n, STEPS) backwards
    real = np.array([[(STEPS - n <= p) if go_backwards else (p < n) for p in range(STEPS)] for n in lengths])
    loss = (out * (out_weights * real[:, :, None])).sum()
    for s, w in zip(states, state_weights, strict=True):
        loss = loss + (s * w).sum()
    loss.backward()

    twin = torch_twin(layer, dtype)
    tx = torch.tensor(x0, requires_grad=True)
    t_initial = [torch.tensor(s, requires_grad=True) for s in states0]
    t_loss = 0
    for i, n in enumerate(lengths):
        seq = tx[i:i + 1, :n].flip(1) if go_backwards else tx[i:i + 1, :n]
        init = [s[i:i + 1].unsqueeze(0) for s in t_initial]
        t_out, t_states = twin(seq, tuple(init) if cls is LSTM else init[0])
        t_states = t_states if cls is LSTM else (t_states,)
        ours_out_real = out.data[i][real[i]]
        assert np.abs(ours_out_real - t_out[0].detach().numpy()).max() < tol(dtype)
        for s, ts in zip(states, t_states, strict=True):
            assert np.abs(s.data[i] - ts[0, 0].detach().numpy()).max() < tol(dtype)
        w = torch.tensor(out_weights[i:i + 1, :n] if not go_backwards else out_weights[i:i + 1, STEPS - n:])
        t_loss = t_loss + (t_out * w).sum()
        for ts, sw in zip(t_states, state_weights, strict=True):
            t_loss = t_loss + (ts[0, 0] * torch.tensor(sw[i])).sum()
    t_loss.backward()
    assert abs(loss.item() - t_loss.item()) < tol(dtype) * 10
    assert np.abs(x.grad - tx.grad.numpy()).max() < tol(dtype)
    for s, ts in zip(initial, t_initial, strict=True):
        assert np.abs(s.grad - ts.grad.numpy()).max() < tol(dtype)
    ours_grads = to_torch_layout(_GradView(layer))
    theirs = (twin.weight_ih_l0.grad, twin.weight_hh_l0.grad, twin.bias_ih_l0.grad, twin.bias_hh_l0.grad)
    for k, (g, tg) in enumerate(zip(ours_grads, theirs, strict=True)):
        if cls is not GRU and k == 3:
            continue  # our single bias's gradient is compared through bias_ih (torch's two are equal)
        assert np.abs(g - tg.numpy()).max() < tol(dtype), f"weight {k}"


class _GradView:
    """A layer look-alike whose weights are the real layer's gradients (to convert them like weights)."""

    def __init__(self, layer):
        self.units = layer.units
        self.__class__ = type("View", (type(layer),), {"__init__": lambda s: None})
        self.kernel, self.recurrent_kernel, self.bias = (_Data(w.grad) for w in
                                                          (layer.kernel, layer.recurrent_kernel, layer.bias))


class _Data:
    def __init__(self, data):
        self.data = data


def tol(dtype):
    return 1e-8 if dtype == np.float64 else 1e-4


@pytest.mark.parametrize("cls", [SimpleRNN, GRU, LSTM])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_outputs_states_and_gradients_match_torch(cls, dtype, go_backwards, masked):
    ours_vs_torch(cls, dtype, go_backwards, masked)
