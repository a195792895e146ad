"""nn.interpret on the engine alone: what each method must be by definition, bad input, an untouched model.

(The comparison with captum, method by method, is in test_interpret_captum.py.)
"""

import numpy as np
import pytest

from autograd import Tensor
from nn import (
    BatchNormalization,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    MaxPooling2D,
    Module,
    Sequential,
    interpret,
)


def _cnn(seed=0):
    init = "glorot_uniform"
    return Sequential([
        Conv2D(3, 3, activation="relu", input_shape=(8, 8, 1), kernel_initializer=init, name="c1"),
        MaxPooling2D(2),
        Conv2D(4, 2, activation="tanh", name="c2"),
        Flatten(name="flat"),
        Dense(5, name="scores"),
    ])


def _smooth_mlp():
    """A tanh network: smooth, so quadrature error is the only gap in completeness."""
    model = Sequential([Dense(16, activation="tanh", input_shape=(6,)), Dense(8, activation="tanh"),
                        Dense(3)])
    rng = np.random.default_rng(0)
    for p in model.parameters():
        p.data = rng.normal(0, 1.0, p.shape).astype(np.float64)
    return model


def _x(shape=(4, 8, 8, 1), seed=0):
    return np.random.default_rng(seed).random(shape).astype(np.float32)


# --- definitions -----------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["riemann_trapezoid", "gausslegendre"])
def test_integrated_gradients_completeness_within_one_percent_at_64_steps(method):
    model = _smooth_mlp()
    x = np.random.default_rng(1).normal(size=(5, 6))
    ig, delta = interpret.integrated_gradients(model, x, [0, 1, 2, 0, 1], steps=64, method=method,
                                               return_convergence_delta=True)
    scores, base = model(Tensor(x)).numpy(), model(Tensor(np.zeros_like(x))).numpy()  # float64
    gap = scores[np.arange(5), [0, 1, 2, 0, 1]] - base[np.arange(5), [0, 1, 2, 0, 1]]
    assert np.all(np.abs(gap) > 0.05), gap  # a real difference to explain
    np.testing.assert_allclose(ig.reshape(5, -1).sum(axis=1), gap, rtol=0.01)
    np.testing.assert_allclose(delta, ig.reshape(5, -1).sum(axis=1) - gap, atol=1e-12)


def test_saliency_of_a_linear_model_is_its_weights():
    model = Sequential([Dense(3, input_shape=(5,))])
    x = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32)
    kernel = model.layers[0].kernel.numpy()
    for c in range(3):
        grads = interpret.saliency(model, x, c, abs=False)
        np.testing.assert_allclose(grads, np.broadcast_to(kernel[:, c], x.shape), rtol=1e-6)
        np.testing.assert_allclose(interpret.saliency(model, x, c), np.abs(grads))


def test_occlusion_of_a_patch_the_model_ignores_is_zero():
    model = Sequential([Flatten(input_shape=(8, 8, 1)), Dense(4)])
    kernel = model.layers[1].kernel
    ignored = np.zeros((8, 8, 1), dtype=bool)
    ignored[:, 4:] = True  # the right half of the image feeds nothing
    kernel.data[ignored.ravel()] = 0.0
    occ = interpret.occlusion(model, _x(), 2, window=(2, 2), stride=2)
    assert np.all(occ[:, ignored] == 0.0)
    assert np.all(np.abs(occ[:, ~ignored]) > 0)


def test_occlusion_with_baseline_zero_on_a_linear_model_is_weight_times_input():
    model = Sequential([Dense(3, input_shape=(5,))])
    x = np.random.default_rng(0).normal(size=(2, 5))
    occ = interpret.occlusion(model, x, 1, window=1)
    np.testing.assert_allclose(occ, x * model.layers[0].kernel.numpy()[:, 1], rtol=1e-5, atol=1e-6)


def test_ig_of_a_linear_model_is_exact_at_any_step_count():
    model = Sequential([Dense(3, input_shape=(5,))])
    x = np.random.default_rng(0).normal(size=(2, 5))
    for method in interpret.IG_METHODS:
        steps = 1 if method == "gausslegendre" else 2
        ig = interpret.integrated_gradients(model, x, 0, steps=steps, method=method)
        np.testing.assert_allclose(ig, x * model.layers[0].kernel.numpy()[:, 0], rtol=1e-5, atol=1e-6)


def test_target_none_is_the_predicted_class():
    model, x = _cnn(), _x()
    predicted = model.predict(x).argmax(axis=1)
    i = interpret
    for method in (i.saliency, i.integrated_gradients, i.grad_cam, i.occlusion):
        np.testing.assert_array_equal(method(model, x), method(model, x, predicted))
    np.testing.assert_array_equal(i.smoothgrad(model, x, seed=0), i.smoothgrad(model, x, predicted, seed=0))


