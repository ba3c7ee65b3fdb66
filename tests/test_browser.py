"""The widgets on a real page: JupyterLab in Debian's Chromium, driven by Playwright.

A widget can work in the kernel and still be broken on the page (a missing
front-end extension, mismatched ipywidgets and JupyterLab versions, a picture
that never refreshes). This test starts its own JupyterLab on a temporary copy
of notebooks/ (tests/browserkit.py), runs 00_why_sizes_change.ipynb from the
Run menu, moves the conv explorer's stride slider, clicks a fix button of the
stack explorer, and checks what the page shows. Screenshots go to
build/screenshots/. Without Chromium it is skipped, except under CI=true.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browserkit import (
    chromium,
    chromium_missing,
    click_stack_fix,
    move_conv_stride,
    open_notebook,
    run_all_cells,
    running_lab,
)

from helpers.shapes import conv_out

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "screenshots"
NOTEBOOK = "00_why_sizes_change.ipynb"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The notebook, opened in Chromium and run to the end; Lab, kernel and browser are
    shut down afterwards whatever happened."""
    missing = chromium_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true, so the browser test may not be skipped, but {missing}")
        pytest.skip(f"browser test skipped: {missing}")
    work = tmp_path_factory.mktemp("browser")
    with running_lab(work) as lab, chromium(work / "profile") as context:
        page = open_notebook(context, lab, NOTEBOOK)
        try:
            run_all_cells(page)
            yield page
        finally:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "notebook_00_full_page.png"), full_page=True)


def test_stride_slider_changes_the_size_text_and_the_picture_on_the_page(page: Any) -> None:
    change = move_conv_stride(page, SHOTS)
    before, after = change.settings_before, change.settings_after
    assert after["strides"] == before["strides"] + 1, (before, after)
    size = conv_out(after["input size"], after["kernel_size"], stride=after["strides"],
                    padding=after["padding"], dilation=after["dilation_rate"])
    assert change.text_after != change.text_before
    assert f"output: {size} x {size}" in change.text_after, change.text_after
    assert change.svg_after != change.svg_before, "the conv explorer's picture did not change"
    assert f"output {size}x{size}" in change.svg_after


def test_fix_button_turns_the_badge_to_match_and_redraws_the_picture(page: Any) -> None:
    change = click_stack_fix(page, "crop the output", SHOTS)
    assert change.text_before.startswith("MISMATCH"), change.text_before
    assert change.text_after.startswith("MATCH"), change.text_after
    sizes = re.findall(r"(\d+x\d+)", change.text_after)
    assert len(sizes) == 2 and sizes[0] == sizes[1], change.text_after
    assert change.svg_after != change.svg_before, "the stack explorer's picture did not change"


def test_the_page_requested_nothing_beyond_127_0_0_1(page: Any) -> None:
    assert page.context.blocked == [], page.context.blocked
