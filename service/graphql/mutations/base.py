"""What every mutation shares: the role check, the savepoint, and turning rejections
into ``userErrors``.

A mutation's work runs under the request's ``db_lock`` and inside a savepoint; any
rejection (``UserInputError`` or the store's ``Rejected``) is raised inside it, so the
savepoint rolls back and nothing the mutation wrote is kept. A forbidden call is a
``FORBIDDEN`` user error, never a GraphQL error, so a client handles every refusal
the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

import strawberry
from sqlalchemy.exc import DBAPIError

from service.db.engine import begin_write
from service.db.errors import is_concurrent_conflict
from service.db.models import Order
from service.graphql.context import Info
from service.graphql.errors import PermissionDenied, UserError, UserErrorCode, UserInputError
from service.graphql.relay import decode_id
from service.store import case_state, ingest
from service.store.ingest import Rejected

T = TypeVar("T")

log = logging.getLogger(__name__)

# A work that loses a race on a unique key, or that PostgreSQL fails to break a deadlock,
# is done again; a second loss in a row is reported as CONFLICT (retryable) rather than
# retried without end.
WRITE_ATTEMPTS = 2

INPUT = ("input",)


def user_errors(exc: Rejected) -> list[UserError]:
    return [
        UserError(field=list(i.field), code=UserErrorCode(i.code.value), message=i.message)
        for i in exc.issues
    ]


async def run(
    info: Info, require: Callable[[], None], work: Callable[[], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """``(work()'s result, [])``, or ``(None, the user errors that rejected it)`` with
    nothing written."""
    denied = forbidden(require)
    if denied:
        return None, denied
    info.context.writes = True  # the request commits at its end (unless it failed)
    session = info.context.session
    # The case states this write refreshes are computed at the request's "now".
    session.info[case_state.NOW] = getattr(info.context, "now", None)
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            async with info.context.db_lock:
                await begin_write(session)
                async with session.begin_nested():
                    result = await work()
        except UserInputError as exc:
            return None, exc.errors
        except Rejected as exc:
            return None, user_errors(exc)
        except DBAPIError as exc:
            # Another writer inserted the same key (order number, refund number)
            # between this work's read and its write, or PostgreSQL broke a deadlock (or
            # a serialization conflict) by failing this work. The savepoint is rolled
            # back, so doing the work again reads that row and updates it (or reports
            # it the way a sequential duplicate is reported), or simply succeeds.
            if not is_concurrent_conflict(exc):
                raise
            forget_cached_reads(info)
            log.info("a concurrent write conflicted (%s); attempt %d", type(exc).__name__, attempt)
            continue
        forget_cached_reads(info)
        return result, []
    return None, [
        UserError(
            field=None,
            code=UserErrorCode.CONFLICT,
            message="concurrent writes kept conflicting with this one; nothing was written, retry",
        )
    ]


def forbidden(require: Callable[[], None]) -> list[UserError]:
    """A FORBIDDEN user error when the role check fails, else nothing."""
    try:
        require()
    except PermissionDenied as exc:
        return [UserError(field=None, code=UserErrorCode.FORBIDDEN, message=str(exc))]
    return []


def allowed() -> None:
    """The role check of work whose caller already checked the role."""


def forget_cached_reads(info: Info) -> None:
    """Drop what the request's loaders cached, so fields resolved after a write (and
    later mutations of the same document) read the new state."""
    loaders = info.context.__dict__.get("loaders")
    if loaders is None:
        return
    for value in vars(loaders).values():
        clear_all = getattr(value, "clear_all", None)
        if callable(clear_all):
            clear_all()


def not_found(field: list[str], what: str) -> UserInputError:
    return UserInputError.one(field, UserErrorCode.NOT_FOUND, f"no such {what}")


def pk_of(global_id: strawberry.ID, type_name: str, field: list[str]) -> int:
    """The pk of an id of ``type_name``; any other id is reported as not found."""
    pk = decode_id(global_id, type_name)
    if pk is None:
        raise not_found(field, type_name)
    return pk


def one_of(values: Mapping[str, object | None], prefix: list[str]) -> str:
    """The name of the single given field among ``values`` (REQUIRED / INVALID otherwise)."""
    given = [name for name, value in values.items() if value is not None]
    names = " or ".join(values)
    if not given:
        raise UserInputError.one(
            [*prefix, next(iter(values))], UserErrorCode.REQUIRED, f"give {names}"
        )
    if len(given) > 1:
        raise UserInputError.one(
            [*prefix, given[1]], UserErrorCode.INVALID, f"give {names}, not both"
        )
    return given[0]


async def find_order(info: Info, order_id: strawberry.ID | None, order_number: str | None) -> Order:
    """The order named by exactly one of ``orderId`` / ``orderNumber`` in the shop."""
    session, shop_id = info.context.session, info.context.shop_id
    if one_of({"orderId": order_id, "orderNumber": order_number}, list(INPUT)) == "orderId":
        assert order_id is not None
        field = [*INPUT, "orderId"]
        row = await ingest.get_owned(session, Order, shop_id, pk_of(order_id, "Order", field))
    else:
        assert order_number is not None
        field = [*INPUT, "orderNumber"]
        row = await ingest.order_by_number(session, shop_id, order_number)
    if row is None:
        raise not_found(field, "Order")
    return row


async def find_owned(
    info: Info, model: type[T], global_id: strawberry.ID, type_name: str, field: list[str]
) -> T:
    """The shop's row of ``model`` behind ``global_id``; NOT_FOUND for anything else."""
    pk = pk_of(global_id, type_name, field)
    row = await ingest.get_owned(info.context.session, model, info.context.shop_id, pk)
    if row is None:
        raise not_found(field, type_name)
    return row
