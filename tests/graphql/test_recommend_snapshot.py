"""``recommend`` answers, every field selected, equal the committed snapshot.

Taken before the GraphQL layer was made lazy (decision fields resolved on demand,
scripts rendered per locale, orjson responses): any change in what a client reads
shows here as a diff. Rewrite with ``AFTERSALES_WRITE_SNAPSHOT=1`` only for an
intended change, and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Role
from tests.conftest import make_shop, make_token

SNAPSHOT = Path(__file__).parent / "snapshots" / "recommend.json"

FULL = """
query Recommend($case: CaseInput!, $at: DateTime, $locale: Locale!) {
  recommend(case: $case, at: $at, locale: $locale) {
    decision {
      action ruleId ruleSummary rationale
      facts { name value }
      steps
      evidence { kind needed present }
      deadlines { kind at note }
      nextDeadline
      moneyAtRisk { kind amount }
      alternatives { action ruleId condition }
      trace { ruleId matched reason }
      signals { kind dueAt message }
      scripts { zhCN en }
      script
      zh: script(locale: ZH_CN)
      en: script(locale: EN)
      policyId policyVersion evaluatedAt
    }
    userErrors { field code message }
  }
}
"""

ORDER = {
    "orderNumber": "PO-1",
    "platform": "PDD",
    "amount": "100.00",
    "status": "SHIPPED",
    "confirmedAt": "2026-11-23T08:00:00+08:00",
}
SHIPPED = {
    "carrier": "ZTO",
    "trackingNumber": "ZT123",
    "shippedOfflineAt": "2026-11-23T09:00:00+08:00",
    "trackingUploadedAt": "2026-11-23T10:00:00+08:00",
}
SIGNED = {
    **SHIPPED,
    "pickedUpAt": "2026-11-23T12:00:00+08:00",
    "signer": "BUYER",
    "events": [
        {"at": "2026-11-23T12:00:00+08:00", "kind": "PICKUP", "place": "Hangzhou"},
        {"at": "2026-11-25T09:00:00+08:00", "kind": "SIGNED", "place": "Shanghai"},
    ],
}


def _refund(reason: str, **kw: Any) -> dict[str, Any]:
    return {
        "refundNumber": "RF-1",
        "type": "REFUND_ONLY",
        "reason": reason,
        "requestedAt": "2026-11-25T12:00:00+08:00",
        "status": "PENDING",
        **kw,
    }


CASES: dict[str, dict[str, Any]] = {
    "no pickup scan": {"case": {"order": ORDER, "shipment": SHIPPED}},
    "not shipped, inquiry": {
        "case": {"order": {**ORDER, "status": "AWAITING_SHIPMENT"}, "inquiry": "URGE_SHIPMENT"},
    },
    "signed, quality, no photo": {
        "case": {"order": ORDER, "shipment": SIGNED, "refundRequest": _refund("QUALITY")},
    },
    "signed, quality, photo, merchant evidence": {
        "case": {
            "order": ORDER,
            "shipment": SIGNED,
            "refundRequest": _refund("QUALITY", buyerEvidence=["DAMAGE_PHOTO"], amount="60.00"),
            "merchantEvidence": ["OUTBOUND_RECORD"],
        },
    },
    "refund before shipping": {
        "case": {
            "order": {**ORDER, "status": "AWAITING_SHIPMENT"},
            "refundRequest": _refund("NO_LONGER_WANTED", requestedAt="2026-11-23T09:00:00+08:00"),
        },
    },
    "inconsistent": {
        "case": {"order": ORDER, "shipment": {**SHIPPED, "pickedUpAt": "2026-11-22T00:00:00Z"}},
    },
}


@pytest.mark.parametrize("locale", ["ZH_CN", "EN"])
async def test_recommend_answers_match_the_snapshot(
    client: httpx.AsyncClient, session: AsyncSession, locale: str
) -> None:
    # given a shop on its platform's base policy and a token
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    # when every case is asked with every field selected
    current: dict[str, Any] = {}
    for name, variables in CASES.items():
        response = await client.post(
            "/graphql",
            json={
                "query": FULL,
                "variables": {"at": "2026-11-26T12:00:00+08:00", "locale": locale, **variables},
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        body = response.json()
        body.pop("extensions", None)  # the rate limit's bucket, which moves per request
        current[name] = {"status": response.status_code, "body": body}
    # then each answer is the one recorded
    path = SNAPSHOT.with_name(f"recommend_{locale.lower()}.json")
    if os.environ.get("AFTERSALES_WRITE_SNAPSHOT") == "1":
        path.write_text(json.dumps(current, ensure_ascii=False, indent=1) + "\n")
    expected = json.loads(path.read_text())
    assert sorted(current) == sorted(expected)
    for name in CASES:
        assert current[name] == expected[name], name
