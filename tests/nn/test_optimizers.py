"""Optimizers: steps equal hand-computed values (Value and Tensor parameters), torch.optim parity, state."""

import math

import numpy as np
import pytest

from autograd.tensor import Tensor
from autograd.value import Value
from nn import optimizers
from nn.optimizers import SGD, Adam, AdamW, RMSprop

GRADS = [0.5, -1.0, 2.0]


def run(opt_cls, start=1.0, grads=GRADS, **kw):
    """Feed fixed gradients to a Value and a float32 Tensor parameter; return both trajectories."""
    v = Value(start)
    t = Tensor(np.array([start, start], np.float32), requires_grad=True)
    opt = opt_cls([v, t], **kw)
    vs, ts = [], []
    for g in grads:
        v.grad, t.grad = g, np.full(2, g, np.float32)
        opt.step()
        vs.append(v.data)
        ts.append(t.data.copy())
    return vs, ts, t


def reference(kind, grads=GRADS, start=1.0, lr=0.1, **kw):
    """The formulas written out by hand, in float64."""
    p, out, m, v, t = start, [], 0.0, 0.0, 0
    for g in grads:
        t += 1
        if kind == "sgd_momentum":
            m = kw["momentum"] * m + g
            p -= lr * m
        elif kind == "nesterov":
            m = kw["momentum"] * m + g
            p -= lr * (g + kw["momentum"] * m)
        elif kind == "adam":
            p -= lr * kw.get("wd", 0.0) * p
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            p -= lr * math.sqrt(1 - 0.999**t) / (1 - 0.9**t) * m / (math.sqrt(v) + 1e-7)
        elif kind == "rmsprop":
            v = 0.9 * v + 0.1 * g * g
            p -= lr * g / math.sqrt(v + 1e-7)
        out.append(p)
    return out


@pytest.mark.parametrize(
    "cls, kw, kind",
    [
        (SGD, {"momentum": 0.9}, "sgd_momentum"),
        (SGD, {"momentum": 0.9, "nesterov": True}, "nesterov"),
        (Adam, {}, "adam"),
        (AdamW, {}, "adam"),
        (RMSprop, {}, "rmsprop"),
    ],
)
def test_steps_match_hand_computed(cls, kw, kind):
    vs, ts, t = run(cls, learning_rate=0.1, **kw)
    expected = reference(kind, lr=0.1, wd=0.004 if cls is AdamW else 0.0, **kw)
    np.testing.assert_allclose(vs, expected, rtol=1e-12)
    np.testing.assert_allclose([x[0] for x in ts], expected, rtol=1e-5)
    assert t.data.dtype == np.float32


def test_plain_sgd_and_weight_decay():
    vs, _, _ = run(SGD, learning_rate=0.1, grads=[2.0], weight_decay=0.5)
    assert vs == [pytest.approx(1.0 - 0.1 * (2.0 + 0.5 * 1.0))]


def test_update_is_in_place_and_skips_none_grads():
    t = Tensor(np.ones(3, np.float32), requires_grad=True)
    u = Tensor(np.ones(2, np.float32), requires_grad=True)
    array = t.data
    opt = Adam([t, u], lr=0.01)
    t.grad = np.ones(3, np.float32)
    opt.step()
    assert t.data is array and np.all(t.data < 1) and np.all(u.data == 1)


def test_duplicates_are_dropped_and_zero_grad():
    v = Value(1.0)
    opt = SGD([v, v], lr=1.0)
    v.grad = 1.0
    opt.step()
    assert v.data == 0.0  # stepped once, not twice
    opt.zero_grad()
    assert v.grad == 0.0


def test_aliases_schedule_and_errors():
    assert SGD(lr=0.5).learning_rate == 0.5 and Adam(learning_rate=0.2).lr == 0.2
    with pytest.raises(ValueError, match="lr=0.1"):
        SGD(lr=0.1, learning_rate=0.2)
    with pytest.raises(ValueError, match="momentum=1.5"):
        SGD(momentum=1.5)
    with pytest.raises(ValueError, match="bind"):
        SGD().step()
    v = Value(0.0)
    opt = SGD([v], learning_rate=lambda step: 1.0 / (step + 1))
    for _ in range(2):
        v.grad = 1.0
        opt.step()
    assert v.data == pytest.approx(-1.5)


def test_get_resolves_names_and_lists_known_ones():
    assert isinstance(optimizers.get("Adam"), Adam) and isinstance(optimizers.get("rmsprop"), RMSprop)
    opt = SGD(lr=0.3)
    assert optimizers.get(opt) is opt
    rebuilt = optimizers.get({"class_name": "SGD", "config": SGD(lr=0.3, momentum=0.5).get_config()})
    assert rebuilt.momentum == 0.5 and rebuilt.learning_rate == 0.3
    with pytest.raises(ValueError, match="adamw") as e:
        optimizers.get("adagrad")
    assert "adagrad" in str(e.value)


