"""The network graph (helpers.shapes.graph): a chain walked as a graph sizes exactly as
`trace` does, and an edit sized incrementally (only what it reaches, stopping at the first
layer that cannot run) gives what a full walk gives. Pure: no Keras."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from helpers import shapes as S
from helpers.fixes.edits import _alternatives


def _trace_hw(specs: list, n: int) -> tuple | None:
    try:
        out = S.trace((n, n, 3), specs).output_shape
    except S.ShapeError:
        return None
    return out[:2]


NETWORKS = {
    "unet depth 3": S.unet_specs(3),
    "unet depth 2, cropped skips": S.unet_specs(2, cure="crop"),
    "residual": [S.Conv2D(8, 3, padding="same", name="stem"),
                 S.Conv2D(8, 3, strides=2, padding="same", name="down"),
                 S.Conv2D(8, 3, padding="same", name="mid"),
                 S.UpSampling2D(2, name="up"), S.Add(skip="stem", name="res"),
                 S.Conv2D(1, 1, name="head")],
    "valid stack": [S.Conv2D(4, 3, name="a"), S.MaxPooling2D(2, name="p"),
                    S.Conv2D(4, 5, name="b"), S.Conv2DTranspose(1, 2, strides=2, name="u")],
}


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_a_chain_walked_as_a_graph_sizes_as_trace_does(name: str) -> None:
    specs = NETWORKS[name]
    graph = S.Graph.chain(specs, channels=3)
    for n in range(1, 80):
        assert graph.output_hw(n, n) == _trace_hw(specs, n), (name, n)
        assert (graph.failure(n, n) is None) == (_trace_hw(specs, n) is not None), (name, n)


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_an_edit_sized_incrementally_matches_a_full_walk(name: str) -> None:
    graph = S.Graph.chain(NETWORKS[name], channels=3)
    rng = random.Random(0)
    for n in rng.sample(range(5, 120), 25):
        base = graph.walk(n, n)
        for node in graph.nodes:
            for changes in _alternatives(node.spec) if node.spec is not None else []:
                edited = graph.edited(node.name, replace(node.spec, **changes))
                assert edited.output_hw(n, n, base, node.name) == edited.output_hw(n, n), \
                    (name, n, node.name, changes)


def test_cropped_merges_cut_every_input_to_the_smallest() -> None:
    graph = S.Graph.chain(NETWORKS["residual"], channels=3)
    assert graph.output_hw(75, 75) is None  # 75 -> 38 -> 76 against 75: the Add refuses
    assert graph.cropping(["res"]).output_hw(75, 75) == (75, 75)  # the 76 cut to 75
    assert "names no earlier layer" in str(pytest.raises(
        S.ShapeError, S.Graph.chain, [S.Add(skip="nowhere")]).value)
