"""``recordActions``: one action on many cases at once (a group's broadcast sent), all
or nothing."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from service.db.models import ActionRecord, Order, RefundRequest
from service.decision import Decision
from service.decision.outcome import Action as ActionModel
from service.graphql.context import Info
from service.graphql.errors import UserError, UserErrorCode, UserInputError
from service.graphql.mutations.base import allowed, forbidden, run
from service.graphql.mutations.record_action import (
    MAX_NOTE,
    RecordActionInput,
    _decision,
    snapshot,
)
from service.graphql.types.action_record import ActionRecordType
from service.graphql.types.enums import Action
from service.graphql.types.inputs import Problems, check_text
from service.store import case_state
from service.team import claims

MAX_CASES = 500

Decided = tuple[Order, RefundRequest | None, Decision]


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
    singles = [
        RecordActionInput(
            order_id=c.order_id,
            refund_request_id=c.refund_request_id,
            taken_action=input.taken_action,
            note=input.note,
        )
        for c in input.cases
    ]

    async def decide(i: int, single: RecordActionInput) -> Decided | list[UserError]:
        try:
            return await _decision(info, single)
        except UserInputError as exc:
            return _under(i, exc.errors)

    # Gathered, so the loaders read every case's facts in a few batched statements.
    decided = await asyncio.gather(*(decide(i, s) for i, s in enumerate(singles)))
    errors: list[UserError] = []
    seen: dict[claims.CaseKey, int] = {}
    cases: list[Decided] = []
    for i, result in enumerate(decided):
        if isinstance(result, list):
            errors.extend(result)
            continue
        cases.append(result)
        order, refund, _ = result
        key = claims.key_of(order, refund)
        if key in seen:
            errors.append(
                UserError(
                    field=["input", "cases", str(i)],
                    code=UserErrorCode.DUPLICATE,
                    message=f"the same case as cases.{seen[key]}",
                )
            )
        seen.setdefault(key, i)
    if errors:
        return RecordActionsPayload(action_records=None, user_errors=errors)
    taken = ActionModel(input.taken_action)
    principal = info.context.principal

    async def work() -> list[ActionRecordType]:
        rows = []
        for order, refund, decision in cases:
            rows.append(
                ActionRecord(
                    shop_id=info.context.shop_id,
                    order_id=order.id,
                    refund_request_id=refund.id if refund is not None else None,
                    recommended_action=decision.action,
                    rule_id=decision.rule_id,
                    policy_id=decision.policy_id,
                    policy_version=decision.policy_version,
                    taken_action=taken,
                    overridden=taken is not decision.action,
                    note=input.note or "",
                    actor_token_id=principal.token_id,
                    actor_agent_id=principal.agent_id,
                    decision_snapshot=snapshot(decision, None),
                )
            )
        info.context.session.add_all(rows)
        await info.context.session.flush()
        await claims.end(info.context.session, info.context.shop_id, list(seen))
        handled = [
            (key.kind, key.entity_id, decision.action, decision.rule_id)
            for key, (_, _, decision) in zip(seen, cases, strict=True)
        ]
        await case_state.mark_handled(
            info.context.session, info.context.shop_id, handled, taken, info.context.now
        )
        return [ActionRecordType.from_model(r) for r in rows]

    records, run_errors = await run(info, allowed, work)
    return RecordActionsPayload(action_records=records, user_errors=run_errors)
