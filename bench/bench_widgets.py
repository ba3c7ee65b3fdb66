"""Benchmark the explorers: from a value change to the finished redraw, in a real kernel.

Run: .venv/bin/python bench/bench_widgets.py
Starts an IPython kernel (so widget state really goes out over the comm, as in
JupyterLab), changes each explorer's values 100 times, and times each change
until its observers have rebuilt and sent the picture. For comparison, the naive
way: rebuild a Keras layer and a new matplotlib figure (PNG) on every change.
"""

from __future__ import annotations

import json
import textwrap

from jupyter_client.manager import start_new_kernel

CODE = textwrap.dedent('''
    import json, os, statistics, time, io
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    from helpers.widgets import conv_explorer, transpose_explorer, stack_explorer

    def timed(changes):
        times = []
        for change in changes:
            t = time.perf_counter(); change(); times.append((time.perf_counter() - t) * 1e3)
        times.sort()
        return {"p50": statistics.median(times), "p95": times[int(0.95 * len(times)) - 1]}

    def drags(explorer, ranges, count=100):
        """count real value changes, cycling over the controls named in ranges."""
        names, changes = list(ranges), []
        for i in range(count):
            name = names[i % len(names)]
            options = ranges[name]
            value = options[(i // len(names)) % len(options)]
            if value == explorer.controls[name].value:
                value = options[(i // len(names) + 1) % len(options)]
            changes.append((name, value))
        def run(k):
            name, value = changes[k]
            explorer.controls[name].value = value
        return [lambda k=k: run(k) for k in range(count)]

    res = {}
    ex = conv_explorer(n=12); display(ex)
    res["conv_explorer"] = timed(drags(ex, {"n": list(range(8, 28)), "kernel": [1, 2, 3, 4, 5],
                                            "stride": [1, 2, 3], "padding": ["valid", "same"]}))
    tx = transpose_explorer(n=16); display(tx)
    res["transpose_explorer"] = timed(drags(tx, {"n": list(range(4, 28)), "kernel": [2, 3, 4, 5],
                                                 "stride": [1, 2, 3, 4]}))
    sx = stack_explorer(input_shape=(64, 64, 1)); display(sx)
    res["stack_explorer"] = timed(drags(sx, {"input_h": list(range(48, 88)),
                                             "kernel_1": [1, 2, 3, 4, 5], "stride_0": [1, 2, 3],
                                             "padding_2": ["valid", "same"]}))
    from helpers.widgets import crop_pad_explorer
    cx = crop_pad_explorer(); display(cx)
    res["crop_pad_explorer"] = timed(drags(cx, {"output_h": list(range(40, 63)),
                                                "top": [0, 1, 2, 3],
                                                "mode": ["crop_target", "pad_output"]}))
    from helpers.widgets import unet_explorer
    ux = unet_explorer(); display(ux)
    res["unet_explorer"] = timed(drags(ux, {"size": list(range(16, 256, 7)),
                                            "depth": [1, 2, 3, 4, 5],
                                            "cure": ["none", "pad", "crop", "output_padding"]}))

    import keras, matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    def naive(i):  # a matplotlib figure of the input grid, three windows and the output
        n, stride = 8 + i % 20, 1 + i % 3
        layer = keras.layers.Conv2D(1, 3, strides=stride)
        out = layer(np.zeros((1, n, n, 1), "float32")).shape[1]
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4.6))
        left.imshow(np.zeros((n, n)), cmap="gray_r", vmin=0, vmax=1)
        for k in range(3):
            left.add_patch(plt.Rectangle((k * stride - 0.5, -0.5), 3, 3, fill=False,
                                         ec=f"C{k}", lw=2))
        right.imshow(np.zeros((out, out)), cmap="gray_r", vmin=0, vmax=1)
        left.set_title(f"input {n}x{n}")
        right.set_title(f"output {out}x{out}")
        fig.savefig(io.BytesIO(), format="png", dpi=100)
        plt.close(fig)
    naive(0)
    res["naive (Keras layer + new matplotlib figure, PNG)"] = timed(
        [lambda i=i: naive(i) for i in range(100)])
    print("RESULT" + json.dumps(res))
''')


def main() -> None:
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        reply = kc.execute_interactive(CODE, timeout=600, output_hook=_collect)
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    res = json.loads(_OUT[-1])
    naive = res.pop("naive (Keras layer + new matplotlib figure, PNG)")
    print(f"{'explorer':<22}{'p50 ms':>8}{'p95 ms':>8}{'naive/p50':>11}")
    for name, t in res.items():
        print(f"{name:<22}{t['p50']:>8.2f}{t['p95']:>8.2f}{naive['p50'] / t['p50']:>10.0f}x")
    print(f"{'naive way':<22}{naive['p50']:>8.2f}{naive['p95']:>8.2f}")


_OUT: list[str] = []


def _collect(msg: dict) -> None:
    text = msg.get("content", {}).get("text", "")
    for line in text.splitlines():
        if line.startswith("RESULT"):
            _OUT.append(line[len("RESULT"):])


if __name__ == "__main__":
    main()
