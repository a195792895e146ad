"""`import nn` refuses an `autograd` that is not stepgrad's (HIPS autograd shares the import name)."""

import os
import subprocess
import sys
from pathlib import Path

import nn


def test_import_nn_with_a_foreign_autograd_raises_a_clear_import_error(tmp_path):
    fake = tmp_path / "autograd"
    fake.mkdir()
    (fake / "__init__.py").write_text("# stands in for HIPS autograd\n")
    project_root = Path(nn.__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(project_root)]))
    result = subprocess.run(
        [sys.executable, "-c", "import nn"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert "stepgrad's `autograd`" in result.stderr and str(fake) in result.stderr
    assert "virtual environment" in result.stderr


def test_import_nn_with_stepgrads_autograd_works():
    import autograd

    assert autograd.__stepgrad__ is True and nn.Sequential is nn.models.Sequential
