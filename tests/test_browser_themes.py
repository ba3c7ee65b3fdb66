"""Every theme readable, every control reachable from the keyboard, and the doctor's panel
and model explorer working, on a real page.

JupyterLab in Debian's Chromium (tests/browserkit.py) runs a notebook made for this test:
the stack explorer, the crop/pad explorer, the conv explorer, the doctor's table and
message boxes. In the light theme and then the dark one, every visible text of the
outputs (HTML and the pictures' SVG <text>) must reach WCAG AA, 4.5:1, against what is
behind it, read from the page's computed styles; screenshots of the stack and crop/pad
explorers in both themes go to build/screenshots/. Then the keyboard alone moves a slider
(Tab to it, arrow keys) and presses a fix button (Enter).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browserkit import (
    _settle,
    _shoot,
    _svg,
    _text,
    _wait_for_change,
    chromium,
    chromium_missing,
    find_widget,
    low_contrast,
    open_notebook,
    run_all_cells,
    running_lab,
    set_theme,
    write_notebook,
)

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "screenshots"
NOTEBOOK = "themes_and_keys.ipynb"
CELLS = [
    "import helpers\nfrom helpers import fixes\nfrom helpers.widgets import conv_explorer, "
    "crop_pad_explorer, stack_explorer\nrt = helpers.setup(seed=0, quiet=True)",
    "stack_explorer()",
    "crop_pad_explorer((61, 61), (64, 64))",
    "conv_explorer()",
    "import keras\nmodel = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D("
    "8, 3, padding='same'), keras.layers.Conv2D(1, 3, name='last_conv')])\n"
    "fixes.diagnose(model)",
    "from IPython.display import HTML\nfrom helpers.widgets.common import message_html\n"
    "HTML(message_html('a 3x3 window does not fit in 2 pixels') + message_html('lands', 'ok'))",
    "import numpy as np\nmodel.compile('sgd', 'mse')\n"
    "model.fit(np.zeros((2, 28, 28, 1)), np.zeros((2, 28, 28, 1)), verbose=0)",
    "from helpers.widgets import model_explorer\nmodel_explorer(model)",
]
RAISES = (6,)  # the fit: its error, then the doctor's panel

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    missing = chromium_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true, so the browser test may not be skipped, but {missing}")
        pytest.skip(f"browser test skipped: {missing}")
    work = tmp_path_factory.mktemp("themes")
    with running_lab(work) as lab, chromium(work / "profile") as context:
        write_notebook(lab, NOTEBOOK, CELLS, RAISES)
        page = open_notebook(context, lab, NOTEBOOK)
        run_all_cells(page)
        for css in ("cnnlab-stack-explorer", "cnnlab-croppad-explorer", "cnnlab-conv-explorer",
                    "cnnlab-doctor-panel", "cnnlab-model-explorer"):
            find_widget(page, css, css)
        yield page


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_every_text_reaches_wcag_aa_in_the_theme(page: Any, theme: str) -> None:
    set_theme(page, theme)
    word = "light" if "Light" in theme else "dark"
    _settle(page)
    for css, name in (("cnnlab-stack-explorer", "stack_explorer"),
                      ("cnnlab-croppad-explorer", "croppad_explorer")):
        widget = find_widget(page, css, name)
        _shoot(widget, SHOTS / f"{name}_{word}.png")
    texts = page.evaluate("() => document.querySelectorAll('.jp-OutputArea-output text').length")
    assert texts > 20, f"only {texts} SVG texts on the page: did the pictures render?"
    failing = low_contrast(page, 4.5)
    assert failing == [], f"{theme}: text below 4.5:1: {failing[:8]}"


def test_a_slider_moves_with_tab_and_the_arrow_keys(page: Any) -> None:
    set_theme(page, "JupyterLab Light")
    explorer = find_widget(page, "cnnlab-conv-explorer", "conv explorer")
    readout = explorer.locator(".cnnlab-readout")
    explorer.locator(".widget-slider", has_text="input size").locator(".noUi-handle").first.focus()
    strides = explorer.locator(".widget-slider", has_text="strides").locator(".noUi-handle").first
    for _ in range(8):  # Tab from the input size slider to the strides slider
        page.keyboard.press("Tab")
        if strides.evaluate("e => e === document.activeElement"):
            break
    assert strides.evaluate("e => e === document.activeElement"), "Tab never reached 'strides'"
    before = _text(readout)
    page.keyboard.press("ArrowRight")
    after = _wait_for_change(readout, before)
    assert after != before, "ArrowRight on the focused strides slider changed nothing"
    page.keyboard.press("ArrowLeft")
    assert _wait_for_change(readout, after) == before


def test_every_control_is_focusable_and_a_fix_button_works_with_enter(page: Any) -> None:
    unreachable = page.evaluate("""() => [...document.querySelectorAll(
        '[class*="cnnlab-"] button, [class*="cnnlab-"] input, [class*="cnnlab-"] select,'
        + ' [class*="cnnlab-"] .noUi-handle')]
        .filter(e => !e.disabled && e.tabIndex < 0).map(e => e.outerHTML.slice(0, 80))""")
    assert unreachable == [], unreachable
    explorer = find_widget(page, "cnnlab-stack-explorer", "stack explorer")
    badge = explorer.locator(".cnnlab-badge")
    before = _text(badge)
    explorer.get_by_role("button", name="resize", exact=True).focus()
    page.keyboard.press("Enter")
    after = _wait_for_change(badge, before)
    assert before.startswith("MISMATCH") and after.startswith("MATCH"), (before, after)


def test_a_failing_cell_shows_the_panel_and_a_fix_button_fixes_the_model(page: Any) -> None:
    panel = find_widget(page, "cnnlab-doctor-panel", "doctor's panel")
    assert "The doctor read this error" in _text(panel)
    assert "output 26x26 vs target 28x28" in _text(panel) and "last_conv" in _text(panel)
    before = _text(panel)
    panel.get_by_role("button").first.click()
    after = _wait_for_change(panel, before)
    assert "fixed_model = fix 1" in after and "its output is 28x28" in after, after


def test_dragging_the_model_explorer_redraws_it(page: Any) -> None:
    explorer = find_widget(page, "cnnlab-model-explorer", "model explorer")
    badge = explorer.locator(".cnnlab-badge")
    svg = _svg(explorer)
    explorer.locator(".widget-slider", has_text="input H").locator(".noUi-handle").first.focus()
    before = _text(badge)
    page.keyboard.press("ArrowRight")
    assert "29x" in _wait_for_change(badge, before)  # 28 -> 29 rows in
    assert _svg(explorer) != svg, "the model explorer's picture did not change"


def test_the_page_requested_nothing_beyond_127_0_0_1(page: Any) -> None:
    assert page.context.blocked == [], page.context.blocked
