"""nn.Neuron / Layer / MLP on Values: micrograd-compatible shapes, names, init, gradients, training."""

import random

import pytest

from autograd.value import Value
from nn import losses
from nn.optimizers import SGD
from nn.scalar import MLP, Layer, Neuron


def test_mlp_shapes_repr_and_parameter_count():
    model = MLP(2, [16, 16, 1], seed=0)
    assert len(model.parameters()) == 337  # micrograd's moons model
    assert isinstance(model([1.0, 2.0]), Value)
    assert len(MLP(3, [4, 2], seed=0)([1, 2, 3])) == 2
    assert repr(Layer(2, 2, activation="tanh", seed=0)) == "Layer of [TanhNeuron(2), TanhNeuron(2)]"
    assert repr(model).startswith("MLP of [Layer of [ReLUNeuron(2)") and "LinearNeuron(16)" in repr(model)
    names = [n for n, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]


def test_same_weights_as_micrograd_for_the_same_global_seed():
    micrograd_nn = pytest.importorskip("micrograd.nn")
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [float(p.data) for p in theirs.parameters()]
    x = [0.3, -1.2]
    assert ours(x).data == pytest.approx(theirs(x).data, rel=1e-12)


def test_seed_is_reproducible_and_weights_in_range():
    a, b = MLP(2, [8, 1], seed=5), MLP(2, [8, 1], seed=5)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    ws = [w.data for n in a.layers[0].neurons for w in n.w]
    assert all(-1 <= w <= 1 for w in ws) and all(n.b.data == 0 for n in a.layers[0].neurons)


def test_every_parameter_gets_a_gradient_and_a_step_lowers_the_loss():
    model = MLP(2, [8, 8, 1], activation="tanh", seed=3)
    xs = [[2.0, 3.0], [3.0, -1.0], [0.5, 1.0], [1.0, 1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    opt = SGD(model.parameters(), lr=0.05)

    def loss():
        return losses.mean_squared_error(ys, [model(x) for x in xs])

    first = loss()
    model.zero_grad()
    first.backward()
    assert all(p.grad != 0 for p in model.parameters())
    opt.step()
    assert loss().data < first.data


def test_micrograd_nonlin_flag_and_activation_names():
    assert repr(Neuron(3, nonlin=False, seed=0)) == "LinearNeuron(3)"
    n = Neuron(2, activation="sigmoid", seed=0)
    assert 0 < n([1.0, 1.0]).data < 1


def test_bad_inputs_raise_with_the_received_value():
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match="expected 2 inputs, received 3"):
        model([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="nin=0"):
        Neuron(0)
    with pytest.raises(ValueError, match="nouts"):
        MLP(2, 3)
    with pytest.raises(ValueError, match="tanhh"):
        Neuron(2, activation="tanhh")


def test_state_dict_round_trip_between_value_models():
    a, b = MLP(2, [4, 1], seed=1), MLP(2, [4, 1], seed=2)
    x = [0.5, -0.25]
    assert a(x).data != b(x).data
    b.load_state_dict(a.state_dict())
    assert a(x).data == b(x).data
    with pytest.raises(ValueError, match="layers.1.neurons.0.w.4"):
        MLP(2, [4, 1], seed=0).load_state_dict(MLP(2, [5, 1], seed=0).state_dict())
