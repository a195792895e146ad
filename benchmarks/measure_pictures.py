"""Measure what a reader sees of the tutorial drawings (issue 10, item 3).

Exports notebooks 01-05 with nbconvert (as committed, outputs included), opens each page in headless
Chromium with a 1200 px window, and prints for every drawing its width against the output area's
width and its node text height in CSS pixels; for each stepper, the explanation box's height over
every step. Also prints the size of the HTML of a stepper over MLP(2, [4, 4, 1]) plus a loss.

    python benchmarks/measure_pictures.py          # needs the test extra, chromium and chromium-driver
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import chromium  # noqa: E402

MEASURE = """
var out = [];
document.querySelectorAll("svg, img").forEach(function (el) {
  if (el.tagName === "IMG" && el.src.indexOf("data:image/svg") !== 0) return;   // plots are PNGs
  if (el.tagName === "svg" && (el.closest("svg") !== el || !el.querySelector("g.node"))) return;
  var area = el.closest(".jp-OutputArea-output, .output_area, .jp-RenderedHTMLCommon") || document.body;
  var box = el.getBoundingClientRect(), scale = 1;
  if (el.tagName === "svg" && el.viewBox.baseVal && el.viewBox.baseVal.width)
    scale = box.width / el.viewBox.baseVal.width;
  var font = 0;
  if (el.tagName === "IMG")  // an SVG image: Graphviz's 11 pt node text, scaled as the image is
    font = 11 * 4 / 3 * box.width / el.naturalWidth;
  if (el.tagName === "svg") el.querySelectorAll("g.node text").forEach(function (t) {
    font = Math.max(font, parseFloat(t.getAttribute("font-size") || "14") * scale); });
  out.push({kind: el.closest(".stepgrad-stepper") ? "stepper" : "drawing", width: Math.round(box.width),
            area: Math.round(area.getBoundingClientRect().width), font: Math.round(font * 10) / 10,
            scrolls: area.scrollWidth > area.clientWidth + 1});
});
return out;
"""

STEP_HEIGHTS = """
var root = arguments[0], heights = [];
var last = parseInt(root.querySelector("input").max, 10);
for (var i = 0; i <= last; i++) {
  root.querySelectorAll("button")[1].click();
  heights.push(Math.round(root.querySelector(".note").getBoundingClientRect().height));
}
return [last + 1, heights, getComputedStyle(root.querySelector(".note")).fontFamily];
"""


def main() -> int:
    import nbformat
    from nbconvert import HTMLExporter

    from autograd import Value, step_through
    from nn import MLP

    drv = chromium.driver(1200, 900)
    try:
        folder = Path(tempfile.mkdtemp(prefix="stepgrad-measure-"))
        for path in sorted((ROOT / "notebooks").glob("0[1-5]_*.ipynb")):
            html, _ = HTMLExporter().from_notebook_node(nbformat.read(path, as_version=4))
            page = folder / (path.stem + ".html")
            page.write_text(html, encoding="utf-8")
            drv.get(page.as_uri())
            for k, m in enumerate(drv.execute_script(MEASURE)):
                fits = m["width"] <= m["area"] and not m["scrolls"]
                print(f"{path.stem[:2]} {m['kind']} {k + 1}: {m['width']} px wide in a {m['area']} px output "
                      f"area ({'fits' if fits else 'DOES NOT FIT'}), node text {m['font']} px")
            for root in drv.find_elements("css selector", ".stepgrad-stepper"):
                steps, heights, family = drv.execute_script(STEP_HEIGHTS, root)
                print(f"{path.stem[:2]} stepper: {steps} steps, explanation box heights "
                      f"{sorted(set(heights))} px, font {family}")
        model = MLP(2, [4, 4, 1])
        loss = (model([Value(0.5), Value(-1.0)]) - 1.0) ** 2
        stepper = step_through(loss)
        size = len(stepper._repr_html_().encode("utf-8"))
        print(f"stepper over MLP(2, [4, 4, 1]) + loss: {len(stepper)} steps, {size / 1000:.0f} kB of HTML, "
              f"{len(stepper.page()['pictures'])} pictures")
        page = folder / "mlp.html"
        page.write_text(f"<!DOCTYPE html><html><body>{stepper._repr_html_()}</body></html>", encoding="utf-8")
        drv.get(page.as_uri())
        root = drv.find_element("css selector", ".stepgrad-stepper")
        widths = drv.execute_script(
            "var r = arguments[0], w = [], last = parseInt(r.querySelector('input').max, 10);"
            "for (var i = 0; i <= last; i++) { r.querySelectorAll('button')[1].click();"
            " var s = r.querySelector('svg'); w.push(Math.round(s.getBoundingClientRect().width)); }"
            "return w;", root)
        steps, heights, family = drv.execute_script(STEP_HEIGHTS, root)
        print(f"MLP stepper pictures: widths {min(widths)}-{max(widths)} px in a 1200 px window; "
              f"explanation box heights {sorted(set(heights))} px")
    finally:
        drv.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
