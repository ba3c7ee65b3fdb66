"""Benchmark training: helpers.training.train against a plain model.fit, and each demo's time.

Run: .venv/bin/python bench/bench_training.py            # train vs fit (about 2 minutes)
     .venv/bin/python bench/bench_training.py --demos    # every strategy's demo, 75x75
     .venv/bin/python bench/bench_training.py --demos --size 64
Prints medians; the figures measured on the project machine are in bench/README.md.

Time per step leaves out the first epoch (it traces the graph); both figures are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from helpers import models  # noqa: E402
from helpers.data import add_noise, load_photos, load_shapes  # noqa: E402
from helpers.models import valid_mask  # noqa: E402
from helpers.training import compare, masked_loss, psnr, train  # noqa: E402

EPOCHS, BATCH = 5, 32


def plain_fit(build, x, y) -> list[float]:
    """Epoch times of model.fit on numpy arrays, compiled as train() compiles it."""
    import keras

    model = build()
    keras.utils.set_random_seed(0)
    model.compile(keras.optimizers.Adam(1e-3),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    times: list[float] = []

    class Clock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=True, verbose=0, callbacks=[Clock()])
    return times


def with_train(build, x, y, **options) -> list[float]:
    """Epoch times of helpers.training.train (text progress on, as in a terminal)."""
    return train(build(), (x, y), epochs=EPOCHS, batch_size=BATCH, lr=1e-3, live=True,
                 **options).epoch_seconds


def per_step(times: list[float], steps: int) -> tuple[float, float]:
    """(first epoch's seconds per step, fastest later epoch's seconds per step).

    The fastest epoch, not the mean: other processes on a 2-core machine only ever
    add time, so the minimum is the figure least disturbed by them.
    """
    return times[0] / steps, min(times[1:]) / steps


def train_vs_fit(repeats: int) -> None:
    x, y = load_shapes("train", 64)
    steps = -(-len(x) // BATCH)
    variants = {
        "model.fit (numpy)": lambda b: plain_fit(b, x, y),
        "train()": lambda b: with_train(b, x, y),
        "train(steps_per_execution=4)": lambda b: with_train(b, x, y, steps_per_execution=4),
        "train(steps_per_execution=16)": lambda b: with_train(b, x, y, steps_per_execution=16),
        "train(jit_compile=True)": lambda b: with_train(b, x, y, jit_compile=True),
    }
    for label, build in [("unet 64x64, 4 classes", lambda: models.unet((64, 64, 3), classes=4)),
                         ("same_padding_net dilated",
                          lambda: models.same_padding_net((64, 64, 3), dilation=True, classes=4))]:
        print(f"\n{label}: {len(x)} images, batch {BATCH}, {steps} steps/epoch, "
              f"{EPOCHS} epochs, {repeats} runs each (interleaved)", flush=True)
        results: dict[str, list] = {name: [] for name in variants}
        for _ in range(repeats):  # interleave, so a slow moment hits every variant alike
            for name, run in variants.items():
                results[name].append(per_step(run(build), steps))
        base = min(r[1] for r in results["model.fit (numpy)"])
        for name, runs in results.items():
            first = statistics.median(r[0] for r in runs) * 1e3
            later = min(r[1] for r in runs)
            print(f"  {name:32s} first epoch {first:6.1f} ms/step (median)   later "
                  f"{later * 1e3:6.1f} ms/step (best)   ratio to fit {later / base:.2f}",
                  flush=True)


def demos(size: int = 75) -> None:
    """Each strategy's notebook demo, trained in full mode, timed end to end (build + train).

    Segmentation demos learn foreground vs background (mask > 0, 2 classes): the four
    shape classes need far more steps than a demo of seconds allows. Image demos denoise
    photos (sigma 0.1). Batch 16, lr 3e-3, 6 epochs (20 for the photos, which are few),
    validation on the test split.
    """
    xs, ys = load_shapes("train", size)
    xt, yt = load_shapes("test", size)
    ys, yt = (ys > 0).astype(np.int32), (yt > 0).astype(np.int32)
    clean, clean_t = load_photos("train", size), load_photos("test", size)
    noisy, noisy_t = add_noise(clean, 0.1, seed=0), add_noise(clean_t, 0.1, seed=1)
    shape, seg, den = (size, size, 3), ((xs, ys), (xt, yt)), ((noisy, clean), (noisy_t, clean_t))
    crop = size // 4 * 4  # the crop U-Net predicts the top-left crop x crop pixels
    cases = [
        ("same_padding_net (denoise)", lambda: models.same_padding_net(shape), den),
        ("upsampling_net transpose (denoise)", lambda: models.upsampling_net(shape), den),
        ("same_padding_net (seg)", lambda: models.same_padding_net(shape, classes=2), seg),
        ("same_padding_net dilated (seg)",
         lambda: models.same_padding_net(shape, dilation=True, classes=2), seg),
        *[(f"upsampling_net {m} (seg)", lambda m=m: models.upsampling_net(shape, m, classes=2),
           seg) for m in ("transpose", "nearest", "bilinear", "subpixel")],
        ("downsampled_target_net x4 (seg)",
         lambda: models.downsampled_target_net(shape, 4, classes=2),
         ((xs, models.downsample_targets(ys, 4)), (xt, models.downsample_targets(yt, 4)))),
        *[(f"crop_pad_net {m} (seg)", lambda m=m: models.crop_pad_net(shape, m, classes=2), seg)
          for m in ("crop", "pad")],
        *[(f"unet {m} (seg)", lambda m=m: models.unet(shape, odd_sizes=m, classes=2), seg)
          for m in ("pad", "output_padding")],
        ("unet crop (seg)", lambda: models.unet(shape, odd_sizes="crop", classes=2),
         ((xs, ys[:, :crop, :crop]), (xt, yt[:, :crop, :crop]))),
    ]
    print(f"{size}x{size} inputs; {len(xs)} shape images, {len(clean)} photos per epoch")
    print(f"noisy photos before training: PSNR {psnr(clean_t, noisy_t):.2f} dB")
    print(f"{'demo':36s} {'params':>7s} {'seconds':>8s}  {'s/epoch':>7s}  quality")
    runs = {}
    for name, build, data in cases:
        start = time.perf_counter()
        model = build()
        loss = masked_loss(valid_mask(model), "sparse_categorical_crossentropy") \
            if "pad" in model.name and "crop_pad" in model.name else None  # ignore the border
        epochs = 20 if data is den else 6  # 116 photos: 8 steps an epoch
        h = train(model, data, epochs=epochs, batch_size=16, lr=3e-3, loss=loss, live=False)
        seconds = time.perf_counter() - start
        print(f"{name:36s} {h.params:7,d} {seconds:8.1f}  {h.seconds_per_epoch:7.2f}  "
              f"{h.quality}", flush=True)
        runs[name] = h
    print(f"\n{compare(runs)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demos", action="store_true", help="time every strategy's demo")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", type=int, default=75, choices=(64, 75))
    args = parser.parse_args()
    if os.environ.get("CNNLAB_FAST") == "1":
        sys.exit("bench_training.py measures full mode: unset CNNLAB_FAST first.")
    np.set_printoptions(precision=4)
    demos(args.size) if args.demos else train_vs_fit(args.repeats)
