"""Key press to changed DOM, for each explorer's slider and for the platform's floor.

Run: .venv/bin/python bench/bench_latency.py [--presses 30]
Needs Debian's Chromium (as the browser tests). One JupyterLab, one page: a notebook made
for this benchmark shows every explorer and, first, the floor: a bare IntSlider whose
callback sets an HTML widget's value, the least any widget round trip can cost. For each,
a slider handle is focused and ArrowRight/ArrowLeft pressed alternately; the page itself
times each press (a capturing keydown listener) to the first change of the watched element
(a MutationObserver): the readout's text, or the picture. p50/p95 in ms, and the ratio of
each p50 to the floor's. Figures measured on the project machine are in bench/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

CELLS = [
    "import ipywidgets as w\nimport helpers\nfrom helpers.widgets import (conv_explorer, "
    "crop_pad_explorer, model_explorer, stack_explorer, unet_explorer)\n"
    "rt = helpers.setup(seed=0, quiet=True)",
    "floor_slider = w.IntSlider(8, min=1, max=64, description='floor')\n"
    "floor_out = w.HTML('8')\nfloor_out.add_class('floor-out')\n"
    "floor_slider.observe(lambda c: setattr(floor_out, 'value', str(c['new'])), 'value')\n"
    "box = w.VBox([floor_slider, floor_out]); box.add_class('floor-box'); box",
    "conv_explorer()",
    "stack_explorer()",
    "crop_pad_explorer((61, 61), (64, 64))",
    "unet_explorer()",
    "import keras\nx = keras.Input((None, None, 1)); skips = []; h = x\n"
    "for d in range(4):\n    h = keras.layers.Conv2D(4, 3, padding='same')(h); skips.append(h)\n"
    "    h = keras.layers.MaxPooling2D(2)(h)\n"
    "for d in reversed(range(4)):\n    h = keras.layers.Conv2DTranspose(4, 2, strides=2)(h)\n"
    "    h = keras.layers.Concatenate()([h, skips[d]])\n"
    "model_explorer(keras.Model(x, keras.layers.Conv2D(1, 1)(h)), size=(96, 96))",
]
# (name, widget css class, slider label, what changes: a css selector inside the widget)
CASES = [
    ("floor: IntSlider -> HTML", "floor-box", "floor", ".floor-out"),
    ("conv explorer: readout", "cnnlab-conv-explorer", "strides", ".cnnlab-readout"),
    ("conv explorer: picture", "cnnlab-conv-explorer", "strides", ".cnnlab-picture"),
    ("stack explorer: picture", "cnnlab-stack-explorer", "stride", ".cnnlab-picture"),
    ("crop/pad explorer: picture", "cnnlab-croppad-explorer", "output h", ".cnnlab-picture"),
    ("U-Net explorer: picture", "cnnlab-unet-explorer", "input size", ".cnnlab-picture"),
    ("model explorer (U-Net depth 4): picture", "cnnlab-model-explorer", "input H",
     ".cnnlab-picture"),
]
_WATCH_JS = """(sel) => {
  const target = document.querySelector(sel);
  window.__lat = []; window.__down = null;
  if (window.__obs) window.__obs.disconnect();
  if (!window.__keyhook) { window.__keyhook = true;
    document.addEventListener('keydown', () => { window.__down = performance.now(); }, true); }
  window.__obs = new MutationObserver(() => { if (window.__down !== null) {
    window.__lat.push(performance.now() - window.__down); window.__down = null; } });
  window.__obs.observe(target, {subtree: true, childList: true, characterData: true,
                                attributes: true});
  return !!target; }"""


def measure(page, css: str, label: str, changes: str, presses: int) -> list[float]:
    widget = page.locator(f".{css}").first
    widget.scroll_into_view_if_needed()
    handle = widget.locator(".widget-slider", has_text=label).locator(".noUi-handle").first
    handle.focus()
    assert page.evaluate(_WATCH_JS, f".{css} {changes}"), f"no {changes} in {css}"
    for i in range(presses):
        before = page.evaluate("() => window.__lat.length")
        page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        page.wait_for_function(f"() => window.__lat.length > {before}", timeout=10_000)
        page.wait_for_timeout(60)  # let the rest of the redraw land before the next press
    return sorted(page.evaluate("() => window.__lat"))


def main() -> None:
    from browserkit import (
        chromium,
        find_widget,
        open_notebook,
        run_all_cells,
        running_lab,
        write_notebook,
    )

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--presses", type=int, default=30)
    presses = parser.parse_args().presses
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with running_lab(work) as lab, chromium(work / "profile") as context:
            write_notebook(lab, "latency.ipynb", CELLS)
            page = open_notebook(context, lab, "latency.ipynb")
            run_all_cells(page)
            rows = []
            for name, css, label, changes in CASES:
                find_widget(page, css, name)
                times = measure(page, css, label, changes, presses)
                rows.append((name, statistics.median(times),
                             times[max(0, int(0.95 * len(times)) - 1)]))
    floor = rows[0][1]
    print(f"{'what changes':<42} {'p50 ms':>7} {'p95 ms':>7} {'x floor':>8}")
    for name, p50, p95 in rows:
        print(f"{name:<42} {p50:7.1f} {p95:7.1f} {p50 / floor:8.2f}")


if __name__ == "__main__":
    main()
