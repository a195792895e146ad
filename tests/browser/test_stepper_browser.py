"""The HTML stepper in a real browser (headless Chromium): buttons, slider and keys move one step at a
time, and after each action the counter, the explanation, the slider and the one highlighted node agree
with ``backward_steps``. Skips, with the reason, where no browser can be had."""

from __future__ import annotations

import pytest

from autograd import Value, step_through

from . import chromium

pytest.importorskip("selenium", reason='selenium is not installed (pip install "stepgrad[test]")')


@pytest.fixture(scope="module")
def browser():
    try:
        drv = chromium.driver()
    except chromium.Unavailable as err:
        pytest.skip(str(err))
    yield drv
    drv.quit()


def neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    z = x1 * w1 + x2 * w2 + b
    z.label = "z"
    a = z.tanh()
    a.label = "a"
    return a


def open_page(stepper, folder):
    path = folder / "stepper.html"
    path.write_text(f"<!DOCTYPE html><html><body>{stepper._repr_html_()}</body></html>", encoding="utf-8")
    return path.as_uri()


def state(drv):
    """What the reader sees: counter, explanation, slider position, highlighted nodes' titles."""
    return drv.execute_script("""
        var root = document.querySelector(".stepgrad-stepper");
        var lit = Array.from(root.querySelectorAll("g.node.stepgrad-current")).map(function (g) {
            return g.querySelector("title").textContent; });
        var filled = Array.from(root.querySelectorAll("g.node")).filter(function (g) {
            var s = g.querySelector("polygon, ellipse, path");
            return s && s.getAttribute("fill") === "#ffe082"; }).length;
        return [root.querySelector(".counter").textContent, root.querySelector(".note").textContent,
                parseInt(root.querySelector("input").value, 10), lit, filled,
                root.querySelector(".note").getBoundingClientRect().height];
    """)


def test_buttons_slider_and_keys_move_through_the_steps(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    stepper = step_through(neuron())
    steps, page = stepper.steps, stepper.page()
    ids = [frame[1] for frame in page["frames"]]
    browser.get(open_page(stepper, tmp_path))
    chromium.page_errors(browser)  # start the console log afresh: only errors from here on count
    prev, nxt = browser.find_elements(By.CSS_SELECTOR, ".stepgrad-stepper button")
    slider = browser.find_element(By.CSS_SELECTOR, ".stepgrad-stepper input")
    root = browser.find_element(By.CSS_SELECTOR, ".stepgrad-stepper")
    heights = set()

    def expect(i):
        counter, note, position, lit, filled, height = state(browser)
        assert counter == f"step {i + 1} / {len(steps)}"
        assert note == steps[i].explain()  # the live text, whatever its wording
        assert position == i
        assert lit == [ids[i]] and filled == 1, (lit, filled)
        heights.add(height)

    expect(0)
    prev.click()  # Prev at the first step stays there
    expect(0)
    for i in range(1, 5):
        nxt.click()
        expect(i)
    browser.execute_script(  # the slider, as a drag would leave it
        "arguments[0].value = 7; arguments[0].dispatchEvent(new Event('input'));", slider)
    expect(7)
    root.send_keys(Keys.END)
    expect(len(steps) - 1)
    nxt.click()  # Next at the last step stays there
    expect(len(steps) - 1)
    root.send_keys(Keys.ARROW_LEFT)
    expect(len(steps) - 2)
    root.send_keys(Keys.HOME)
    expect(0)
    root.send_keys(Keys.ARROW_RIGHT)
    expect(1)
    assert len(heights) == 1, f"the explanation box changes height between steps: {heights}"
    assert chromium.page_errors(browser) == []


def test_grad_fields_follow_the_steps(browser, tmp_path):
    """After the last step each drawn grad field reads as draw() shows the finished pass."""
    from selenium.webdriver.common.keys import Keys

    from autograd import draw

    root_value = neuron()
    stepper = step_through(root_value)
    browser.get(open_page(stepper, tmp_path))
    browser.find_element("css selector", ".stepgrad-stepper").send_keys(Keys.END)
    shown = browser.execute_script("""
        return Array.from(document.querySelectorAll(".stepgrad-stepper g.node text")).map(
            function (t) { return t.textContent; }).filter(function (s) { return s.indexOf("grad ") === 0; });
    """)
    expected = [line for line in draw(root_value).source.split('"') if "grad " in line]
    assert sorted(shown) == sorted(f.split(" | ")[-1] for f in expected)


def test_a_graph_drawn_in_parts_keeps_the_explanation_in_place(browser, tmp_path):
    """MLP(2, [4, 4, 1]) plus a loss is drawn in several parts; every step still highlights its node,
    and the explanation box neither moves nor changes height when the picture changes."""
    from selenium.webdriver.common.by import By

    from nn import MLP

    model = MLP(2, [4, 4, 1])
    loss = (model([Value(0.5), Value(-1.0)]) - 1.0) ** 2
    stepper = step_through(loss)
    assert len(stepper.page()["pictures"]) > 1
    browser.get(open_page(stepper, tmp_path))
    chromium.page_errors(browser)
    nxt = browser.find_elements(By.CSS_SELECTOR, ".stepgrad-stepper button")[1]
    boxes = set()
    for i in range(len(stepper)):
        counter, note, position, lit, filled, height = state(browser)
        assert (counter, position, lit, filled) == (f"step {i + 1} / {len(stepper)}", i,
                                                   [stepper.page()["frames"][i][1]], 1)
        assert note == stepper.steps[i].explain()
        top = browser.execute_script(
            "return document.querySelector('.stepgrad-stepper .note').getBoundingClientRect().top")
        boxes.add((round(top), round(height)))
        nxt.click()
    assert len(boxes) == 1, boxes
    assert chromium.page_errors(browser) == []
