"""Build the tutorial notebooks from their sources and execute them, saving the outputs.

Each notebook is written as a plain Python file in ``notebooks/src/`` ("percent" format, as jupytext
reads it): ``# %%`` starts a code cell, ``# %% [markdown]`` a markdown cell whose lines start with
``# ``. Sources diff and review like code; the executed ``.ipynb`` beside them is what GitHub shows.

    python notebooks/_build.py            # build and execute every notebook
    python notebooks/_build.py 01 03      # only the notebooks whose names start with these prefixes
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def parse_cells(text: str) -> list[tuple[str, str]]:
    """Split percent-format source into ``(kind, source)`` cells, kind "code" or "markdown"."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("# %%"):
            cells.append(("markdown" if "[markdown]" in line else "code", []))
        elif cells:
            kind, lines = cells[-1]
            if kind == "markdown":
                line = line[2:] if line.startswith("# ") else line.lstrip("#")
            lines.append(line)
    out = []
    for kind, lines in cells:
        while lines and not lines[-1].strip():  # blank lines between cells are layout, not content
            lines.pop()
        out.append((kind, "\n".join(lines)))
    return out


def build(src: Path):
    """Return an unexecuted ``nbformat`` notebook made from one source file."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNEL
    nb.metadata["language_info"] = {"name": "python"}
    for kind, source in parse_cells(src.read_text(encoding="utf-8")):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(source))
    return nb


def execute(nb, cwd: Path, timeout: int = 300):
    """Run every cell top to bottom in a fresh ``python3`` kernel, in ``cwd``; raise on any error."""
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def drop_duplicate_html(data: dict) -> None:
    """Keep a drawing's SVG once: ``autograd.draw`` also offers it as inline HTML, for exporters that
    prefer HTML; the committed notebook keeps the ``image/svg+xml`` copy, which GitHub shows as an image."""
    html = data.get("text/html", "")
    if "image/svg+xml" in data and str(html).startswith('<div class="stepgrad-drawing">'):
        del data["text/html"]


def main(argv: list[str]) -> int:
    import nbformat

    sources = sorted(SRC.glob("[0-9]*.py"))
    if argv:
        sources = [s for s in sources if any(s.name.startswith(a) for a in argv)]
    for src in sources:
        start = time.perf_counter()
        nb = build(src)
        try:
            execute(nb, HERE)
        except Exception:
            failed = Path(tempfile.gettempdir()) / (src.stem + ".failed.ipynb")
            nbformat.write(nb, failed)  # the outputs up to the failing cell, for a look
            print(f"{src.name} failed; the partly executed notebook is in {failed}", file=sys.stderr)
            raise
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"cell-{i:02d}"  # stable ids keep rebuilds from churning the diff
            for out in cell.get("outputs", []):
                drop_duplicate_html(out.get("data", {}))
        target = HERE / (src.stem + ".ipynb")
        nbformat.write(nb, target)
        print(f"{target.name}: {len(nb.cells)} cells, executed in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
