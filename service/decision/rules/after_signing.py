"""S1–S9: a refund request once the parcel is signed for (002, 003 §4–8).

S9 (courier will not deliver to the door) also answers the DOOR_DELIVERY inquiry.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.decision.derive import SIGNED, Ctx
from service.decision.facts import (
    EvidenceKind,
    Inquiry,
    RefundFacts,
    RefundReason,
    RefundType,
    ShipmentFacts,
    SignerKind,
)
from service.decision.outcome import Action, Alternative, FactUsed
from service.decision.rules.base import Outcome, fact, rule
from service.decision.timefmt import hours

FAMILY = "after_signing"

E = EvidenceKind
_DAMAGE = (RefundReason.DAMAGED_IN_TRANSIT, RefundReason.DAMAGED_FOUND_LATER)
_UNVERIFIED_SIGNERS = (SignerKind.PROXY, SignerKind.UNKNOWN, SignerKind.LOCKER, None)
_ALT_RETURN = Alternative(Action.ACCEPT_RETURN, "S3", "if the buyer switches to return-and-refund")


# Enum members the checks read, as module globals: in Python 3.11 a member read off
# its class goes through EnumType.__getattr__'s slow hook (see derive.py).
ACCEPT_RETURN = Action.ACCEPT_RETURN
CARRIER_CONFIRMATION = E.CARRIER_CONFIRMATION
CHAT_RECORD = E.CHAT_RECORD
CONTACT_CARRIER = Action.CONTACT_CARRIER
CONTENTS_PHOTO = E.CONTENTS_PHOTO
DAMAGE_PHOTO = E.DAMAGE_PHOTO
DOOR_DELIVERY = Inquiry.DOOR_DELIVERY
MISSING_ITEM = RefundReason.MISSING_ITEM
NOT_DELIVERED_TO_DOOR = RefundReason.NOT_DELIVERED_TO_DOOR
NOT_RECEIVED = RefundReason.NOT_RECEIVED
NO_LONGER_WANTED = RefundReason.NO_LONGER_WANTED
NO_REASON = RefundReason.NO_REASON
OUTER_PACKAGE_PHOTO = E.OUTER_PACKAGE_PHOTO
QUALITY = RefundReason.QUALITY
REFUND_ONLY = RefundType.REFUND_ONLY
REISSUE = Action.REISSUE
REJECT_WITH_EVIDENCE = Action.REJECT_WITH_EVIDENCE
REQUEST_EVIDENCE = Action.REQUEST_EVIDENCE
RETURN_AND_REFUND = RefundType.RETURN_AND_REFUND
SIGNATURE_PROOF = E.SIGNATURE_PROOF
WRONG_ITEM = RefundReason.WRONG_ITEM


def _signed_refund(c: Ctx) -> tuple[RefundFacts | None, str]:
    rf = c.refund
    if rf is None:
        return None, "no refund request"
    if c.stage != SIGNED:
        return None, f"stage is {c.stage}, not signed"
    return rf, ""


@rule(
    "S1",
    "Not received, signed by a proxy / locker / unknown: verify the signer with the carrier",
    Action.CONTACT_CARRIER,
    seed="003 §4",
    family=FAMILY,
)
def s1_proxy_signed(c: Ctx) -> str | Outcome:
    rf, why = _signed_refund(c)
    if rf is None:
        return why
    if rf.reason is not NOT_RECEIVED:
        # Joined, not an f-string: formatting a StrEnum member costs about 90 ns more,
        # and these reasons are built on most after-signing decisions (as in R1, V1).
        return "reason is " + rf.reason
    signer = c.shipment.signer
    if signer not in _UNVERIFIED_SIGNERS:
        return "signed by the buyer in person"
    shown = signer if signer is not None else "not recorded"
    return Outcome(
        CONTACT_CARRIER,
        f"buyer says not received; signer: {shown}",
        (fact("refund.reason", rf.reason), fact("shipment.signer", shown)),
        (
            "Ask the carrier who signed and where the parcel was left",
            "Get the signature or delivery photo from the carrier",
            "Decide the refund only after the carrier answers",
        ),
        "S1",
        needs=(SIGNATURE_PROOF, CARRIER_CONFIRMATION),
    )


@rule(
    "S8",
    "Buyer threatens a bad review or dispute to extract cash: reject with evidence",
    Action.REJECT_WITH_EVIDENCE,
    seed="003 §4",
    family=FAMILY,
)
def s8_threat(c: Ctx) -> str | Outcome:
    rf, why = _signed_refund(c)
    if rf is None:
        return why
    if not rf.threatens_review:
        return "no threat recorded"
    return Outcome(
        REJECT_WITH_EVIDENCE,
        "buyer uses a bad-review / dispute threat to ask for cash",
        (fact("refund.threatens_review", True),),
        (
            "Reject the request; keep the tone polite",
            "Attach the chat record showing the threat and the signature proof",
            "Keep offering the normal after-sales path (return, reissue) if there is a real fault",
        ),
        "S8",
        needs=(CHAT_RECORD, SIGNATURE_PROOF),
    )


@rule(
    "S5",
    "Signed more than 30 days ago and damaged: ask for photos, then reissue the part",
    Action.REQUEST_EVIDENCE,
    Action.REISSUE,
    seed="003 §5",
    family=FAMILY,
)
def s5_damaged_long_after(c: Ctx) -> str | Outcome:
    rf, why = _signed_refund(c)
    if rf is None:
        return why
    if rf.reason not in _DAMAGE:
        return "reason is " + rf.reason
    signed = c.signed_at
    if signed is None:
        return "signing time unknown"
    age = c.now - signed
    p = c.policy
    if age <= p.long_after_signing_td:
        return f"signed {hours(age)} ago, within {p.long_after_signing_days} days"
    have = c.evidence
    complete = OUTER_PACKAGE_PHOTO in have and DAMAGE_PHOTO in have
    return Outcome(
        REISSUE if complete else REQUEST_EVIDENCE,
        f"damage reported {age.days} days after signing (> {p.long_after_signing_days} days); "
        + ("photos received" if complete else "photos of package and damage missing"),
        (fact("signed_at", signed), fact("refund.reason", rf.reason)),
        (
            ("Log the case and have the warehouse reissue the damaged part",)
            if complete
            else (
                "Ask for a photo of the outer package and a close-up of the damage",
                "Then log the case and reissue the damaged part",
            )
        ),
        "S5.reissue" if complete else "S5.request",
        needs=(OUTER_PACKAGE_PHOTO, DAMAGE_PHOTO),
        params={"days": str(age.days)},
    )


@rule(
    "S7",
    "Damaged in transit: reissue and claim from the carrier",
    Action.REISSUE,
    seed="002 (4), 003 §5",
    family=FAMILY,
)
def s7_damaged_in_transit(c: Ctx) -> str | Outcome:
    rf, why = _signed_refund(c)
    if rf is None:
        return why
    if rf.reason not in _DAMAGE:
        return "reason is " + rf.reason
    return Outcome(
        REISSUE,
        f"damage reported ({rf.reason}) within {c.policy.long_after_signing_days} days of signing",
        (fact("refund.reason", rf.reason),),
        (
            "Apologise and reissue the item or part",
            "Send the buyer the new tracking number",
            "File a damage claim with the carrier using the buyer's photos",
        ),
        "S7",
        needs=(OUTER_PACKAGE_PHOTO, DAMAGE_PHOTO),
    )


@dataclass(frozen=True, slots=True)
class _Records:
    """What the warehouse outbound record and the carrier's weighing say about a parcel."""

    short: bool  # they show a shortfall: no outbound entry, or lighter than expected
    clean: bool  # they prove a complete parcel: outbound entry and full weight
    text: str  # as shown in the rationale and the facts


