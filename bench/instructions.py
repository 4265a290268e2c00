"""Instructions per ``decide`` (or per ingest batch), counted by Valgrind: a figure a
shared machine cannot move.

On a busy machine the CPU time of the same build moves by a factor of two from one
run to the next (seen on this project's CI machine), so a 10 % change cannot be seen
by timing. The number of instructions executed can: this runs the decision mix of
:mod:`bench.decision_bench` under ``valgrind --tool=cachegrind`` twice, with a few and
with more rounds, and prints the difference per decision (start-up and imports cancel
out). ``--base REV`` counts that commit too, in a temporary worktree, and prints the
ratio. ``PYTHONHASHSEED`` is fixed, so a count repeats to within a few hundredths of a
percent.

``--ingest N`` counts instead the events phase of :mod:`bench.ingest_cpu_bench` at
``N`` orders (PostgreSQL, in process): the program runs under ``valgrind
--tool=callgrind`` with instrumentation off, switched on (``callgrind_control -i on``)
when the bench reports the end of the parcels phase and off when it reports the end
of the events phase; it prints the instructions per batch of 500 events. The switch
lags the report by a few milliseconds, so counts repeat to within about 1 %.

Instructions are not time (a cache miss costs more than an addition, and the database
server's work is not counted), but for a change of Python code on the same interpreter
they move together closely. Valgrind comes from Debian's ``valgrind`` package. Run:
``.venv/bin/python -m bench.instructions [--ingest N] [--base REV]``. It asserts
nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
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


def per_event_batch(tree: Path, orders: int) -> float:
    """Instructions per batch of 500 events in ``tree``'s ingest_cpu_bench, counted
    between its reports of the parcels phase's end and the events phase's end."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        run = subprocess.Popen(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-m",
                "bench.ingest_cpu_bench",
                "--orders",
                str(orders),
            ],
            cwd=tree,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert run.stderr is not None
        for line in run.stderr:
            if line.startswith("upsertShipments"):
                _instrument(run.pid, "on")
            elif line.startswith("appendTrackingEvents"):
                _instrument(run.pid, "off")
        if run.wait() != 0:
            raise SystemExit(f"ingest_cpu_bench failed in {tree}")
        totals = subprocess.run(
            ["callgrind_annotate", str(out)], capture_output=True, text=True, check=True
        ).stdout
    match = re.search(r"([0-9,]+)\s+\(100.0%\)\s+PROGRAM TOTALS", totals)
    if match is None:
        raise SystemExit(f"no instruction count from callgrind_annotate:\n{totals[:2000]}")
    batches = orders * 3 / 500
    return int(match.group(1).replace(",", "")) / batches


def _instrument(pid: int, state: str) -> None:
    subprocess.run(["callgrind_control", "-i", state, str(pid)], capture_output=True, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", help="a commit to count too, for the ratio")
    parser.add_argument(
        "--ingest", type=int, metavar="ORDERS", help="count an events batch instead, at ORDERS"
    )
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is missing: apt-get install valgrind")
    unit = "decision" if args.ingest is None else "event_batch"

    def count(tree: Path) -> float:
        return per_decision(tree) if args.ingest is None else per_event_batch(tree, args.ingest)

    here = count(ROOT)
    print(f"instructions_per_{unit}={here:,.0f}")
    if args.base:
        with worktree(args.base) as base:
            module = base / "bench" / "ingest_cpu_bench.py"
            if not module.exists():  # older commits lack the bench: take this tree's
                shutil.copy(ROOT / "bench" / "ingest_cpu_bench.py", module)
            before = count(base)
        print(f"base_instructions_per_{unit}={before:,.0f} ratio={here / before:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
