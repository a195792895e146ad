"""nn.Model: Sequential is one; subclassed models; train_step/test_step overrides; custom losses, metrics."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.layers import Dense
from nn.models import Model, Sequential


def regression_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    return x, (x @ np.array([1.0, -2.0, 0.5], np.float32) + 0.3)[:, None]


class TwoLayer(Model):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.hidden = Dense(8, activation="tanh")
        self.head = Dense(1)

    def call(self, inputs, training=None):
        return self.head(self.hidden(inputs))


def test_sequential_is_a_model_and_names_are_reexported():
    assert issubclass(Sequential, Model) and nn.Sequential is Sequential and nn.Model is Model
    assert nn.models.load_model is nn.load_model
    assert isinstance(Sequential([Dense(1, input_shape=(2,))]), nn.layers.Layer)


def test_subclassed_model_trains_evaluates_predicts_and_lists_its_layers():
    x, y = regression_data()
    model = TwoLayer()
    model.compile(optimizer=nn.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
    loss, mae = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(float(np.mean((model.predict(x, verbose=0) - y) ** 2)), rel=1e-4)
    assert mae == pytest.approx(float(np.mean(np.abs(model.predict(x, verbose=0) - y))), rel=1e-4)
    assert [layer.name for layer in model.layers] == [model.hidden.name, model.head.name]
    assert len(model.trainable_weights) == 4 and model.count_params() == 3 * 8 + 8 + 8 + 1


def test_a_train_step_override_is_what_fit_runs():
    x, y = regression_data()
    calls = []

    class Counting(TwoLayer):
        def train_step(self, data):
            calls.append(len(data[0]))
            logs = super().train_step(data)
            return {**logs, "steps_seen": float(len(calls))}

    model = Counting()
    model.compile("sgd", "mse")
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert calls == [16] * 8
    assert history.history["steps_seen"] == [4.0, 8.0]


def test_a_hand_written_train_step_with_its_own_trackers_as_in_keras_guides():
    x, y = regression_data()

    class Manual(TwoLayer):
        def __init__(self):
            super().__init__()
            self.loss_tracker = nn.metrics.Mean(name="loss")
            self.mae_metric = nn.metrics.MeanAbsoluteError(name="mae")

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]

        def train_step(self, data):
            x, y = data[0], data[1]
            y_pred = self(x, training=True)
            loss = ((y_pred - y) ** 2).mean()
            self.zero_grad()
            loss.backward()
            self.optimizer.step()
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

        def test_step(self, data):
            y_pred = self(data[0], training=False)
            self.mae_metric.update_state(data[1], y_pred)
            return {"mae": self.mae_metric.result()}

    model = Manual()
    model.compile(optimizer=nn.optimizers.Adam(learning_rate=0.05))  # no loss: train_step has its own
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0, validation_data=(x, y))
    assert sorted(history.history) == ["loss", "mae", "val_mae"]
    assert history.history["mae"][-1] < history.history["mae"][0]
    assert model.evaluate(x, y, verbose=0) == pytest.approx(
        float(np.mean(np.abs(model.predict(x, verbose=0) - y))), rel=1e-4)


def test_test_step_and_predict_step_overrides_are_honoured():
    x, y = regression_data(16)

    class Doubled(TwoLayer):
        def predict_step(self, data):
            return super().predict_step(data) * 2.0

        def test_step(self, data):
            return {"constant": 7.0}

    model = Doubled()
    model.compile("sgd", "mse")
    plain = TwoLayer.call(model, Tensor(x)).numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), 2 * plain, rtol=1e-6)
    assert model.evaluate(x, y, verbose=0) == 7.0


def test_call_without_a_training_argument_and_models_without_call():
    class NoTraining(Model):
        def __init__(self):
            super().__init__()
            self.d = Dense(2)

        def call(self, inputs):
            return self.d(inputs)

    assert NoTraining()(np.ones((3, 4)), training=True).shape == (3, 2)
    with pytest.raises(TypeError, match="must define call"):
        Model()(np.ones((1, 2)))


# --- losses ------------------------------------------------------------------------------------------
def test_a_loss_subclass_call_is_used_not_ignored():
    class FortyTwo(nn.losses.Loss):
        def call(self, y_true, y_pred):
            return y_pred.sum() * 0 + 42.0

    assert FortyTwo()(np.ones((4, 1)), Tensor(np.zeros((4, 1)))).item() == 42.0

    class Scaled(nn.losses.MeanSquaredError):  # overriding a built-in's call also wins
        def call(self, y_true, y_pred):
            return ((y_pred - y_true) ** 2).mean(axis=-1) * 3.0

    assert Scaled()(np.zeros((2, 1)), Tensor(np.ones((2, 1)))).item() == 3.0
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile("sgd", FortyTwo())
    assert model.evaluate(np.ones((4, 2)), np.ones(4), verbose=0) == 42.0


def test_custom_loss_functions_returning_per_sample_values_are_reduced_as_keras_does():
    def per_sample_abs(y_true, y_pred):
        return (y_pred - y_true).abs().mean(axis=-1)  # shape (batch,)

    x, y = regression_data(32)
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile("sgd", per_sample_abs)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)  # would raise if the loss stayed per-sample
    expected = float(np.mean(np.abs(model.predict(x, verbose=0) - y)))
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)
    weighted = nn.losses.LossFunctionWrapper(per_sample_abs)
    got = weighted(np.zeros((2, 1)), Tensor([[1.0], [3.0]]), sample_weight=[1.0, 0.0]).item()
    assert got == 0.5  # (1 * 1 + 3 * 0) / 2 samples, Keras's sum_over_batch_size


# --- metrics ------------------------------------------------------------------------------------------
class PositiveRate(nn.metrics.Metric):
    def __init__(self, name="positive_rate"):
        super().__init__(name=name)
        self.positives = self.add_variable(shape=(), initializer="zeros", name="positives")
        self.seen = self.add_weight(name="seen", shape=(), initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        p = nn.metrics.as_array(y_pred)
        self.positives.assign_add(float((p > 0).sum()))
        self.seen.assign_add(float(p.size))

    def result(self):
        return self.positives / self.seen


def test_metric_subclasses_with_variables_stream_and_reset():
    m = PositiveRate()
    m.update_state(None, [[1.0], [-1.0]])
    m.update_state(None, [[2.0], [3.0]])
    assert float(m.result()) == 0.75 and [v.name for v in m.variables] == ["positives", "seen"]
    m.reset_state()
    assert float(m.seen) == 0.0
    x, y = regression_data(32)
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile("sgd", "mse", metrics=[PositiveRate(), "mape"])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    p = model.predict(x, verbose=0)
    assert logs["positive_rate"] == pytest.approx(float(np.mean(p > 0)))
    assert logs["mape"] == pytest.approx(float(100 * np.mean(np.abs(y - p) / np.abs(y))), rel=1e-4)


# --- optimizers ---------------------------------------------------------------------------------------
def test_optimizers_take_a_learning_rate_or_parameters_first():
    from autograd import Value

    for cls in (nn.optimizers.SGD, nn.optimizers.Adam, nn.optimizers.AdamW, nn.optimizers.RMSprop):
        assert cls(3e-4).learning_rate == 3e-4 and cls(3e-4).params is None
        w = Value(1.0)
        assert cls([w], lr=0.5).params == [w] and cls([w], lr=0.5).learning_rate == 0.5
    with pytest.raises(ValueError, match="learning rate twice"):
        nn.optimizers.Adam(0.1, learning_rate=0.2)


def test_schedules_drive_the_learning_rate_and_survive_get_config():
    from autograd import Value

    schedule = nn.optimizers.schedules.PiecewiseConstantDecay([1], [1.0, 0.5])
    w = Value(0.0)
    opt = nn.optimizers.SGD(schedule)
    opt.bind([w])
    for _ in range(3):
        w.grad = -1.0
        opt.step()
    assert w.data == 1.0 + 1.0 + 0.5  # steps 0 and 1 at rate 1, step 2 at 0.5
    rebuilt = nn.optimizers.get({"class_name": "SGD", "config": opt.get_config()})
    assert type(rebuilt.learning_rate).__name__ == "PiecewiseConstantDecay"
    assert rebuilt.learning_rate(5) == 0.5
    decay = nn.optimizers.schedules.ExponentialDecay(1.0, decay_steps=2, decay_rate=0.5, staircase=True)
    assert [decay(s) for s in range(5)] == [1.0, 1.0, 0.5, 0.5, 0.25]
    cosine = nn.optimizers.schedules.CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=5)
    assert cosine(0) == 0.0 and cosine(5) == 1.0 and cosine(10) == pytest.approx(0.5)


# --- layers -------------------------------------------------------------------------------------------
def test_add_weight_without_a_name_add_loss_and_activation_none():
    class Scale(nn.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
            super().build(input_shape)

        def forward(self, x):
            self.add_loss((self.w * self.w).sum() * 0.5)
            return x * self.w

    layer = Scale()
    out = layer(np.ones((2, 3)))
    assert out.shape == (2, 3) and len(layer.losses) == 1 and layer.losses[0].item() == 1.5
    layer(np.ones((2, 3)))
    assert len(layer.losses) == 1  # a new call replaces the last call's losses
    model = Sequential([Scale(input_shape=(3,))])
    model.compile("sgd", "mse")
    assert model.evaluate(np.ones((4, 3)), np.ones((4, 3)), verbose=0) == pytest.approx(1.5)
    dense = Dense(2, activation="relu", input_shape=(2,))
    dense.activation = None
    assert dense.activation_name == "linear" and dense(-np.ones((1, 2))).shape == (1, 2)
    assert len(Sequential([Dense(2, input_shape=(3,))]).weights) == 2


def test_a_subclassed_model_builds_from_a_shape_and_nests_in_a_sequential():
    model = TwoLayer()
    model.build((None, 3))
    assert model.built and model.count_params() == 3 * 8 + 8 + 8 + 1
    assert model.compute_output_shape((None, 3)) == (None, 1)
    stacked = Sequential([nn.Input((3,)), TwoLayer(), Dense(2)])
    assert stacked.output_shape == (None, 2) and stacked.predict(np.ones((4, 3)), verbose=0).shape == (4, 2)
    lines = []
    stacked.summary(print_fn=lines.append)
    assert any("(TwoLayer)" in line and "(None, 1)" in line for line in lines)


def test_a_model_subclass_built_from_inputs_and_outputs_keeps_its_train_step():
    steps = []

    class CustomModel(Model):  # keras.io's "customizing fit" pattern
        def train_step(self, data):
            steps.append(1)
            return super().train_step(data)

    inputs = nn.Input(shape=(3,))
    model = CustomModel(inputs, Dense(1)(inputs))
    assert isinstance(model, CustomModel) and isinstance(model, nn.models.Functional)
    assert type(model).__name__ == "CustomModel"
    model.compile("adam", "mse")
    x, y = regression_data(32)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert len(steps) == 4
