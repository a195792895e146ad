"""The README's ```python snippets run, in order, in one fresh namespace: the README never lies.

Snippets that start with ``# requires: a, b`` need optional packages: they run, in order, in a namespace
of their own, each one only where its packages import (otherwise the test says which were skipped, why).
"""

import importlib.util
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
ALL_SNIPPETS = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.S | re.M)
REQUIRES = re.compile(r"\A# requires: (.+)\n")
SNIPPETS = [code for code in ALL_SNIPPETS if not REQUIRES.match(code)]
OPTIONAL = [code for code in ALL_SNIPPETS if REQUIRES.match(code)]


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


def test_first_snippet_prints_what_its_comments_say_and_writes_the_drawing(tmp_path, monkeypatch, capsys):
    """The Values tour: its printed gradients match the comment, and graph.svg holds the drawing."""
    draw_module = pytest.importorskip("autograd.draw")
    if not draw_module._find_renderers():
        pytest.skip('no Graphviz renderer: pip install "stepgrad[viz]"')
    monkeypatch.chdir(tmp_path)
    code = SNIPPETS[0]
    exec(compile(code, "README.md snippet 1", "exec"), {"__name__": "__readme__"})
    printed = capsys.readouterr().out.splitlines()
    promised = re.search(r'print\(f"\{w1\.grad.*?# (\S+ \S+)', code).group(1)
    assert printed[-1] == promised
    svg = (tmp_path / "graph.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and ">tanh<" in svg and ">a<" in svg


def test_readme_snippets_with_optional_packages_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__readme__"}
    skipped = []
    for i, code in enumerate(OPTIONAL):
        missing = [m for m in REQUIRES.match(code).group(1).replace(" ", "").split(",")
                   if importlib.util.find_spec(m) is None]
        if missing:
            skipped.append(f"snippet {i + 1} (needs {', '.join(missing)})")
            continue
        try:
            exec(compile(code, f"README.md optional snippet {i + 1}", "exec"), namespace)
        except Exception as err:
            raise AssertionError(f"README optional snippet {i + 1} failed: {err!r}\n{code}") from err
    if skipped:
        pytest.skip("not installed: " + "; ".join(skipped))
