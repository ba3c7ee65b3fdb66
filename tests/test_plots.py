"""The pictures, tested by reading their artists (Agg backend, no screen).

Each test builds a figure, checks what it drew (blocks, cells, lines, labels)
against the shape engine or a direct numpy computation, and renders it to PNG
with every warning turned into an error.
"""

from __future__ import annotations

import inspect
import io
import subprocess
import sys
import warnings
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from helpers import plots  # noqa: E402
from helpers.plots import (  # noqa: E402
    CLASS_COLOURS,
    PALETTE,
    ConvGridView,
    PlotError,
    SizeDiagramView,
    conv_grid,
    feature_maps,
    loss_curves,
    overlap_counts,
    overlap_map,
    predictions,
    size_diagram,
    size_verdict,
    transpose_grid,
)
from helpers.plots.convolution import DROPPED, PADDING, SKIPPED, _state_colours  # noqa: E402
from helpers.plots.style import _figure  # noqa: E402
from helpers.plots.textcache import cache_text  # noqa: E402
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
    same_padding,
    trace,
)


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


def visible(artists, gid: str) -> list:
    return [a for a in artists if a.get_gid() == gid and a.get_visible()]


ENCODER_DECODER = [Conv2D(16, 3, strides=2, padding="same"),
                   Conv2D(32, 3, strides=2, padding="same"),
                   Conv2DTranspose(16, 3, strides=2, padding="same"),
                   Conv2DTranspose(1, 3, strides=2, padding="same")]


# ------------------------------------------------------ size_diagram ----------

def test_size_diagram_draws_one_block_per_layer_plus_the_input_labelled_hxwxc() -> None:
    t = trace((75, 75, 3), ENCODER_DECODER)
    ax = size_diagram(t, target=(75, 75)).axes[0]
    blocks = visible(ax.patches, "block")
    assert len(blocks) == len(t) + 1
    assert [b.get_height() for b in blocks] == [75, 38, 19, 38, 76]
    assert [s.get_text() for s in visible(ax.texts, "size")] == [
        "75x75x3", "38x38x16", "19x19x32", "38x38x16", "76x76x1"]
    assert [s.get_text() for s in visible(ax.texts, "name")][0] == "input"
    renders_cleanly(ax.figure)


def test_size_diagram_writes_out_that_the_output_is_3_px_short_in_vermillion() -> None:
    t = trace((64, 64, 1), [Conv2D(8, 3), Conv2D(1, 2)])
    ax = size_diagram(t, target=(64, 64)).axes[0]
    (verdict,) = visible(ax.texts, "verdict")
    assert verdict.get_text() == "output 61x61 vs target 64x64: 3 px short"
    assert to_rgba(verdict.get_color()) == to_rgba(PALETTE["vermillion"])
    assert visible(ax.patches, "block")[-1].get_facecolor() == to_rgba(PALETTE["vermillion"])


def test_size_diagram_turns_the_output_green_when_it_matches_the_target() -> None:
    t = trace((64, 64, 1), [Conv2D(8, 3, padding="same")])
    ax = size_diagram(t, target=(64, 64, 1)).axes[0]
    assert visible(ax.texts, "verdict")[0].get_text().endswith("sizes match")
    assert visible(ax.patches, "block")[-1].get_facecolor() == to_rgba(PALETTE["green"])


def test_size_diagram_says_one_pixel_too_big_for_the_readme_encoder_decoder() -> None:
    ax = size_diagram(trace((75, 75, 3), ENCODER_DECODER), target=75).axes[0]
    assert "1 px too big" in visible(ax.texts, "verdict")[0].get_text()


def test_size_diagram_colours_only_the_layers_that_change_the_size_darker() -> None:
    t = trace((32, 32, 1), [Conv2D(8, 3, padding="same"), MaxPooling2D(2),
                            Conv2D(8, 3, padding="same")])
    blocks = visible(size_diagram(t).axes[0].patches, "block")
    keep, change = to_rgba(PALETTE["sky"]), to_rgba(PALETTE["blue"])
    assert [b.get_facecolor() for b in blocks[1:]] == [keep, change, keep]


