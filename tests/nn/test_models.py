"""Sequential: build, compile, fit on arrays/generators/sequences, evaluate, predict, Keras-quality errors."""

import numpy as np
import pytest

import nn
from nn.datasets import load_digits
from nn.initializers import GlorotUniform
from nn.layers import Conv2D, Dense, Dropout, Flatten, Input, MaxPooling2D
from nn.models import Sequential


def moons_model(seed=0, metrics=("accuracy",)):
    model = Sequential([
        Dense(16, activation="relu", input_shape=(2,), kernel_initializer=GlorotUniform(seed)),
        Dense(1, activation="sigmoid", kernel_initializer=GlorotUniform(seed + 1)),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=list(metrics))
    return model


def moons(n=200):
    x, y = nn.datasets.make_moons(n_samples=n, noise=0.1, seed=0)
    return x.astype(np.float32), y.astype(np.float32)


def test_small_cnn_on_the_embedded_digits_reaches_97_percent_validation_accuracy():
    images, labels = load_digits()
    order = np.random.default_rng(0).permutation(len(labels))  # the file is sorted by writer: mix first
    x, y = (images / 16.0)[order, ..., None], labels[order]
    g = iter(GlorotUniform(seed) for seed in range(4))
    model = Sequential([
        Conv2D(16, (3, 3), activation="relu", padding="same", input_shape=(8, 8, 1),
               kernel_initializer=next(g)),
        MaxPooling2D((2, 2)),
        Conv2D(32, (3, 3), activation="relu", padding="same", kernel_initializer=next(g)),
        MaxPooling2D((2, 2)),
        Flatten(),
        Dense(64, activation="relu", kernel_initializer=next(g)),
        Dense(10, activation="softmax", kernel_initializer=next(g)),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    np.random.seed(0)  # fit's per-epoch shuffling draws from numpy's global generator, as Keras's seeds do
    anneal = nn.callbacks.LearningRateScheduler(lambda epoch, lr: 0.003 if epoch < 8 else 0.001)
    history = model.fit(x, y, epochs=15, batch_size=64, validation_split=0.2, verbose=0, callbacks=[anneal])
    assert history.history["val_accuracy"][-1] >= 0.97
    loss, accuracy = model.evaluate(x[-360:], y[-360:], verbose=0)
    assert accuracy == pytest.approx(history.history["val_accuracy"][-1])  # the held-out tail, as Keras
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_fit_returns_history_with_val_keys_and_params():
    x, y = moons()
    history = moons_model().fit(x, y, epochs=3, batch_size=50, validation_split=0.25, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.epoch == [0, 1, 2] and all(len(v) == 3 for v in history.history.values())
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 3}  # 150 training samples / 50


def test_validation_split_takes_the_last_samples_before_shuffling():
    x, y = moons(100)
    seen = []

    class Spy(Sequential):
        def test_step(self, data):
            seen.append(np.array(data[0]))
            return super().test_step(data)

    model = Spy(moons_model().layers)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, validation_split=0.1, verbose=0)
    assert np.array_equal(np.concatenate(seen), x[90:].astype(np.float32))


def test_validation_data_tuple_and_evaluate_predict_agree():
    x, y = moons()
    model = moons_model()
    history = model.fit(x, y, epochs=2, verbose=0, validation_data=(x[:40], y[:40]))
    loss, acc = model.evaluate(x[:40], y[:40], verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(loss)
    assert history.history["val_accuracy"][-1] == pytest.approx(acc)
    p = model.predict(x[:40])
    assert p.shape == (40, 1) and isinstance(p, np.ndarray)
    assert acc == pytest.approx(np.mean((p[:, 0] > 0.5) == (y[:40] > 0.5)))
    assert isinstance(model.evaluate(x, y, verbose=0, return_dict=True), dict)


def test_evaluate_without_metrics_returns_the_loss_alone():
    x, y = moons()
    model = moons_model(metrics=())
    assert isinstance(model.evaluate(x, y, verbose=0), float)


def test_fit_on_a_generator_with_steps_per_epoch():
    x, y = moons()

    def batches():
        while True:
            for i in range(0, len(x), 25):
                yield x[i:i + 25], y[i:i + 25]

    model = moons_model()
    history = model.fit(batches(), steps_per_epoch=4, epochs=2, verbose=0)
    assert history.params["steps"] == 4 and len(history.history["loss"]) == 2


def test_fit_on_a_sequence_cycles_and_calls_on_epoch_end():
    x, y = moons(60)

    class Batches:
        def __init__(self):
            self.ends = 0

        def __len__(self):
            return 3

        def __getitem__(self, i):
            return x[i * 20:(i + 1) * 20], y[i * 20:(i + 1) * 20]

        def on_epoch_end(self):
            self.ends += 1

    seq = Batches()
    moons_model().fit(seq, epochs=2, steps_per_epoch=2, verbose=0)  # 4 batches: one full pass, then 1
    assert seq.ends == 1
    moons_model().fit(seq, epochs=2, verbose=0)  # len(seq) steps per epoch
    assert seq.ends == 3


def test_finite_generator_without_steps_ends_training_with_a_warning():
    x, y = moons(40)
    model = moons_model()
    with pytest.warns(UserWarning, match="exhausted"):
        history = model.fit(((x[i:i + 10], y[i:i + 10]) for i in range(0, 40, 10)), epochs=3, verbose=0)
    assert history.epoch == [0]


def test_shuffle_false_is_deterministic_and_training_lowers_the_loss():
    x, y = moons()
    a, b = moons_model(seed=4), moons_model(seed=4)
    ha = a.fit(x, y, epochs=5, shuffle=False, verbose=0)
    hb = b.fit(x, y, epochs=5, shuffle=False, verbose=0)
    assert ha.history == hb.history
    assert ha.history["loss"][-1] < ha.history["loss"][0]


def test_dropout_is_active_in_fit_and_off_in_predict():
    model = Sequential([Dense(32, input_shape=(4,)), Dropout(0.5, seed=0), Dense(1)])
    model.compile("sgd", "mse")
    x = np.ones((8, 4), np.float32)
    assert np.array_equal(model.predict(x), model.predict(x))  # eval mode: no dropout
    before = model.get_weights()
    model.fit(x, np.zeros(8, np.float32), epochs=1, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


def test_lazy_model_builds_on_first_fit_and_input_layer_declares_shape():
    x, y = moons()
    lazy = Sequential([Dense(8, activation="relu"), Dense(1, activation="sigmoid")])
    lazy.compile("adam", "binary_crossentropy")
    assert not lazy.built
    lazy.fit(x, y, epochs=1, verbose=0)
    assert lazy.built and lazy.input_shape == (None, 2) and lazy.count_params() == 8 * 2 + 8 + 9
    with_input = Sequential([Input((2,)), Dense(3)])
    assert with_input.built and with_input.output_shape == (None, 3) and len(with_input.layers) == 1


def test_verbose_2_prints_one_keras_line_per_epoch(capsys):
    x, y = moons()
    moons_model().fit(x, y, epochs=2, verbose=2, validation_split=0.2)
    lines = [line for line in capsys.readouterr().out.splitlines() if line]
    assert len(lines) == 2
    assert lines[0].startswith("Epoch 1/2 - ") and " - loss: " in lines[0] and " - val_accuracy: " in lines[0]


def test_verbose_1_shows_progress_and_verbose_0_is_silent(capsys):
    x, y = moons()
    model = moons_model()
    model.fit(x, y, epochs=1, verbose=0)
    model.evaluate(x, y, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y, epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/1" in out and "loss: " in out


def test_progress_without_tqdm_falls_back_to_a_plain_line(capsys, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "tqdm", None)  # import tqdm now raises ImportError
    monkeypatch.setattr(nn.callbacks.progbar_logger, "is_interactive", lambda stream: True)  # as a terminal
    x, y = moons()
    moons_model().fit(x, y, epochs=1, batch_size=50, verbose=1)
    out = capsys.readouterr().out
    assert "\rEpoch 1/1 4/4 - loss: " in out and "Epoch 1/1 - " in out


# --- errors ---------------------------------------------------------------------------------------
def test_fit_before_compile_is_a_clear_error():
    model = Sequential([Dense(1, input_shape=(2,))])
    with pytest.raises(RuntimeError, match="must compile the model"):
        model.fit(np.zeros((4, 2)), np.zeros(4))


def test_x_and_y_of_different_lengths_name_both():
    with pytest.raises(ValueError, match=r"x with 10 .*y with 9"):
        moons_model().fit(np.zeros((10, 2)), np.zeros(9), verbose=0)


@pytest.mark.parametrize("kind, name, known", [
    ("optimizer", "adamm", "adam"), ("loss", "binary_crossentropyy", "binary_crossentropy"),
    ("metrics", "acuracy", "accuracy"),
])
def test_unknown_names_list_the_known_ones(kind, name, known):
    model = Sequential([Dense(1, input_shape=(2,))])
    args = {"optimizer": "adam", "loss": "mse", "metrics": None}
    args[kind] = [name] if kind == "metrics" else name
    with pytest.raises(ValueError, match=rf"{name}.*known names.*{known}"):
        model.compile(**args)


def test_labels_out_of_range_for_the_loss():
    model = Sequential([Dense(3, activation="softmax", input_shape=(2,))])
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"label 3 is out of range for 3 classes"):
        model.fit(np.zeros((4, 2)), np.array([0, 1, 2, 3]), verbose=0)
    binary = moons_model()
    with pytest.raises(ValueError, match=r"targets in \[0, 1\], received a target value of 2"):
        binary.fit(np.zeros((4, 2)), np.array([0, 1, 2, 1]), verbose=0)
    categorical = Sequential([Dense(3, activation="softmax", input_shape=(2,))])
    categorical.compile("adam", "categorical_crossentropy")
    with pytest.raises(ValueError, match="use sparse_categorical_crossentropy"):
        categorical.fit(np.zeros((4, 2)), np.array([0, 1, 2, 1]), verbose=0)


def test_bad_fit_arguments_name_the_value():
    x, y = moons()
    model = moons_model()
    with pytest.raises(ValueError, match=r"validation_split=1\.5"):
        model.fit(x, y, validation_split=1.5)
    with pytest.raises(ValueError, match=r"batch_size=0"):
        model.fit(x, y, batch_size=0)
    with pytest.raises(ValueError, match=r"verbose=3"):
        model.fit(x, y, verbose=3)
    with pytest.raises(ValueError, match=r"epochs=-1"):
        model.fit(x, y, epochs=-1)
    with pytest.raises(ValueError, match="validation_split is only supported for arrays"):
        model.fit(iter([(x, y)]), validation_split=0.2)
    with pytest.raises(TypeError, match="only nn.layers.Layer instances"):
        Sequential([Dense(1), "relu"])
    with pytest.raises(ValueError, match="has not been built"):
        Sequential([Dense(1)]).summary()
