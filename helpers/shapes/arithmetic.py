"""Exact output sizes of Keras's spatial layers, one axis at a time.

Pure Python: no TensorFlow, no Keras. Each function returns what Keras really
produces when the layer runs on data (checked against Keras in tests/), and
raises `ShapeError` for every configuration Keras refuses or that fails at run
time, with a message that says what to change.
"""

from __future__ import annotations

import numbers

from helpers.errors import ShapeError

__all__ = [
    "ShapeError",
    "conv_out",
    "pool_out",
    "deconv_out",
    "deconv_paddings",
    "same_padding",
    "dilated",
    "dropped_pixels",
    "centred_split",
    "centred_edges",
    "ONEDNN_ONLY",
    "onednn_only",
]

# Words every refusal of a build-dependent configuration carries (tests look for them).
ONEDNN_ONLY = "runs only where TensorFlow uses oneDNN"


def _positive_int(name: str, value: object, why: str = "") -> int:
    if type(value) is int and value >= 1:  # the fast path: widgets call this on every tick
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ShapeError(f"{name}={value!r} is not a whole number; use an int such as 1, 2 or 3.")
    if value < 1:
        fix = why or f"use {name}=1 or more"
        raise ShapeError(f"{name}={value} must be at least 1; {fix}.")
    return int(value)


def _padding(padding: object) -> str:
    p = padding.lower() if isinstance(padding, str) else padding
    if p not in ("valid", "same"):
        raise ShapeError(
            f"padding={padding!r} is not a Keras 2D padding; use padding='valid' "
            "(no padding, the map shrinks) or padding='same' (output = ceil(n / stride))."
        )
    return p


def dilated(kernel: int, dilation: int = 1) -> int:
    """Pixels a kernel spans once dilated: dilation * (kernel - 1) + 1.

    >>> dilated(3, 2)
    5
    """
    return dilation * (kernel - 1) + 1


def _check_stride_and_dilation(stride: int, dilation: int) -> None:
    if stride > 1 and dilation > 1:
        raise ShapeError(
            f"stride={stride} together with dilation={dilation}: Keras refuses strides > 1 "
            "with dilation_rate > 1; use stride=1 with the dilation, or dilation=1 with the "
            "stride (or two layers, one of each)."
        )


def _window_args(n: int, kernel: int, stride: int, padding: str, dilation: int,
                 stride_hint: str) -> tuple[int, int, int, str, int]:
    """Validated (n, kernel, stride, padding, dilation) of a conv or transposed conv."""
    n = _positive_int("n", n, "a feature map needs at least one pixel")
    kernel = _positive_int("kernel", kernel)
    stride = _positive_int("stride", stride, stride_hint)
    dilation = _positive_int("dilation", dilation, "dilation 1 is an ordinary kernel")
    padding = _padding(padding)
    _check_stride_and_dilation(stride, dilation)
    return n, kernel, stride, padding, dilation


