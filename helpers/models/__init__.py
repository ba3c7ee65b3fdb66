"""One small Keras model per strategy, each with an output the size of its target.

builders.py: the encoder, same padding, upsampling, downsampled target and crop/pad
networks; unet.py: the U-Net and its three cures for odd sizes; parts.py: what the
builders share; demos.py: the model that shows each strategy in training (demo).
Every builder returns an uncompiled functional Keras model, seeded.

>>> size_path(unet((64, 64, 1), depth=2))
'64x64 -> 32x32 -> 16x16 -> 32x32 -> 64x64'
"""

from helpers.errors import ModelError

from .builders import (
    crop_pad_net,
    depth_to_space_layer,
    downsample_targets,
    downsampled_target_net,
    encoder,
    encoder_specs,
    same_padding_net,
    size_path,
    summary_line,
    upsampling_net,
    valid_mask,
)
from .demos import DemoRun, demo
from .unet import crop_targets, unet

__all__ = [
    "encoder", "encoder_specs", "same_padding_net", "upsampling_net", "downsampled_target_net",
    "downsample_targets", "crop_pad_net", "valid_mask", "unet", "crop_targets",
    "size_path", "summary_line", "depth_to_space_layer", "ModelError", "demo", "DemoRun",
]
