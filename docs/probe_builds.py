"""Run the same Keras layers under both TensorFlow CPU builds and list what differs.

TensorFlow runs its CPU kernels through oneDNN on some machines (most Intel CPUs
with AVX-512) and without it on others (most AMD CPUs, Apple silicon, older
Intel). `TF_ENABLE_ONEDNN_OPTS=0` or `=1` picks the build on any machine. This
script builds a seeded sample of layer configurations (transposed convolutions
with and without dilation, strided and dilated Conv2D, SeparableConv2D,
DepthwiseConv2D, pooling that comes out empty), runs each on a real array in a
child process under each build, and prints every configuration whose outcome
differs. A child that dies (the empty max-pool kills the process) is restarted
after the configuration that killed it.

    .venv/bin/python docs/probe_builds.py            # the differences, both builds
    .venv/bin/python docs/probe_builds.py --all      # every configuration's outcome

docs/keras-facts.md records what it found.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
from collections import Counter

SEED = 16


def sample() -> list[dict]:
    """The configurations, each {'kind', 'args', 'hw'}; the same list on every run."""
    rng = random.Random(SEED)
    configs = []

    def pair(lo: int, hi: int) -> list[int]:
        a = rng.randint(lo, hi)
        return [a, a] if rng.random() < 0.5 else [a, rng.randint(lo, hi)]

    for _ in range(400):  # transposed convolutions, a quarter dilated
        k, s = pair(1, 6), pair(1, 4)
        d = pair(1, 3) if rng.random() < 0.25 else [1, 1]
        if max(d) > 1 and rng.random() < 0.8:
            s = [1, 1]  # Keras refuses strides > 1 with dilation > 1; keep a few to show it
        op = None if rng.random() < 0.3 else [rng.randint(0, s[0] - 1), rng.randint(0, s[1] - 1)]
        configs.append({"kind": "Conv2DTranspose", "hw": pair(1, 24),
                        "args": {"filters": 1, "kernel_size": k, "strides": s,
                                 "padding": rng.choice(["valid", "same"]),
                                 "output_padding": op, "dilation_rate": d}})
    for kind, count in (("Conv2D", 200), ("SeparableConv2D", 100), ("DepthwiseConv2D", 100)):
        for _ in range(count):
            k, s, d = pair(1, 6), pair(1, 3), pair(1, 3) if rng.random() < 0.5 else [1, 1]
            if max(d) > 1 and rng.random() < 0.8:
                s = [1, 1]
            args = {"kernel_size": k, "strides": s, "padding": rng.choice(["valid", "same"]),
                    "dilation_rate": d}
            if kind != "DepthwiseConv2D":
                args["filters"] = 1
            configs.append({"kind": kind, "hw": pair(1, 24), "args": args})
    for kind in ("MaxPooling2D", "AveragePooling2D"):
        for _ in range(60):
            configs.append({"kind": kind, "hw": pair(1, 20),
                            "args": {"pool_size": pair(1, 5), "strides": pair(1, 4),
                                     "padding": rng.choice(["valid", "same"])}})
        for pool, strides, hw in ((5, 3, 2), (3, 1, 2), (3, 2, 2), (4, 4, 3)):  # empty outputs
            configs.append({"kind": kind, "hw": [hw, hw], "run_anyway": True,
                            "args": {"pool_size": pool, "strides": strides, "padding": "valid"}})
    return configs


def _first_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).splitlines()
             if ln.strip() and not ln.startswith("Exception encountered when calling")]
    line = re.sub(r"\{\{function_node [^}]*\}\}", "", lines[0] if lines else "").strip()
    return f"{type(exc).__name__}: {line[:200]}"


def outcome(config: dict) -> str:
    """'ok HxW', 'refused: ...' (constructor or compute_output_shape) or 'fails: ...'."""
    import keras
    import numpy as np

    args = {k: (tuple(v) if isinstance(v, list) else v) for k, v in config["args"].items()}
    shape = (1, *config["hw"], 2)
    try:
        layer = getattr(keras.layers, config["kind"])(**args)
        symbolic = layer.compute_output_shape(shape)
        if 0 in symbolic[1:3] or min(symbolic[1:3]) < 0:
            raise ValueError(f"compute_output_shape gives {symbolic}")
    except Exception as e:  # noqa: BLE001 - any refusal counts
        if not config.get("run_anyway"):
            return f"refused: {_first_line(e)}"
        layer = getattr(keras.layers, config["kind"])(**args)
    try:
        out = layer(np.ones(shape, "float32")).shape
    except Exception as e:  # noqa: BLE001
        return f"fails: {_first_line(e)}"
    return f"ok {out[1]}x{out[2]}" if min(out[1:3]) > 0 else f"empty {out[1]}x{out[2]}"


def child(start: int) -> None:
    """Run configurations from `start` on, one JSON line each; 'start i' before each."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from tensorflow.python.util import _pywrap_util_port

    print(json.dumps({"onednn": bool(_pywrap_util_port.IsMklEnabled())}), flush=True)
    for i, config in enumerate(sample()[start:], start):
        print(json.dumps({"start": i}), flush=True)
        print(json.dumps({"i": i, "outcome": outcome(config)}), flush=True)