def conv_out(n: int, kernel: int, stride: int = 1, padding: str = "valid",
             dilation: int = 1) -> int:
    """Spatial size after a Keras Conv2D along one axis.

    "valid": floor((n - ke) / s) + 1 with ke = dilation * (kernel - 1) + 1.
    "same": ceil(n / s) (not n, unless the stride is 1).

    >>> conv_out(28, 3, stride=2)            # padding="valid"
    13
    >>> conv_out(28, 3, stride=2, padding="same")
    14
    """
    n, kernel, stride, padding, dilation = _window_args(
        n, kernel, stride, padding, dilation, "stride 1 moves the window one pixel at a time")
    if padding == "same":
        return -(-n // stride)
    ke = dilated(kernel, dilation)
    if ke > n:
        spans = f"kernel {kernel} with dilation {dilation} spans {ke} pixels" if dilation > 1 \
            else f"kernel {kernel} spans {kernel} pixels"
        less = (", a smaller kernel or less dilation" if dilation > 1
                else f" or a kernel of {n} or less")
        raise ShapeError(f"{spans} but the input is {n} wide; with padding='valid' nothing "
                         f"fits: use padding='same'{less}.")
    return (n - ke) // stride + 1


def pool_out(n: int, pool: int, stride: int | None = None, padding: str = "valid") -> int:
    """Spatial size after MaxPooling2D / AveragePooling2D along one axis.

    The stride defaults to the pool size, as in Keras.

    >>> pool_out(28, 2)
    14
    >>> pool_out(75, 2)                      # the odd pixel is dropped
    37
    >>> pool_out(75, 2, padding="same")      # ceil(75 / 2)
    38
    """
    n = _positive_int("n", n, "a feature map needs at least one pixel")
    pool = _positive_int("pool", pool)
    stride = pool if stride is None else _positive_int("stride", stride)
    padding = _padding(padding)
    if padding == "same":
        return -(-n // stride)
    if pool > n:
        raise ShapeError(f"pool {pool} is wider than the input ({n} pixels); with "
                         f"padding='valid' no window fits: use padding='same' or pool={n} or less.")
    return (n - pool) // stride + 1


def onednn_only(what: str, tf_says: str, fix: str) -> ShapeError:
    """The refusal of a configuration that only TensorFlow's oneDNN build runs.

    >>> str(onednn_only("this", "no", "do that."))[:52]
    'this runs only where TensorFlow uses oneDNN (most In'
    """
    return ShapeError(
        f"{what} {ONEDNN_ONLY} (most Intel CPUs with AVX-512); everywhere else (most AMD "
        f"CPUs, Apple silicon, TF_ENABLE_ONEDNN_OPTS=0) TensorFlow fails when the layer runs: "
        f"'{tf_says}'. {fix}"
    )


def _refuse_dilated_deconv(dilation: object, span: object) -> None:
    """A dilated transposed conv runs only with oneDNN (docs/keras-facts.md): refuse it,
    and offer the undilated kernel of the same span (an int, or a pair for a spec)."""
    raise onednn_only(f"dilation_rate={dilation} in a Conv2DTranspose",
                      "Current CPU implementations do not yet support dilation rates larger "
                      "than 1", f"Use kernel_size={span} with dilation_rate=1: the same span "
                      "and the same output size, on every CPU.")


def _deconv_length(n: int, ke: int, stride: int, padding: str, output_padding: int | None) -> int:
    if output_padding is None:
        return n * stride + max(ke - stride, 0) if padding == "valid" else n * stride
    if padding == "valid":
        return (n - 1) * stride + ke + output_padding
    return (n - 1) * stride + ke - 2 * (ke // 2) + output_padding


def _runs(n: int, length: int, ke: int, stride: int, padding: str) -> bool:
    """A transposed conv can produce `length` only if the forward conv maps it back to n."""
    if length < 1:
        return False
    if padding == "same":
        return -(-length // stride) == n
    return length >= ke and (length - ke) // stride + 1 == n


def deconv_paddings(n: int, kernel: int, stride: int = 1, padding: str = "valid",
                    dilation: int = 1) -> dict[int | None, int]:
    """Every output_padding that really runs, mapped to the size it gives.

    Empty for a dilated kernel, which runs on one TensorFlow build only (see deconv_out).

    >>> deconv_paddings(16, 4, stride=2, padding="same")   # 0 fails at run time
    {None: 32, 1: 31}
    """
    sizes: dict[int | None, int] = {}
    if dilation > 1:
        return sizes
    ke = dilated(kernel, dilation)
    for op in [None, *range(stride)]:
        length = _deconv_length(n, ke, stride, padding, op)
        if _runs(n, length, ke, stride, padding):
            sizes[op] = length
    return sizes


def deconv_out(n: int, kernel: int, stride: int = 1, padding: str = "valid",
               output_padding: int | None = None, dilation: int = 1) -> int:
    """Spatial size after a Keras Conv2DTranspose along one axis.

    output_padding=None: n * s (+ max(ke - s, 0) for "valid").
    output_padding=a: (n - 1) * s + ke + a for "valid",
    (n - 1) * s + ke - 2 * (ke // 2) + a for "same". Sizes that Keras accepts on
    paper but TensorFlow cannot run are refused, and so is dilation > 1, which runs
    on the oneDNN build of TensorFlow only (docs/keras-facts.md has both).

    >>> deconv_out(38, 3, stride=2, padding="same")
    76
    >>> deconv_out(38, 3, stride=2, padding="same", output_padding=0)
    75
    """
    length = _deconv_size(n, kernel, stride, padding, output_padding, dilation)
    if dilation > 1:  # after Keras's own refusals and the trap, which hold on both builds
        _refuse_dilated_deconv(dilation, dilated(kernel, dilation))
    return length


def _deconv_size(n: int, kernel: int, stride: int, padding: str, output_padding: int | None,
                 dilation: int) -> int:
    """deconv_out's size and refusals, but for the oneDNN-only dilation (which the
    Conv2DTranspose spec checks for both axes at once)."""
    n, kernel, stride, padding, dilation = _window_args(
        n, kernel, stride, padding, dilation, "stride 1 keeps the size, stride 2 doubles it")
    if output_padding is not None:
        if isinstance(output_padding, bool) or not isinstance(output_padding, numbers.Integral):
            raise ShapeError(f"output_padding={output_padding!r} is not a whole number; use None "
                             f"or an int from 0 to {stride - 1}.")
        if not 0 <= output_padding < stride:
            raise ShapeError(f"output_padding={output_padding} must be at least 0 and strictly "
                             f"less than stride={stride}; use None or 0 to {stride - 1}.")
        output_padding = int(output_padding)
    ke = dilated(kernel, dilation)
    length = _deconv_length(n, ke, stride, padding, output_padding)
    if not _runs(n, length, ke, stride, padding):
        works = deconv_paddings(n, ke, stride, padding)  # undilated: runs on every build
        options = ", ".join(f"output_padding={op!r} gives {size}" for op, size in works.items())
        if dilation > 1:
            options = f"kernel_size={ke} with dilation_rate=1, where {options}"
        if length < 1:
            raise ShapeError(f"output_padding={output_padding} with kernel {kernel}, stride "
                             f"{stride} and padding='{padding}' gives {length} pixels from {n}: "
                             f"an empty feature map. Use {options}.")
        raise ShapeError(
            f"output_padding={output_padding} with kernel {kernel}, stride {stride} and "
            f"padding='{padding}' asks for {length} pixels from {n}, but a {padding} convolution "
            f"of {length} pixels does not give back {n}, so TensorFlow fails when the layer runs "
            f"(Keras accepts it on paper). Use {options}."
        )
    return length


def same_padding(n: int, kernel: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """The (before, after) zeros TensorFlow adds for padding="same" along one axis.

    The odd pixel, if any, goes after: at the bottom or the right.

    >>> same_padding(28, 4, stride=2)
    (1, 1)
    >>> same_padding(28, 3, stride=2)
    (0, 1)
    """
    out = conv_out(n, kernel, stride, "same", dilation)
    return centred_split(max((out - 1) * stride + dilated(kernel, dilation) - n, 0))


def centred_split(d: int) -> tuple[int, int]:
    """d pixels shared by the two sides of an axis, centred: the odd one goes after
    (bottom/right), as TensorFlow's "same" padding and CenterCrop do.

    >>> centred_split(3)
    (1, 2)
    """
    return d // 2, d - d // 2


def centred_edges(a: tuple[int, int], b: tuple[int, int]) -> tuple[tuple[int, int], ...]:
    """((top, bottom), (left, right)): the centred crop or pad between two (H, W) sizes.

    >>> centred_edges((64, 64), (61, 62))     # e.g. Cropping2D(...) takes 64x64 to 61x62
    ((1, 2), (1, 1))
    """
    return centred_split(abs(a[0] - b[0])), centred_split(abs(a[1] - b[1]))


def dropped_pixels(n: int, kernel: int, stride: int = 1, dilation: int = 1) -> int:
    """Pixels at the end of an axis that no "valid" window covers (floor() drops them).

    >>> dropped_pixels(28, 3, stride=2)      # windows start at 0, 2, ..., 24: pixel 27 unused
    1
    """
    out = conv_out(n, kernel, stride, "valid", dilation)
    return n - ((out - 1) * stride + dilated(kernel, dilation))
