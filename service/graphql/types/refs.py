"""Helpers shared by the resolvers that show decisions: the `at` argument, and the
one place a decision becomes what the client sees."""

from __future__ import annotations

from datetime import datetime

from service.decision import Decision
from service.graphql.context import Info
from service.graphql.types.decision import DecisionType
from service.graphql.types.enums import Locale


def evaluation_time(info: Info, at: datetime | None) -> datetime:
    # "What if I wait until tomorrow 10:00": any time the agent names, else the
    # request's single "now".
    return at if at is not None else info.context.now


def present(info: Info, decision: Decision, locale: Locale) -> DecisionType:
    """The decision as returned to the client, counted in the metrics. Decisions made
    only to filter a list or to record an action are not counted: the metric says
    what agents and services were told."""
    metrics = info.context.metrics
    if metrics is not None:
        metrics.record_decision(decision.action.value, decision.rule_id)
    return DecisionType.from_decision(decision, locale)
