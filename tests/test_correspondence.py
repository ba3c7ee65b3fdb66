"""The principle's geometry (shapes.correspondence) against Keras, and its picture.

Which input pixels an output pixel reads is measured on real Keras layers: a one-pixel
impulse is moved across the input of a network with all-ones kernels, and the output
pixels that respond are that input pixel's readers. The windows the engine computes
must be exactly those.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import plots
from helpers import shapes as S

NETWORKS = {
    "valid 3x3": [S.Conv2D(1, 3)],
    "same 3x3": [S.Conv2D(1, 3, padding="same")],
    "stride 2 same": [S.Conv2D(1, 3, strides=2, padding="same")],
    "stride 2 twice": [S.Conv2D(1, 3, strides=2, padding="same"),
                       S.Conv2D(1, 3, strides=2, padding="same")],
    "valid then pool": [S.Conv2D(1, 5), S.MaxPooling2D(2)],
}


@pytest.mark.both_builds
@pytest.mark.parametrize("name", NETWORKS)
@pytest.mark.parametrize("n", [12, 13])
def test_each_output_pixel_reads_exactly_the_window_the_engine_computes(name: str,
                                                                        n: int) -> None:
    import keras

    specs = NETWORKS[name]
    inputs = keras.Input((n, 1, 1))
    x = inputs
    for spec in specs:  # one axis: the width is 1, so the windows are along the height
        if isinstance(spec, S.Conv2D):
            x = keras.layers.Conv2D(1, (3 if spec.kernel_size == 3 else 5, 1),
                                    strides=(spec.strides, 1), padding=spec.padding,
                                    kernel_initializer="ones", use_bias=False)(x)
        else:
            x = keras.layers.MaxPooling2D((2, 1))(x)
    model = keras.Model(inputs, x)
    impulses = np.eye(n, dtype="float32").reshape(n, n, 1, 1)  # impulse p at row p
    readers = model.predict(impulses, verbose=0)[:, :, 0, 0] > 0   # [p, i]: i reads p
    c = S.correspondence(specs, n, crop_target=True)
    assert readers.shape[1] == c.output
    for i, (first, last) in enumerate(c.reach):
        read = np.flatnonzero(readers[:, i])
        inside = [p for p in range(n) if first <= p <= last]
        assert list(read) == inside, f"{name}, n={n}, output pixel {i}"


def test_a_centre_crop_of_a_strided_output_does_not_correspond_and_grows_with_the_image() -> None:
    stride2 = [S.Conv2D(8, 3, strides=2, padding="same")]
    small = S.correspondence(stride2, 12, crop_target=True)
    large = S.correspondence(stride2, 64, crop_target=True)
    assert not small.holds and not large.holds
    assert large.worst > small.worst >= 2


def test_a_few_pixels_off_is_cured_by_a_crop_a_factor_by_resampling() -> None:
    valid = [S.Conv2D(8, 3), S.Conv2D(8, 3)]
    assert S.correspondence(valid, 28, crop_target=True).worst == 0
    stride4 = [S.Conv2D(8, 3, strides=2, padding="same")] * 2
    assert S.correspondence(stride4, 28, repeat_output=4).holds
    assert S.correspondence(stride4, 28, pool_target=4).holds
    assert not S.correspondence(stride4, 28, crop_target=True).holds


def test_sizes_that_cannot_be_compared_raise_a_shape_error_that_names_the_fix() -> None:
    with pytest.raises(S.ShapeError, match="crop_target=True, pool_target or repeat_output"):
        S.correspondence([S.Conv2D(8, 3)], 12)
    with pytest.raises(S.ShapeError, match="pool_target=0"):
        S.correspondence([S.Conv2D(8, 3)], 12, pool_target=0)


def test_the_picture_draws_one_line_per_compared_pair_dashed_where_they_do_not_correspond(
) -> None:
    stride2 = [S.Conv2D(8, 3, strides=2, padding="same")]
    crop = S.correspondence(stride2, 12, crop_target=True)
    pic = plots.correspondence_svg([("crop", crop),
                                    ("up", S.correspondence(stride2, 12, repeat_output=2))])
    assert pic.data["holds"] == [False, True]
    assert pic.svg.count('class="pair') == len(crop.targets) + 12
    bad = sum(abs(o) > crop.tolerance for o in crop.offsets)
    assert pic.svg.count("pair misaligned") == bad > 0
    assert "stroke-dasharray" in pic.svg and "does not correspond" in pic.title
