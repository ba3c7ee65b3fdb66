"""The size diagram: a network drawn as blocks whose height is the feature map's height.

`size_diagram(trace, target)` draws once; `SizeDiagramView` redraws in place
(it keeps its artists and only moves them), which is what a slider needs.

>>> from helpers.shapes import Conv2D, trace
>>> size_verdict((61, 61), (64, 64))
'output 61x61 vs target 64x64: 3 px short'
>>> fig = size_diagram(trace((64, 64, 1), [Conv2D(8, 4)]), target=(64, 64))
>>> [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "verdict"]
['output 61x61 vs target 64x64: 3 px short']
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from helpers.shapes import Trace

from .style import FONT, GREY, LIGHT, PALETTE, PlotError, _Key, _place, _swatch, _view_on
from .textcache import cache_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["SizeDiagramView", "size_diagram", "size_verdict"]

FIGSIZE = (9, 4.6)  # inches, for a figure of its own
MARGINS = {"left": 0.06, "right": 0.9, "bottom": 0.25, "top": 0.82}

COLOURS = {"input": GREY, "keep": PALETTE["sky"], "change": PALETTE["blue"], "flat": LIGHT,
           "mismatch": PALETTE["vermillion"], "match": PALETTE["green"]}
LEGEND = {"input": "input", "keep": "keeps H, W", "change": "changes H, W",
          "flat": "not a feature map", "mismatch": "output, wrong size",
          "match": "output, right size"}
WIDTH = 0.7  # block width, in layer slots
NAME_CHARS = 20


@dataclass(frozen=True)
class _Block:
    name: str
    label: str  # "38x38x16"
    height: int | None  # H in pixels, None when the shape is not a feature map
    kind: str  # a key of COLOURS


def _hw(shape: tuple) -> tuple[int, int] | None:
    """(H, W) of an (H, W, C) shape with known ints, else None."""
    if len(shape) == 3 and all(isinstance(v, numbers.Integral) for v in shape[:2]):
        return int(shape[0]), int(shape[1])
    return None


def _fmt(shape: tuple) -> str:
    return "x".join("?" if v is None else str(v) for v in shape) or "?"


def _target_hw(target: Any) -> tuple[int, ...] | None:
    if target is None:
        return None
    t = (target, target) if isinstance(target, numbers.Integral) else tuple(target)
    if len(t) in (2, 3) and all(isinstance(v, numbers.Integral) and v >= 1 for v in t):
        return tuple(int(v) for v in t)
    raise PlotError(f"target={target!r} is not a size; give (H, W) or (H, W, C) with positive "
                    "ints, e.g. target=(64, 64), or leave it out.")


def size_verdict(output: tuple, target: tuple) -> str:
    """The sentence that compares an output size with a target size, pixel by pixel.

    >>> size_verdict((76, 76, 1), (75, 75))
    'output 76x76 vs target 75x75: 1 px too big'
    >>> size_verdict((61, 63), (64, 64))
    'output 61x63 vs target 64x64: H 3 px short, W 1 px short'
    """
    out, tgt = _hw(tuple(output)[:2] + (1,)), _target_hw(tuple(target)[:2])
    if out is None:
        what = "has an unknown size" if len(output) == 3 else "is not a feature map"
        return f"output {_fmt(tuple(output))} {what}: no H, W to compare"
    sizes = f"{out[0]}x{out[1]}"
    if out == tgt:
        return f"output {sizes} = target {tgt[0]}x{tgt[1]}: sizes match"

    def gap(o: int, t: int) -> str:
        return "matches" if o == t else f"{t - o} px short" if o < t else f"{o - t} px too big"

    dh, dw = gap(out[0], tgt[0]), gap(out[1], tgt[1])
    diff = dh if dh == dw else f"H {dh}, W {dw}"
    return f"output {sizes} vs target {tgt[0]}x{tgt[1]}: {diff}"


def _blocks(trace: Trace, target: tuple | None) -> list[_Block]:
    hw = _hw(trace.input_shape)
    blocks = [_Block("input", _fmt(trace.input_shape), hw and hw[0], "input")]
    for row in trace.rows:
        hw = _hw(row.output_shape)
        kind = "flat" if hw is None else "change" if row.changed else "keep"
        blocks.append(_Block(row.name, _fmt(row.output_shape), hw and hw[0], kind))
    last = blocks[-1]
    if target is not None and last.kind != "input":
        ok = _hw(trace.output_shape) == target[:2]
        blocks[-1] = _Block(last.name, last.label, last.height, "match" if ok else "mismatch")
    return blocks


def _skips(trace: Trace) -> list[tuple[int, int]]:
    """(source block, concatenate block) for each skip; an unknown source is the input."""
    index = {row.name: i for i, row in enumerate(trace.rows, 1)}
    return [(index.get(row.skip, 0), i) for i, row in enumerate(trace.rows, 1) if row.skip]


def _levels(spans: list[tuple[int, int]]) -> list[int]:
    """Stack skip brackets: a bracket sits one level above every shorter one it overlaps."""
    order = sorted(range(len(spans)), key=lambda k: spans[k][1] - spans[k][0])
    levels = [0] * len(spans)
    for pos, k in enumerate(order):
        a, b = spans[k]
        below = [levels[j] for j in order[:pos] if spans[j][0] < b and a < spans[j][1]]
        levels[k] = 1 + max(below, default=-1)
    return levels


class SizeDiagramView:
    """A size diagram that redraws in place: ``view.update(trace, target)``.

    It keeps one rectangle, one size label and one name per block (hiding the
    spares) and moves them; its key is a fixed row of slots, not a Legend, and
    its figure draws text from a label cache (see textcache.py).

    >>> from helpers.shapes import MaxPooling2D, trace
    >>> view = SizeDiagramView()                  # on a figure of its own
    >>> len(view.update(trace((75, 75, 3), [MaxPooling2D(2)]), target=75).blocks)
    2
    """

    def __init__(self, where: Figure | Axes | None = None) -> None:

        self.ax = _place(where, FIGSIZE, MARGINS)
        self.fig = self.ax.figure
        cache_text(self.fig)  # labels repeat from one redraw to the next: render each once
        self._rects: list[Any] = []
        self._sizes: list[Any] = []
        self._names: list[Any] = []
        self._brackets: list[Any] = []
        ax = self.ax
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_ylabel("height H (pixels, to scale)", fontsize=FONT["normal"])
        ax.set_xlabel("layers, input first", fontsize=FONT["normal"])
        ax.xaxis.set_label_coords(0.5, -0.27)
        self._lines = {k: ax.axhline(0, color=c, ls=ls, lw=1.2, zorder=1, visible=False)
                       for k, c, ls in (("input", GREY, ":"), ("target", PALETTE["black"], "--"))}
        self._line_labels = {k: ax.text(1.005, 0, "", transform=ax.get_yaxis_transform(),
                                        fontsize=FONT["small"], ha="left", color=c)
                             for k, c in (("input", "#555555"), ("target", PALETTE["black"]))}
        self._verdict = ax.text(0.995, 0.99, "", transform=ax.transAxes, ha="right", va="top",
                                fontsize=FONT["normal"], fontweight="bold", gid="verdict",
                                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "lw": 1.2})
        self._key = _Key(ax, len(COLOURS) + 1, (0.0, 1.06), vertical=False)
        ax.set_title("Feature-map sizes, layer by layer", fontsize=FONT["title"], pad=26)
        self.blocks: list[_Block] = []

    def _grow(self, n: int) -> None:
        """Make sure there are artists for n blocks."""
        from matplotlib.patches import Rectangle

        ax = self.ax
        while len(self._rects) < n:
            self._rects.append(ax.add_patch(Rectangle((0, 0), WIDTH, 1, lw=1.0, gid="block")))
            self._sizes.append(ax.text(0, 0, "", ha="center", va="bottom",
                                       fontsize=FONT["small"], gid="size"))
            self._names.append(ax.text(0, -0.03, "", transform=ax.get_xaxis_transform(),
                                       rotation=30, rotation_mode="anchor", ha="right",
                                       va="top", fontsize=FONT["small"], gid="name"))

    @property
    def alive(self) -> bool:
        """False once its axes has been cleared (ax.cla()) and the artists are gone."""
        return self._verdict.axes is self.ax

    def update(self, trace: Trace, target: Any = None) -> SizeDiagramView:
        """This view, redrawn for ``trace`` (and ``target`` (H, W), if given); call
        ``fig.canvas.draw_idle()`` (or draw) afterwards to show it."""
        if not isinstance(trace, Trace):
            raise PlotError(f"trace={trace!r} is not a Trace; make one with "
                            "helpers.shapes.trace(input_shape, layers) or trace_model(model).")
        tgt = _target_hw(target)
        blocks, skips = _blocks(trace, tgt), _skips(trace)
        levels = _levels(skips)
        tall = max([b.height for b in blocks if b.height] + [tgt[0] if tgt else 1])
        rotated = len(blocks) > 12
        room, step, span = self._room(tall, blocks, rotated, max(levels, default=-1) + 1)
        self._draw_blocks(blocks, tall, rotated)
        self._draw_skips(skips, levels, blocks, tall + room, room, step)
        self._draw_lines(trace, tgt)
        self._draw_verdict(trace, tgt)
        self._draw_key(blocks, bool(skips))
        self.ax.set_xlim(-0.6, len(blocks) - 0.4)
        self.ax.set_ylim(0, span)
        self.blocks = blocks
        return self

    def _room(self, tall: int, blocks: list[_Block], rotated: bool,
              levels: int) -> tuple[float, float, float]:
        """(room above a block for its size label, step between skip brackets, y-axis span),
        in pixels of H: the label's height on screen as a fraction of the axes, and a
        band at the top for the verdict."""
        char = FONT["small"] * self.fig.dpi / 72  # points to screen pixels
        longest = max(len(b.label) for b in blocks)
        label = (0.62 * char * longest if rotated else 1.3 * char) + 6
        share = min(label / max(self.ax.bbox.height, 1.0), 0.4)
        span = tall / max(1 - share - 0.07 * levels - 0.13, 0.25)
        return share * span, 0.07 * span, span

    def _draw_blocks(self, blocks: list[_Block], tall: int, rotated: bool) -> None:
        self._grow(len(blocks))
        for i, (rect, size, name) in enumerate(zip(self._rects, self._sizes, self._names)):
            shown = i < len(blocks)
            for artist in (rect, size, name):
                artist.set_visible(shown)
            if not shown:
                continue
            b = blocks[i]
            h = b.height if b.height else 0.03 * tall
            rect.set_bounds(i - WIDTH / 2, 0, WIDTH, h)
            rect.set_facecolor(COLOURS[b.kind])
            rect.set_edgecolor(PALETTE["black"] if b.height else GREY)
            rect.set_linestyle("-" if b.height else "--")
            size.set_position((i, h + 0.01 * tall))
            size.set_text(b.label)
            size.set_rotation(90 if rotated else 0)
            name.set_x(i)
            name.set_text(b.name if len(b.name) <= NAME_CHARS else b.name[:NAME_CHARS - 1] + "…")

    def _draw_skips(self, skips: list[tuple[int, int]], levels: list[int], blocks: list[_Block],
                    bottom: float, room: float, step: float) -> None:
        """A bracket from each skip's source block to its Concatenate, above the labels."""
        from matplotlib.lines import Line2D

        while len(self._brackets) < len(skips):
            self._brackets.append(self.ax.add_line(Line2D(
                [], [], color=PALETTE["purple"], lw=1.5, marker="v", markevery=[3],
                markersize=6, gid="skip")))
        for k, line in enumerate(self._brackets):
            line.set_visible(k < len(skips))
            if k < len(skips):
                (a, b), y = skips[k], bottom + (levels[k] + 0.5) * step
                ya, yb = ((blocks[i].height or 0) + room for i in (a, b))
                line.set_data([a, a, b, b], [ya, y, y, yb])

    def _draw_lines(self, trace: Trace, tgt: tuple | None) -> None:
        """Dashed target line and dotted input line, labelled outside the right edge."""
        hw = _hw(trace.input_shape)
        specs: dict[str, tuple[int, str] | None] = {
            "input": (hw[0], f"input\n{hw[0]}x{hw[1]}") if hw else None, "target": None}
        if tgt is not None:
            same = tgt[:2] == hw
            specs["target"] = (tgt[0], f"target{' = input' if same else ''}\n{tgt[0]}x{tgt[1]}")
            specs["input"] = None if same else specs["input"]
        upper = "target" if tgt and (not hw or tgt[0] >= hw[0]) else "input"
        for key, line in self._lines.items():
            label, spec = self._line_labels[key], specs[key]
            line.set_visible(spec is not None)
            label.set_visible(spec is not None)
            if spec:
                line.set_ydata([spec[0], spec[0]])
                label.set_y(spec[0])
                label.set_text(spec[1])
                label.set_va("bottom" if key == upper else "top")

    def _draw_verdict(self, trace: Trace, tgt: tuple | None) -> None:
        v = self._verdict
        if tgt is None:
            text, colour = f"output {_fmt(trace.output_shape)} (no target given)", "#555555"
        else:
            text = size_verdict(trace.output_shape, tgt)
            match = _hw(trace.output_shape) == tgt[:2]
            colour = PALETTE["green"] if match else PALETTE["vermillion"]
        v.set_text(text)
        v.set_color(colour)
        v.get_bbox_patch().set_edgecolor(colour)

    def _draw_key(self, blocks: list[_Block], skips: bool) -> None:
        entries = [(LEGEND[k], _swatch(COLOURS[k], GREY if k == "flat" else PALETTE["black"]))
                   for k in COLOURS if any(b.kind == k for b in blocks)]
        if skips:
            entries.append(("skip (Concatenate)", {"marker": "v", "ms": 7,
                                                   "color": PALETTE["purple"]}))
        self._key.show(entries)


def size_diagram(trace: Trace, target: Any = None, ax: Axes | None = None) -> Figure:
    """A figure of the network as blocks, one per layer, height proportional to H.

    The input and target sizes are reference lines; layers that change the size
    are darker; with a ``target``, the output block turns vermillion when it
    misses and the verdict says by how much ("3 px short"). Skip connections are
    purple brackets. Calling it again on the same ``ax`` redraws in place.

    >>> from helpers.shapes import Conv2D, Conv2DTranspose, trace
    >>> t = trace((75, 75, 3), [Conv2D(8, 3, strides=2, padding="same"),
    ...                         Conv2DTranspose(3, 3, strides=2, padding="same")])
    >>> fig = size_diagram(t, target=(75, 75))
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "verdict"]
    ['output 76x76 vs target 75x75: 1 px too big']
    """
    view = _view_on(ax, SizeDiagramView)
    return view.update(trace, target).fig
