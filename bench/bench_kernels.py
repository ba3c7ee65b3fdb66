"""Per-notebook cost of one student's kernel: peak memory (RSS), CPU seconds, wall time.

Run: .venv/bin/python bench/bench_kernels.py                 # every numbered notebook
     .venv/bin/python bench/bench_kernels.py 00 03           # the ones whose names start so
Each notebook runs top to bottom in full mode (CNNLAB_FAST unset, as a learner runs it)
in a new kernel. A thread samples the kernel process and its children every 50 ms:
the peak of their summed RSS is the "peak RSS"; CPU seconds are user+sys of the
kernel and its children at the end of the last cell. These are the figures that
docs/instructor-guide.md ("Size your hub") turns into memory and CPU per student.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import nbclient
import nbformat
import psutil
from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


@dataclass(frozen=True)
class KernelCost:
    """What one notebook cost its kernel."""

    notebook: str
    peak_rss_mib: float
    cpu_seconds: float
    wall_seconds: float

    def row(self) -> str:
        """One markdown table row.

        >>> KernelCost("00_x", 512.04, 9.96, 8.01).row()
        '| 00_x | 512 | 10.0 | 8.0 |'
        """
        return (f"| {self.notebook} | {self.peak_rss_mib:.0f} | {self.cpu_seconds:.1f} "
                f"| {self.wall_seconds:.1f} |")


class PeakRSS(threading.Thread):
    """Samples a process tree's summed RSS every `every` seconds; `.peak` is the maximum."""

    def __init__(self, proc: psutil.Process, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.proc, self.every, self.peak = proc, every, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, tree_rss(self.proc))
            self._stop_event.wait(self.every)

    def stop(self) -> int:
        """Stop sampling and return the peak in bytes."""
        self._stop_event.set()
        self.join()
        return self.peak


def _tree(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_rss(proc: psutil.Process) -> int:
    """Bytes resident in `proc` and its children now (0 for any that are gone)."""
    total = 0
    for p in _tree(proc):
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def tree_cpu(proc: psutil.Process) -> float:
    """User+sys CPU seconds of `proc`, its live children and the children it has reaped."""
    total = 0.0
    for i, p in enumerate(_tree(proc)):
        try:
            t = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
        if i == 0:
            total += t.children_user + t.children_system
    return total


def measure(path: Path) -> KernelCost:
    """Run one notebook in full mode in a new kernel and measure that kernel."""
    env = {k: v for k, v in os.environ.items() if k != "CNNLAB_FAST"}
    km = KernelManager(kernel_name="python3")
    start = time.perf_counter()
    km.start_kernel(cwd=str(path.parent), env=env)
    try:
        proc = psutil.Process(km.provisioner.process.pid)
        sampler = PeakRSS(proc)
        sampler.start()
        nb = nbformat.read(path, as_version=4)
        nbclient.NotebookClient(nb, km=km, timeout=900).execute()
        cpu = tree_cpu(proc)
        peak = sampler.stop()
        wall = time.perf_counter() - start
    finally:
        km.shutdown_kernel(now=False)
    return KernelCost(path.stem, peak / MIB, cpu, wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prefixes", nargs="*", help="only notebooks whose names start so")
    args = parser.parse_args()
    paths = [p for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
             if not args.prefixes or p.name.startswith(tuple(args.prefixes))]
    print("| notebook | peak RSS, MiB | CPU s (user+sys) | wall s |")
    print("|---|---|---|---|")
    for path in paths:
        print(measure(path).row(), flush=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{psutil.cpu_count()} cores; load average at the end {load}")


if __name__ == "__main__":
    main()
