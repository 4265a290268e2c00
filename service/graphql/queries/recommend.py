"""``recommend``: a stateless decision over inline facts; nothing is read or stored
but the caller's shop policy, and that comes from the replica's policy cache when
fresh (then the request makes no SQL statement at all)."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime

import strawberry

from service.decision import CaseFacts, InconsistentFacts, decide
from service.graphql.context import Info
from service.graphql.errors import UserError, UserErrorCode, UserInputError
from service.graphql.types.decision import DecisionType
from service.graphql.types.enums import Locale
from service.graphql.types.inputs import CaseInput, Problems, case_facts, check_case, fact_path
from service.graphql.types.refs import evaluation_time, present
from service.store.policy_cache import ShopPolicies


@strawberry.type(description="A decision over inline facts, or why the facts were refused.")
class Recommendation:
    decision: DecisionType | None = strawberry.field(
        description="The decision; null when userErrors is not empty."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the facts: each names the input field at fault."
    )


def recommend(
    info: Info, case: CaseInput, at: datetime | None, locale: Locale
) -> Recommendation | Awaitable[Recommendation]:
    """The recommendation, computed at once when the shop's policy is in this replica's
    cache (the usual case): a resolver that returns a value, not a coroutine, spares
    graphql-core the awaiting of the field, of its parent and of the operation. When
    the policy must be read first, a coroutine that graphql-core awaits."""
    problems = Problems()
    check_case(problems, ["case"], case)
    if problems.errors:
        return Recommendation(decision=None, user_errors=problems.errors)
    facts = case_facts(case)
    policies = info.context.cached_shop_policies()
    if policies is None:
        return _after_loading(info, facts, at, locale)
    return _decided(info, facts, at, locale, policies)


async def _after_loading(
    info: Info, facts: CaseFacts, at: datetime | None, locale: Locale
) -> Recommendation:
    return _decided(info, facts, at, locale, await info.context.shop_policies())


def _decided(
    info: Info, facts: CaseFacts, at: datetime | None, locale: Locale, policies: ShopPolicies
) -> Recommendation:
    # decide() checks the facts itself (and raises InconsistentFacts listing every
    # problem), so they are not checked twice.
    policy = policies.policy(facts.order.platform)
    try:
        decision = decide(facts, evaluation_time(info, at), policy)
    except InconsistentFacts as exc:  # e.g. `at` before the facts it is asked about
        return Recommendation(
            decision=None,
            user_errors=[
                UserError(
                    field=fact_path(["case"], p.field) if p.field != "now" else ["at"],
                    code=UserErrorCode.INCONSISTENT_FACTS,
                    message=p.message,
                )
                for p in exc.problems
            ],
        )
    except UserInputError as exc:
        return Recommendation(decision=None, user_errors=exc.errors)
    return Recommendation(decision=present(info, decision, locale), user_errors=[])
