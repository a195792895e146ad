"""Every tutorial notebook runs top to bottom, matches its source, and renders to HTML with its pictures.

The notebooks are executed fresh (kernel ``python3``, in a temporary working directory), so a change
in the library that breaks a tutorial, or a number that drifts (each notebook ends with an assertion
cell), fails here. The HTML check is what a reader on GitHub or in an nbconvert export sees.
"""

import shutil
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("nbconvert")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))
import _build  # noqa: E402  (the notebooks' own build script: parse sources, execute)

PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
# What each notebook must show: drawn graphs (SVG) and plots (PNG).
PICTURES = {"01": {"svg"}, "02": {"svg", "png"}, "03": {"png"}, "04": {"png"}, "05": {"svg", "png"},
            "06": {"png"}, "07": {"png"}, "08": {"svg", "png"}, "09": {"png"}}
# The exercises' checkers and reference answers sit beside the notebooks, which import them from there.
HELPERS = ("exercises.py", "solutions.py")


def test_every_notebook_exists():
    assert [p.name[:2] for p in PATHS] == sorted(PICTURES), [p.name for p in PATHS]


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_committed_notebook_matches_its_source(path):
    committed = nbformat.read(path, as_version=4)
    built = _build.build(NOTEBOOKS / "src" / (path.stem + ".py"))
    cells = [(c.cell_type, c.source) for c in committed.cells]
    assert cells == [(c.cell_type, c.source) for c in built.cells], (
        f"{path.name} is out of date: run python notebooks/_build.py {path.name[:2]}")
    assert PICTURES[path.name[:2]] <= _media(committed), f"{path.name} was committed without its pictures"
    last_code = [c.source for c in committed.cells if c.cell_type == "code"][-1]
    assert last_code.count("assert ") >= 3, f"{path.name} must end with a cell that checks its numbers"


def _media(nb):
    kinds = set()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            kinds |= {"svg"} if "image/svg+xml" in data else set()
            kinds |= {"png"} if "image/png" in data else set()
    return kinds


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_executes_and_renders(path, tmp_path):
    from nbconvert import HTMLExporter

    shutil.copy(path, tmp_path / path.name)
    for helper in HELPERS:
        shutil.copy(NOTEBOOKS / helper, tmp_path / helper)
    nb = _build.execute(nbformat.read(tmp_path / path.name, as_version=4), tmp_path, timeout=600)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    expected = PICTURES[path.name[:2]]
    assert expected <= _media(nb), f"{path.name}: expected {expected}, outputs hold {_media(nb)}"

    html, _ = HTMLExporter().from_notebook_node(nb)
    body = html[html.index("<body"):]  # the page's CSS embeds icons as data URLs: look at the content only
    # drawings and plots are in the page itself, visible without a kernel
    if "svg" in expected:
        assert "<svg" in body or 'src="data:image/svg+xml;base64,' in body
    if "png" in expected:
        assert 'src="data:image/png;base64,' in body
    if path.name.startswith("01"):
        _check_static_stepper(body)


def _check_static_stepper(html):
    """Notebook 01's stepper works without a kernel: its drawing and steps are in the page, with controls."""
    assert "<svg" in html and '"pictures":["<svg' in html, "the drawing of step_through is missing"
    assert 'type="range"' in html and "<button" in html, "the static stepper's slider/buttons are missing"
    assert "<script" in html