def _records(sh: ShipmentFacts) -> _Records:
    out, exp, rec = sh.outbound_recorded, sh.expected_weight_g, sh.recorded_weight_g
    weighed = exp is not None and rec is not None
    if out is None:
        outbound = "no outbound record given"
    else:
        outbound = "outbound recorded" if out else "no outbound entry in the warehouse record"
    if weighed:
        weight = f"weighed {rec} g of {exp} g expected"
    elif rec is not None:
        weight = f"weighed {rec} g, no expected weight given"
    elif exp is not None:
        weight = f"{exp} g expected, no weighing record given"
    else:
        weight = "no weighing record given"
    light = exp is not None and rec is not None and rec < exp
    return _Records(
        short=out is False or light,
        clean=out is True and weighed and not light,
        text=f"{outbound}; {weight}",
    )


_S6_NEEDS = (E.CONTENTS_PHOTO, E.OUTER_PACKAGE_PHOTO, E.OUTBOUND_RECORD, E.WEIGHING_RECORD)


@rule(
    "S6",
    "Missing or wrong item: a photo of the contents first; then reissue or reject by the records",
    Action.REQUEST_EVIDENCE,
    Action.REISSUE,
    Action.REJECT_WITH_EVIDENCE,
    seed="002 (4), 003 §6",
    family=FAMILY,
)
def s6_missing_or_wrong(c: Ctx) -> str | Outcome:
    rf, why = _signed_refund(c)
    if rf is None:
        return why
    if rf.reason not in (MISSING_ITEM, WRONG_ITEM):
        return "reason is " + rf.reason
    records = _records(c.shipment)
    # 002 §4: the photo of what arrived comes first; no record can stand in for it.
    if CONTENTS_PHOTO not in c.evidence:
        return _s6_ask_for_photos(rf, records)
    free_left = rf.free_reissues_given < c.policy.free_reissues
    if records.short or free_left:
        return _s6_reissue(rf, records)
    if records.clean:
        return _s6_reject(rf, records)
    return _s6_ask_for_records(rf, records)


