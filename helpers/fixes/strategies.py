"""The strategies: every way to make a CNN's output and its target the same size, each once.

A `Strategy` says what a learner reads (`label`), which side it changes ("model":
the architecture; "output": layers appended to the model; "target": the targets),
which notebook teaches it, and how it is made: for the advisor, the candidates it
proposes for two sizes (`propose`: exact parameters, cost, reason), its layers
(`layers`) or target transform (`retarget`); for training, the models that show it
(`demos`, built by `helpers.models.demo`). The advisor, the explorers' buttons, the
training playground and notebook 06 all read `STRATEGIES`; adding a strategy is one
entry here. A strategy's name is written as a literal in this file only: elsewhere,
use the constants (`CROP_TARGET.name`) or the registry.

>>> [s.name for s in STRATEGIES.values() if s.side == "target"]
['crop_target', 'downsample_target', 'resize_target']
>>> STRATEGIES["pad_output"].label, STRATEGIES["pad_output"].variants
('pad the output', ('zeros', 'reflect'))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import helpers.fixes.edits as E
import helpers.fixes.proposals as P
from helpers.shapes import AveragePooling2D, Graph, Layer, Resizing, Shape, as_graph

from .proposals import Cost, Proposal

__all__ = ["Cost", "Proposal", "Demo", "Strategy", "STRATEGIES", "SIDES", "demos",
           "compared_demos"]

HW = tuple[int, int]
Edges = tuple[tuple[int, int], tuple[int, int]]
SIDES = {"model": "change the architecture", "output": "append to the model",
         "target": "apply to the targets"}


@dataclass(frozen=True)
class Demo:
    """A trainable model that shows a strategy: `helpers.models.<builder>(input_shape,
    **kwargs)`, trained on targets shrunk by `target_factor`, with a loss that ignores
    invented pixels when `masked_loss`. `compared`: the one notebook 06 compares for
    its lesson."""

    label: str
    builder: str
    kwargs: dict = field(default_factory=dict, hash=False)
    target_factor: int = 1
    masked_loss: bool = False
    compared: bool = False


@dataclass(frozen=True)
class Strategy:
    """One way to make output and target sizes equal (see the module docstring)."""

    name: str
    label: str
    side: str  # a key of SIDES
    lesson: str  # the notebook that teaches it
    penalty: float = 0.0  # the advisor's preference, added to the pixel cost
    variants: tuple[str, ...] = ()  # e.g. the padding's fill, the upsampling's interpolation
    propose: Callable[[HW, HW, tuple[str, ...]], list[Proposal]] | None = None
    layers: Callable[[dict, HW, HW, int], list[Layer]] | None = None
    retarget: Callable[[np.ndarray, dict, HW, bool], np.ndarray] | None = None
    demos: tuple[Demo, ...] = ()
    edit: Callable[[list[Layer] | Graph, Shape, HW], list[Proposal]] | None = None

    def edits(self, network: list[Layer] | Graph, input_shape: Shape,
              t: HW) -> list[Proposal]:
        """What this strategy proposes by editing a model (a chain of specs or a model's
        Graph, its input shape) whose output should be t; [] for the strategies that only
        read two sizes.

        >>> from helpers.shapes import Conv2D
        >>> specs = [Conv2D(4, 3, padding="same", name="a"), Conv2D(1, 3, name="b")]
        >>> [p.params["after"] for p in EDIT_LAYER.edits(specs, (16, 16, 1), (16, 16))]
        ["Conv2D(1, 3, padding='same')", "Conv2D(1, 1, padding='valid')"]
        """
        return self.edit(as_graph(network, input_shape), input_shape, t) if self.edit else []

    def candidates(self, o: HW, t: HW) -> list[Proposal]:
        """What this strategy proposes for an output of size o and targets of size t.

        >>> len(PAD_OUTPUT.candidates((61, 61), (64, 64)))  # one per fill
        2
        """
        return self.propose(o, t, self.variants) if self.propose else []


SAME_PADDING = Strategy(
    "same_padding", "same padding", "model", "01_same_padding", edit=E.same_padding,
    demos=(Demo("same padding", "same_padding_net", compared=True),))
CROP_OUTPUT = Strategy(
    "crop_output", "crop the output", "output", "04_crop_and_pad",
    propose=P.crop_output, layers=P.resample_layers,
    demos=(Demo("crop", "crop_pad_net", {"mode": "crop"}),))
PAD_OUTPUT = Strategy(
    "pad_output", "pad the output", "output", "04_crop_and_pad", variants=("zeros", "reflect"),
    propose=P.pad_output, layers=P.resample_layers,
    demos=(Demo("pad + masked loss", "crop_pad_net", {"mode": "pad"}, masked_loss=True,
                compared=True),))
CROP_PAD_OUTPUT = Strategy(
    "crop_pad_output", "crop and pad the output", "output", "04_crop_and_pad",
    propose=P.crop_pad_output, layers=P.resample_layers)
UPSAMPLE_OUTPUT = Strategy(
    "upsample_output", "upsample", "output", "02_upsampling_the_output", penalty=0.02,
    variants=("bilinear", "nearest"), propose=P.upsample_output, layers=P.resample_layers,
    demos=tuple(Demo(f"upsampling ({m})", "upsampling_net", {"method": m})
                for m in ("bilinear", "nearest")))
TRANSPOSED_CONV = Strategy(
    "transposed_conv", "transposed conv", "output", "02_upsampling_the_output", penalty=0.01,
    propose=P.transposed_conv, layers=P.transposed_layers,
    demos=(Demo("upsampling (transposed)", "upsampling_net", {"method": "transpose"},
                compared=True),))
RESIZE_OUTPUT = Strategy(
    "resize_output", "resize", "output", "02_upsampling_the_output", penalty=0.15,
    propose=P.resize_output,
    layers=lambda p, o, t, c: [Resizing(*t, interpolation="bilinear")])
CROP_TARGET = Strategy(
    "crop_target", "crop the target", "target", "04_crop_and_pad",
    propose=P.crop_target, layers=P.resample_layers, retarget=P.crop_targets)
DOWNSAMPLE_TARGET = Strategy(
    "downsample_target", "downsample the target", "target", "03_downsampling_the_target",
    propose=P.downsample_target, layers=lambda p, o, t, c: [AveragePooling2D(p["factor"])],
    retarget=P.downsample_targets,
    demos=(Demo("downsampled target", "downsampled_target_net", {"factor": 4}, target_factor=4,
                compared=True),))
RESIZE_TARGET = Strategy(
    "resize_target", "resize the target", "target", "03_downsampling_the_target",
    propose=P.resize_target,
    layers=lambda p, o, t, c: [Resizing(*o, interpolation=p["interpolation"])],
    retarget=P.resize_targets)
SKIP_CONNECTIONS = Strategy(
    "skip_connections", "U-Net skips", "model", "05_unet_skip_connections",
    demos=(Demo("U-Net", "unet", {"depth": 2}, compared=True),))

EDIT_LAYER = Strategy(  # one layer's padding, strides, kernel/pool size or output_padding
    "edit_layer", "edit a layer", "model", "01_same_padding", edit=E.edit_layer)
INPUT_SIZE = Strategy(  # feed a size the network survives: pad the input, crop the output
    "input_size", "change the input size", "model", "05_unet_skip_connections", penalty=0.005,
    edit=E.input_size)
CROP_SKIPS = Strategy(  # crop each merge's larger input, and the target to the output: a
    # target-side change too (a border of the target is never predicted), ranked as one
    "crop_skips", "crop the skips", "model", "05_unet_skip_connections", penalty=0.1,
    edit=E.crop_skips, retarget=E.crop_skip_targets)

STRATEGIES: dict[str, Strategy] = {s.name: s for s in (  # the advisor proposes in this order
    SAME_PADDING, CROP_OUTPUT, PAD_OUTPUT, CROP_PAD_OUTPUT, UPSAMPLE_OUTPUT, TRANSPOSED_CONV,
    RESIZE_OUTPUT, CROP_TARGET, DOWNSAMPLE_TARGET, RESIZE_TARGET, SKIP_CONNECTIONS, EDIT_LAYER,
    INPUT_SIZE, CROP_SKIPS)}


def demos() -> dict[str, tuple[Strategy, Demo]]:
    """Every trainable demo by its label, in lesson order (the playground's choices).

    >>> list(demos())[:3]
    ['same padding', 'upsampling (transposed)', 'upsampling (bilinear)']
    """
    ordered = sorted(STRATEGIES.values(), key=lambda s: s.lesson)  # stable: registry order
    found = [(d.label, (s, d)) for s in ordered for d in s.demos]
    lesson_first = sorted(found, key=lambda item: (item[1][0].lesson, not item[1][1].compared))
    return dict(lesson_first)


def compared_demos() -> list[str]:
    """The demo labels notebook 06 compares: one per lesson, 01 to 05.

    >>> compared_demos()
    ['same padding', 'upsampling (transposed)', 'downsampled target', 'pad + masked loss', 'U-Net']
    """
    return [label for label, (_, d) in demos().items() if d.compared]
