"""examples/moons.py: micrograd's moons demo reaches 100% training accuracy (and prints every step)."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "moons.py"


def load_demo():
    if not SCRIPT.exists():
        pytest.skip("examples/moons.py is not part of this installation")
    spec = importlib.util.spec_from_file_location("moons_demo", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_moons_demo_reaches_full_training_accuracy():
    result = load_demo().train(steps=100, verbose=False)
    assert result["accuracy"] == 1.0
    assert result["loss"] < 0.05
    assert len(result["model"].parameters()) == 337


def test_moons_main_prints_loss_and_accuracy_per_step(capsys):
    code = load_demo().main(["--steps", "3"])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines[:3]] == [["step", "0"], ["step", "1"], ["step", "2"]]
    assert "loss" in lines[0] and "accuracy" in lines[0]
    assert lines[-1].startswith("final training accuracy")
    percent = int(lines[-1].split()[3].rstrip("%"))
    assert code == (0 if percent == 100 else 1)  # the exit code says whether the demo reached 100%
    assert load_demo().main(["--steps", "100"]) == 0