def _s6_facts(rf: RefundFacts, records: _Records, photo: bool) -> tuple[FactUsed, ...]:
    return (
        fact("refund.reason", rf.reason),
        fact("photos", "contents photo received" if photo else "no contents photo"),
        fact("records", records.text),
        fact("refund.free_reissues_given", rf.free_reissues_given),
    )


def _s6_ask_for_photos(rf: RefundFacts, records: _Records) -> Outcome:
    return Outcome(
        REQUEST_EVIDENCE,
        f"{rf.reason} claimed without a photo of the contents; the photo decides before "
        f"the records do ({records.text})",
        _s6_facts(rf, records, photo=False),
        (
            "Ask the buyer for a photo of everything that came in the parcel and one of the "
            "outer package",
            "Meanwhile pull the warehouse outbound record and the carrier weighing record",
            "Once the photo shows what is missing or wrong, reissue or reject by the records",
        ),
        "S6.photo",
        needs=_S6_NEEDS,
        alternatives=(Alternative(REISSUE, "S6", "once the photo shows what is missing or wrong"),),
    )


def _s6_reissue(rf: RefundFacts, records: _Records) -> Outcome:
    if records.short:
        reason = "records show a shortfall"
    else:
        reason = (
            f"records do not prove a shortfall, but only {rf.free_reissues_given} free "
            "reissue(s) given so far"
        )
    return Outcome(
        REISSUE,
        f"{rf.reason} with a contents photo: {reason} ({records.text})",
        _s6_facts(rf, records, photo=True),
        (
            "Apologise to the buyer",
            "Reissue the missing or correct item",
            "Send the buyer the new tracking number",
        ),
        "S6.reissue",
        needs=_S6_NEEDS,
    )


def _s6_reject(rf: RefundFacts, records: _Records) -> Outcome:
    return Outcome(
        REJECT_WITH_EVIDENCE,
        f"{rf.reason} with a contents photo: records clean ({records.text}) and the free "
        "reissue was used",
        _s6_facts(rf, records, photo=True),
        (
            "Reject the request",
            "Attach the outbound record, the weighing record and the package photos",
        ),
        "S6.reject",
        needs=_S6_NEEDS,
    )


def _s6_ask_for_records(rf: RefundFacts, records: _Records) -> Outcome:
    return Outcome(
        REQUEST_EVIDENCE,
        f"{rf.reason} with a contents photo: free reissue used, records incomplete "
        f"({records.text})",
        _s6_facts(rf, records, photo=True),
        (
            "Pull the warehouse outbound record and the carrier weighing record",
            "Reject with the records if they show a complete parcel; reissue if they show "
            "a shortfall",
        ),
        "S6.request",
        needs=_S6_NEEDS,
    )


