"""CPU per ``recommend`` of two builds, in alternate runs: paired ratios for a noisy machine.

On a shared machine the same build's CPU per request moves by ±15 % from one minute to
the next, more than most changes are worth. This runs :mod:`bench.recommend_cpu_bench`
(in process, CPU time per request) alternately in a worktree of ``--base`` and in this
tree, ``--pairs`` times, and prints each pair and the median of their ratios: drift
that lasts longer than a pair cancels out.

Run from the project root: ``.venv/bin/python -m bench.ab_cpu --base 77ce561``. The
worktree goes in a temporary directory and is removed at the end. It is a benchmark,
not a test: it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_ms(tree: Path, requests: int) -> float:
    """One run of recommend_cpu_bench in ``tree``: CPU milliseconds per request."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-m", "bench.recommend_cpu_bench", "--requests", str(requests)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    match = re.search(r"cpu_ms_per_req=([0-9.]+)", out)
    if match is None:
        raise SystemExit(f"unexpected output from {tree}:\n{out[-2000:]}")
    return float(match.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the commit to compare with")
    parser.add_argument("--pairs", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000, help="per run")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(base), args.base],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            ratios = []
            for i in range(args.pairs):
                # Alternate which goes first, so a trend within a pair cancels too.
                if i % 2 == 0:
                    before, after = cpu_ms(base, args.requests), cpu_ms(ROOT, args.requests)
                else:
                    after, before = cpu_ms(ROOT, args.requests), cpu_ms(base, args.requests)
                ratios.append(after / before)
                print(
                    f"pair {i + 1}: base {before:.3f} ms  this tree {after:.3f} ms"
                    f"  {after / before:.3f}"
                )
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False
            )
    ratios.sort()
    print(
        f"ratio_median={statistics.median(ratios):.3f}"
        f" ratio_range={ratios[0]:.3f}..{ratios[-1]:.3f} pairs={len(ratios)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
