"""Relay plumbing: opaque global ids, cursors, the Node interface, PageInfo."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime

import strawberry

from service.graphql.errors import ClientError
from service.graphql.scalars import in_supported_range

MAX_PAGE = 100
DEFAULT_PAGE = 20


class InvalidId(ClientError):
    pass


def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


# A primary key as this API writes it: ASCII digits, no sign, no leading zero, and small
# enough for a 64-bit column. str.isdigit() would let "²" or "١٢" through to int().
_PK = re.compile(r"0|[1-9][0-9]{0,17}")


def parse_pk(text: str) -> int | None:
    return int(text) if _PK.fullmatch(text) else None


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """``(type name, pk)``, or None for anything that is not one of our ids.

    Only the spelling this API hands out is an id: padded base64, other digits, a
    leading zero or stray characters (which base64 decoding would skip) name nothing,
    so one object never answers to several ids."""
    if len(global_id) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return None
    type_name, sep, digits = raw.partition(":")
    pk = parse_pk(digits) if sep else None
    if pk is None or to_global_id(type_name, pk) != global_id:
        return None
    return type_name, pk


def decode_id(global_id: strawberry.ID | str, expected: str) -> int | None:
    """The pk of an id of the expected type; None when it is another type or garbage
    (callers report that exactly like an id that does not exist)."""
    parsed = from_global_id(str(global_id))
    if parsed is None or parsed[0] != expected:
        return None
    return parsed[1]


@strawberry.interface(description="An object with a globally unique, opaque id.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque global id, stable for the object's life: pass it to `node(id:)` or"
        " to an input's *Id field as it is; do not parse or build it."
    )


@strawberry.type(description="Where a page stands in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="More items (or, for a decision-filtered list, more rows to scan) follow;"
        " ask again with `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(
        description="Items precede this page (true whenever `after` was given)."
    )
    start_cursor: str | None = strawberry.field(
        description="Cursor of the page's first item; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` to get the next page: the last item's cursor or, for a"
        " decision-filtered list, where the scan stopped (even on a short or empty page)."
        " Null when the page is empty and nothing follows."
    )


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 1 or first > MAX_PAGE:
        raise ClientError(f"first: must be between 1 and {MAX_PAGE}, got {first}")
    return first


# Cursors are keyset positions: (sort time, id) of the last row seen.


def encode_cursor(at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"k1|{at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        tag, at, digits = raw.split("|")
        pk = parse_pk(digits)
        if tag != "k1" or pk is None:
            raise ValueError(raw)
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None or not in_supported_range(moment):
            raise ValueError(at)
        return moment, pk
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise ClientError("after: not a cursor from this API") from exc
