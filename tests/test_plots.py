"""The pictures, tested by reading what they drew.

SVG pictures are parsed as XML and their named elements (class attributes) checked
against the shape engine or a direct numpy computation; matplotlib figures (Agg
backend, no screen) are checked through their artists and rendered to PNG with
every warning turned into an error.
"""

from __future__ import annotations

import inspect
import io
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex, to_rgba  # noqa: E402

from helpers import plots  # noqa: E402
from helpers.plots import (  # noqa: E402
    CLASS_COLOURS,
    PALETTE,
    SERIES,
    PlotError,
    contrast,
    conv_svg,
    loss_curves,
    loss_svg,
    overlap_svg,
    predictions,
    readable,
    size_diagram,
)
from helpers.shapes import (  # noqa: E402
    Concatenate,
    Conv2D,
    Conv2DTranspose,
    MaxPooling2D,
    ShapeError,
    UpSampling2D,
    conv_out,
    deconv_out,
    dropped_pixels,
    overlap_counts,
    same_padding,
    size_verdict,
    trace,
)

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def renders_cleanly(fig) -> bytes:
    """The figure as PNG bytes; any warning while rendering fails the test."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(buffer, format="png", dpi=60)
    data = buffer.getvalue()
    assert data.startswith(b"\x89PNG")
    return data


def named(pic, cls: str) -> list[ET.Element]:
    """The elements of an SvgPicture whose class list holds `cls`, in drawing order
    (parsing also proves the SVG is well-formed XML)."""
    root = ET.fromstring(pic.svg)
    assert root.tag == f"{SVG}svg" and root.find(f"{SVG}title").text == pic.title
    return [e for e in root.iter() if cls in (e.get("class") or "").split()]


def texts(pic, cls: str) -> list[str]:
    return [e.text for e in named(pic, cls)]


def box(e: ET.Element) -> tuple[float, float, float, float]:
    return tuple(float(e.get(k)) for k in ("x", "y", "width", "height"))


ENCODER_DECODER = [Conv2D(16, 3, strides=2, padding="same"),
                   Conv2D(32, 3, strides=2, padding="same"),
                   Conv2DTranspose(16, 3, strides=2, padding="same"),
                   Conv2DTranspose(1, 3, strides=2, padding="same")]


# ------------------------------------------------------ size_diagram ----------

def test_size_diagram_draws_one_block_per_layer_plus_the_input_labelled_hxwxc() -> None:
    t = trace((75, 75, 3), ENCODER_DECODER)
    pic = size_diagram(t, target=(75, 75))
    blocks = named(pic, "block")
    assert len(blocks) == len(t) + 1 and pic.data["sizes"] == [75, 38, 19, 38, 76]
    heights = [float(b.get("height")) for b in blocks]
    scale = heights[0] / 75
    assert heights == pytest.approx([h * scale for h in (75, 38, 19, 38, 76)], abs=0.2)
    assert texts(pic, "size") == ["75x75x3", "38x38x16", "19x19x32", "38x38x16", "76x76x1"]
    assert texts(pic, "name")[0] == "input"


def test_size_diagram_writes_out_that_the_output_is_3_px_short_in_vermillion() -> None:
    t = trace((64, 64, 1), [Conv2D(8, 3), Conv2D(1, 2)])
    pic = size_diagram(t, target=(64, 64))
    (verdict,) = named(pic, "verdict")
    assert verdict.text == "output 61x61 vs target 64x64: 3 px short"
    assert verdict.get("fill") == readable(PALETTE["vermillion"])  # its hue, readable as text
    assert contrast(verdict.get("fill"), "#FFFFFF") >= 4.5
    assert named(pic, "block")[-1].get("fill") == PALETTE["vermillion"]


def test_size_diagram_turns_the_output_green_when_it_matches_the_target() -> None:
    t = trace((64, 64, 1), [Conv2D(8, 3, padding="same")])
    pic = size_diagram(t, target=(64, 64, 1))
    assert texts(pic, "verdict")[0].endswith("sizes match")
    assert named(pic, "block")[-1].get("fill") == PALETTE["green"]


def test_size_diagram_says_one_pixel_too_big_for_the_readme_encoder_decoder() -> None:
    pic = size_diagram(trace((75, 75, 3), ENCODER_DECODER), target=75)
    assert "1 px too big" in texts(pic, "verdict")[0]


def test_size_diagram_colours_only_the_layers_that_change_the_size_darker() -> None:
    t = trace((32, 32, 1), [Conv2D(8, 3, padding="same"), MaxPooling2D(2),
                            Conv2D(8, 3, padding="same")])
    blocks = named(size_diagram(t), "block")
    assert [b.get("fill") for b in blocks[1:]] == [PALETTE["sky"], PALETTE["blue"], PALETTE["sky"]]


def test_size_diagram_draws_the_target_and_the_input_as_reference_lines_at_their_heights() -> None:
    pic = size_diagram(trace((60, 60, 1), [UpSampling2D(2)]), target=(64, 64))
    (target,), (given,) = named(pic, "target-line"), named(pic, "input-line")
    input_block = named(pic, "block")[0]
    base = float(input_block.get("y")) + float(input_block.get("height"))
    scale = float(input_block.get("height")) / 60
    assert float(target.get("y1")) == pytest.approx(base - 64 * scale, abs=0.1)
    assert float(given.get("y1")) == pytest.approx(base - 60 * scale, abs=0.1)


def test_size_diagram_draws_a_bracket_from_each_skip_source_to_its_concatenate() -> None:
    layers = [Conv2D(8, 3, padding="same", name="s1"), MaxPooling2D(2),
              Conv2D(16, 3, padding="same", name="s2"), MaxPooling2D(2),
              UpSampling2D(2), Concatenate(skip="s2"), UpSampling2D(2), Concatenate(skip="s1")]
    pic = size_diagram(trace((32, 32, 1), layers))
    assert sorted(pic.data["skips"]) == [(1, 8), (3, 6)]
    blocks = named(pic, "block")
    centres = [float(b.get("x")) + float(b.get("width")) / 2 for b in blocks]
    brackets = [[tuple(map(float, p.split(","))) for p in e.get("points").split()]
                for e in named(pic, "skip")]
    ends = sorted((round(b[0][0], 1), round(b[-1][0], 1)) for b in brackets)
    assert ends == sorted((round(centres[a], 1), round(centres[z], 1)) for a, z in [(1, 8), (3, 6)])
    outer = max(brackets, key=lambda b: b[-1][0] - b[0][0])
    inner = min(brackets, key=lambda b: b[-1][0] - b[0][0])
    assert outer[1][1] < inner[1][1]  # the outer bracket runs above the inner: they never cross


def test_size_diagram_draws_rows_that_are_not_feature_maps_as_flat_blocks() -> None:
    keras = pytest.importorskip("keras")
    from helpers.bridge import trace_model

    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3),
                              keras.layers.Flatten(), keras.layers.Dense(10)])
    pic = size_diagram(trace_model(model), target=(28, 28))
    blocks = named(pic, "block")
    assert len(blocks) == 4
    assert [float(b.get("height")) < 5 for b in blocks] == [False, False, True, True]
    assert texts(pic, "size")[-2:] == ["2704", "10"]
    assert "not a feature map" in texts(pic, "verdict")[0]


def test_size_diagram_refuses_a_target_that_is_not_a_size() -> None:
    with pytest.raises(PlotError, match=r"target='big'.*\(H, W\)"):
        size_diagram(trace((8, 8, 1), []), target="big")
    with pytest.raises(PlotError, match="trace"):
        size_diagram([Conv2D(8, 3)])


@pytest.mark.parametrize(("output", "target", "words"), [
    ((61, 63, 8), (64, 64), "H 3 px short, W 1 px short"),
    ((64, 66), (64, 64), "H matches, W 2 px too big"),
    ((1000,), (64, 64), "is not a feature map"),
])
def test_size_verdict_says_per_axis_how_far_off_the_output_is(output, target, words) -> None:
    assert words in size_verdict(output, target)


# ------------------------------------------------------ conv_svg --------------

def _valid_settings() -> list[tuple[int, int, int, int]]:
    settings = []
    for n in range(7, 13):
        for k in range(1, 6):
            for s in (1, 2, 3):
                for d in (1, 2):
                    try:
                        conv_out(n, k, s, "valid", d)
                    except ShapeError:
                        continue
                    settings.append((n, k, s, d))
    return settings


def _grid(pic) -> list[list[str]]:
    """The input cells' states, row by row, read back from their positions."""
    cells = named(pic, "cell")
    xs = sorted({float(c.get("x")) for c in cells})
    ys = sorted({float(c.get("y")) for c in cells})
    grid = [[""] * len(xs) for _ in ys]
    for c in cells:
        grid[ys.index(float(c.get("y")))][xs.index(float(c.get("x")))] = c.get("class").split()[1]
    return grid


