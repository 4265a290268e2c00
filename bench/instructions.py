"""Instructions per ``decide``, counted by Valgrind: a figure a shared machine cannot move.

On a busy machine the CPU time of the same build moves by a factor of two from one
run to the next (seen on this project's CI machine), so a 10 % change cannot be seen
by timing. The number of instructions executed can: this runs the decision mix of
:mod:`bench.decision_bench` under ``valgrind --tool=cachegrind`` twice, with a few and
with more rounds, and prints the difference per decision (start-up and imports cancel
out). ``--base REV`` counts that commit too, in a temporary worktree, and prints the
ratio. ``PYTHONHASHSEED`` is fixed, so a count repeats to within a few hundredths of a
percent.

Instructions are not time (a cache miss costs more than an addition), but for a change
of Python code on the same interpreter they move together closely. Valgrind comes from
Debian's ``valgrind`` package. Run: ``.venv/bin/python -m bench.instructions [--base
REV]``. It asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from bench.ab_cpu import worktree

ROOT = Path(__file__).resolve().parent.parent

# Run under Valgrind: decide the mix ``sys.argv[1]`` times after one warm-up round.
_PROGRAM = """
import sys
from bench.decision_bench import load_mix
from service.decision import decide
mix = load_mix()
for facts, now in mix:
    decide(facts, now)
for _ in range(int(sys.argv[1])):
    for facts, now in mix:
        decide(facts, now)
print(len(mix))
"""


def _count(tree: Path, rounds: int) -> tuple[int, int]:
    """(instructions, cases in the mix) of one run in ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            "-c",
            _PROGRAM,
            str(rounds),
        ],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"I\s+refs:\s+([0-9,]+)", done.stderr)
    if match is None:
        raise SystemExit(f"no instruction count from valgrind:\n{done.stderr[-2000:]}")
    return int(match.group(1).replace(",", "")), int(done.stdout.strip())


def per_decision(tree: Path, few: int = 5, many: int = 25) -> float:
    """Instructions per ``decide`` in ``tree``: the difference of two runs."""
    low, cases = _count(tree, few)
    high, _ = _count(tree, many)
    return (high - low) / ((many - few) * cases)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", help="a commit to count too, for the ratio")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is missing: apt-get install valgrind")
    here = per_decision(ROOT)
    print(f"instructions_per_decision={here:,.0f}")
    if args.base:
        with worktree(args.base) as base:
            before = per_decision(base)
        print(f"base_instructions_per_decision={before:,.0f} ratio={here / before:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