def test_per_sample_targets_match_one_call_per_sample():
    model, x = _cnn(), _x()
    targets = [0, 3, 4, 1]
    together = interpret.saliency(model, x, targets, abs=False)
    for n, t in enumerate(targets):
        alone = interpret.saliency(model, x[n:n + 1], t, abs=False)[0]
        np.testing.assert_allclose(together[n], alone, atol=1e-7)


def test_smoothgrad_is_saliency_without_noise_and_repeats_with_a_seed():
    model, x = _cnn(), _x()
    np.testing.assert_allclose(interpret.smoothgrad(model, x, 1, noise=0.0, samples=3),
                               interpret.saliency(model, x, 1), rtol=1e-6, atol=1e-8)
    a = interpret.smoothgrad(model, x, 1, samples=5, noise=0.3, seed=7)
    assert np.array_equal(a, interpret.smoothgrad(model, x, 1, samples=5, noise=0.3, seed=7))
    assert not np.array_equal(a, interpret.smoothgrad(model, x, 1, samples=5, noise=0.3, seed=8))


def test_batch_size_splits_the_passes_without_changing_the_maps():
    model, x = _cnn(), _x()
    np.testing.assert_allclose(interpret.integrated_gradients(model, x, 2, steps=8, batch_size=5),
                               interpret.integrated_gradients(model, x, 2, steps=8), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(interpret.occlusion(model, x, 2, batch_size=7),
                               interpret.occlusion(model, x, 2), rtol=1e-5, atol=1e-6)


def test_grad_cam_is_nonnegative_and_shaped_like_one_channel_of_the_input():
    model, x = _cnn(), _x()
    cam = interpret.grad_cam(model, x, 0)
    assert cam.shape == (4, 8, 8, 1) and cam.min() >= 0
    assert interpret.grad_cam(model, x, 0, layer="c1", interpolation=None).shape == (4, 6, 6, 1)
    assert interpret.grad_cam(model, x, 0, layer=model.layers[2], interpolation=None).shape == (4, 2, 2, 1)
    # the default layer is the last Conv2D
    last = interpret.grad_cam(model, x, 0, layer="c2")
    np.testing.assert_array_equal(interpret.grad_cam(model, x, 0), last)


def test_any_function_of_a_tensor_is_a_model():
    w = Tensor(np.arange(6.0).reshape(3, 2))
    grads = interpret.saliency(lambda t: t @ w, np.ones((2, 3)), 1, abs=False)
    np.testing.assert_allclose(grads, [[1.0, 3.0, 5.0]] * 2)


# --- the model is left alone -------------------------------------------------------------------------
def _snapshot(model):
    return ([(name, p.data.copy(), None if p.grad is None else p.grad.copy(), p.requires_grad)
             for name, p in model.named_parameters()],
            {name: b.copy() for name, b in model.state_dict().items()},
            [m.training for m in model.modules()])


def _same(a, b):
    params_a, state_a, modes_a = a
    params_b, state_b, modes_b = b
    assert modes_a == modes_b
    assert state_a.keys() == state_b.keys() and all(np.array_equal(state_a[k], state_b[k]) for k in state_a)
    for (na, da, ga, ra), (nb, db, gb, rb) in zip(params_a, params_b, strict=True):
        assert na == nb and ra == rb and np.array_equal(da, db)
        assert (ga is None and gb is None) or np.array_equal(ga, gb), na


CALLS = {
    "saliency": lambda m, x, **k: interpret.saliency(m, x, **k),
    "smoothgrad": lambda m, x, **k: interpret.smoothgrad(m, x, samples=3, seed=0, **k),
    "integrated_gradients": lambda m, x, **k: interpret.integrated_gradients(m, x, steps=4, **k),
    "grad_cam": lambda m, x, **k: interpret.grad_cam(m, x, **k),
    "occlusion": lambda m, x, **k: interpret.occlusion(m, x, **k),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_weights_grads_and_training_state_are_untouched(name):
    model = Sequential([Conv2D(3, 3, activation="relu", input_shape=(8, 8, 1)), BatchNormalization(),
                        Dropout(0.5), Flatten(), Dense(5)])
    model.train()  # Dropout would drop and BatchNormalization would update its moving statistics
    for p in model.parameters():
        p.grad = np.full(p.shape, 0.5, dtype=p.dtype)  # a pending gradient must survive
    model.layers[0].bias.grad = None  # and so must a missing one
    x = _x()
    before = _snapshot(model)
    first = CALLS[name](model, x, target=1)
    _same(before, _snapshot(model))
    np.testing.assert_array_equal(first, CALLS[name](model, x, target=1))  # inference mode: deterministic
    with pytest.raises(ValueError):
        CALLS[name](model, x, target=9)
    _same(before, _snapshot(model))
    assert "forward" not in vars(model.layers[0])  # grad_cam's hook is gone


# --- bad input ---------------------------------------------------------------------------------------
def test_grad_cam_unknown_layer_lists_the_conv_layers():
    with pytest.raises(ValueError, match=r"no layer 'conv9'.*Conv2D layers are: 'c1', 'c2'"):
        interpret.grad_cam(_cnn(), _x(), 0, layer="conv9")


def test_grad_cam_refuses_a_layer_that_is_not_convolutional():
    with pytest.raises(ValueError, match=r"layer 'scores' is a Dense, not a convolutional layer.*'c1', 'c2'"):
        interpret.grad_cam(_cnn(), _x(), 0, layer="scores")
    with pytest.raises(ValueError, match="has no Conv2D layer"):
        interpret.grad_cam(Sequential([Flatten(input_shape=(8, 8, 1)), Dense(2)]), _x(), 0)
    with pytest.raises(TypeError, match="needs an nn model"):
        interpret.grad_cam(lambda t: t.sum(axis=(1, 2)), _x(), 0)
    with pytest.raises(ValueError, match=r"batch of images \(N, H, W, C\), received shape \(4, 64\)"):
        interpret.grad_cam(_cnn(), _x().reshape(4, 64), 0)


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("target, message", [(5, r"target 5 is out of range for a model with 5 classes"),
                                             ([0, 1, -1, 2], r"target -1 is out of range"),
                                             ([0, 1], r"one index per sample \(4\)"),
                                             (1.5, r"target must be a class index")])
def test_bad_targets_are_named(name, target, message):
    with pytest.raises(ValueError, match=message):
        CALLS[name](_cnn(), _x(), target=target)


@pytest.mark.parametrize("baseline", [np.zeros((8, 8)), np.zeros((3, 8, 8, 1)), np.zeros(5)])
def test_baseline_of_the_wrong_shape(baseline):
    for call in (interpret.integrated_gradients, interpret.occlusion):
        with pytest.raises(ValueError, match=r"baseline must be a number or have shape \(8, 8, 1\)"):
            call(_cnn(), _x(), 0, baseline=baseline)


def test_steps_and_methods():
    with pytest.raises(ValueError, match=r"steps must be an int >= 1, received steps=0"):
        interpret.integrated_gradients(_cnn(), _x(), 0, steps=0)
    with pytest.raises(ValueError, match=r"Riemann methods need steps >= 2"):
        interpret.integrated_gradients(_cnn(), _x(), 0, steps=1, method="riemann_trapezoid")
    with pytest.raises(ValueError, match=r"unknown method 'simpson'"):
        interpret.integrated_gradients(_cnn(), _x(), 0, method="simpson")
    with pytest.raises(ValueError, match=r"samples must be a positive int"):
        interpret.smoothgrad(_cnn(), _x(), 0, samples=0)
    with pytest.raises(ValueError, match=r"noise is a standard deviation"):
        interpret.smoothgrad(_cnn(), _x(), 0, noise=-1.0)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_model_whose_output_is_not_batch_by_classes(name):
    flat = Sequential([Conv2D(2, 3, input_shape=(8, 8, 1), name="only")])  # (N, 6, 6, 2) out
    with pytest.raises(ValueError, match=r"shape \(batch, classes\).*returned shape \(\d+, 6, 6, 2\)"):
        CALLS[name](flat, _x(), target=0)


def test_a_function_that_returns_numpy_has_no_graph():
    with pytest.raises(TypeError, match="not a Tensor"):
        interpret.saliency(lambda t: t.numpy().reshape(4, -1), _x(), 0)


def test_occlusion_windows_and_strides_are_checked():
    with pytest.raises(ValueError, match=r"window \(9, 9\) does not fit one sample of shape \(8, 8, 1\)"):
        interpret.occlusion(_cnn(), _x(), 0, window=(9, 9))
    with pytest.raises(ValueError, match=r"stride 3 must be >= 1 and <= the window"):
        interpret.occlusion(_cnn(), _x(), 0, window=2, stride=3)
    with pytest.raises(ValueError, match=r"x must be a non-empty batch"):
        interpret.occlusion(_cnn(), np.zeros((8,)), 0)


def test_grad_cam_refuses_a_layer_that_runs_twice():
    class Twice(Module):
        def __init__(self):
            self.conv = Conv2D(1, 3, padding="same", input_shape=(8, 8, 1), name="shared")
            self.head = Sequential([Flatten(input_shape=(8, 8, 1)), Dense(2)])

        def forward(self, x):
            return self.head(self.conv(self.conv(x)))

    model = Twice()
    with pytest.raises(ValueError, match=r"layer 'shared' must run once.*it ran 2 times"):
        interpret.grad_cam(model, _x(), 0)
    assert "forward" not in vars(model.conv) and model.conv.kernel.requires_grad