def test_conv_svg_tints_as_many_dropped_pixels_per_axis_as_dropped_pixels_counts() -> None:
    for n, k, s, d in _valid_settings():
        pic = conv_svg(n, k, s, "valid", d)
        assert _grid(pic)[0].count("dropped") == dropped_pixels(n, k, s, d) == pic.dropped, \
            (n, k, s, d)


def test_conv_svg_dashes_same_padding_with_the_odd_pixel_at_the_bottom_right() -> None:
    pic = conv_svg(8, 3, stride=2, padding="same")
    assert same_padding(8, 3, stride=2) == (0, 1) == pic.data["pad"]
    grid = _grid(pic)
    assert len(grid) == 9 and all(len(row) == 9 for row in grid)
    assert set(grid[8]) == {"padding"} and {row[8] for row in grid} == {"padding"}
    assert grid[0][0] == "input"
    assert all("stroke-dasharray" in c.attrib for c in named(pic, "padding"))


def test_conv_svg_draws_the_output_grid_beside_the_input_with_out_by_out_cells() -> None:
    pic = conv_svg(9, 4, stride=3)
    out = conv_out(9, 4, 3)
    assert len(named(pic, "out")) == out * out and pic.output == out
    assert texts(pic, "formula") == [f"floor((9 - 4) / 3) + 1 = {out}"]
    assert f"output {out}x{out}" in pic.svg
    right_of_input = max(float(c.get("x")) + float(c.get("width")) for c in named(pic, "cell"))
    assert min(float(c.get("x")) for c in named(pic, "out")) > right_of_input


