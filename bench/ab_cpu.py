"""CPU per request of two builds, in alternate runs: paired ratios for a noisy machine.

On a shared machine the same build's CPU per request moves by ±15 % from one minute to
the next, more than most changes are worth. This runs an in-process CPU bench
alternately in a worktree of ``--base`` and in this tree, ``--pairs`` times, and prints
each pair and the median of their ratios: drift that lasts longer than a pair cancels
out. ``--bench recommend`` (the default) is :mod:`bench.recommend_cpu_bench`, CPU per
``recommend``; ``--bench ingest`` is :mod:`bench.ingest_cpu_bench`, CPU per batch of 500
tracking events on PostgreSQL, and ``--bench ingest-total`` the same plus the
database's CPU (this tree's bench is copied into the base, so both measure alike).

Run from the project root: ``.venv/bin/python -m bench.ab_cpu --base 77ce561``. The
worktree goes in a temporary directory and is removed at the end. It is a benchmark,
not a test: it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# bench name -> (module, its size argument, the figure it reports last)
BENCHES = {
    "recommend": ("bench.recommend_cpu_bench", "--requests", "cpu_ms_per_req"),
    "ingest": ("bench.ingest_cpu_bench", "--orders", "cpu_ms_per_event_batch"),
    # The same bench, adding the CPU of the database's backends: a statement saved shows
    # there more than in the service's process.
    "ingest-total": ("bench.ingest_cpu_bench", "--orders", "total_cpu_ms_per_event_batch"),
}


def cpu_ms(tree: Path, bench: str, size: int) -> float:
    """One run of the bench in ``tree``: CPU milliseconds per request (or batch)."""
    module, size_flag, figure = BENCHES[bench]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-m", module, size_flag, str(size)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    match = re.search(rf"{figure}=([0-9.]+)", out)
    if match is None:
        raise SystemExit(f"unexpected output from {tree}:\n{out[-2000:]}")
    return float(match.group(1))


@contextlib.contextmanager
def worktree(rev: str) -> Iterator[Path]:
    """A checkout of ``rev`` in a temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "base"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), rev],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            yield tree
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the commit to compare with")
    parser.add_argument("--pairs", type=int, default=8)
    parser.add_argument("--bench", choices=sorted(BENCHES), default="recommend")
    parser.add_argument(
        "--size", type=int, help="requests per run (recommend, 2000) or orders (ingest, 5000)"
    )
    args = parser.parse_args(argv)
    size = args.size or (2000 if args.bench == "recommend" else 5000)
    with worktree(args.base) as base:
        module = BENCHES[args.bench][0].replace(".", "/") + ".py"
        if args.bench.startswith("ingest") or not (base / module).exists():
            shutil.copy(ROOT / module, base / module)
        ratios = []
        for i in range(args.pairs):
            # Alternate which goes first, so a trend within a pair cancels too.
            if i % 2 == 0:
                before, after = cpu_ms(base, args.bench, size), cpu_ms(ROOT, args.bench, size)
            else:
                after, before = cpu_ms(ROOT, args.bench, size), cpu_ms(base, args.bench, size)
            ratios.append(after / before)
            print(
                f"pair {i + 1}: base {before:.3f} ms  this tree {after:.3f} ms"
                f"  {after / before:.3f}"
            )
    ratios.sort()
    print(
        f"ratio_median={statistics.median(ratios):.3f}"
        f" ratio_range={ratios[0]:.3f}..{ratios[-1]:.3f} pairs={len(ratios)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
