"""The decision bench's own fixture is the golden table, case for case.

``bench/decision_bench.py`` must run as a plain script, so it cannot import the
tests; it reads ``bench/fixtures/decision_mix.json`` instead (cases in the JSON
shape of ``CaseInput``, parsed by ``bench.bare_app``). This test keeps the two in
step. Rewrite it after changing the golden table with
``AFTERSALES_WRITE_SNAPSHOT=1 .venv/bin/pytest tests/decision/test_bench_fixture.py``.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from bench.bare_app import case_facts
from bench.decision_bench import FIXTURE, load_mix
from service.decision import CaseFacts
from tests.decision.test_engine import GOLDEN


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _json(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, frozenset):
        return sorted(_json(v) for v in value)
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    return value


def _case_json(facts: CaseFacts) -> dict[str, Any]:
    def obj(x: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in type(x).__slots__:
            if name in skip:
                continue
            v = getattr(x, name)
            if name == "events":
                v = [{"at": _json(e.at), "kind": e.kind.value, "place": e.place} for e in v]
            if v is not None:
                out[_camel(name)] = _json(v)
        return out

    out: dict[str, Any] = {"order": obj(facts.order)}
    if facts.shipment is not None:
        out["shipment"] = obj(facts.shipment)
    if facts.refund is not None:
        out["refundRequest"] = obj(facts.refund, skip=("order_number",))
    if facts.inquiry is not None:
        out["inquiry"] = facts.inquiry.value
    if facts.merchant_evidence:
        out["merchantEvidence"] = _json(facts.merchant_evidence)
    return out


# Declared exemptions and destinations are facts of stored cases only: ``CaseInput`` has
# no field for an exemption, so the stateless bench cannot hold those rows.
STATELESS = [
    g for g in GOLDEN if g.facts.exemption is None and g.facts.order.destination_province is None
]


def test_the_bench_fixture_holds_the_golden_cases() -> None:
    # given the golden table written in the fixture's JSON shape
    rows: list[dict[str, Any]] = [
        {"name": g.name, "now": g.now.isoformat(), "case": _case_json(g.facts)} for g in STATELESS
    ]
    if os.environ.get("AFTERSALES_WRITE_SNAPSHOT") == "1":
        FIXTURE.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    # when the bench loads its fixture
    mix = load_mix()
    # then it decides exactly the golden facts at the golden times
    assert [(case_facts(r["case"]), datetime.fromisoformat(r["now"])) for r in rows] == mix
    assert mix == [(g.facts, g.now) for g in STATELESS]
