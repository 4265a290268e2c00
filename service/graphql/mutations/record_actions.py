"""``recordActions``: one action on many cases at once (a group's broadcast sent), all
or nothing."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy import insert

from service.db.models import ActionRecord
from service.decision.outcome import Action as ActionModel
from service.graphql.context import Info
from service.graphql.errors import UserError, UserErrorCode, UserInputError
from service.graphql.loaders import FactsInconsistent
from service.graphql.mutations.base import allowed, forbidden, one_of, pk_of, run
from service.graphql.mutations.record_action import MAX_NOTE, snapshot
from service.graphql.types.action_record import ActionRecordType
from service.graphql.types.enums import Action
from service.graphql.types.inputs import Problems, check_text
from service.store import bulk_decisions, case_state
from service.team import claims
from service.team import events as team_events

MAX_CASES = 500


@strawberry.input(description="One case of a bulk action: give orderId or refundRequestId.")
class BulkCaseInput:
    order_id: strawberry.ID | None = strawberry.field(
        default=None, description="The order acted on (give this or refundRequestId)."
    )
    refund_request_id: strawberry.ID | None = strawberry.field(
        default=None, description="The refund request acted on (give this or orderId)."
    )


@strawberry.input(description="The same action taken on many cases.")
class RecordActionsInput:
    cases: list[BulkCaseInput] = strawberry.field(
        description=f"The cases acted on, 1 to {MAX_CASES}, each once (TOO_MANY beyond)."
    )
    taken_action: Action = strawberry.field(  # type: ignore[valid-type]
        description="What the agent did on every case; each record is marked overridden"
        " where it differs from that case's recommendation."
    )
    note: str | None = strawberry.field(
        default=None, description=f"One note for every record (at most {MAX_NOTE} characters)."
    )


@strawberry.type(description="The result of `recordActions`.")
class RecordActionsPayload:
    action_records: list[ActionRecordType] | None = strawberry.field(
        description="The stored records, in the order of the cases; null when rejected."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the input was rejected (field paths name the case by index); when"
        " not empty, nothing was written."
    )


def _under(index: int, errors: list[UserError]) -> list[UserError]:
    """Errors of one case moved under ``input.cases.<index>``."""
    out = []
    for e in errors:
        tail = list(e.field[1:]) if e.field else []
        out.append(
            UserError(field=["input", "cases", str(index), *tail], code=e.code, message=e.message)
        )
    return out


_FIELD = {bulk_decisions.ORDER: "orderId", bulk_decisions.REFUND_REQUEST: "refundRequestId"}
_TYPE = {bulk_decisions.ORDER: "Order", bulk_decisions.REFUND_REQUEST: "RefundRequest"}


def _ref(c: BulkCaseInput) -> bulk_decisions.CaseRef:
    """The case a bulk item names (errors under ``input``, moved by :func:`_under`)."""
    given = {"orderId": c.order_id, "refundRequestId": c.refund_request_id}
    if one_of(given, ["input"]) == "orderId":
        assert c.order_id is not None
        return bulk_decisions.ORDER, pk_of(c.order_id, "Order", ["input", "orderId"])
    assert c.refund_request_id is not None
    field = ["input", "refundRequestId"]
    return bulk_decisions.REFUND_REQUEST, pk_of(c.refund_request_id, "RefundRequest", field)


async def record_actions(
    info: Info,
    input: Annotated[
        RecordActionsInput,
        strawberry.argument(description="The cases, the action taken on all of them, a note."),
    ],
) -> RecordActionsPayload:
    denied = forbidden(info.context.require_record)
    if denied:
        return RecordActionsPayload(action_records=None, user_errors=denied)
    problems = Problems()
    check_text(problems, ["input", "note"], input.note, MAX_NOTE)
    if not input.cases:
        problems.add(["input", "cases"], "give at least one case", UserErrorCode.REQUIRED)
    if len(input.cases) > MAX_CASES:
        problems.add(
            ["input", "cases"], f"at most {MAX_CASES} cases per call", UserErrorCode.TOO_MANY
        )
    if problems.errors:
        return RecordActionsPayload(action_records=None, user_errors=problems.errors)
    refs: list[bulk_decisions.CaseRef | None] = []
    errors: list[UserError] = []
    for i, c in enumerate(input.cases):
        try:
            refs.append(_ref(c))
        except UserInputError as exc:
            errors.extend(_under(i, exc.errors))
            refs.append(None)
    ctx = info.context
    found = [r for r in refs if r is not None]
    # One read of every case's facts, decided in one loop (see service.store.bulk_decisions).
    async with ctx.db_lock:
        decided = await ctx.session.run_sync(
            bulk_decisions.decide_cases, ctx.shop_id, found, ctx.now
        )
    seen: dict[bulk_decisions.CaseRef, int] = {}
    cases: list[bulk_decisions.Decided] = []
    for i, ref in enumerate(refs):
        if ref is None:
            continue
        field = ["input", "cases", str(i), _FIELD[ref[0]]]
        got = decided.get(ref)
        if got is None:
            errors.append(
                UserError(
                    field=field, code=UserErrorCode.NOT_FOUND, message=f"no such {_TYPE[ref[0]]}"
                )
            )
            continue
        if got.decision is None:
            assert got.inconsistent is not None
            message = str(FactsInconsistent(got.inconsistent))
            errors.append(
                UserError(field=field, code=UserErrorCode.INCONSISTENT_FACTS, message=message)
            )
            continue
        if ref in seen:
            errors.append(
                UserError(
                    field=["input", "cases", str(i)],
                    code=UserErrorCode.DUPLICATE,
                    message=f"the same case as cases.{seen[ref]}",
                )
            )
            continue
        seen[ref] = i
        cases.append(got)
    if errors:
        return RecordActionsPayload(action_records=None, user_errors=errors)
    taken = ActionModel(input.taken_action)
    principal = ctx.principal

    async def work() -> list[ActionRecordType]:
        values = []
        for case in cases:
            decision = case.decision
            assert decision is not None
            values.append(
                {
                    "shop_id": ctx.shop_id,
                    "order_id": case.order_id,
                    "refund_request_id": case.refund_id,
                    "recommended_action": decision.action,
                    "rule_id": decision.rule_id,
                    "policy_id": decision.policy_id,
                    "policy_version": decision.policy_version,
                    "taken_action": taken,
                    "overridden": taken is not decision.action,
                    "note": input.note or "",
                    "actor_token_id": principal.token_id,
                    "actor_agent_id": principal.agent_id,
                    "decision_snapshot": snapshot(decision, None),
                }
            )
        # One multi-row INSERT … RETURNING for the whole call, not an ORM flush per row.
        stmt = insert(ActionRecord).returning(ActionRecord, sort_by_parameter_order=True)
        rows = (await ctx.session.scalars(stmt, values)).all()
        keys = [claims.CaseKey(kind, pk) for kind, pk in seen]
        await claims.end(ctx.session, ctx.shop_id, keys)
        # The cases leave the queue while their decision is the one acted on.
        handled = [
            (key.kind, key.entity_id, case.decision.action, case.decision.rule_id)
            for key, case in zip(keys, cases, strict=True)
            if case.decision is not None
        ]
        await case_state.mark_handled(ctx.session, ctx.shop_id, handled, taken, ctx.now)
        await team_events.actions_recorded(ctx.session, ctx.shop_id, rows, ctx.now)
        return [ActionRecordType.from_model(r) for r in rows]

    records, run_errors = await run(info, allowed, work)
    return RecordActionsPayload(action_records=records, user_errors=run_errors)
