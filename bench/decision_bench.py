"""Throughput of full ``decide`` calls on one core.

The mix is the golden table (every rule and boundary, scripts rendered in both
languages). Run: ``.venv/bin/python -m bench.decision_bench``. The last line is
``decisions_per_s=<N>``.
"""

from __future__ import annotations

import gc
import time

from service.decision import decide
from tests.decision.test_engine import GOLDEN


def main(seconds: float = 3.0) -> int:
    """Run the mix repeatedly for about ``seconds`` and return decisions per second."""
    mix = [(g.facts, g.now) for g in GOLDEN]
    for facts, now in mix:  # warm up and prove the mix is valid
        d = decide(facts, now)
        assert d.scripts.zh_cn and d.scripts.en
    rules = {decide(f, n).rule_id for f, n in mix}
    print(f"mix: {len(mix)} cases covering {len(rules)} rules")
    gc.disable()
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for facts, now in mix:
            decide(facts, now)
        done += len(mix)
        if time.perf_counter() >= deadline:
            break
    elapsed = time.perf_counter() - start
    gc.enable()
    rate = int(done / elapsed)
    print(f"{done} decisions in {elapsed:.2f} s ({elapsed / done * 1e6:.2f} us each)")
    print(f"decisions_per_s={rate}")
    return rate


if __name__ == "__main__":
    main()
