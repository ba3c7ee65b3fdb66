"""The size diagram: a network drawn as blocks whose height is the feature map's height.

The sizes come from `shapes.trace`, the verdict sentence from `shapes.size_verdict`;
this module only draws them, as SVG (the stack explorer redraws it on every change).

>>> from helpers.shapes import Conv2D, trace
>>> size_diagram(trace((64, 64, 1), [Conv2D(8, 4)]), target=(64, 64)).data["verdict"]
'output 61x61 vs target 64x64: 3 px short'
"""

from __future__ import annotations

import numbers
from typing import Any

from helpers.shapes import Trace, size_text, size_verdict

from .style import GREY, LIGHT, OK, PALETTE, WARN, PlotError
from .svg import SvgPicture, svg_document, svg_line, svg_rect, svg_text

__all__ = ["size_diagram"]

COLOURS = {"input": GREY, "keep": PALETTE["sky"], "change": PALETTE["blue"], "flat": LIGHT,
           "mismatch": WARN, "match": OK}
LEGEND = {"input": "input", "keep": "keeps H, W", "change": "changes H, W",
          "flat": "not a feature map", "mismatch": "output, wrong size",
          "match": "output, right size"}
NAME_CHARS = 24  # a slanted name longer than this ends in an ellipsis


def _hw(shape: tuple) -> tuple[int, int] | None:
    """(H, W) of an (H, W, C) shape with known ints, else None."""
    if len(shape) == 3 and all(isinstance(v, numbers.Integral) for v in shape[:2]):
        return int(shape[0]), int(shape[1])
    return None


def _target_hw(target: Any) -> tuple[int, int] | None:
    if target is None:
        return None
    t = (target, target) if isinstance(target, numbers.Integral) else tuple(target)
    if len(t) in (2, 3) and all(isinstance(v, numbers.Integral) and v >= 1 for v in t):
        return int(t[0]), int(t[1])
    raise PlotError(f"target={target!r} is not a size; give (H, W) or (H, W, C) with positive "
                    "ints, e.g. target=(64, 64), or leave it out.")


def _blocks(trace: Trace, target: tuple | None) -> list[tuple[str, str, int | None, str]]:
    """(name, "HxWxC" label, H or None, kind) per block, the input first."""
    hw = _hw(trace.input_shape)
    blocks = [("input", size_text(trace.input_shape), hw and hw[0], "input")]
    for row in trace.rows:
        hw = _hw(row.output_shape)
        kind = "flat" if hw is None else "change" if row.changed else "keep"
        blocks.append((row.name, size_text(row.output_shape), hw and hw[0], kind))
    if target is not None and len(blocks) > 1:
        ok = _hw(trace.output_shape) == target
        blocks[-1] = blocks[-1][:3] + ("match" if ok else "mismatch",)
    return blocks


def _skips(trace: Trace) -> list[tuple[int, int]]:
    """(source block, concatenate block) for each skip; an unknown source is the input."""
    index = {row.name: i for i, row in enumerate(trace.rows, 1)}
    return [(index.get(row.skip, 0), i) for i, row in enumerate(trace.rows, 1) if row.skip]


