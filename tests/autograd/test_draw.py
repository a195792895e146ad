"""draw(): DOT records, op nodes, edges and labels; highlighting; big graphs; Tensors; saving; renderers."""

import importlib
import os
import re
import shutil
import stat
import warnings

import numpy as np
import pytest

from autograd import Tensor, Value, draw, vsum

draw_module = importlib.import_module("autograd.draw")  # the module (autograd.draw is the function)


def small_graph():
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    loss = d * 2.0
    loss.label = "L"
    loss.backward()
    return a, b, c, e, d, loss


def records(source):
    return re.findall(r"(\w+) \[shape=record, label=\"(?:\{ )?(.*?)(?: \})?\"", source)


def edges(source):
    return re.findall(r"^  (\w+) -> (\w+);$", source, flags=re.M)


def test_small_graph_has_one_record_per_value_and_one_node_per_op():
    a, b, c, e, d, loss = small_graph()
    source = draw(loss).source
    labels = [fields for _, fields in records(source)]
    assert labels == [
        "a | data 2 | grad -6",
        "b | data -3 | grad 4",
        "e | data -6 | grad 2",
        "c | data 10 | grad 2",
        "d | data 4 | grad 2",
        "L | data 8 | grad 1",
    ]
    ops = re.findall(r'(\w+)_op \[label="(.*?)"', source)
    assert [op for _, op in ops] == ["*", "+", "*"]
    # each op: its inputs (2 nodes, or a node and the constant 2) -> op -> result
    assert len(edges(source)) == 3 * 3
    assert re.search(r'_c1 \[shape=plaintext, label="2"\]', source)


def test_show_grad_false_and_highlight():
    *_, e, d, loss = small_graph()
    source = draw(loss, show_grad=False, highlight=[e, d], rankdir="TB").source
    assert "rankdir=TB" in source and "grad" not in source
    assert source.count("fillcolor") == 2
    assert re.search(r'\{ e \| data -6 \}", style=', source)  # TB: fields stacked by braces


def test_max_nodes_keeps_the_nodes_nearest_the_root_and_a_placeholder():
    xs = [Value(float(i)) for i in range(50)]
    y = xs[0]
    for x in xs[1:]:
        y = y + x
    picture = draw(y, max_nodes=10)
    assert len(records(picture.source)) == 10
    assert "... 89 more nodes" in picture.source and "... 89 more nodes" in picture.text
    assert any(a == "more" for a, _ in edges(picture.source))


def test_a_thousand_input_node_draws():
    xs = [Value(float(i), label=f"x{i}") for i in range(1000)]
    total = vsum(xs)
    picture = draw(total, max_nodes=20)
    assert len(records(picture.source)) == 20
    assert picture.source.count("more -> ") == 1  # however many inputs are hidden


def test_tensor_nodes_show_label_shape_dtype_and_grad_summary():
    w = Tensor(np.ones((2, 3)), requires_grad=True, label="w")
    x = Tensor(np.arange(3.0), label="x")
    out = (w * x).sum()
    before = draw(out).source
    assert "w | (2, 3) float64 | grad none" in before
    out.backward(retain_graph=True)
    after = draw(out).source
    assert "w | (2, 3) float64 | grad mean 1, \\|max\\| 2" in after
    assert len(records(after)) == 4 and len(edges(after)) == 2 + 1 + 1 + 1
    out.backward()  # frees the graph: it still draws, as far as it goes
    assert "sum(freed)" in draw(out).text


def needs_renderer():
    if not draw_module._find_renderers():
        pytest.skip('no Graphviz renderer: pip install "stepgrad[viz]"')


def test_save_svg_and_png_atomically_with_the_umask(tmp_path):
    needs_renderer()
    *_, loss = small_graph()
    picture = draw(loss)
    old = os.umask(0o022)
    try:
        svg = picture.save(tmp_path / "g.svg")
        png = picture.save(tmp_path / "g.png")
    finally:
        os.umask(old)
    assert open(svg).read().lstrip().startswith("<?xml") and "<svg" in open(svg).read()
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.png", "g.svg"]  # no temp files left
    assert stat.S_IMODE(os.stat(svg).st_mode) == 0o644  # as any new file under umask 022, not 0600
    bundle = picture._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"] and bundle["text/plain"] == picture.text
    assert bundle["text/html"].startswith('<div class="stepgrad-drawing"><svg')
    assert "<svg" in picture._repr_svg_()
    with pytest.raises(ValueError, match="suffix"):
        picture.save(tmp_path / "g.bmp")


