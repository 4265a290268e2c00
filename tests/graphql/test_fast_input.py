"""The planned conversion of ``CaseInput`` builds what Strawberry's own would."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from strawberry.types.arguments import convert_argument

from service.graphql import fast_input
from service.graphql.schema import build_schema
from service.graphql.types.inputs import CaseInput
from tests.graphql.helpers import as_data

T = datetime(2026, 11, 23, 8, tzinfo=UTC)

# As graphql-core hands it over: GraphQL names, scalars and enums already coerced.
FULL: dict[str, Any] = {
    "order": {
        "orderNumber": "PO-1",
        "platform": "PDD",
        "amount": Decimal("100.00"),
        "status": "SIGNED",
        "confirmedAt": T,
        "groupFormedAt": T,
        "shipBy": T,
        "canFulfil": False,
        "returnAddressComplete": True,
        "remoteDestination": True,
        "forceMajeureExempt": False,
    },
    "shipment": {
        "carrier": "ZTO",
        "trackingNumber": "ZT1",
        "shippedOfflineAt": None,
        "trackingUploadedAt": T,
        "pickedUpAt": T,
        "signer": "BUYER",
        "interceptable": None,
        "outboundRecorded": True,
        "expectedWeightG": 500,
        "recordedWeightG": 510,
        "events": [{"at": T, "kind": "PICKUP", "place": "Hangzhou"}],
    },
    "refundRequest": {
        "refundNumber": "RF-1",
        "type": "REFUND_ONLY",
        "reason": "QUALITY",
        "requestedAt": T,
        "status": "PENDING",
        "amount": Decimal("50.00"),
        "buyerEvidence": ["DAMAGE_PHOTO"],
        "threatensReview": True,
        "freeReissuesGiven": 1,
    },
    "inquiry": None,
    "merchantEvidence": ["OUTBOUND_RECORD"],
}
MINIMAL: dict[str, Any] = {"order": FULL["order"]}


def test_the_plan_builds_the_same_case_as_strawberry() -> None:
    schema = build_schema()
    config = schema.config
    registry = schema.schema_converter.scalar_registry
    definition = CaseInput.__strawberry_definition__  # type: ignore[attr-defined]
    planned = definition.from_input
    assert planned is not None
    for value in (FULL, MINIMAL):
        # given Strawberry's own conversion, without the plan
        definition.from_input = None
        try:
            expected = convert_argument(value, CaseInput, registry, config)
        finally:
            definition.from_input = planned
        # when the plan converts the same value
        actual = convert_argument(value, CaseInput, registry, config)
        # then every field of every nested input is the same, lists copied
        assert as_data(actual) == as_data(expected)
        assert type(actual) is CaseInput


def test_lists_are_copied_not_shared() -> None:
    fast_input.install(CaseInput)
    definition = CaseInput.__strawberry_definition__  # type: ignore[attr-defined]
    case = definition.from_input(CaseInput, FULL, None)
    assert case.merchant_evidence == FULL["merchantEvidence"]
    assert case.merchant_evidence is not FULL["merchantEvidence"]
