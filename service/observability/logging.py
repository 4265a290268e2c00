"""JSON log lines (one object per line) for the root logger, via orjson.

Callers attach structured fields with ``extra={"fields": {...}}``; only those fields and
the message are written. Anything looking like a bearer token or URL password is masked
as a last line of defence, but the rule is simpler: never pass headers, bodies or
GraphQL variables to a logger.
"""

from __future__ import annotations

import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

from service.observability.tracing import current_trace_id

FIELDS_ATTR = "fields"

_SECRET_PATTERNS = (
    (re.compile(r"(?i)\b(bearer)\s+[^\s,;\"']+"), r"\1 [redacted]"),
    (re.compile(r"(?i)(\w+://[^/\s:@]+:)[^@\s/]+@"), r"\1[redacted]@"),
    (re.compile(r"(?i)\b((?:access_)?token|password|secret)=[^&\s\"']+"), r"\1=[redacted]"),
)


def redact(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: ts, level, logger, msg, then its fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        fields = getattr(record, FIELDS_ATTR, None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                entry.setdefault(str(key), redact(value) if isinstance(value, str) else value)
        if "trace_id" not in entry and (trace_id := current_trace_id()) is not None:
            # Ties the line to its trace (the request line carries it in its fields).
            entry["trace_id"] = trace_id
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(entry, default=str).decode()


def configure_logging(level: str = "INFO") -> None:
    """Send every log record, uvicorn's included, to stdout as one JSON line.

    Called once by the CLI before the server starts. Idempotent: it replaces the root
    logger's handlers rather than adding to them.
    """
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