def test_conv_svg_outlines_the_windows_of_the_first_second_and_last_output_pixels() -> None:
    pic = conv_svg(8, 3, stride=2)
    cell = box(named(pic, "cell")[1])[0] - box(named(pic, "cell")[0])[0]
    x0, y0 = box(named(pic, "cell")[0])[:2]
    corners = [(round((box(w)[0] - x0) / cell), round((box(w)[1] - y0) / cell))
               for w in named(pic, "window")]
    assert corners == [(0, 0), (2, 0), (4, 4)]  # output (0,0), (0,1), (2,2) with stride 2
    assert all(round(box(w)[2] / cell) == 3 for w in named(pic, "window"))
    assert len(named(pic, "tap")) == 3 * 9


def test_conv_svg_marks_the_pixels_a_dilated_kernel_skips() -> None:
    pic = conv_svg(7, 3, dilation=3)  # one window, taps at 0, 3 and 6
    assert [s == "skipped" for s in _grid(pic)[0]] == [False, True, True, False, True, True,
                                                        False]
    assert pic.data["unread"] == 40  # rows or columns 1, 2, 4, 5: 49 - 3 * 3
    assert texts(pic, "formula")[0].startswith("ke = 3 * (3 - 1) + 1 = 7; ")


@pytest.mark.parametrize(("args", "words"), [
    ((5, 7), "kernel 7 spans 7 pixels but the input is 5 wide"),
    ((9, 3, 2, "valid", 2), "dilation"),
    ((9, 3, 1, "full"), "padding='full'"),
])
def test_conv_svg_refuses_what_keras_refuses_with_a_shape_error(args, words) -> None:
    with pytest.raises(ShapeError, match=words):
        conv_svg(*args)


# ------------------------------------------------------ transposed conv -------

def direct_overlap(n: int, k: int, s: int) -> np.ndarray:
    """Counts by painting a k x k patch of ones for every input pixel, on a canvas of the
    Keras output size ("valid": n * s + max(k - s, 0), zeros at the end when k < s)."""
    size = n * s + max(k - s, 0)
    canvas = np.zeros((size, size), int)
    for i in range(n):
        for j in range(n):
            canvas[i * s:i * s + k, j * s:j * s + k] += 1
    return canvas


@pytest.mark.parametrize(("k", "s"), [(3, 2), (4, 2), (3, 1), (5, 3), (2, 3)])
def test_overlap_svg_counts_equal_a_direct_numpy_computation(k, s) -> None:
    pic = overlap_svg(k, s, n=4)
    assert np.array_equal(pic.data["counts"], direct_overlap(4, k, s))
    written = [int(t) for t in texts(pic, "count")]
    assert written == np.asarray(pic.data["canvas"]).ravel().tolist()


