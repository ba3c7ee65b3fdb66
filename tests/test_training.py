"""Training: shape safety (even the silent broadcast), determinism, NaN stops, metrics."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import helpers
from helpers import runtime
from helpers.models import crop_pad_net, same_padding_net, unet, valid_mask
from helpers.training import (
    History,
    ShapeMismatchError,
    check_target,
    compare,
    masked_loss,
    mean_iou,
    psnr,
    shape_checked,
    train,
)


def _broadcasting_model():
    """A model whose output is (B, 1, 1, 1): MSE against (B, 28, 28, 1) broadcasts."""
    import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(4, 3, activation="relu")(inputs)
    x = keras.layers.GlobalAveragePooling2D(keepdims=True)(x)
    return keras.Model(inputs, keras.layers.Conv2D(1, 1)(x), name="squeezed")


def _images(n: int = 16, size: int = 28) -> np.ndarray:
    return np.random.default_rng(0).random((n, size, size, 1), dtype=np.float32)


def test_plain_fit_trains_a_broadcasting_model_silently_but_train_refuses_it() -> None:
    x = _images()
    model = _broadcasting_model()
    model.compile("adam", "mse")
    history = model.fit(x, x, epochs=2, verbose=0)  # the trap: no error at all
    assert np.isfinite(history.history["loss"]).all()
    with pytest.raises(ShapeMismatchError) as caught:
        train(_broadcasting_model(), (x, x), live=False)
    message = str(caught.value)
    assert "output (B, 1, 1, 1) vs target (B, 28, 28, 1)" in message
    assert "broadcast" in message and "Silent broadcast" in message  # diagnose()'s text
    assert "fix 1." in message


def test_shape_checked_mse_refuses_the_broadcast_inside_a_real_fit() -> None:
    x = _images()
    model = _broadcasting_model()
    model.compile("adam", shape_checked("mse"))
    with pytest.raises(ShapeMismatchError, match=r"\(B, 1, 1, 1\) vs target \(B, 28, 28, 1\)"):
        model.fit(x, x, epochs=1, verbose=0)


def test_shape_checked_computes_the_wrapped_loss_when_shapes_agree() -> None:
    import keras

    y, p = _images(2, 8), _images(2, 8)[::-1]
    expected = float(keras.losses.MeanSquaredError()(y, p))
    assert float(shape_checked("mse")(y, p)) == pytest.approx(expected)
    assert float(shape_checked(keras.losses.MeanSquaredError())(y, p)) == pytest.approx(expected)


def test_train_refuses_a_smaller_output_and_names_the_layer_that_shrank_it() -> None:
    import keras

    inputs = keras.Input((28, 28, 1))
    model = keras.Model(inputs, keras.layers.Conv2D(1, 3, name="valid_conv")(inputs))
    with pytest.raises(ShapeMismatchError, match="valid_conv") as caught:
        train(model, (_images(), _images()), live=False)
    assert "output 26x26 vs target 28x28" in str(caught.value)


def test_sparse_targets_are_compared_on_their_spatial_axes_only() -> None:
    model = same_padding_net((12, 12, 3), classes=4)
    check_target(model, np.zeros((2, 12, 12), np.int32))
    check_target(model, np.zeros((2, 12, 12, 1), np.int32))
    with pytest.raises(ShapeMismatchError, match="sparse cross-entropy"):
        check_target(model, np.zeros((2, 10, 12), np.int32))


def test_the_same_seed_gives_identical_loss_histories(monkeypatch) -> None:
    monkeypatch.setenv("CNNLAB_FAST", "1")
    x = _images(64, 16)
    runs = [train(same_padding_net((16, 16, 1), filters=8, depth=2), ((x, x), (x, x)),
                  epochs=3, batch_size=8, live=False) for _ in range(2)]
    assert runs[0].history == runs[1].history
    assert len(runs[0].history["loss"]) == 2 and runs[0].steps_per_epoch == 2  # fast mode


def test_a_new_process_gives_the_same_loss_history(monkeypatch) -> None:
    monkeypatch.setenv("CNNLAB_FAST", "1")
    code = (
        "import json, numpy as np\n"
        "from helpers.models import unet\nfrom helpers.training import train\n"
        "x = np.random.default_rng(0).random((32, 20, 20, 1), dtype=np.float32)\n"
        "y = (x[..., 0] > 0.5).astype('int32')\n"
        "h = train(unet((20, 20, 1), classes=2), (x, y), batch_size=8, live=False)\n"
        "print(json.dumps(h.history))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    there = json.loads(out.stdout.strip().splitlines()[-1])
    x = np.random.default_rng(0).random((32, 20, 20, 1), dtype=np.float32)
    here = train(unet((20, 20, 1), classes=2), (x, (x[..., 0] > 0.5).astype("int32")),
                 batch_size=8, live=False)
    assert here.history == there


def test_a_diverging_learning_rate_stops_with_a_clear_message(capsys) -> None:
    import keras

    keras.utils.set_random_seed(0)
    inputs = x = keras.Input((16, 16, 1))
    for _ in range(3):  # linear layers: nothing saturates, so the loss overflows
        x = keras.layers.Conv2D(8, 3, padding="same")(x)
    model = keras.Model(inputs, keras.layers.Conv2D(1, 1)(x))
    data = _images(64, 16)
    history = train(model, (data, data), epochs=3, lr=1e8, batch_size=16, live=False)
    shown = capsys.readouterr().out
    assert history.stopped and "the loss became" in history.stopped
    assert "lr=1e+08 is too large" in shown and "lr=0.001" in shown
    assert "Traceback" not in shown and len(history.history["loss"]) == 1


def test_train_prints_one_line_per_epoch_in_plain_python(capsys) -> None:
    x = _images(16, 12)
    train(same_padding_net((12, 12, 1), filters=4, depth=1), (x, x), epochs=2, batch_size=8,
          live=True)
    lines = [s for s in capsys.readouterr().out.splitlines() if s.startswith("epoch")]
    assert [s.split()[1] for s in lines] == ["1/2", "2/2"]


def test_history_reports_params_timings_and_quality() -> None:
    x = _images(16, 12)
    h = train(same_padding_net((12, 12, 1), filters=4, depth=1), (x, x), epochs=2,
              batch_size=8, live=False)
    assert h.params == h.model.count_params() and h.epochs == [1, 2]
    assert len(h.epoch_seconds) == 2 and h.seconds_per_epoch > 0
    assert h.quality["psnr"] == psnr(x, np.asarray(h.model(x)))


def test_masked_loss_averages_only_over_valid_pixels() -> None:
    model = crop_pad_net((32, 32, 1), "pad")
    mask = valid_mask(model)
    loss = masked_loss(mask)
    y, p = _images(2, 32), _images(2, 32)[::-1]
    expected = (((y - p) ** 2)[..., 0] * mask).sum(axis=(1, 2)).mean() / mask.sum()
    assert float(loss(y, p)) == pytest.approx(expected, rel=1e-5)
    assert loss.ignored_pixels == 32 * 32 - int(mask.sum()) > 0


def test_compare_says_how_many_pixels_each_strategy_discards(monkeypatch) -> None:
    monkeypatch.setenv("CNNLAB_FAST", "1")
    x = _images(16, 35)
    y = (x[..., 0] > 0.5).astype(np.int32)
    padded = crop_pad_net((35, 35, 1), "pad", classes=2)
    runs = {
        "pad + mask": train(padded, (x, y), loss=masked_loss(
            valid_mask(padded), "sparse_categorical_crossentropy"), batch_size=8, live=False),
        "unet crop": train(unet((35, 35, 1), odd_sizes="crop", classes=2),
                           (x, y[:, :32, :32]), batch_size=8, live=False),
    }
    table = compare(runs)
    rows = {r[0]: r for r in table.rows}
    assert rows["unet crop"][6:] == ("32x32 of 35x35", "201 (16.4%)")
    gone = 35 * 35 - int(valid_mask(padded).sum())
    assert rows["pad + mask"][7].startswith(f"{gone} (")
    assert rows["pad + mask"][6] == f"{35 * 35 - gone} of {35 * 35} px (masked)"
    assert "mIoU" in rows["pad + mask"][5] and "<table>" in table._repr_html_()


def test_psnr_and_mean_iou_match_hand_computed_values() -> None:
    assert psnr(np.zeros((1, 2, 2, 1)), np.full((1, 2, 2, 1), 0.1)) == pytest.approx(20.0)
    truth = np.array([[[0, 0], [1, 2]]])
    logits = np.eye(3)[np.array([[[0, 1], [1, 2]]])]  # one-hot "logits" of labels
    # class 0: 1/2, class 1: 1/2, class 2: 1/1
    assert mean_iou(truth, logits, classes=3) == pytest.approx((0.5 + 0.5 + 1) / 3, abs=1e-4)
    with pytest.raises(ShapeMismatchError):
        psnr(np.zeros((1, 4, 4, 1)), np.zeros((1, 2, 2, 1)))


def test_setup_seeds_numpy_and_reads_fast_mode(monkeypatch, capsys) -> None:
    monkeypatch.setenv("CNNLAB_FAST", "1")
    info = helpers.setup(seed=5)
    first = np.random.random()
    helpers.setup(seed=5, quiet=True)
    assert np.random.random() == first and info.fast and runtime.fast_mode()
    line = capsys.readouterr().out.strip()
    assert line.startswith("seed 5 · fast mode") and "keras" in line and "\n" not in line


def test_setup_alone_does_not_import_keras() -> None:
    code = "import sys, helpers; helpers.setup(quiet=True); print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_history_of_a_downsampled_target_counts_no_discarded_pixels() -> None:
    h = History({"loss": [0.1]}, [1], [1.0], 10, "down", "image", 1, (75, 75), (19, 19))
    assert h.discarded_pixels == 0
    assert "(x4 coarser)" in str(compare([h]))


def test_in_jupyter_the_loss_plot_and_progress_update_in_place(monkeypatch) -> None:
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("CNNLAB_FAST", "1")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import numpy as np\n"
        "from helpers.models import same_padding_net\nfrom helpers.training import train\n"
        "x = np.random.default_rng(0).random((32, 16, 16, 1), dtype=np.float32)\n"
        "h = train(same_padding_net((16, 16, 1), filters=4), ((x, x), (x, x)), batch_size=8)")]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    shown = [o for o in nb.cells[0].outputs if o.output_type == "display_data"]
    images = [o for o in shown if "image/svg+xml" in o.data]
    texts = [o.data["text/plain"] for o in shown if "image/svg+xml" not in o.data]
    assert len(images) == 1 and len(texts) == 1  # one of each, updated in place
    assert texts[0].splitlines()[-1].startswith("epoch 2/2")
    curve = images[0].data["image/svg+xml"]  # plots.loss_svg, the playground's picture
    assert 'class="loss"' in curve and 'class="running"' in curve and "epoch 2/2" in curve
    assert not any(o.output_type == "error" for o in nb.cells[0].outputs)


def test_quiet_training_prints_nothing_and_still_records_every_epoch(capsys) -> None:
    import numpy as np

    from helpers.models import same_padding_net
    from helpers.training import train

    x = np.random.default_rng(0).random((8, 16, 16, 1), dtype=np.float32)
    h = train(same_padding_net((16, 16, 1), filters=4, depth=1), (x, x), epochs=2,
              batch_size=4, live=False, quiet=True)
    assert len(h.history["loss"]) == 2 and capsys.readouterr().out == ""


def test_class_iou_shows_the_class_a_mean_hides() -> None:
    """A model that never predicts a rare class scores 0 on it; mean_iou is class_iou's mean."""
    from helpers.training import class_iou, mean_iou

    masks = np.zeros((1, 8, 8), int)
    masks[0, :2, :2], masks[0, 4:, 4:] = 1, 2
    guess = np.where(masks == 2, 2, 0)            # class 1 never predicted
    iou = class_iou(masks, guess, classes=4)
    assert iou[1] == 0 and iou[2] == 1 and np.isnan(iou[3])
    assert mean_iou(masks, guess, classes=4) == round(float(np.nanmean(iou)), 4)
