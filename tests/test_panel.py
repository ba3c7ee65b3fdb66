"""The doctor in every cell (helpers.panel), in real kernels: the real error stays, the
panel adds both sizes, the culprit and the fixes, and a fix from the panel trains."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

CELLS = {
    "setup": "%load_ext helpers\nimport numpy as np, keras\nfrom helpers.panel import extension\n"
             "keras.utils.set_random_seed(0)\nx = np.zeros((2, 64, 64, 1), 'float32')",
    "fit": "model = keras.Sequential([keras.Input((64, 64, 1)),\n"
           "    keras.layers.Conv2D(8, 3, padding='same', name='c1'),\n"
           "    keras.layers.Conv2D(1, 4, padding='valid', name='shrinks')])\n"
           "model.compile('sgd', 'mse')\nmodel.fit(x, x, verbose=0)",
    "apply": "fixed = extension.last.apply(1)\nfixed.compile('sgd', 'mse')\n"
             "print(fixed.output_shape, np.isfinite(fixed.train_on_batch(x, x)))",
    "concat": "inputs = keras.Input((75, 75, 1))\n"
              "down = keras.layers.MaxPooling2D(2, name='pool')(inputs)\n"
              "up = keras.layers.UpSampling2D(2, name='up')(down)\n"
              "joined = keras.layers.Concatenate(name='join')([up, inputs])",
    "add": "inputs = keras.Input((None, None, 1))\n"
           "stem = keras.layers.Conv2D(4, 3, padding='same', name='stem')(inputs)\n"
           "branch = keras.layers.UpSampling2D(2, name='grow')(\n"
           "    keras.layers.MaxPooling2D(2, name='halve')(stem))\n"
           "res = keras.Model(inputs, keras.layers.Add(name='res')([branch, stem]))\n"
           "res.predict(np.zeros((1, 75, 75, 1), 'float32'), verbose=0)",
    "custom": "def my_loss(y_true, y_pred):\n"
              "    return keras.ops.mean(keras.ops.square(y_true - y_pred))\n"
              "model.compile('sgd', my_loss)\nmodel.fit(x, x, verbose=0)",
    "unrelated": "undefined_name",
    "silent": "squeezed = keras.Sequential([keras.Input((64, 64, 1)),\n"
              "    keras.layers.GlobalAveragePooling2D(keepdims=True)])\n"
              "squeezed.compile('sgd', 'mse')\nhistory = squeezed.fit(x, x, verbose=0)",
    "fine": "model.compile('sgd', 'mse')\nhistory = fixed.fit(x, x, verbose=0)",
}


@pytest.fixture(scope="module")
def outputs() -> dict[str, list]:
    """Every cell run once in one real kernel with the extension loaded."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS.values()])
    env_before = os.environ.get("TF_CPP_MIN_LOG_LEVEL")
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    try:
        nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(ROOT)}}).execute()
    finally:
        if env_before is None:
            os.environ.pop("TF_CPP_MIN_LOG_LEVEL")
    return {name: cell.outputs for name, cell in zip(CELLS, nb.cells)}


def _panel(outs: list) -> str:
    texts = [o.data["text/plain"] for o in outs if o.output_type == "display_data"
             and "application/vnd.jupyter.widget-view+json" in o.data]
    assert len(texts) == 1, outs
    return texts[0]


def _error(outs: list) -> str:
    errors = [o for o in outs if o.output_type == "error"]
    assert len(errors) == 1, outs
    return f"{errors[0].ename}: {errors[0].evalue}"


@pytest.mark.parametrize("cell, words", [
    ("fit", ["output 61x61 vs target 64x64", "layer 'shrinks'",
             "Conv2D(1, 4, padding='same')"]),
    ("concat", ["'join' (Concatenate) fails at input 75x75", "74x74x1", "75x75x1",
                "'up' made it"]),
    ("add", ["'res' (Add) fails at input 75x75", "74x74x4", "75x75x4", "'grow' made it"]),
    ("custom", ["output 61x61 vs target 64x64", "layer 'shrinks'"]),
])
def test_a_size_mismatch_keeps_its_error_and_gets_the_panel(outputs: dict, cell: str,
                                                             words: list[str]) -> None:
    error, panel = _error(outputs[cell]), _panel(outputs[cell])
    error = re.sub(r"\x1b\[[0-9;]*m", "", error)  # Keras's bold
    lines = [x for x in error.split(": ", 1)[1].splitlines()
             if x.strip() and not x.startswith("Exception encountered")]
    assert lines[0][:60] in panel  # the line of the real error with the sizes, in the panel
    for word in words:
        assert word in panel, (cell, word, panel)


def test_a_fix_from_the_panel_trains_a_step(outputs: dict) -> None:
    assert [o.output_type for o in outputs["apply"]] == ["stream"], outputs["apply"]
    assert outputs["apply"][0].text.strip() == "(None, 64, 64, 1) True"


def test_an_unrelated_error_gets_only_its_traceback(outputs: dict) -> None:
    assert [o.output_type for o in outputs["unrelated"]] == ["error"]
    assert outputs["unrelated"][0].ename == "NameError"
    assert [o.output_type for o in outputs["setup"]] in ([], ["stream"])


def test_a_fit_that_broadcasts_silently_is_said_after_the_cell(outputs: dict) -> None:
    said = [o.data["text/html"] for o in outputs["silent"] if o.output_type == "display_data"]
    assert len(said) == 1 and "Silent broadcast" in said[0], outputs["silent"]
    assert "squeezed.fit(x, x)" in said[0] and "(B, 1, 1, 1) vs target (B, 64, 64, 1)" in said[0]
    assert outputs["fine"] == []  # a fit whose sizes match: not a word


def test_a_terminal_ipython_prints_the_text_panel() -> None:
    code = ("import numpy as np, keras; "
            "m = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Conv2D(1, 3, "
            "name='shrinks')]); m.compile('sgd', 'mse'); "
            "m.fit(np.zeros((1, 16, 16, 1)), np.zeros((1, 16, 16, 1)), verbose=0)")
    run = subprocess.run([sys.executable, "-m", "IPython", "--quick", "--no-banner",
                          "--colors=nocolor", "-c", f"%load_ext helpers\n{code}"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3",
                              "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL)
    out = run.stdout
    assert "ValueError" in out and "The doctor" in out, out[-3000:]
    assert out.index("ValueError") < out.index("The doctor")  # the error first, then the panel
    assert "output 14x14 vs target 16x16" in out and "layer 'shrinks'" in out, out[-3000:]