def test_overlap_svg_calls_the_overlap_a_checkerboard_only_when_kernel_and_stride_clash() -> None:
    assert "uneven overlap, checkerboard" in " ".join(texts(overlap_svg(3, 2), "verdict"))
    assert "no checkerboard" in " ".join(texts(overlap_svg(4, 2), "verdict"))
    assert not overlap_svg(3, 2).data["even"] and overlap_svg(4, 2).data["even"]


@pytest.mark.parametrize(("n", "k", "s", "padding", "op"), [
    (4, 3, 2, "valid", None), (4, 3, 2, "same", None), (3, 4, 2, "same", None),
    (3, 4, 2, "same", 1), (5, 3, 2, "same", 0), (3, 2, 3, "valid", None), (4, 5, 2, "same", 1),
])
def test_overlap_counts_equal_a_keras_transposed_conv_of_ones(n, k, s, padding, op) -> None:
    keras = pytest.importorskip("keras")
    deconv_out(n, k, s, padding, op)  # the engine says it runs (see docs/keras-facts.md)
    layer = keras.layers.Conv2DTranspose(1, k, strides=s, padding=padding, output_padding=op,
                                         kernel_initializer="ones", use_bias=False)
    got = keras.ops.convert_to_numpy(layer(np.ones((1, n, n, 1), "float32")))[0, :, :, 0]
    assert np.array_equal(got.round().astype(int), overlap_counts(n, k, s, padding, op))
    assert overlap_svg(k, s, n, padding, op).data["counts"] == overlap_counts(n, k, s, padding, op)


def test_overlap_svg_shows_the_keras_output_size_and_greys_what_same_crops() -> None:
    pic = overlap_svg(3, 2, n=3, padding="same")
    assert "3 * 2 = 6: output 6x6" in texts(pic, "formula")[0]
    assert len(named(pic, "count")) == 49  # (3 - 1) * 2 + 3 = 7 before "same" crops
    assert len(named(pic, "cropped")) == 2 * 13  # one row and one column, cells and counts
    assert len(named(pic, "patch")) == 3 and pic.output == 6
    (frame,) = named(pic, "output")
    assert box(frame)[2] == pytest.approx(6 * box(named(pic, "cell")[0])[2], abs=0.2)


def test_overlap_svg_refuses_an_output_padding_that_fails_at_run_time() -> None:
    with pytest.raises(ShapeError, match="output_padding=0"):
        overlap_svg(4, 2, n=16, padding="same", output_padding=0)


# ------------------------------------------------------ loss_curves -----------

HISTORIES = {"same padding": {"loss": [1.0, 0.6, 0.4, 0.3], "val_loss": [1.1, 0.7, 0.5, 0.6]},
             "crop": {"loss": [1.2, 0.9, 0.7, 0.65]}}


def test_loss_curves_draws_one_line_per_history_and_series() -> None:
    ax = loss_curves(HISTORIES).axes[0]
    assert [line.get_label() for line in ax.lines if line.get_gid() in ("loss", "val_loss")] == [
        "same padding: training", "same padding: validation", "crop: training"]
    assert ax.get_title() == "Loss per epoch" and ax.get_xlabel() == "epoch"
    renders_cleanly(ax.figure)


def test_loss_curves_marks_the_best_epoch_at_the_argmin() -> None:
    ax = loss_curves(HISTORIES).axes[0]
    best = {line.get_label(): (line.get_xdata()[0], line.get_ydata()[0])
            for line in ax.lines if line.get_gid() == "best"}
    val = HISTORIES["same padding"]["val_loss"]
    assert best["_best same padding"] == (int(np.argmin(val)) + 1, min(val))
    assert best["_best crop"] == (4, 0.65)  # no validation: the lowest training loss


def test_loss_curves_reads_keras_history_objects_and_draws_a_log_scale() -> None:
    history = SimpleNamespace(history={"loss": [0.5, 0.2], "val_loss": [0.6, 0.3]})
    ax = loss_curves({"unet": history}, log=True).axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 3


def test_loss_curves_refuses_a_log_scale_for_losses_at_or_below_zero() -> None:
    with pytest.raises(PlotError, match="log=False"):
        loss_curves({"cosine": {"loss": [0.2, -0.1]}}, log=True)
    with pytest.raises(PlotError, match="'loss'"):
        loss_curves({"empty": {"val_loss": [1.0]}})


# ------------------------------------------------------ predictions -----------