def test_size_diagram_draws_the_target_as_a_reference_line_at_its_height() -> None:
    ax = size_diagram(trace((60, 60, 1), [UpSampling2D(2)]), target=(64, 64)).axes[0]
    lines = {line.get_gid() or i: line for i, line in enumerate(ax.lines)}
    heights = sorted(line.get_ydata()[0] for line in lines.values()
                     if line.get_visible() and line.get_linestyle() in ("--", ":"))
    assert heights == [60, 64]


def test_size_diagram_draws_a_bracket_from_each_skip_source_to_its_concatenate() -> None:
    layers = [Conv2D(8, 3, padding="same", name="s1"), MaxPooling2D(2),
              Conv2D(16, 3, padding="same", name="s2"), MaxPooling2D(2),
              UpSampling2D(2), Concatenate(skip="s2"), UpSampling2D(2), Concatenate(skip="s1")]
    t = trace((32, 32, 1), layers)
    ax = size_diagram(t).axes[0]
    brackets = visible(ax.lines, "skip")
    assert sorted((b.get_xdata()[0], b.get_xdata()[-1]) for b in brackets) == [(1, 8), (3, 6)]
    outer = max(brackets, key=lambda b: b.get_xdata()[-1] - b.get_xdata()[0])
    inner = min(brackets, key=lambda b: b.get_xdata()[-1] - b.get_xdata()[0])
    assert outer.get_ydata()[1] > inner.get_ydata()[1]  # nested brackets do not cross
    renders_cleanly(ax.figure)


def test_size_diagram_draws_rows_that_are_not_feature_maps_as_flat_blocks() -> None:
    keras = pytest.importorskip("keras")
    from helpers.bridge import trace_model

    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3),
                              keras.layers.Flatten(), keras.layers.Dense(10)])
    ax = size_diagram(trace_model(model), target=(28, 28)).axes[0]
    blocks = visible(ax.patches, "block")
    assert len(blocks) == 4
    assert [b.get_height() < 5 for b in blocks] == [False, False, True, True]
    assert [s.get_text() for s in visible(ax.texts, "size")][-2:] == ["2704", "10"]
    assert "not a feature map" in visible(ax.texts, "verdict")[0].get_text()
    renders_cleanly(ax.figure)


def test_size_diagram_view_redraws_in_place_without_adding_artists() -> None:
    view = SizeDiagramView()
    view.update(trace((75, 75, 3), ENCODER_DECODER), target=75)
    before = [*view.ax.patches, *view.ax.texts, *view.ax.lines]
    view.update(trace((64, 64, 1), [Conv2D(8, 3)]), target=64)
    assert [*view.ax.patches, *view.ax.texts, *view.ax.lines] == before
    assert len(visible(view.ax.patches, "block")) == 2
    view.update(trace((75, 75, 3), ENCODER_DECODER), target=75)
    assert len(visible(view.ax.patches, "block")) == 5


def test_calling_size_diagram_again_on_the_same_axes_redraws_it_in_place() -> None:
    fig = size_diagram(trace((75, 75, 3), ENCODER_DECODER))
    ax = fig.axes[0]
    count = len(ax.patches)
    assert size_diagram(trace((64, 64, 1), [Conv2D(8, 3)]), ax=ax) is fig
    assert len(ax.patches) == count and len(visible(ax.patches, "block")) == 2


def test_size_diagram_starts_afresh_on_an_axes_that_was_cleared() -> None:
    fig = _figure((9, 4.6))
    ax = fig.add_subplot()
    size_diagram(trace((75, 75, 3), ENCODER_DECODER), ax=ax)
    ax.cla()
    size_diagram(trace((64, 64, 1), [Conv2D(8, 3)]), target=64, ax=ax)
    assert len(visible(ax.patches, "block")) == len(ax.patches) == 2
    assert "2 px short" in visible(ax.texts, "verdict")[0].get_text()
    renders_cleanly(fig)


def test_a_view_given_a_figure_draws_in_a_new_axes_filling_it() -> None:
    fig = _figure((6, 3))
    view = ConvGridView(fig).update(7, 3)
    assert fig.axes == [view.ax] and view.fig is fig


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


