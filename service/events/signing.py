"""Standard Webhooks signatures (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``), made with the reference ``standardwebhooks`` package."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from standardwebhooks.webhooks import Webhook


def new_secret() -> str:
    """A fresh signing secret in the spec's ``whsec_<base64>`` form (24 random bytes)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def headers(secret: str, msg_id: str, at: datetime, body: str) -> dict[str, str]:
    """The three headers of one signed delivery; ``at`` is wall-clock time, as the
    receiver checks it against its own clock."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body),
        "content-type": "application/json",
        "user-agent": "aftersales-webhooks/1",
    }