def test_predictions_draws_input_target_and_each_strategy_for_every_sample() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.random((5, 16, 16, 1)), rng.random((5, 16, 16, 1))
    fig = predictions(x, y, {"same": rng.random((5, 16, 16, 1)),
                             "valid": rng.random((5, 13, 13, 1))}, n=3)
    assert len(fig.axes) == 3 * 4
    top = [ax.get_title() for ax in fig.axes[:4]]
    assert top == ["input\n16x16", "target\n16x16", "same\n16x16", "valid\n13x13 (wrong size)"]
    assert to_rgba(fig.axes[3].title.get_color()) == to_rgba(PALETTE["vermillion"])
    assert fig.axes[3].images[0].get_extent()[1] == 13 and fig.axes[3].get_xlim()[1] == 16
    renders_cleanly(fig)


def test_predictions_draws_masks_and_class_scores_in_the_class_colours() -> None:
    rng = np.random.default_rng(0)
    x, masks = rng.random((2, 8, 8, 3)), rng.integers(0, 4, (2, 8, 8))
    scores = np.eye(4)[masks]  # one-hot scores whose argmax is the mask itself
    fig = predictions(x, masks, {"unet": scores}, n=2)
    target, output = fig.axes[1].images[0].get_array(), fig.axes[2].images[0].get_array()
    assert np.array_equal(target, output)
    i, j = np.argwhere(masks[0] == 2)[0]
    assert np.allclose(target[i, j], to_rgba(CLASS_COLOURS[2]))


def test_loss_svg_draws_the_same_series_in_the_same_style_as_loss_curves() -> None:
    history = HISTORIES["same padding"]
    pic = loss_svg(history, steps=[(0.5, 1.3), (1, 1.0), (2, 0.7)], epochs=5)
    ax = loss_curves({"run": history}).axes[0]
    svg_lines = {k: named(pic, k)[0] for k in ("loss", "val_loss")}
    mpl_lines = {line.get_gid(): line for line in ax.lines}
    for key, line in svg_lines.items():
        assert line.get("stroke").lower() == to_hex(mpl_lines[key].get_color()) == to_hex(SERIES[0])
        assert len(line.get("points").split()) == len(history[key])
    assert "stroke-dasharray" in svg_lines["val_loss"].attrib
    assert "stroke-dasharray" not in svg_lines["loss"].attrib
    assert mpl_lines["val_loss"].get_linestyle() != "-" and mpl_lines["loss"].get_linestyle() == "-"
    (star,) = named(pic, "best")
    assert pic.data["best"] == int(np.argmin(history["val_loss"])) == int(
        mpl_lines["best"].get_xdata()[0]) - 1
    assert len(named(pic, "running")[0].get("points").split()) == 3
    assert star.get("fill") == SERIES[0]


def test_loss_svg_draws_an_empty_history_as_bare_axes() -> None:
    pic = loss_svg({}, epochs=3)
    assert pic.data["best"] is None and named(pic, "loss") == []


# ------------------------------------------------------ the package -----------

def test_every_public_function_has_type_hints_and_a_docstring_that_says_what_it_returns() -> None:
    for name in plots.__all__:
        obj = getattr(plots, name)
        if not callable(obj) or isinstance(obj, type) and issubclass(obj, Exception):
            continue
        doc = inspect.getdoc(obj)
        assert doc and (">>>" in doc or "Example" in doc), name
        if inspect.isfunction(obj):
            assert inspect.signature(obj).return_annotation is not inspect.Signature.empty, name


def test_importing_helpers_plots_imports_neither_matplotlib_nor_keras() -> None:
    code = ("import sys, helpers.plots; "
            "print(sorted(m for m in ('matplotlib', 'keras', 'tensorflow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_text_of_every_picture_reads_at_wcag_aa_on_what_is_behind_it() -> None:
    """Text on the pictures' own white background, or on the cell it is written on,
    reaches 4.5:1 (the colours of blocks and cells keep the palette)."""
    import re

    from helpers.shapes import unet_plan

    pictures = [conv_svg(8, 3, stride=2), conv_svg(9, 3, dilation=2), overlap_svg(3, 2),
                size_diagram(trace((64, 64, 1), [Conv2D(8, 3), Conv2D(1, 2)]), target=64),
                loss_svg({"a": {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}}),
                plots.unet_svg(unet_plan(2, 75, "none")), plots.unet_svg(unet_plan(2, 75, "pad"))]
    for pic in pictures:
        for fill in re.findall(r'<text[^>]* fill="([^"]+)"', pic.svg):
            if fill.startswith("#"):
                assert contrast(fill, "#FFFFFF") >= 4.5 or fill == "#FFFFFF", (pic.title, fill)
