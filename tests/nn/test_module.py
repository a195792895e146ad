"""nn.Module: attribute-walking parameter discovery, train/eval, state_dict round trips (all or nothing)."""

import numpy as np
import pytest

from autograd.tensor import Tensor
from autograd.value import Value
from nn.module import Module


class Affine(Module):
    def __init__(self, n_in, n_out, seed=0):
        rng = np.random.default_rng(seed)
        self.kernel = Tensor(rng.normal(size=(n_in, n_out)).astype(np.float32), requires_grad=True)
        self.bias = Tensor(np.zeros(n_out, np.float32), requires_grad=True)
        self.cached = Tensor(np.ones(3))  # requires_grad=False and not a buffer: ignored


class Norm(Module):
    def __init__(self, n):
        self.gamma = Tensor(np.ones(n, np.float32), requires_grad=True)
        self.register_buffer("moving_mean", np.zeros(n, np.float32))
        self.register_buffer("count", 0)


class Net(Module):
    def __init__(self):
        super().__init__()
        self.layers = [Affine(2, 3), Norm(3), {"head": Affine(3, 1, seed=1)}]
        self.scale = Value(2.0)
        self.tied = (self.layers[0].kernel,)  # shared: reported once, under its first name


def test_named_parameters_are_dotted_ordered_and_unique():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "layers.0.kernel", "layers.0.bias", "layers.1.gamma",
        "layers.2.head.kernel", "layers.2.head.bias", "scale",
    ]
    assert len(net.parameters()) == 6
    assert net.parameters()[0] is net.layers[0].kernel


def test_buffers_and_state_dict_keys():
    net = Net()
    assert [n for n, _ in net.named_buffers()] == ["layers.1.moving_mean", "layers.1.count"]
    state = net.state_dict()
    assert list(state)[:4] == ["layers.0.kernel", "layers.0.bias", "layers.1.moving_mean", "layers.1.count"]
    assert state["scale"].shape == () and state["scale"] == 2.0
    state["layers.0.kernel"][...] = 99  # a copy: the module is unchanged
    assert not np.any(net.layers[0].kernel.data == 99)


def test_computed_values_are_not_parameters():
    class M(Module):
        def __init__(self):
            self.w = Value(1.0)
            self.out = self.w * 3  # an intermediate result, not a weight

    assert [n for n, _ in M().named_parameters()] == ["w"]


def test_zero_grad_sets_value_zero_and_tensor_none():
    net = Net()
    for p in net.parameters():
        p.grad = 1.0 if isinstance(p, Value) else np.ones_like(p.data)
    net.zero_grad()
    assert net.scale.grad == 0.0
    assert all(p.grad is None for p in net.parameters() if isinstance(p, Tensor))


def test_children_and_repr():
    net = Net()
    assert [n for n, _ in net.named_children()] == ["layers.0", "layers.1", "layers.2.head"]
    assert len(list(net.children())) == 3 and len(list(net.modules())) == 4
    assert "(layers.2.head): Affine()" in repr(net)


def test_train_eval_propagate():
    net = Net()
    assert net.eval() is net
    assert [m.training for m in net.modules()] == [False] * 4
    net.train()
    assert all(m.training for m in net.modules())


def test_state_dict_round_trip_in_place():
    a, b = Net(), Net()
    for p in a.parameters():
        p.data = p.data + 1.5 if isinstance(p, Value) else p.data
        if isinstance(p, Tensor):
            p.data += 1.5
    a.layers[1].moving_mean += 0.25
    a.layers[1].count = 7
    kernel_array = b.layers[0].kernel.data
    result = b.load_state_dict(a.state_dict())
    assert result == ([], [])
    assert b.layers[0].kernel.data is kernel_array  # loaded in place
    for (name, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        np.testing.assert_array_equal(x, y, err_msg=name)
    assert b.layers[1].count == 7 and b.scale.data == a.scale.data


def test_load_state_dict_is_all_or_nothing_and_names_problems():
    net = Net()
    before = net.state_dict()
    bad = dict(before)
    bad["layers.0.kernel"] = np.full((2, 3), 5.0)  # valid, would be loaded first...
    bad["layers.2.head.kernel"] = np.zeros((4, 1))  # ...but this shape is wrong
    del bad["scale"]
    bad["extra.weight"] = np.zeros(2)
    with pytest.raises(ValueError) as e:
        net.load_state_dict(bad)
    msg = str(e.value)
    assert "'scale'" in msg and "'extra.weight'" in msg and "layers.2.head.kernel" in msg and "(4, 1)" in msg
    for name, x in net.state_dict().items():
        np.testing.assert_array_equal(x, before[name], err_msg=name)


def test_load_state_dict_non_strict_returns_skipped_keys():
    net = Net()
    state = {"scale": np.array(5.0), "unknown": np.zeros(1)}
    missing, unexpected = net.load_state_dict(state, strict=False)
    assert net.scale.data == 5.0 and unexpected == ["unknown"] and "layers.0.kernel" in missing


def test_load_state_dict_rejects_uncastable_dtype():
    net = Net()
    state = net.state_dict()
    state["layers.0.bias"] = np.array(["a", "b", "c"])
    with pytest.raises(ValueError, match="layers.0.bias"):
        net.load_state_dict(state)


def test_cycles_and_deep_nesting_do_not_recurse():
    class Leaf(Module):
        def __init__(self):
            self.w = Value(1.0)

    root = Leaf()
    node = root
    for _ in range(3000):  # deeper than Python's recursion limit
        child = Leaf()
        node.child, child.parent = child, node
        node = child
    assert len(root.parameters()) == 3001


def test_forward_missing_raises_type_error():
    with pytest.raises(TypeError, match="forward"):
        Module()(1.0)
