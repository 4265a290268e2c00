"""``recordAction``: record what an agent did with the recommendation they saw."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry

from service.db.models import ActionRecord, Order, RefundRequest
from service.decision import Decision
from service.decision import facts as f
from service.decision.outcome import Action as ActionModel
from service.decision.timefmt import iso
from service.graphql.context import Info
from service.graphql.errors import UserError, UserErrorCode, UserInputError
from service.graphql.loaders import FactsInconsistent, OrderDecisionKey, RefundDecisionKey
from service.graphql.mutations.base import INPUT, allowed, forbidden, one_of, pk_of, run
from service.graphql.types.action_record import ActionRecordType
from service.graphql.types.enums import Action, Inquiry
from service.graphql.types.inputs import Problems, check_text
from service.store import case_state
from service.team import claims
from service.team import events as team_events

MAX_NOTE = 2000


@strawberry.input(
    description="An agent's action on an order (optionally about a buyer inquiry) or on"
    " a refund request."
)
class RecordActionInput:
    order_id: strawberry.ID | None = strawberry.field(
        default=None, description="The order acted on (give this or refundRequestId)."
    )
    refund_request_id: strawberry.ID | None = strawberry.field(
        default=None, description="The refund request acted on (give this or orderId)."
    )
    inquiry: Inquiry | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The buyer inquiry answered (with orderId only)."
    )
    decision_at: datetime | None = strawberry.field(
        default=None,
        description="The evaluation time of the decision the agent saw (its `at`);"
        " default: now. The same facts and time give the same decision.",
    )
    taken_action: Action = strawberry.field(  # type: ignore[valid-type]
        description="What the agent did; when it differs from the recommendation the record"
        " is marked overridden."
    )
    note: str | None = strawberry.field(
        default=None, description=f"The agent's note (at most {MAX_NOTE} characters)."
    )


@strawberry.type(description="The result of `recordAction`.")
class RecordActionPayload:
    action_record: ActionRecordType | None = strawberry.field(
        description="The stored record; null when rejected."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the input was rejected; when not empty, nothing was written."
    )


def _iso(at: datetime) -> str:
    # Decisions carry UTC times: timefmt.iso is isoformat() without its cost (a bulk
    # recordActions writes 500 snapshots).
    return iso(at) if at.tzinfo is UTC else at.astimezone(UTC).isoformat()


def snapshot(decision: Decision, inquiry: f.Inquiry | None) -> dict[str, Any]:
    """The decision as JSON-safe data: times in ISO 8601 UTC, money as strings."""
    return {
        "action": decision.action.value,
        "ruleId": decision.rule_id,
        "rationale": decision.rationale,
        "deadlines": [
            {"kind": d.kind.value, "at": _iso(d.at), "note": d.note} for d in decision.deadlines
        ],
        "moneyAtRisk": [
            {"kind": m.kind.value, "amount": str(m.amount)} for m in decision.money_at_risk
        ],
        "policy": {"id": decision.policy_id, "version": decision.policy_version},
        "evaluatedAt": _iso(decision.evaluated_at),
        "inquiry": inquiry.value if inquiry is not None else None,
    }


async def _decision(
    info: Info, input: RecordActionInput
) -> tuple[Order, RefundRequest | None, Decision]:
    """The case acted on and its decision, recomputed through the request's loaders
    (outside the write lock: the loaders take it themselves)."""
    loaders = info.context.loaders
    at = input.decision_at or info.context.now
    inquiry = f.Inquiry(input.inquiry) if input.inquiry is not None else None
    given = {"orderId": input.order_id, "refundRequestId": input.refund_request_id}
    refund: RefundRequest | None = None
    if one_of(given, list(INPUT)) == "orderId":
        assert input.order_id is not None
        field = [*INPUT, "orderId"]
        order = await loaders.order.load(pk_of(input.order_id, "Order", field))
        if order is None:
            raise UserInputError.one(field, UserErrorCode.NOT_FOUND, "no such Order")
        key: Any = OrderDecisionKey(order.id, inquiry, at)
        loader: Any = loaders.order_decision
    else:
        assert input.refund_request_id is not None
        field = [*INPUT, "refundRequestId"]
        if inquiry is not None:
            raise UserInputError.one(
                [*INPUT, "inquiry"], UserErrorCode.INVALID, "an inquiry goes with orderId only"
            )
        refund = await loaders.refund.load(pk_of(input.refund_request_id, "RefundRequest", field))
        if refund is None:
            raise UserInputError.one(field, UserErrorCode.NOT_FOUND, "no such RefundRequest")
        order = await loaders.order.load(refund.order_id)
        key = RefundDecisionKey(refund.id, at)
        loader = loaders.refund_decision
    try:
        decision: Decision = await loader.load(key)
    except FactsInconsistent as exc:
        raise UserInputError.one(field, UserErrorCode.INCONSISTENT_FACTS, str(exc)) from exc
    return order, refund, decision


async def record_action(
    info: Info,
    input: Annotated[
        RecordActionInput,
        strawberry.argument(
            description="The case the agent acted on, what they did, and when they saw the"
            " decision."
        ),
    ],
) -> RecordActionPayload:
    denied = forbidden(info.context.require_record)
    if denied:
        return RecordActionPayload(action_record=None, user_errors=denied)
    problems = Problems()
    check_text(problems, [*INPUT, "note"], input.note, MAX_NOTE)
    try:
        problems.raise_if_any()
        order, refund, decision = await _decision(info, input)
    except UserInputError as exc:
        return RecordActionPayload(action_record=None, user_errors=exc.errors)
    inquiry = f.Inquiry(input.inquiry) if input.inquiry is not None else None
    taken = ActionModel(input.taken_action)

    async def work() -> ActionRecordType:
        row = ActionRecord(
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
            actor_token_id=info.context.principal.token_id,
            actor_agent_id=info.context.principal.agent_id,
            decision_snapshot=snapshot(decision, inquiry),
        )
        info.context.session.add(row)
        await info.context.session.flush()
        # The case is handled: whoever held it lets go, and it leaves the queue while
        # its decision stays the one acted on.
        key = claims.key_of(order, refund)
        await claims.end(info.context.session, info.context.shop_id, [key])
        await case_state.mark_handled(
            info.context.session,
            info.context.shop_id,
            [(key.kind, key.entity_id, decision.action, decision.rule_id)],
            taken,
            info.context.now,
        )
        await team_events.actions_recorded(
            info.context.session, info.context.shop_id, [row], info.context.now
        )
        return ActionRecordType.from_model(row)

    record, errors = await run(info, allowed, work)
    return RecordActionPayload(action_record=record, user_errors=errors)
