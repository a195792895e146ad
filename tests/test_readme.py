"""The README's ```python snippets run, in order, in one fresh namespace: the README never lies."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
SNIPPETS = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.S | re.M)


def test_readme_has_the_tours():
    text = README.read_text(encoding="utf-8")
    assert len(SNIPPETS) >= 4, "the README should tour Value, Tensor, the PyTorch loop and the Keras API"
    for marker in ("<!-- main-command -->", "<!-- test-command -->", "## Benchmarks"):
        assert marker in text


def test_readme_snippets_run(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)  # snippets that save files write into a temporary folder
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = {"__name__": "__readme__"}
    for i, code in enumerate(SNIPPETS):
        try:
            exec(compile(code, f"README.md snippet {i + 1}", "exec"), namespace)
        except Exception as err:  # re-raise with the snippet, so a failure says which one
            raise AssertionError(f"README snippet {i + 1} failed: {err!r}\n{code}") from err