# ------------------------------------------------------ conv_grid -------------

def _cells(fig, gid: str) -> np.ndarray:
    (image,) = [im for im in fig.axes[0].images if im.get_gid() == gid]
    return np.asarray(image.get_array())


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


def test_conv_grid_colours_as_many_dropped_pixels_per_axis_as_dropped_pixels_counts() -> None:
    view = ConvGridView()
    dropped = to_rgba(_state_colours()[DROPPED])
    for n, k, s, d in _valid_settings():
        view.update(n, k, s, "valid", d)
        row = view._input.get_array()[0]
        assert sum(np.allclose(c, dropped) for c in row) == dropped_pixels(n, k, s, d), (n, k, s, d)
    assert view.plan.dropped == dropped_pixels(12, 5, 3, 1) == 1


def test_conv_grid_shades_same_padding_with_the_odd_pixel_at_the_bottom_right() -> None:
    fig = conv_grid(8, 3, stride=2, padding="same")
    assert same_padding(8, 3, stride=2) == (0, 1)
    cells = _cells(fig, "input")
    assert cells.shape[:2] == (9, 9)
    padding = to_rgba(_state_colours()[PADDING])
    assert np.allclose(cells[8], padding) and np.allclose(cells[:, 8], padding)
    assert not np.allclose(cells[0, 0], padding)
    renders_cleanly(fig)


def test_conv_grid_draws_the_output_grid_beside_the_input_with_out_by_out_cells() -> None:
    fig = conv_grid(9, 4, stride=3)
    out = conv_out(9, 4, 3)
    assert _cells(fig, "output").shape[:2] == (out, out)
    assert fig.axes[0].get_title().splitlines() == [
        "Conv2D(kernel_size=4, strides=3, padding='valid')",
        f"floor((9 - 4) / 3) + 1 = {out} -> output {out}x{out}"]


def test_conv_grid_outlines_the_windows_of_the_first_second_and_last_output_pixels() -> None:
    fig = conv_grid(8, 3, stride=2)
    windows = visible(fig.axes[0].patches, "window")
    corners = [(round(w.get_x()), round(w.get_y())) for w in windows]
    assert corners == [(0, 0), (2, 0), (4, 4)]  # output (0,0), (0,1), (2,2) with stride 2
    assert all(round(w.get_width() + 2 * (w.get_x() % 1)) == 3 for w in windows)


def test_conv_grid_marks_the_pixels_a_dilated_kernel_skips() -> None:
    fig = conv_grid(7, 3, dilation=3)  # one window, taps at 0, 3 and 6
    row = _cells(fig, "input")[0]
    skipped = to_rgba(_state_colours()[SKIPPED])
    assert [np.allclose(c, skipped) for c in row] == [False, True, True, False, True, True, False]
    assert "40 of 49" in fig.axes[0].get_xlabel()  # rows or columns 1, 2, 4, 5: 49 - 3 * 3


@pytest.mark.parametrize(("args", "words"), [
    ((5, 7), "kernel 7 spans 7 pixels but the input is 5 wide"),
    ((9, 3, 2, "valid", 2), "dilation"),
    ((9, 3, 1, "full"), "padding='full'"),
])
def test_conv_grid_refuses_what_keras_refuses_with_a_shape_error(args, words) -> None:
    with pytest.raises(ShapeError, match=words):
        conv_grid(*args)


def test_conv_grid_view_keeps_its_artists_and_its_figure_when_a_setting_is_refused() -> None:
    view = ConvGridView().update(7, 3)
    artists = [*view.ax.patches, *view.ax.texts, *view.ax.lines, *view.ax.images]
    with pytest.raises(ShapeError):
        view.update(3, 5)
    view.update(12, 5, 2, "same")
    assert [*view.ax.patches, *view.ax.texts, *view.ax.lines, *view.ax.images] == artists
    assert view.plan.out == 6
    renders_cleanly(view.fig)


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
def test_overlap_map_counts_equal_a_direct_numpy_computation(k, s) -> None:
    fig = overlap_map(k, s, n=4)
    counts = np.asarray(fig.axes[0].images[0].get_array())
    assert np.array_equal(counts, direct_overlap(4, k, s))
    written = [int(t.get_text()) for t in visible(fig.axes[0].texts, "count")]
    assert written == counts.ravel().tolist()
    renders_cleanly(fig)


