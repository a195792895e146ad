"""Progress output: a bar in a terminal or notebook, one Keras line per epoch in a file or pipe."""

import io
import os
import subprocess
import sys

import numpy as np
import pytest

import nn
from nn.callbacks.progbar_logger import is_interactive
from nn.layers import Dense
from nn.models import Sequential


def small_model():
    model = Sequential([Dense(4, activation="relu", input_shape=(2,)), Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return model


def data(n=64):
    x = np.random.default_rng(0).normal(size=(n, 2)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.float32)


def test_fit_to_a_file_prints_one_line_per_epoch_and_no_carriage_returns(monkeypatch):
    out = io.StringIO()  # not a terminal
    monkeypatch.setattr(sys, "stdout", out)
    small_model().fit(*data(), epochs=3, batch_size=8, verbose=1, validation_split=0.25)
    text = out.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert [line.split(" - ")[0] for line in lines] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    assert all(" - loss: " in line and " - val_accuracy: " in line for line in lines)


def test_fit_in_a_terminal_draws_a_bar(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(nn.callbacks.progbar_logger, "is_interactive", lambda stream: True)
    monkeypatch.setitem(sys.modules, "tqdm", None)  # the plain bar, so the redraws are easy to see
    small_model().fit(*data(), epochs=1, batch_size=8, verbose=1)
    assert "\rEpoch 1/1 8/8 - loss: " in out.getvalue()


def test_is_interactive_reads_the_stream():
    assert not is_interactive(io.StringIO())

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    assert is_interactive(Terminal())


def _cli(tmp_path, stdout):
    pil = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(0)
    for k, name in enumerate(("a", "b")):
        (tmp_path / "data" / name).mkdir(parents=True)
        for i in range(6):
            pil.fromarray(rng.integers(0, 255, (16, 16, 3)).astype(np.uint8) // (k + 1)).save(
                tmp_path / "data" / name / f"{i}.png")
    command = [sys.executable, "-m", "nn", "train", str(tmp_path / "data"), "--epochs", "2",
               "--image-size", "16", "--batch-size", "4", "--dense-units", "8",
               "--out", str(tmp_path / "run")]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.Popen(command, stdout=stdout, stderr=subprocess.PIPE, env=env)


def test_stepgrad_train_into_a_log_file_writes_one_line_per_epoch(tmp_path):
    log = tmp_path / "log.txt"
    with open(log, "w") as f:
        process = _cli(tmp_path, f)
        _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()[-2000:]
    text = log.read_text()
    assert "\r" not in text
    epochs = [line for line in text.splitlines() if line.startswith("Epoch ")]
    assert [line.split(" - ")[0] for line in epochs] == ["Epoch 1/2", "Epoch 2/2"]


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal (POSIX)")
def test_stepgrad_train_in_a_terminal_redraws_a_bar(tmp_path):
    leader, follower = os.openpty()
    chunks = []
    try:
        process = _cli(tmp_path, follower)
        os.close(follower)
        while True:  # read while it runs, so a full terminal buffer never blocks it
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal: everything was read
                break
            if not chunk:
                break
            chunks.append(chunk)
        err = process.stderr.read()
        process.wait(timeout=300)
    finally:
        os.close(leader)
    assert process.returncode == 0, err.decode()[-2000:]
    assert b"\r" in b"".join(chunks)  # the bar is redrawn in place