def test_svg_is_byte_for_byte_deterministic():
    needs_renderer()
    *_, loss = small_graph()
    assert draw(loss).render("svg") == draw(loss).render("svg") == draw_module.Drawing(
        draw(loss).source, "").render("svg")


def test_the_pip_renderer_draws_with_no_dot_on_path(monkeypatch, tmp_path):
    """What a fresh machine has: graphviz-pure from pip, and no Graphviz program on PATH."""
    if shutil.which("graphviz-pure") is None and not any(
            name == "graphviz-pure" for name, *_ in draw_module._find_renderers()):
        pytest.skip('graphviz-pure is not installed: pip install "stepgrad[viz]"')
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no dot; graphviz-pure beside Python
    assert shutil.which("dot") is None
    *_, loss = small_graph()
    assert [name for name, *_ in draw_module._find_renderers()] == ["graphviz-pure"]
    assert "<svg" in draw(loss)._repr_svg_()
    with pytest.raises(RuntimeError, match="dot program"):  # PDF: says what to install
        draw(loss).save(tmp_path / "g.pdf")
    assert not (tmp_path / "g.pdf").exists()


def test_without_a_renderer_it_shows_text_with_one_warning(monkeypatch, tmp_path):
    monkeypatch.setattr(draw_module, "_find_renderers", lambda: [])
    *_, loss = small_graph()
    picture = draw(loss)
    with pytest.warns(RuntimeWarning, match=r"no Graphviz renderer found: pip install \"stepgrad\[viz\]\""):
        bundle = picture._repr_mimebundle_()
    assert set(bundle) == {"text/plain"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert picture._repr_svg_() is None
    assert len(caught) == 1 and "\n" not in str(caught[0].message)
    lines = repr(picture).splitlines()
    assert lines[0] == "graph of L: 6 nodes"
    assert lines[3].split() == ["e", "=", "*(a,", "b)", "data", "-6", "grad", "2"]
    with pytest.raises(RuntimeError, match=r"stepgrad\[viz\]"):
        picture.save(tmp_path / "g.svg")
    picture.save(tmp_path / "g.dot")  # the DOT source needs no Graphviz
    assert (tmp_path / "g.dot").read_text() == picture.source


def test_a_failing_renderer_leaves_the_process_working(monkeypatch, tmp_path):
    """A renderer that crashes (here a script that exits 1) gives text and a warning; the next works."""
    fake = tmp_path / "graphviz-pure"
    fake.write_text("#!/bin/sh\necho 'Error: layout crashed' >&2\nexit 1\n")
    fake.chmod(0o755)
    real = draw_module._find_renderers
    broken = [("graphviz-pure", str(fake), ("svg", "png"))]
    monkeypatch.setattr(draw_module, "_find_renderers", lambda: broken)
    *_, loss = small_graph()
    with pytest.warns(RuntimeWarning, match="graphviz-pure failed .exit 1.: Error: layout crashed"):
        assert set(draw(loss)._repr_mimebundle_()) == {"text/plain"}
    monkeypatch.setattr(draw_module, "_find_renderers", real)
    if real():
        assert "<svg" in draw(loss)._repr_svg_()


def test_bad_arguments():
    with pytest.raises(TypeError, match="draw"):
        draw(3.0)
    with pytest.raises(ValueError, match="rankdir"):
        draw(Value(1.0), rankdir="XY")
    with pytest.raises(ValueError, match="max_nodes"):
        draw(Value(1.0), max_nodes=0)


def test_labels_with_record_characters_are_escaped():
    v = Value(1.0, label="a|b{c}")
    assert "a\\|b\\{c\\}" in draw(v).source


def test_a_deep_chain_draws_without_recursion():
    y = Value(1.0, label="x")
    for _ in range(20_000):
        y = y * 1.0001
    picture = draw(y, max_nodes=50)
    assert len(records(picture.source)) == 50 and "... 19951 more nodes" in picture.source
    assert "x (leaf)" not in picture.text  # the leaf is far from the root: hidden
