"""nn.interpret against captum: the same CNN and MLP in torch with copied weights, every method, float64.

The stepgrad models are NHWC (Keras's layout), the torch copies NCHW: inputs go in transposed and
captum's maps come back transposed. Each map must match captum's to 1e-4 of the map's largest value.
"""

import numpy as np
import pytest

from nn import Conv2D, Dense, Flatten, MaxPooling2D, Sequential, interpret

torch = pytest.importorskip("torch", reason="torch is an optional peer oracle (pip install torch)")
attr = pytest.importorskip("captum.attr", reason="captum is an optional peer oracle (pip install captum)")

TOL = 1e-4
pytestmark = pytest.mark.filterwarnings("ignore:Input Tensor 0 did not already require gradients")


class _ToNHWC(torch.nn.Module):
    def forward(self, x):  # flatten in stepgrad's (h, w, c) order
        return x.permute(0, 2, 3, 1)


def _float64(model):
    for p in model.parameters():
        p.data = p.data.astype(np.float64)
    return model


def _cnn():
    """stepgrad CNN on (10, 10, 2) images and its torch twin; the twin's module 4 is conv 2's tanh."""
    init = "glorot_uniform"
    model = _float64(Sequential([
        Conv2D(4, 3, activation="relu", input_shape=(10, 10, 2), kernel_initializer=init),
        MaxPooling2D(2),
        Conv2D(5, 3, activation="tanh", padding="same", name="last_conv"),
        Flatten(),
        Dense(3),
    ]))
    rng = np.random.default_rng(1)
    for layer in (model.layers[0], model.layers[2], model.layers[4]):  # non-zero biases
        layer.bias.data = rng.normal(0, 0.1, layer.bias.shape)
    twin = torch.nn.Sequential(
        torch.nn.Conv2d(2, 4, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(4, 5, 3, padding=1), torch.nn.Tanh(), _ToNHWC(), torch.nn.Flatten(),
        torch.nn.Linear(80, 3),
    ).double()
    with torch.no_grad():
        for conv, t in ((model.layers[0], twin[0]), (model.layers[2], twin[3])):
            t.weight.copy_(torch.from_numpy(conv.kernel.data.transpose(3, 2, 0, 1)))  # -> (F, C, KH, KW)
            t.bias.copy_(torch.from_numpy(conv.bias.data))
        twin[7].weight.copy_(torch.from_numpy(model.layers[4].kernel.data.T))
        twin[7].bias.copy_(torch.from_numpy(model.layers[4].bias.data))
    return model, twin.eval()


def _mlp():
    model = _float64(Sequential([Dense(6, activation="tanh", input_shape=(5,)), Dense(4)]))
    twin = torch.nn.Sequential(torch.nn.Linear(5, 6), torch.nn.Tanh(), torch.nn.Linear(6, 4)).double()
    with torch.no_grad():
        for layer, t in ((model.layers[0], twin[0]), (model.layers[1], twin[2])):
            layer.bias.data = layer.bias.data + 0.05  # non-zero biases
            t.weight.copy_(torch.from_numpy(layer.kernel.data.T))
            t.bias.copy_(torch.from_numpy(layer.bias.data))
    return model, twin.eval()


def _images(n=3):
    return np.random.default_rng(0).random((n, 10, 10, 2))


def _to_torch(x):
    """NHWC (or (N, D)) array -> the twin's input layout."""
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2) if x.ndim == 4 else x))


def _to_numpy(t):
    a = t.detach().numpy()
    return a.transpose(0, 2, 3, 1) if a.ndim == 4 else a


def _close(ours, theirs):
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    scale = np.abs(theirs).max()
    assert scale > 0, "the reference map is all zeros: the comparison would prove nothing"
    assert np.abs(ours - theirs).max() <= TOL * scale, np.abs(ours - theirs).max() / scale


CASES = {"cnn": (_cnn, _images), "mlp": (_mlp, lambda n=3: np.random.default_rng(0).normal(size=(n, 5)))}


@pytest.fixture(params=sorted(CASES))
def case(request):
    make_models, make_x = CASES[request.param]
    model, twin = make_models()
    return model, twin, make_x()


@pytest.mark.parametrize("use_abs", [True, False])
def test_saliency_matches_captum(case, use_abs):
    model, twin, x = case
    target = [0, 2, 1]
    theirs = attr.Saliency(twin).attribute(_to_torch(x), target=target, abs=use_abs)
    _close(interpret.saliency(model, x, target, abs=use_abs), _to_numpy(theirs))


