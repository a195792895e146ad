"""draw(): DOT records, op nodes, edges and labels; highlighting; big graphs; Tensors; saving; no Graphviz."""

import re
import shutil

import numpy as np
import pytest

from autograd import Tensor, Value, draw, vsum


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
    return re.findall(r"(\w+) \[shape=record, label=\"\{ (.*?) \}\"", source)


def edges(source):
    return re.findall(r"^  (\w+) -> (\w+);$", source, flags=re.M)


def test_small_graph_has_one_record_per_value_and_one_node_per_op():
    a, b, c, e, d, loss = small_graph()
    source = draw(loss).source
    labels = [fields for _, fields in records(source)]
    assert labels == [
        "a | data 2.0000 | grad -6.0000",
        "b | data -3.0000 | grad 4.0000",
        "e | data -6.0000 | grad 2.0000",
        "c | data 10.0000 | grad 2.0000",
        "d | data 4.0000 | grad 2.0000",
        "L | data 8.0000 | grad 1.0000",
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
    assert re.search(r'\{ e \| data -6\.0000 \}", style=', source)


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


def test_save_svg_and_png_atomically(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    *_, loss = small_graph()
    picture = draw(loss)
    svg = picture.save(tmp_path / "g.svg")
    png = picture.save(tmp_path / "g.png")
    assert open(svg).read().lstrip().startswith("<?xml") and "<svg" in open(svg).read()
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.png", "g.svg"]  # no temp files left
    bundle = picture._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"] and bundle["text/plain"] == picture.text
    assert bundle["text/html"].startswith('<div class="stepgrad-drawing"><svg')
    with pytest.raises(ValueError, match="suffix"):
        picture.save(tmp_path / "g.bmp")


def test_without_dot_on_path_it_shows_text_and_raises_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `dot` anywhere
    assert shutil.which("dot") is None
    *_, loss = small_graph()
    picture = draw(loss)
    bundle = picture._repr_mimebundle_()
    assert set(bundle) == {"text/plain"}
    assert picture._repr_svg_() is None
    lines = repr(picture).splitlines()
    assert lines[0] == "graph of L: 6 nodes"
    assert lines[3].split() == ["e", "=", "*(a,", "b)", "data", "-6.0000", "grad", "2.0000"]
    with pytest.raises(RuntimeError, match="dot"):
        picture.save(tmp_path / "g.svg")
    picture.save(tmp_path / "g.dot")  # the DOT source needs no Graphviz
    assert (tmp_path / "g.dot").read_text() == picture.source


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


def test_without_the_graphviz_package_it_shows_text_and_save_names_the_extra(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "graphviz", None)  # `import graphviz` now raises ImportError
    *_, loss = small_graph()
    picture = draw(loss)
    assert set(picture._repr_mimebundle_()) == {"text/plain"}
    with pytest.raises(ImportError, match=r"stepgrad\[viz\]"):
        picture.save(tmp_path / "g.png")