def test_overlap_map_calls_the_overlap_a_checkerboard_only_when_kernel_and_stride_clash() -> None:
    assert "checkerboard" in overlap_map(3, 2).axes[0].get_title()
    assert "checkerboard" not in overlap_map(4, 2).axes[0].get_title()


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


def test_transpose_grid_shows_the_keras_output_size_and_greys_what_same_crops() -> None:
    fig = transpose_grid(3, 3, 2, padding="same")
    ax = fig.axes[0]
    assert ax.get_title().splitlines()[1] == "3 * 2 = 6 -> output 6x6"
    canvas = np.asarray([im for im in ax.images if im.get_gid() == "overlap"][0].get_array())
    assert canvas.shape[:2] == (7, 7)  # (3 - 1) * 2 + 3 before "same" crops one row and column
    assert len(visible(ax.texts, "count")) == 49
    assert len(visible(ax.patches, "patch")) == 3
    renders_cleanly(fig)


def test_transpose_grid_refuses_an_output_padding_that_fails_at_run_time() -> None:
    with pytest.raises(ShapeError, match="output_padding=0"):
        transpose_grid(16, 4, 2, padding="same", output_padding=0)


# ------------------------------------------------------ feature_maps ----------

def test_feature_maps_draws_each_layer_at_its_true_relative_size() -> None:
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Conv2D(2, 3),
                              keras.layers.MaxPooling2D(2), keras.layers.Conv2D(6, 3),
                              keras.layers.Flatten(), keras.layers.Dense(3)], name="tiny")
    image = np.random.default_rng(0).random((16, 16, 3)).astype("float32")
    fig = feature_maps(model, image, max_channels=4)
    images = [im for ax in fig.axes for im in ax.images]
    assert len(images) == 1 + 2 + 2 + 4  # input, then min(C, 4) channels per layer
    widths = sorted({round(im.get_extent()[1] - im.get_extent()[0]) for im in images})
    assert widths == [5, 7, 14, 16]
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[0] == "input\n16x16x3" and titles[-1].endswith("5x5x6")
    assert "flatten" in fig._supxlabel.get_text()
    renders_cleanly(fig)


def test_feature_maps_refuses_a_batch_of_images() -> None:
    with pytest.raises(PlotError, match="not a batch"):
        feature_maps(object(), np.zeros((2, 8, 8, 3)))


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


# ------------------------------------------------------ the package -----------

def test_text_cache_draws_labels_where_matplotlib_draws_them() -> None:
    def labelled():
        fig = _figure((4, 2))
        ax = fig.add_subplot()
        ax.set_title("Feature-map sizes", color=PALETTE["vermillion"])
        ax.text(0.3, 0.5, "conv2d_transpose", rotation=30, rotation_mode="anchor", ha="right")
        ax.set_xlabel("layer")
        return fig

    plain, cached = labelled(), cache_text(labelled())
    plain.canvas.draw()
    cached.canvas.draw()
    cached.canvas.draw()
    a = np.asarray(plain.canvas.buffer_rgba(), float)
    b = np.asarray(cached.canvas.buffer_rgba(), float)
    assert cached._text_cache.hits >= 8  # every label of the second draw came from the cache
    assert np.abs(a - b).mean() < 3  # the same picture, give or take half a pixel per label


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


def test_cached_figures_save_with_tight_bbox_as_jupyter_inline_does() -> None:
    # Jupyter's inline backend saves with bbox_inches="tight", which first draws with
    # matplotlib's no-op renderer methods in place; the cache must leave them as found.
    fig = size_diagram(trace((75, 75, 1), [Conv2D(8, 3, strides=2, padding="same")]))
    sizes = []
    for tight in ("tight", None, "tight"):
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches=tight)
        sizes.append(len(buf.getvalue()))
    assert sizes[0] == sizes[2] and sizes[0] < sizes[1]
    assert fig._text_cache.hits > 0
