"""What the tutorials must explain, and in which order: the teaching points that are words, not numbers.

Numbers are checked by each notebook's last cell (run by test_notebooks.py); these tests read the
notebook sources and fail if an explanation is removed or moves after the code that relies on it.
"""

from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "notebooks" / "src"


def _source(prefix: str) -> str:
    (path,) = SRC.glob(f"{prefix}_*.py")
    return path.read_text(encoding="utf-8")


def _before(text: str, first: str, then: str) -> bool:
    return first in text and then in text and text.index(first) < text.index(then)


def test_01_has_the_errata_box_for_both_seed_errors():
    text = _source("01")
    box = text[text.index("**Errata"):]
    assert "§2.4" in box and "computes the gradients" in box.replace("**", "")
    assert "§3.2" in box and "wrong way round" in box


def test_01_opens_the_engine_before_the_exercises():
    text = _source("01")
    assert _before(text, "autograd.topological_order(a)", "## Exercises")
    assert _before(text, "inspect.getsource(tanh_rule)", "## Exercises")
    assert _before(text, "Optional: be the engine", "## 6. Checking gradients")


def test_02_introduces_hinge_loss_and_lr_decay_before_the_training_loop():
    text = _source("02")
    loop = text.index("for k in range(steps):")
    assert text.index(r"\max(0,\ 1 - y_i s_i)") < loop
    assert text.index("**Learning-rate decay.**") < loop
    assert _before(text, "## 3. Why the activation function matters", "## 6. Training loop")
    assert "validation_accuracy(model)" in text


def test_04_explains_mini_batches_before_06_trains_with_them():
    assert "## 5. Stochastic and mini-batch gradient descent" in _source("04")
    assert "batch_size=32" in _source("06")
    assert "tune its learning rate" in _source("04")


def test_03_and_05_derive_the_matrix_and_softmax_gradients():
    text3, text5 = _source("03"), _source("05")
    assert r"\frac{\partial H}{\partial z_k} = q_k - p_k" in text3
    assert "## 2b. Binary cross-entropy, written out" in text3
    boxed = (r"\boxed{dW = X^\top dZ}", r"\boxed{db = \sum_n dZ_{n\cdot}}", r"\boxed{dX = dZ\, W^\top}")
    for formula in boxed:
        assert formula in text5


def test_05_draws_the_graph_only_after_a_retaining_backward():
    text = _source("05")
    assert _before(text, "L.backward(retain_graph=True)", "drawing = autograd.draw(L")


@pytest.mark.parametrize("needle", ['class_mode="binary"', "conv2d(Tensor(image", "max_pool2d(", "320"])
def test_06_works_convolution_by_hand_and_trains_the_binary_mode(needle):
    assert needle in _source("06")


def test_09_covers_the_seeds_closing_sections():
    text = _source("09")
    for needle in ("(seed §5)", "(seed §6)", "(seed §7)", '"train", str(photos)', '["predict"',
                   "keras.Sequential", "torch.nn.Sequential", "horizontal_flip=True",
                   "GlobalAveragePooling2D"):
        assert needle in text, needle
    assert "/work/shared" not in text   # readers do not have the project's shared data
