"""Platform parameters (RULEBOOK §3) as data.

Every number a rule compares against lives here, never inside a rule. Numbers the
seeds give are marked with the seed; the others are our assumptions and say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

from service.decision.facts import Platform
from service.decision.outcome import DeadlineKind

CENT = Decimal("0.01")

# How zh-CN texts name a carrier code (issue 12): the common PDD / Kuaishou
# carriers. A code missing here is shown as sent; a shop adds or renames carriers
# through ShopPolicyOverrides.carrier_names, merged over this table.
CARRIER_NAMES_ZH: Mapping[str, str] = MappingProxyType(
    {
        "ZTO": "中通快递",
        "YTO": "圆通速递",
        "STO": "申通快递",
        "YUNDA": "韵达快递",
        "SF": "顺丰速运",
        "JD": "京东物流",
        "EMS": "EMS",
    }
)
ZERO = Decimal("0.00")

# How long before a deadline the events announce it (issue 11 §1); a shop may change
# the four with a duration. APPEAL_OPENS is announced when it arrives (0); kinds left
# out are never announced.
WARNING_WINDOWS: Mapping[DeadlineKind, timedelta] = MappingProxyType(
    {
        DeadlineKind.RESPOND_BY: timedelta(hours=6),
        DeadlineKind.SHIP_BY: timedelta(hours=6),
        DeadlineKind.PICKUP_BY: timedelta(hours=4),
        DeadlineKind.APPEAL_OPENS: timedelta(0),
        DeadlineKind.APPEAL_CLOSES: timedelta(hours=24),
    }
)
# ShopPolicyOverrides field -> the deadline kind whose warning window it sets.
WARNING_FIELDS: Mapping[str, DeadlineKind] = MappingProxyType(
    {
        "respond_by_warning_hours": DeadlineKind.RESPOND_BY,
        "ship_by_warning_hours": DeadlineKind.SHIP_BY,
        "pickup_by_warning_hours": DeadlineKind.PICKUP_BY,
        "appeal_closes_warning_hours": DeadlineKind.APPEAL_CLOSES,
    }
)
MAX_WARNING_HOURS = 24 * 7


@dataclass(frozen=True, slots=True)
class Policy:
    """One platform's after-sales parameters, versioned.

    The ``*_td`` fields are derived once here so that ``decide`` never rebuilds
    the same timedelta per call.
    """

    policy_id: str
    version: str
    platform: Platform
    # 003 §9: ship within 48 h of the group forming.
    ship_window_hours: int = 48
    # 001 sc.2: refund-only filed within 2 h (inclusive) of order confirmation.
    fast_refund_window: timedelta = timedelta(hours=2)
    # 001 sc.2: appeal "退款成功后的3-7天内"; counted in whole days from refunded_at.
    appeal_opens_after_days: int = 3
    appeal_closes_after_days: int = 7
    # 002: pickup scan within 24 h of tracking upload.
    pickup_limit_hours: int = 24
    # 002 / 004: first update within 24 h of pickup.
    first_update_limit_hours: int = 24
    # 002: "离开首个分拨中心间隔超过48-120小时"; the ordinary/remote split is ours.
    transit_stagnation_hours: int = 48
    transit_stagnation_remote_hours: int = 120
    # Assumption: out for delivery this long without a signature is a 派签异常 (004).
    delivery_stagnation_hours: int = 24
    # 002 fake-logistics fine.
    fine_base: Decimal = Decimal("5.00")
    fine_threshold: Decimal = Decimal("20.00")
    fine_rate: Decimal = Decimal("0.25")
    fine_cap: Decimal = Decimal("100.00")
    # Assumption (001 sc.1 gives no number): the platform auto-agrees after this.
    respond_by_hours: int = 48
    # 003 §5 "一个多月".
    long_after_signing_days: int = 30
    # 003 §6: one free reissue for a disputed missing item.
    free_reissues: int = 1
    # 000: shop setting; default ours.
    coupon_amount: Decimal = Decimal("5.00")
    fast_refund_supported: bool = True
    fake_logistics_fine_applies: bool = True
    # Assumptions: how early the proactive queue warns (000 §1 "即将逾期").
    ship_by_lead_hours: int = 6
    pickup_lead_hours: int = 6
    auto_agree_lead_hours: int = 12
    # Assumption: when already late, promise shipment within this many hours.
    late_ship_promise_hours: int = 24
    # Assumption (000 §1 step 3 gives no number): the tracking details are sent to the
    # buyer within this many hours of the upload; after that the move is stale.
    inform_tracking_hours: int = 24
    # How long a platform refund stays a case (appeal, intercept); the appeal window
    # closes on day 7 (001), a day of slack for the agent to file.
    refunded_case_days: int = 8
    # Carrier code -> the name zh-CN texts show (CARRIER_NAMES_ZH plus shop entries).
    carrier_names: Mapping[str, str] = field(
        default_factory=lambda: CARRIER_NAMES_ZH, compare=False
    )
    # Deadline kind -> how long before it the events announce it (WARNING_WINDOWS
    # with a shop's overrides). Out of the repr, which fingerprints the rules: the
    # windows move states' stale_at, not their decisions.
    warning_windows: Mapping[DeadlineKind, timedelta] = field(
        default_factory=lambda: WARNING_WINDOWS, compare=False, repr=False
    )

    ship_window_td: timedelta = field(init=False, repr=False, compare=False)
    pickup_limit_td: timedelta = field(init=False, repr=False, compare=False)
    first_update_td: timedelta = field(init=False, repr=False, compare=False)
    transit_td: timedelta = field(init=False, repr=False, compare=False)
    transit_remote_td: timedelta = field(init=False, repr=False, compare=False)
    delivery_td: timedelta = field(init=False, repr=False, compare=False)
    respond_by_td: timedelta = field(init=False, repr=False, compare=False)
    long_after_signing_td: timedelta = field(init=False, repr=False, compare=False)
    appeal_opens_td: timedelta = field(init=False, repr=False, compare=False)
    appeal_closes_td: timedelta = field(init=False, repr=False, compare=False)
    ship_by_lead_td: timedelta = field(init=False, repr=False, compare=False)
    pickup_lead_td: timedelta = field(init=False, repr=False, compare=False)
    auto_agree_lead_td: timedelta = field(init=False, repr=False, compare=False)
    late_promise_td: timedelta = field(init=False, repr=False, compare=False)
    inform_tracking_td: timedelta = field(init=False, repr=False, compare=False)
    refunded_case_td: timedelta = field(init=False, repr=False, compare=False)
    coupon_text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_positive("ship_window_hours", self.ship_window_hours)
        _check_positive("respond_by_hours", self.respond_by_hours)
        if self.coupon_amount < 0:
            raise ValueError("coupon_amount: must not be negative")
        if self.appeal_closes_after_days < self.appeal_opens_after_days:
            raise ValueError("appeal_closes_after_days: must not precede appeal_opens_after_days")
        s = object.__setattr__
        s(self, "coupon_amount", self.coupon_amount.quantize(CENT, ROUND_HALF_UP))
        s(self, "coupon_text", str(self.coupon_amount))
        s(self, "ship_window_td", timedelta(hours=self.ship_window_hours))
        s(self, "pickup_limit_td", timedelta(hours=self.pickup_limit_hours))
        s(self, "first_update_td", timedelta(hours=self.first_update_limit_hours))
        s(self, "transit_td", timedelta(hours=self.transit_stagnation_hours))
        s(self, "transit_remote_td", timedelta(hours=self.transit_stagnation_remote_hours))
        s(self, "delivery_td", timedelta(hours=self.delivery_stagnation_hours))
        s(self, "respond_by_td", timedelta(hours=self.respond_by_hours))
        s(self, "long_after_signing_td", timedelta(days=self.long_after_signing_days))
        s(self, "appeal_opens_td", timedelta(days=self.appeal_opens_after_days))
        s(self, "appeal_closes_td", timedelta(days=self.appeal_closes_after_days))
        s(self, "ship_by_lead_td", timedelta(hours=self.ship_by_lead_hours))
        s(self, "pickup_lead_td", timedelta(hours=self.pickup_lead_hours))
        s(self, "auto_agree_lead_td", timedelta(hours=self.auto_agree_lead_hours))
        s(self, "late_promise_td", timedelta(hours=self.late_ship_promise_hours))
        s(self, "inform_tracking_td", timedelta(hours=self.inform_tracking_hours))
        s(self, "refunded_case_td", timedelta(days=self.refunded_case_days))

    def warning_before(self, kind: DeadlineKind | None) -> timedelta | None:
        """How long before a deadline of ``kind`` it is announced; None: never."""
        return self.warning_windows.get(kind) if kind is not None else None


def _check_positive(name: str, value: int) -> None:
    if value <= 0:
        raise ValueError(f"{name}: must be a positive number of hours, got {value}")


@dataclass(frozen=True, slots=True)
class ShopPolicyOverrides:
    """Per-shop settings that replace a platform default when given."""

    coupon_amount: Decimal | None = None
    ship_window_hours: int | None = None
    respond_by_hours: int | None = None
    # (code, Chinese name) pairs added to or replacing CARRIER_NAMES_ZH entries; a
    # tuple so the overrides stay hashable (policies are cached by them).
    carrier_names: tuple[tuple[str, str], ...] | None = None
    # Hours before the deadline that its warning event comes (see WARNING_FIELDS).
    respond_by_warning_hours: int | None = None
    ship_by_warning_hours: int | None = None
    pickup_by_warning_hours: int | None = None
    appeal_closes_warning_hours: int | None = None


BASE_VERSION = "2026.11.1"

POLICIES: MappingProxyType[Platform, Policy] = MappingProxyType(
    {
        Platform.PDD: Policy(policy_id="pdd", version=BASE_VERSION, platform=Platform.PDD),
        Platform.KUAISHOU: Policy(
            policy_id="kuaishou",
            version=BASE_VERSION,
            platform=Platform.KUAISHOU,
            # 001 and 002 are PDD rules; Kuaishou has neither mechanism.
            fast_refund_supported=False,
            fake_logistics_fine_applies=False,
        ),
    }
)

_override_cache: dict[tuple[Platform, ShopPolicyOverrides], Policy] = {}


def policy_for(platform: Platform, overrides: ShopPolicyOverrides | None = None) -> Policy:
    """Return the platform policy, with a shop's overrides applied.

    Overridden policies carry version ``<base>+shop`` so a decision shows that
    shop settings shaped it. Raises ValueError naming the bad override field.
    """
    base = POLICIES[platform]
    if overrides is None or overrides == _NO_OVERRIDES:
        return base
    key = (platform, overrides)
    cached = _override_cache.get(key)
    if cached is not None:
        return cached
    changes: dict[str, object] = {"version": f"{base.version}+shop"}
    if overrides.coupon_amount is not None:
        if overrides.coupon_amount < 0:
            raise ValueError("coupon_amount: must not be negative")
        changes["coupon_amount"] = overrides.coupon_amount
    if overrides.ship_window_hours is not None:
        _check_positive("ship_window_hours", overrides.ship_window_hours)
        changes["ship_window_hours"] = overrides.ship_window_hours
    if overrides.respond_by_hours is not None:
        _check_positive("respond_by_hours", overrides.respond_by_hours)
        changes["respond_by_hours"] = overrides.respond_by_hours
    if overrides.carrier_names is not None:
        changes["carrier_names"] = _carrier_table(overrides.carrier_names)
    windows = dict(WARNING_WINDOWS)
    for name, kind in WARNING_FIELDS.items():
        hours = getattr(overrides, name)
        if hours is not None:
            if not 1 <= hours <= MAX_WARNING_HOURS:
                raise ValueError(f"{name}: must be 1 to {MAX_WARNING_HOURS} hours, got {hours}")
            windows[kind] = timedelta(hours=hours)
    if windows != WARNING_WINDOWS:
        changes["warning_windows"] = MappingProxyType(windows)
    policy = replace(base, **changes)  # type: ignore[arg-type]
    _override_cache[key] = policy
    return policy


_NO_OVERRIDES = ShopPolicyOverrides()


def _carrier_table(entries: tuple[tuple[str, str], ...]) -> Mapping[str, str]:
    """CARRIER_NAMES_ZH with a shop's entries merged over it; codes are matched as sent."""
    table = dict(CARRIER_NAMES_ZH)
    for code, name in entries:
        if not code.strip() or not name.strip():
            raise ValueError("carrier_names: code and name must not be blank")
        table[code] = name
    return MappingProxyType(table)


def fake_logistics_fine(amount: Decimal, policy: Policy) -> Decimal:
    """The fake-logistics fine for an order of ``amount`` CNY (seed 002).

    Base fine up to the threshold (inclusive); above it the rate times the order
    amount, never less than the base and never more than the cap; rounded to the
    cent half-up. Zero where the platform has no such fine (Kuaishou).
    """
    if not policy.fake_logistics_fine_applies:
        return ZERO
    if amount <= policy.fine_threshold:
        fine = policy.fine_base
    else:
        fine = min(policy.fine_cap, max(policy.fine_base, amount * policy.fine_rate))
    return fine.quantize(CENT, ROUND_HALF_UP)
