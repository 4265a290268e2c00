"""The pure decision module: facts in, decision out.

Imports nothing from the web, GraphQL or database layers. "now" is always passed in
and platform parameters come from :mod:`service.decision.policy`, so the same facts
and the same time always give the same decision.
"""

from service.decision.engine import decide
from service.decision.facts import (
    CaseFacts,
    EvidenceKind,
    Inquiry,
    OrderFacts,
    OrderStatus,
    Platform,
    PlatformRefundKind,
    RefundFacts,
    RefundReason,
    RefundStatus,
    RefundType,
    ShipmentFacts,
    SignerKind,
    TrackingEvent,
    TrackingEventKind,
)
from service.decision.outcome import (
    OVERDUE_KINDS,
    Action,
    Alternative,
    Deadline,
    DeadlineKind,
    Decision,
    EvidenceItem,
    FactUsed,
    MoneyAtRisk,
    RiskKind,
    Scripts,
    Signal,
    SignalKind,
    TraceEntry,
)
from service.decision.policy import (
    CARRIER_NAMES_ZH,
    POLICIES,
    Policy,
    ShopPolicyOverrides,
    fake_logistics_fine,
    policy_for,
)
from service.decision.rules.base import RuleSpec
from service.decision.table import RULES, render_rule_table
from service.decision.texts import evidence_name, localize
from service.decision.validation import InconsistentFacts, Problem, check_facts

__all__ = [
    "CARRIER_NAMES_ZH",
    "OVERDUE_KINDS",
    "POLICIES",
    "RULES",
    "Action",
    "Alternative",
    "CaseFacts",
    "Deadline",
    "DeadlineKind",
    "Decision",
    "EvidenceItem",
    "EvidenceKind",
    "FactUsed",
    "InconsistentFacts",
    "Inquiry",
    "MoneyAtRisk",
    "OrderFacts",
    "OrderStatus",
    "Platform",
    "PlatformRefundKind",
    "Policy",
    "Problem",
    "RefundFacts",
    "RefundReason",
    "RefundStatus",
    "RefundType",
    "RiskKind",
    "RuleSpec",
    "Scripts",
    "ShipmentFacts",
    "ShopPolicyOverrides",
    "Signal",
    "SignalKind",
    "SignerKind",
    "TraceEntry",
    "TrackingEvent",
    "TrackingEventKind",
    "check_facts",
    "decide",
    "evidence_name",
    "fake_logistics_fine",
    "localize",
    "policy_for",
    "render_rule_table",
]