def run_build(onednn: str) -> tuple[bool, dict[int, str]]:
    """Every configuration's outcome under TF_ENABLE_ONEDNN_OPTS=onednn."""
    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": onednn, "TF_CPP_MIN_LOG_LEVEL": "3"}
    results, start, total, mkl = {}, 0, len(sample()), None
    while start < total:
        proc = subprocess.run([sys.executable, __file__, "--child", str(start)], env=env,
                              capture_output=True, text=True)
        last = start
        for line in proc.stdout.splitlines():
            if not line.startswith("{"):
                continue
            msg = json.loads(line)
            mkl = msg.get("onednn", mkl)
            if "start" in msg:
                last = msg["start"]
            if "outcome" in msg:
                results[msg["i"]] = msg["outcome"]
        if proc.returncode == 0:
            break
        why = (f"signal {signal.Signals(-proc.returncode).name}" if proc.returncode < 0
               else f"exit {proc.returncode}")
        results[last] = f"crash: the process died ({why})"
        start = last + 1
    return bool(mkl), results


def describe(config: dict) -> str:
    args = ", ".join(f"{k}={tuple(v) if isinstance(v, list) else v!r}"
                     for k, v in config["args"].items() if k != "filters")
    return f"{config['kind']}({args}) on {config['hw'][0]}x{config['hw'][1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--all", action="store_true", help="print every configuration")
    args = parser.parse_args()
    if args.child is not None:
        return child(args.child)
    configs = sample()
    off_mkl, off = run_build("0")
    on_mkl, on = run_build("1")
    print(f"{len(configs)} configurations; TF_ENABLE_ONEDNN_OPTS=0 -> oneDNN {off_mkl}, "
          f"=1 -> oneDNN {on_mkl}")
    differ = [i for i in range(len(configs)) if off[i].split()[0] != on[i].split()[0]]
    worded = [i for i in range(len(configs)) if off[i] != on[i] and i not in differ]
    for i in range(len(configs)) if args.all else differ:
        print(f"\n{describe(configs[i])}\n  without oneDNN: {off[i]}\n  with oneDNN:    {on[i]}")
    kinds = Counter(configs[i]["kind"] for i in differ)
    print(f"\n{len(differ)} differ: {dict(kinds) or 'none'}")
    words = Counter((configs[i]["kind"], re.sub(r"(?<![A-Za-z])\d+", "N", off[i]),
                     re.sub(r"(?<![A-Za-z])\d+", "N", on[i]))
                    for i in worded)
    print(f"{len(worded)} fail on both builds, in other words:")
    for (kind, a, b), n in words.most_common():
        print(f"  {n} x {kind}\n    without oneDNN: {a}\n    with oneDNN:    {b}")
    for name, res in (("without oneDNN", off), ("with oneDNN", on)):
        print(f"{name}: " + ", ".join(f"{n} {w}" for w, n in
                                      Counter(r.split()[0].rstrip(":") for r in res.values())
                                      .most_common()))


if __name__ == "__main__":
    main()
