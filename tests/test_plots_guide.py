"""The decision guide (helpers.plots.decision_guide), tested by reading its artists."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from helpers.plots import PlotError, decision_guide  # noqa: E402
from helpers.plots.guide import Branch  # noqa: E402

BRANCHES = [
    ("Is a coarse answer enough: one label per region, a heatmap, a count?",
     "Downsample the target", "0.09 s/epoch (median of all: 0.53)\nmIoU 0.540 at full size"),
    Branch("Does the output miss the target by only a few pixels?",
           "Pad or crop, and mask the loss",
           "the loss never sees 240 of 1024 px (23%) at 32x32, 3.1% at 256x256; " * 2),
    ("Does each pixel need wide context and sharp borders?", "U-Net", ""),
]
FALLBACK = ("Same padding", "the smallest full-size model: PSNR 20.6 dB")


def _texts(fig, gid: str) -> list:
    return [t for t in fig.axes[0].texts if t.get_gid() == gid]


def _patches(fig, gid: str) -> list:
    return [p for p in fig.axes[0].patches if p.get_gid() == gid]


def test_strategy_boxes_hold_the_strategies_given_in_order_then_the_fallback() -> None:
    fig = decision_guide(BRANCHES, FALLBACK)
    strategies = [t.get_text() for t in _texts(fig, "strategy")]
    assert strategies == ["Downsample the target", "Pad or crop, and mask the loss", "U-Net",
                          "Same padding"]
    assert len(_patches(fig, "strategy_box")) == 4
    assert len(_patches(fig, "question_box")) == 3


def test_questions_and_evidence_are_shown_word_for_word_only_wrapped() -> None:
    fig = decision_guide(BRANCHES, FALLBACK)
    questions = [" ".join(t.get_text().split()) for t in _texts(fig, "question")]
    assert questions == [" ".join((b.question if isinstance(b, Branch) else b[0]).split())
                         for b in BRANCHES]
    evidence = " ".join(" ".join(t.get_text().split()) for t in _texts(fig, "evidence"))
    assert "240 of 1024 px (23%)" in evidence and "PSNR 20.6 dB" in evidence
    assert len(_texts(fig, "evidence")) == 3  # the branch with no evidence draws none


def test_every_question_has_one_yes_arrow_and_one_no_arrow() -> None:
    fig = decision_guide(BRANCHES, FALLBACK)
    arrows = [a.get_gid() for a in fig.axes[0].texts if a.get_gid() in ("arrow_yes", "arrow_no")]
    assert arrows.count("arrow_yes") == len(BRANCHES)
    assert arrows.count("arrow_no") == len(BRANCHES)


def test_each_yes_arrow_ends_on_its_strategy_box_and_each_no_arrow_on_the_next_box() -> None:
    fig = decision_guide(BRANCHES, FALLBACK)
    ax = fig.axes[0]
    questions = _patches(fig, "question_box")
    strategies = _patches(fig, "strategy_box")
    yes = [a for a in ax.texts if a.get_gid() == "arrow_yes"]
    no = [a for a in ax.texts if a.get_gid() == "arrow_no"]
    for i, (arrow, box) in enumerate(zip(yes, strategies)):
        x, y = arrow.xy  # the arrow's head
        assert x == pytest.approx(box.get_x())
        assert box.get_y() < y < box.get_y() + box.get_height(), i
    following = questions[1:] + [strategies[-1]]  # the last "no" leads to the fallback
    for arrow, box in zip(no, following):
        assert arrow.xy[1] == pytest.approx(box.get_y())
        assert box.get_x() < arrow.xy[0] < box.get_x() + box.get_width()


def test_texts_stay_inside_their_boxes_after_wrapping() -> None:
    fig = decision_guide(BRANCHES, FALLBACK)
    renderer = fig.canvas.get_renderer()
    boxes = _patches(fig, "question_box") + _patches(fig, "strategy_box")
    for text in _texts(fig, "question") + _texts(fig, "strategy") + _texts(fig, "evidence"):
        inside = text.get_window_extent(renderer)
        holder = [b.get_window_extent(renderer) for b in boxes
                  if b.get_window_extent(renderer).contains(*inside.p0)]
        assert holder, text.get_text()
        assert inside.x1 <= holder[0].x1 and inside.y1 <= holder[0].y1, text.get_text()


def test_it_draws_into_a_given_axes_and_renders_without_warnings() -> None:
    from matplotlib.figure import Figure

    ax = Figure(figsize=(10, 6)).add_subplot()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = decision_guide(BRANCHES[:1], FALLBACK, title="", ax=ax)
        fig.savefig(io.BytesIO(), format="png")
    assert fig is ax.figure and not _texts(fig, "title")


@pytest.mark.parametrize("branches, fallback, word", [
    ([], FALLBACK, "branches"),
    ([("only a question",)], FALLBACK, "branches"),
    ([("Q?", "A", 3)], FALLBACK, "branches"),
    (BRANCHES, "Same padding", "fallback"),
])
def test_bad_arguments_raise_a_plot_error_that_names_them(branches, fallback, word) -> None:
    with pytest.raises(PlotError, match=word):
        decision_guide(branches, fallback)
