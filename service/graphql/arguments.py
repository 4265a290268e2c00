"""Arguments that several fields take, each with its description in one place."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from service.graphql.relay import DEFAULT_PAGE, MAX_PAGE
from service.graphql.types.enums import Inquiry, Locale

First = Annotated[
    int | None,
    strawberry.argument(
        description=f"How many items the page holds at most, 1 to {MAX_PAGE}; null gives"
        f" {DEFAULT_PAGE}. Out of range is an error, not clamped."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="Opaque cursor: the page starts after the item it points to. Pass the"
        " previous page's `pageInfo.endCursor` (or an edge's `cursor`) unchanged; null starts"
        " at the first item. A cursor from another list is an error."
    ),
]
At = Annotated[
    datetime | None,
    strawberry.argument(
        description="The moment to decide for, with a UTC offset (e.g."
        ' 2026-11-25T10:00:00+08:00), to ask "what if I wait until then". Deadlines,'
        " signals and the script are computed as of that moment, from the facts stored now."
        " Null: the request's now (the server clock, the same for every decision of one"
        " request)."
    ),
]
DecisionLocale = Annotated[
    Locale,
    strawberry.argument(
        description="Language of the decision's texts (rationale, steps, evidence names,"
        " conditions, trace reasons, signals, deadline notes) and of its `script` field;"
        " `scripts` always holds both. Defaults to ZH_CN."
    ),
]
OrderInquiry = Annotated[
    Inquiry | None,  # type: ignore[valid-type]
    strawberry.argument(
        description="The buyer's message to answer (urge shipment, where is the parcel, door"
        " delivery). Null: the decision watches the order and its latest parcel for what is"
        " due. Refund requests are not considered here: each has its own `decision`."
    ),
]