@rule(
    "S4",
    "Quality fault: accept the return, shop pays postage (no photo yet: ask first)",
    Action.ACCEPT_RETURN,
    Action.REQUEST_EVIDENCE,
    seed="003 §4, §7",
    family=FAMILY,
)
def s4_quality(c: Ctx) -> str | Outcome:
    rf, why = _signed_refund(c)
    if rf is None:
        return why
    if rf.reason is not QUALITY:
        return "reason is " + rf.reason
    have = c.evidence
    photo = CONTENTS_PHOTO in have or DAMAGE_PHOTO in have
    if not photo:
        return Outcome(
            REQUEST_EVIDENCE,
            "quality fault claimed without any photo",
            (fact("refund.reason", rf.reason), fact("photos", "none")),
            (
                "Ask the buyer for a photo of the fault",
                "Then accept the return with postage paid by the shop",
            ),
            "S4.request",
            needs=(CONTENTS_PHOTO,),
            alternatives=(Alternative(ACCEPT_RETURN, "S4", "once a photo shows the fault"),),
        )
    return Outcome(
        ACCEPT_RETURN,
        "quality fault with photo evidence; the shop pays the return postage",
        (fact("refund.reason", rf.reason), fact("photos", "present")),
        (
            "Accept the return",
            "Tell the buyer the shop covers the return postage",
            "Refund once the return arrives",
        ),
        "S4.accept",
        needs=(CONTENTS_PHOTO,),
    )


@rule(
    "S3",
    "No longer wanted / no reason, return and refund: accept the return (buyer's postage)",
    Action.ACCEPT_RETURN,
    seed="003 §4",
    family=FAMILY,
)
def s3_return_unwanted(c: Ctx) -> str | Outcome:
    rf, why = _signed_refund(c)
    if rf is None:
        return why
    if rf.reason not in (NO_LONGER_WANTED, NO_REASON):
        return "reason is " + rf.reason
    if rf.type is not RETURN_AND_REFUND:
        return "refund only, not a return"
    return Outcome(
        ACCEPT_RETURN,
        f"{rf.reason}, return and refund requested after signing",
        (fact("refund.type", rf.type), fact("refund.reason", rf.reason)),
        (
            "Accept the return; the buyer pays the return postage",
            "Send the buyer the return address",
            "Refund once the return arrives intact",
        ),
        "S3",
    )


@rule(
    "S2",
    "Signed by the buyer, refund only, no reason / not wanted: reject with signature proof",
    Action.REJECT_WITH_EVIDENCE,
    seed="003 §4",
    family=FAMILY,
)
def s2_signed_refund_only(c: Ctx) -> str | Outcome:
    rf, why = _signed_refund(c)
    if rf is None:
        return why
    if rf.type is not REFUND_ONLY:
        return "not a refund-only request"
    if rf.reason not in (
        NO_REASON,
        NO_LONGER_WANTED,
        NOT_RECEIVED,
    ):
        return "reason is " + rf.reason
    return Outcome(
        REJECT_WITH_EVIDENCE,
        f"signed by the buyer, refund only, reason {rf.reason}",
        (fact("refund.type", rf.type), fact("shipment.signer", c.shipment.signer)),
        (
            "Reject the refund-only request",
            "Attach the signature proof",
            "Offer a return and refund instead",
        ),
        "S2",
        needs=(SIGNATURE_PROOF,),
        alternatives=(_ALT_RETURN,),
    )


@rule(
    "S9",
    "Courier will not deliver to the door: contact the carrier, explain to the buyer",
    Action.CONTACT_CARRIER,
    seed="003 §8",
    family=FAMILY,
)
def s9_door_delivery(c: Ctx) -> str | Outcome:
    rf = c.refund
    by_inquiry = c.case.inquiry is DOOR_DELIVERY
    if not by_inquiry and (rf is None or rf.reason is not NOT_DELIVERED_TO_DOOR):
        return "no door-delivery complaint"
    return Outcome(
        CONTACT_CARRIER,
        "buyer says the courier will not bring the parcel to the door",
        (fact("complaint", "not delivered to the door"),),
        (
            "Explain calmly that delivery is the carrier's job and the shop will chase it",
            "Call the delivery station and ask for delivery to the door",
            "Ask the buyer to keep the phone reachable",
        ),
        "S9",
    )
