"""Throughput of full ``decide`` calls on one core.

The mix is the golden table (every rule and boundary, scripts rendered in both
languages). Run: ``.venv/bin/python -m bench.decision_bench``. The last line is
``decisions_per_s=<N>``, the best of several rounds; the line before it is the mean.
"""

from __future__ import annotations

import gc
import time
from datetime import datetime

from service.decision import CaseFacts, decide
from tests.decision.test_engine import GOLDEN


def _round(mix: list[tuple[CaseFacts, datetime]], seconds: float) -> tuple[int, float]:
    """Decide the whole mix over and over for about ``seconds``: (decisions, elapsed)."""
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
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
    mix = [(g.facts, g.now) for g in GOLDEN]
    for facts, now in mix:  # warm up and prove the mix is valid
        d = decide(facts, now)
        assert d.scripts.zh_cn and d.scripts.en
    rules = {decide(f, n).rule_id for f, n in mix}
    print(f"mix: {len(mix)} cases covering {len(rules)} rules")
    gc.disable()
    try:
        results = [_round(mix, seconds / rounds) for _ in range(rounds)]
    finally:
        gc.enable()
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
