"""Throughput of full ``decide`` calls on one core.

The mix is the golden table (every rule and boundary), read from the bench's own
fixture ``bench/fixtures/decision_mix.json`` (a test keeps it equal to the table).
Run: ``.venv/bin/python -m bench.decision_bench`` or ``.venv/bin/python
bench/decision_bench.py``. The last line is ``decisions_per_s=<N>``, the best of
several rounds of ``decide`` alone; the line before it is the mean. Scripts are
rendered on read, so a second figure decides and reads one language's script, as
``recommend`` does; a third also reads the zh-CN rationale and steps, as the
workbench does (``texts.localize`` keeps each rendered text, so repeats are cheap).
"""

from __future__ import annotations

import gc
import json
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a path: make `service` and `bench` importable
    sys.path.insert(0, str(ROOT))

from bench.bare_app import case_facts  # noqa: E402
from service.decision import CaseFacts, decide  # noqa: E402
from service.decision.texts import localize  # noqa: E402

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "decision_mix.json"


def load_mix() -> list[tuple[CaseFacts, datetime]]:
    """The golden cases and their evaluation times, from the fixture."""
    rows = json.loads(FIXTURE.read_text())
    return [(case_facts(r["case"]), datetime.fromisoformat(r["now"])) for r in rows]


def _round(
    mix: list[tuple[CaseFacts, datetime]],
    seconds: float,
    read_script: bool = False,
    read_texts: bool = False,
) -> tuple[int, float]:
    """Decide the whole mix over and over for about ``seconds``: (decisions, elapsed)."""
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        if read_texts:
            for facts, now in mix:
                d = decide(facts, now)
                _ = d.scripts.zh_cn, localize(d.rationale), [localize(s) for s in d.steps]
        elif read_script:
            for facts, now in mix:
                _ = decide(facts, now).scripts.zh_cn
        else:
            for facts, now in mix:
                decide(facts, now)
        done += len(mix)
        if time.perf_counter() >= deadline:
            return done, time.perf_counter() - start


def main(seconds: float = 3.0, rounds: int = 6) -> int:
    """Run the mix for about ``seconds`` in ``rounds`` and return the best round's
    decisions per second.

    The best round is the figure, as ``timeit`` recommends: other load on a shared
    machine only ever slows a round down. The mean is printed too.
    """
    mix = load_mix()
    for facts, now in mix:  # warm up and prove the mix is valid
        d = decide(facts, now)
        assert d.scripts.zh_cn and d.scripts.en
    rules = {decide(f, n).rule_id for f, n in mix}
    print(f"mix: {len(mix)} cases covering {len(rules)} rules")
    gc.disable()
    try:
        results = [_round(mix, seconds / rounds) for _ in range(rounds)]
        scripted = [_round(mix, seconds / rounds, True) for _ in range(rounds)]
        texted = [_round(mix, seconds / rounds, True, True) for _ in range(rounds)]
    finally:
        gc.enable()
    with_script = max(n / t for n, t in scripted)
    print(f"decisions_with_one_script_per_s={int(with_script)}")
    with_texts = max(n / t for n, t in texted)
    print(f"decisions_with_zh_script_rationale_steps_per_s={int(with_texts)}")
    done = sum(n for n, _ in results)
    elapsed = sum(t for _, t in results)
    best = max(n / t for n, t in results)
    print(f"{done} decisions in {elapsed:.2f} s ({elapsed / done * 1e6:.2f} us each on average)")
    print(f"mean_decisions_per_s={int(done / elapsed)}")
    rate = int(best)
    print(f"decisions_per_s={rate}")
    return rate


if __name__ == "__main__":
    main()
