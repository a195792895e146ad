"""The tutorials' exercises: every checker accepts its reference answer and rejects wrong ones.

The checkers (``notebooks/exercises.py``) and answers (``notebooks/solutions.py``) sit beside the
notebooks, which import them from there; each notebook asks 2-4 exercises.
"""

import doctest
import re
import sys
from pathlib import Path

import numpy as np
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))
import exercises  # noqa: E402
import solutions  # noqa: E402

NAMES = sorted(exercises.CHECKERS)
WITH_EXERCISES = ("01", "02", "03", "04", "05", "06", "09")


@pytest.mark.parametrize("name", NAMES)
def test_checker_accepts_the_reference_answer(name, capsys):
    exercises.CHECKERS[name](getattr(solutions, name))
    assert capsys.readouterr().out.strip() == "correct"


@pytest.mark.parametrize("name", NAMES)
def test_checker_shows_the_expected_value_when_unanswered(name, capsys):
    exercises.CHECKERS[name](None)
    assert capsys.readouterr().out.startswith("no answer yet; expected ")


@pytest.mark.parametrize("name", NAMES)
def test_a_stub_function_counts_as_unanswered(name, capsys):
    stub = (lambda *args: None) if callable(getattr(solutions, name)) else ...
    exercises.CHECKERS[name](stub)
    assert capsys.readouterr().out.startswith("no answer yet; expected ")


def _wrong(answer):
    """A plausible mistake of the same kind as the answer: numbers off by 10%, functions' results too."""
    if callable(answer):
        return lambda *args: _wrong(answer(*args))
    if isinstance(answer, tuple):
        return tuple(_wrong(a) for a in answer) if not callable(answer[0]) else (answer[0], _wrong(answer[1]))
    if isinstance(answer, list) and answer and isinstance(answer[0], str):
        return answer[::-1]  # a backward order reversed is a forward order: wrong
    if isinstance(answer, (int, float, list, np.ndarray)):
        return np.asarray(answer, dtype=float) * 1.1 + 0.1 if not isinstance(answer, int) else answer + 1
    return answer


@pytest.mark.parametrize("name", NAMES)
def test_checker_rejects_a_wrong_answer(name, capsys):
    exercises.CHECKERS[name](_wrong(getattr(solutions, name)))
    assert capsys.readouterr().out.startswith("not yet: expected ")


def test_a_crashing_answer_is_reported_not_raised(capsys):
    def broken(n, k, stride, padding):
        raise ValueError("half written")
    exercises.check_conv_output_size(broken)
    assert "ValueError: half written" in capsys.readouterr().out


def test_every_tutorial_asks_two_to_four_exercises_and_every_checker_is_asked():
    asked = {}
    for src in sorted((NOTEBOOKS / "src").glob("[0-9][0-9]_*.py")):
        calls = re.findall(r"\bex\.check_(\w+)\(", src.read_text(encoding="utf-8"))
        asked[src.name[:2]] = calls
        for name in calls:
            assert exercises.NOTEBOOK[name] == src.name[:2], f"{name} is asked in {src.name}"
    for number in WITH_EXERCISES:
        assert 2 <= len(asked.get(number, [])) <= 4, f"notebook {number} asks {asked.get(number)}"
    assert sorted(n for calls in asked.values() for n in calls) == NAMES


def test_the_module_docstring_example_runs():
    assert doctest.testmod(exercises).failed == 0