def size_diagram(trace: Trace, target: Any = None, width: int = 640,
                 height: int = 240) -> SvgPicture:
    """The network as blocks, one per layer, height proportional to H.

    Layers that change the size are darker; the target (dashed) and the input
    (dotted) are reference lines; with a ``target`` the output block turns
    vermillion when it misses and the verdict says by how much ("3 px short").
    Skip connections are purple brackets from their source to their Concatenate.

    >>> from helpers.shapes import Conv2D, Conv2DTranspose, trace
    >>> t = trace((75, 75, 3), [Conv2D(8, 3, strides=2, padding="same"),
    ...                         Conv2DTranspose(3, 3, strides=2, padding="same")])
    >>> size_diagram(t, target=75).data["verdict"]
    'output 76x76 vs target 75x75: 1 px too big'
    """
    if not isinstance(trace, Trace):
        raise PlotError(f"trace={trace!r} is not a Trace; make one with "
                        "helpers.shapes.trace(input_shape, layers) or trace_model(model).")
    tgt = _target_hw(target)
    blocks, skips = _blocks(trace, tgt), _skips(trace)
    tall = max([h for _, _, h, _ in blocks if h] + [tgt[0] if tgt else 1])
    band = 12 * len(skips) + 6 * bool(skips)  # room for the skip brackets
    step = (width - 80) / len(blocks)  # the right 70 px hold the reference lines' labels
    longest = max(len(b[0]) for b in blocks)
    upright = step >= 60 and longest <= step / 5.3  # else names slant, whole
    level = step >= 50  # else sizes stand on end
    room = 16 if level else 6 + 5.5 * max(len(b[1]) for b in blocks)  # for the size labels
    below = 34 if upright else 40 + 3.2 * max(min(len(b[0]), NAME_CHARS) for b in blocks)
    area = max(110.0, height - 44 - band - room - below)  # the tallest block
    height = round(44 + band + room + area + below)
    base, scale = height - below, area / tall
    body = []
    hw_in = _hw(trace.input_shape)
    lines = [("target", tgt, "5,3")] if tgt else []
    if hw_in and hw_in != tgt:
        lines.append(("input", hw_in, "2,2"))
    for label, hw, dash in lines:
        y = base - hw[0] * scale
        body.append(f'<line class="{label}-line" x1="5" x2="{width - 70}" y1="{y:.1f}" '
                    f'y2="{y:.1f}" stroke="{GREY}" stroke-dasharray="{dash}"/>')
        body.append(svg_text(width - 66, y + 4, f"{label} {hw[0]}x{hw[1]}", 10, fill=GREY))
    tops = []
    for k, (name, label, h, kind) in enumerate(blocks):
        bh = h * scale if h else 3.0
        x = 10 + k * step
        body.append(svg_rect(x + 3, base - bh, step - 6, bh, COLOURS[kind],
                             PALETTE["black"] if h else GREY, 0.6 if h else 1.0,
                             f'class="block {kind}"' + ("" if h else ' stroke-dasharray="3,2"')))
        body.append(svg_text(x + step / 2 + (0 if level else 3), base - bh - 4, label,
                             10 if upright else 9, "middle" if level else "start", cls="size",
                             rotate=0 if level else -90))
        short = name if len(name) <= NAME_CHARS else name[:NAME_CHARS - 1] + "…"
        body.append(svg_text(x + step / 2, base + 14, short, 9, "middle" if upright else "end",
                             "#333333", cls="name", rotate=0 if upright else -35))
        tops.append(base - bh - (16 if level else 6 + 5.5 * len(label)))
    for k, (a, b) in enumerate(sorted(skips, key=lambda s: s[1] - s[0])):
        xa, xb = (10 + (i + 0.5) * step for i in (a, b))
        y = min(tops[a:b + 1]) - 6 - 12 * k
        body.append(svg_line([(xa, tops[a]), (xa, y), (xb, y), (xb, tops[b])],
                             PALETTE["purple"], 1.5, cls="skip"))
    if tgt is None:
        verdict, colour = f"output {size_text(trace.output_shape)} (no target given)", "#555555"
    else:
        verdict = size_verdict(trace.output_shape, tgt)
        colour = OK if _hw(trace.output_shape) == tgt else WARN
    body.append(svg_text(10, 18, verdict, 12, fill=colour, weight="bold", cls="verdict"))
    kinds = [k for k in COLOURS if any(b[3] == k for b in blocks)]
    x = 10.0
    for k in kinds:
        body.append(svg_rect(x, 28, 10, 10, COLOURS[k], GREY, 0.5))
        body.append(svg_text(x + 14, 37, LEGEND[k], 10, fill="#333333"))
        x += 26 + 5.5 * len(LEGEND[k])
    if skips:
        body.append(svg_line([(x, 33), (x + 12, 33)], PALETTE["purple"], 2))
        body.append(svg_text(x + 16, 37, "skip (Concatenate)", 10, fill="#333333"))
    out = _hw(trace.output_shape)
    title = (f"sizes layer by layer, output {size_text(trace.output_shape)}"
             + (f", target {tgt[0]}x{tgt[1]}" if tgt else ""))
    return SvgPicture(svg_document(width, height, body, title), title, out, 0,
                      {"sizes": [b[2] for b in blocks], "kinds": [b[3] for b in blocks],
                       "skips": skips, "verdict": verdict})
