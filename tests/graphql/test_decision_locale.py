"""The decision's texts follow the ``locale`` argument (issue 12 part 3): zh-CN by
default, English on request; the evidence carries its name in that language."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Role
from tests.conftest import make_shop, make_token
from tests.graphql.test_recommend_snapshot import ORDER, SIGNED, _refund

QUERY = """
query R($case: CaseInput!, $at: DateTime, $locale: Locale) {
  recommend(case: $case, at: $at, locale: $locale) {
    decision {
      ruleId rationale steps
      evidence { kind name }
      deadlines { note }
      alternatives { condition }
      trace { reason }
      signals { message }
      script
    }
  }
}
"""
CASE = {"order": ORDER, "shipment": SIGNED, "refundRequest": _refund("QUALITY")}
CJK = re.compile(r"[\u4e00-\u9fff]")


async def _decision(client: httpx.AsyncClient, token: str, locale: str | None) -> Any:
    variables: dict[str, Any] = {"case": CASE, "at": "2026-11-26T12:00:00+08:00"}
    if locale is not None:
        variables["locale"] = locale
    response = await client.post(
        "/graphql",
        json={"query": QUERY, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["recommend"]["decision"]


def _texts(d: Any) -> list[str]:
    return [
        d["rationale"],
        *d["steps"],
        *(e["name"] for e in d["evidence"]),
        *(x["note"] for x in d["deadlines"] if x["note"]),
        *(a["condition"] for a in d["alternatives"]),
        *(t["reason"] for t in d["trace"]),
        *(s["message"] for s in d["signals"]),
    ]


@pytest.mark.parametrize("locale", [None, "ZH_CN"])
async def test_decision_texts_are_chinese_by_default_and_on_request(
    client: httpx.AsyncClient, session: AsyncSession, locale: str | None
) -> None:
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    d = await _decision(client, token, locale)
    assert d["ruleId"] == "S4"
    assert d["rationale"] == "买家反馈质量问题但没有照片"
    assert d["evidence"] == [{"kind": "CONTENTS_PHOTO", "name": "包裹内全部物品照片"}]
    assert "退款原因为质量问题" in [t["reason"] for t in d["trace"]]
    texts = _texts(d)
    assert len(texts) > 5
    assert all(CJK.search(t) for t in texts), texts
    assert not [t for t in texts if re.search(r"[A-Za-z]{3,} [A-Za-z]{2,}", t)]


async def test_decision_texts_are_english_on_request(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    d = await _decision(client, token, "EN")
    assert d["rationale"] == "quality fault claimed without any photo"
    assert d["steps"][0] == "Ask the buyer for a photo of the fault"
    assert d["evidence"] == [{"kind": "CONTENTS_PHOTO", "name": "photo of the contents"}]
    assert d["alternatives"] == [{"condition": "once a photo shows the fault"}]
    assert "reason is quality fault" in [t["reason"] for t in d["trace"]]
    assert not [t for t in _texts(d) if CJK.search(t) or "QUALITY" in t]
    assert d["script"].startswith("Hello")