def test_state_dict_round_trip_resumes_exactly():
    def trajectory(split):
        t = Tensor(np.array([1.0, -2.0], np.float32), requires_grad=True)
        opt = Adam([t], lr=0.1)
        out = []
        for k, g in enumerate([0.3, -0.7, 1.1, 0.2]):
            if k == split:  # restart from a saved state, as training resumed from a checkpoint
                state, data = opt.state_dict(), t.data.copy()
                t = Tensor(data, requires_grad=True)
                opt = Adam([t], lr=0.1)
                opt.load_state_dict(state)
            t.grad = np.full(2, g, np.float32)
            opt.step()
            out.append(t.data.copy())
        return np.array(out)

    np.testing.assert_array_equal(trajectory(split=2), trajectory(split=None))


def test_load_state_dict_all_or_nothing():
    t = Tensor(np.ones(2, np.float32), requires_grad=True)
    opt = Adam([t])
    t.grad = np.ones(2, np.float32)
    opt.step()
    before = opt.state_dict()
    bad = dict(before, **{"iterations": np.array(9), "v.0": np.zeros(3)})
    with pytest.raises(ValueError, match=r"'v.0': shape \(3,\)"):
        opt.load_state_dict(bad)
    assert opt.iterations == 1
    del bad["v.0"]
    with pytest.raises(ValueError, match="missing keys"):
        opt.load_state_dict(bad)
    with pytest.raises(ValueError, match="'m.0': dtype <U1 is not numeric"):
        opt.load_state_dict(dict(before, **{"iterations": np.array(5), "m.0": np.array(["a", "b"])}))
    assert opt.iterations == 1
    np.testing.assert_array_equal(opt.state["m"][0], before["m.0"])


TORCH_CASES = {
    "sgd": (lambda p: SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01),
            lambda t, p: t.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01)),
    "nesterov": (lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=True),
                 lambda t, p: t.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
    "adam": (lambda p: Adam(p, lr=0.01, epsilon=1e-8), lambda t, p: t.optim.Adam(p, lr=0.01, eps=1e-8)),
    "adamw": (lambda p: AdamW(p, lr=0.01, weight_decay=0.01, epsilon=1e-8),
              lambda t, p: t.optim.AdamW(p, lr=0.01, eps=1e-8)),
}


@pytest.mark.parametrize("case", list(TORCH_CASES))
def test_torch_parity(case):
    ours, theirs = TORCH_CASES[case]
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    start = rng.normal(size=(3, 4)).astype(np.float32)
    grads = rng.normal(size=(5, 3, 4)).astype(np.float32)
    p = Tensor(start.copy(), requires_grad=True)
    q = torch.tensor(start.copy(), requires_grad=True)
    opt, topt = ours([p]), theirs(torch, [q])
    for g in grads:
        p.grad = g.copy()
        q.grad = torch.tensor(g)
        opt.step()
        topt.step()
    np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("centered, momentum", [(False, 0.0), (True, 0.0), (False, 0.9), (True, 0.9)])
def test_rmsprop_torch_parity_with_matching_epsilon_placement(centered, momentum):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    start = rng.normal(size=5).astype(np.float32)
    p, q = Tensor(start.copy(), requires_grad=True), torch.tensor(start.copy(), requires_grad=True)
    # epsilon 0: both formulas coincide
    opt = RMSprop([p], lr=0.01, rho=0.99, epsilon=0.0, centered=centered, momentum=momentum)
    topt = torch.optim.RMSprop([q], lr=0.01, alpha=0.99, eps=0.0, centered=centered, momentum=momentum)
    for g in rng.normal(size=(4, 5)).astype(np.float32):
        p.grad, q.grad = g.copy(), torch.tensor(g)
        opt.step()
        topt.step()
    np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-5)


@pytest.mark.parametrize("centered, momentum", [(True, 0.9), (False, 0.5)])
def test_rmsprop_updates_arrays_in_place_with_the_scalar_formulas(centered, momentum):
    kw = dict(learning_rate=0.1, centered=centered, momentum=momentum)
    vs, ts, t = run(RMSprop, **kw)  # a Value (float formulas) beside a float32 Tensor (in-place path)
    np.testing.assert_allclose([x[0] for x in ts], vs, rtol=1e-5)
    opt = RMSprop([t], **kw)
    slots = [a for name in opt.slots for a in opt.state[name]]
    t.grad = np.ones(2, np.float32)
    opt.step()
    assert all(a is b for a, b in zip(slots, [a for name in opt.slots for a in opt.state[name]], strict=True))


def test_apply_gradients_matches_step():
    from autograd import grad

    def make():
        return [Value(1.0), Value(-2.0)]

    a, b = make(), make()
    opt_a, opt_b = Adam(a, lr=0.1), Adam(lr=0.1)
    for _ in range(3):
        loss_a = a[0] * a[0] + a[1] * 3
        opt_a.zero_grad()
        loss_a.backward()
        opt_a.step()
        loss_b = b[0] * b[0] + b[1] * 3
        opt_b.apply_gradients(zip(grad(loss_b, b), b, strict=True))
    assert [p.data for p in a] == [p.data for p in b] and opt_b.iterations == 3
    with pytest.raises(ValueError, match="not bound"):
        opt_b.apply_gradients([(1.0, Value(0.0))])