@pytest.mark.parametrize("use_abs", [True, False])
def test_smoothgrad_matches_noise_tunnel_with_the_same_draws(case, monkeypatch, use_abs):
    model, twin, x = case
    samples, noise, seed = 6, 0.2, 3
    draws = noise * np.random.default_rng(seed).standard_normal((len(x), samples, *x.shape[1:]))
    layout = draws.reshape(len(x) * samples, *x.shape[1:])
    expected_shape = tuple(_to_torch(layout).shape)

    def same_noise(mean, std):  # captum: torch.normal(0, std), shape (N * samples, ...), copies adjacent
        assert mean == 0 and tuple(std.shape) == expected_shape
        assert abs(float(std.flatten()[0]) - noise) < 1e-7  # captum holds the std in float32
        return _to_torch(layout)

    monkeypatch.setattr(torch, "normal", same_noise)
    theirs = attr.NoiseTunnel(attr.Saliency(twin)).attribute(
        _to_torch(x), nt_type="smoothgrad", nt_samples=samples, stdevs=noise, target=1, abs=use_abs)
    ours = interpret.smoothgrad(model, x, 1, samples=samples, noise=noise, seed=seed, abs=use_abs)
    _close(ours, _to_numpy(theirs))


@pytest.mark.parametrize("method", interpret.IG_METHODS)
def test_integrated_gradients_matches_captum(case, method):
    model, twin, x = case
    baseline = np.full(x.shape[1:], 0.25)
    target = [2, 0, 1]
    theirs, their_delta = attr.IntegratedGradients(twin).attribute(
        _to_torch(x), baselines=_to_torch(np.broadcast_to(baseline, x.shape).copy()), target=target,
        n_steps=12, method=method, return_convergence_delta=True)
    ours, delta = interpret.integrated_gradients(model, x, target, baseline=baseline, steps=12, method=method,
                                                 return_convergence_delta=True)
    theirs, their_delta = _to_numpy(theirs), their_delta.numpy()
    # the same f(x) - f(baseline): delta is the map's sum minus it
    their_gap = theirs.reshape(len(x), -1).sum(axis=1) - their_delta
    np.testing.assert_allclose(ours.reshape(len(x), -1).sum(axis=1) - delta, their_gap, rtol=1e-9)
    if method == "riemann_trapezoid":
        # captum 0.9's trapezoid weights add up to 1 - 1/steps, not 1 (at the same points): the maps
        # differ by exactly that factor; only ours add up to f(x) - f(baseline) for a linear model
        ours = ours * (12 - 1) / 12
    _close(ours, theirs)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_grad_cam_matches_layer_grad_cam(interpolation):
    model, twin = _cnn()
    x = _images()
    cam = attr.LayerGradCam(twin, twin[4]).attribute(_to_torch(x), target=[1, 1, 2], relu_attributions=True)
    theirs = attr.LayerAttribution.interpolate(cam, (10, 10), interpolate_mode=interpolation)
    ours = interpret.grad_cam(model, x, [1, 1, 2], layer="last_conv", interpolation=interpolation)
    _close(ours, _to_numpy(theirs))
    raw = interpret.grad_cam(model, x, [1, 1, 2], interpolation=None, relu=False)
    _close(raw, _to_numpy(attr.LayerGradCam(twin, twin[4]).attribute(_to_torch(x), target=[1, 1, 2])))


@pytest.mark.parametrize("window, stride, baseline", [((3, 3), (2, 2), 0.5), ((2, 4), (1, 3), 0.0),
                                                      (4, 4, "image")])
def test_occlusion_matches_captum_on_the_cnn(window, stride, baseline):
    model, twin = _cnn()
    x = _images()
    if baseline == "image":  # one baseline image for every sample
        baseline = np.random.default_rng(5).random(x.shape[1:])
    win = (window, window) if isinstance(window, int) else window
    st = (stride, stride) if isinstance(stride, int) else stride
    their_base = baseline if np.ndim(baseline) == 0 else _to_torch(np.broadcast_to(baseline, x.shape).copy())
    theirs = attr.Occlusion(twin).attribute(_to_torch(x), sliding_window_shapes=(2, *win), strides=(1, *st),
                                            baselines=their_base, target=[0, 2, 1])
    ours = interpret.occlusion(model, x, [0, 2, 1], window=window, stride=stride, baseline=baseline)
    _close(ours, _to_numpy(theirs))


def test_occlusion_matches_captum_on_the_mlp():
    model, twin = _mlp()
    x = CASES["mlp"][1]()
    theirs = attr.Occlusion(twin).attribute(_to_torch(x), sliding_window_shapes=(2,), strides=1,
                                            target=[3, 0, 1])
    _close(interpret.occlusion(model, x, [3, 0, 1], window=2, stride=1), _to_numpy(theirs))
