"""Helpers shared by the object types: resolving the `at` argument."""

from __future__ import annotations

from datetime import datetime

from service.graphql.context import Info


def evaluation_time(info: Info, at: datetime | None) -> datetime:
    # "What if I wait until tomorrow 10:00": any time the agent names, else the
    # request's single "now".
    return at if at is not None else info.context.now
