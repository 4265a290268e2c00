"""What each value of the decision module's enums means, for the schema's readers.

Written from the RULEBOOK and the seeds for an agent or integrator who has read
neither. The rule ids in brackets are those of ``aftersales rules``.
"""

from __future__ import annotations

PLATFORM = {
    "PDD": "Pinduoduo (拼多多). Fast refund, its appeal window and the fake-logistics fine apply.",
    "KUAISHOU": "Kuaishou shop (快手小店). No fast refund and no fake-logistics fine;"
    " force-majeure exemptions of logistics metrics exist.",
}

ORDER_STATUS = {
    "AWAITING_GROUP": "待成团: paid, but the group buy has not formed yet. The merchant cannot"
    " ship or cancel; the buyer is guided to platform support [R1].",
    "AWAITING_SHIPMENT": "待发货: the group formed (or no group was needed); the ship-by clock"
    " runs.",
    "SHIPPED": "Handed to the carrier (offline or with tracking uploaded), not yet signed for.",
    "SIGNED": "The carrier reports the parcel signed for, by the buyer or someone else.",
    "COMPLETED": "The platform closed the order after delivery (buyer confirmed or it"
    " auto-confirmed). After-sales requests can still arrive.",
    "CANCELLED": "Cancelled before delivery; nothing left to ship.",
}

SIGNER_KIND = {
    "BUYER": "The buyer signed in person.",
    "PROXY": "代签: someone other than the buyer signed (a neighbour, a guard, a shop or a"
    " pickup station). A 'not received' claim is checked with the carrier first [S1].",
    "LOCKER": "Left in a parcel locker (快递柜); nobody signed in person.",
    "UNKNOWN": "The carrier reports a signature but not who signed.",
}

TRACKING_EVENT_KIND = {
    "PICKUP": "揽件: the carrier's pickup scan. Needed within 24 h of uploading the tracking"
    " number, or the order counts as fake logistics [L1].",
    "SORTING_ARRIVAL": "Arrived at a sorting centre.",
    "SORTING_DEPARTURE": "Left a sorting centre. No further event within 48 h (120 h for remote"
    " destinations) is a transit anomaly [L3].",
    "OUT_FOR_DELIVERY": "The courier is delivering (派件). From here the parcel can no longer"
    " be intercepted.",
    "SIGNED": "Signed for (see the shipment's signer). Moves a SHIPPED order to SIGNED.",
    "REJECTED": "The buyer refused the parcel at delivery (拒收).",
    "RETURNED": "The carrier is sending the parcel back to the shop.",
    "EXCEPTION": "The carrier reports a delivery problem (派签异常: wrong address, nobody"
    " home, damage...) [L4].",
}

REFUND_TYPE = {
    "REFUND_ONLY": "仅退款: the buyer wants the money back and keeps or never got the goods.",
    "RETURN_AND_REFUND": "退货退款: the buyer sends the goods back and is refunded once they"
    " arrive.",
}

REFUND_REASON = {
    "NOT_SHIPPED": "Not shipped yet, or shipping too slowly.",
    "NO_LONGER_WANTED": "The buyer changed their mind (不想要了).",
    "NO_REASON": "No reason given (七天无理由).",
    "NOT_RECEIVED": "The buyer says the parcel never arrived although tracking shows it signed.",
    "QUALITY": "A quality fault. The shop pays the return postage once a photo shows it [S4].",
    "DAMAGED_IN_TRANSIT": "Damaged on the way, outer package broken on arrival [S7].",
    "DAMAGED_FOUND_LATER": "Damage found after signing; after 30 days the part is reissued once"
    " photos arrive [S5].",
    "MISSING_ITEM": "漏发少件: items missing from the parcel. A photo of the contents comes"
    " first [S6].",
    "WRONG_ITEM": "发错货: the parcel holds the wrong item. A photo of the contents comes"
    " first [S6].",
    "LOGISTICS_STAGNANT": "Tracking has stopped moving.",
    "NOT_DELIVERED_TO_DOOR": "The courier will not bring the parcel to the door [S9].",
}

REFUND_STATUS = {
    "PENDING": "Waiting for the merchant's answer; the platform auto-agrees when the"
    " respond-by deadline passes.",
    "AGREED": "The merchant agreed; the refund follows (after the return, for a return and"
    " refund).",
    "REJECTED": "The merchant refused it.",
    "REFUNDED": "The money went back to the buyer, by the merchant or by the platform (see"
    " platformRefund). Final.",
    "CANCELLED": "The buyer withdrew it. Final.",
}

PLATFORM_REFUND_KIND = {
    "FAST_REFUND": "极速退款: PDD refunded at once a refund-only request filed within 2 h of"
    " confirmation while nothing showed as shipped. Appealable from day 3 to day 7 after the"
    " refund [A1].",
    "TIMEOUT_REFUND": "The merchant did not answer before the respond-by deadline, so the"
    " platform refunded by itself.",
}

INQUIRY = {
    "URGE_SHIPMENT": "催发货: the buyer asks when the order ships [U1-U5].",
    "WHERE_IS_PARCEL": "The buyer asks where the parcel is.",
    "DOOR_DELIVERY": "The buyer complains the courier will not bring the parcel to the door [S9].",
}

EVIDENCE_KIND = {
    "OUTER_PACKAGE_PHOTO": "The buyer's photo of the outer package as it arrived.",
    "CONTENTS_PHOTO": "The buyer's photo of everything that came in the parcel; it shows what"
    " is missing or wrong.",
    "DAMAGE_PHOTO": "A close-up photo of the damage or fault.",
    "SIGNATURE_PROOF": "The carrier's proof of who signed, and when and where.",
    "OUTBOUND_RECORD": "The warehouse's outbound record (出库记录): what left the warehouse in"
    " this parcel.",
    "WEIGHING_RECORD": "The carrier's weighing record (称重记录), to compare with the expected"
    " weight.",
    "CHAT_RECORD": "The buyer chat, e.g. showing a bad-review threat for cash.",
    "RETURN_ADDRESS_RECORD": "Proof that the shop's return address was complete and right"
    " when the buyer sent the return.",
    "CARRIER_CONFIRMATION": "The carrier's written answer about the parcel (who signed, where"
    " it was left, why it stopped).",
}

EVIDENCE_SOURCE = {
    "BUYER": "The buyer sent it (photos through the platform chat or the refund request).",
    "MERCHANT": "The shop holds it (warehouse and carrier records, chat logs, address records).",
}

ACTION = {
    "AGREE_REFUND": "Agree to the refund now, or start it yourself (out of stock, not shipped).",
    "AGREE_REFUND_AFTER_REJECTION": "同意拒收后退款: the parcel is past interception; agree that"
    " the refund fires once tracking shows the buyer refused it.",
    "INTERCEPT": "快递拦截: ask the carrier to stop the parcel before delivery, then refund.",
    "REISSUE": "补发: send the missing, correct or replacement item or part.",
    "REJECT_WITH_EVIDENCE": "驳回: refuse, attaching the proof (signature, outbound and weighing"
    " records, chat).",
    "APPEAL_FAST_REFUND": "极速退款申诉: appeal the platform's fast refund, only from day 3 to"
    " day 7 after it and only when the appeal can win.",
    "UPLOAD_TRACKING": "Shipped offline but no number online: upload the tracking number, tell"
    " the buyer, and ask them to withdraw a refund request.",
    "PROMISE_SHIP_TIME": "Promise the buyer a ship time to the hour, no later than ship-by.",
    "APOLOGIZE_AND_PROMISE": "Already late: apologise, commit to an hour, offer the coupon if"
    " the buyer waits and a refund if not.",
    "ACCEPT_RETURN": "Agree to the return and refund; who pays the return postage is in the steps.",
    "REQUEST_EVIDENCE": "Ask for photos or records before deciding; the evidence list says which.",
    "CONTACT_CARRIER": "Chase the carrier: missing pickup, stalled tracking, a proxy signature"
    " to verify, door delivery.",
    "INFORM_TRACKING": "Tell the buyer the carrier, tracking number and where the parcel is.",
    "GUIDE_TO_PLATFORM_SUPPORT": "The merchant cannot act (group not formed): show the buyer the"
    " platform's support path.",
    "NO_ACTION": "Nothing can be won (an appeal that would fail or is out of window) or nothing"
    " is due; the rationale says why and what to fix.",
}

DEADLINE_KIND = {
    "RESPOND_BY": "Answer the refund request before this, or the platform agrees it by itself.",
    "SHIP_BY": "Ship before this: group formed (or confirmed) plus the ship window (48 h by"
    " default).",
    "PICKUP_BY": "The carrier's pickup scan must appear before this (tracking upload + 24 h),"
    " or the fake-logistics fine applies.",
    "NEXT_TRACKING_UPDATE_BY": "The next tracking event is due before this; later, the parcel"
    " counts as stalled.",
    "APPEAL_OPENS": "The fast-refund appeal can be filed from this time (refund + 3 days).",
    "APPEAL_CLOSES": "The last moment to file the fast-refund appeal (refund + 7 days).",
    "PROMISED_SHIP_AT": "The hour the script promises the buyer the parcel ships.",
    "INFORM_BY": "When the tracking details (carrier, number, origin, time) should have"
    " reached the buyer: the tracking upload plus the policy's inform window (000 §1).",
}

RISK_KIND = {
    "REFUND_AMOUNT": "The money the refund would pay back, in CNY.",
    "FAKE_LOGISTICS_FINE": "PDD's fine when no pickup scan follows the tracking upload within"
    " 24 h: 5 CNY up to a 20 CNY order, else 25 % of the amount, at most 100 CNY.",
    "COUPON": "The coupon the script offers the buyer, for waiting or for another item when"
    " out of stock (the shop's couponAmount).",
}

SIGNAL_KIND = {
    "SHIP_BY_APPROACHING": "Ship-by is near (6 h by default) and nothing has shipped.",
    "PICKUP_LIMIT_APPROACHING": "The 24 h pickup limit after tracking upload is near and there"
    " is no pickup scan.",
    "AUTO_AGREE_APPROACHING": "A pending refund request is near (12 h by default) its respond-by"
    " deadline, after which the platform agrees it.",
    "TELL_EXPECTED_SHIP_TIME": "The group formed and nothing has shipped: tell the buyer when"
    " the order will ship.",
    "SEND_TRACKING_DETAILS": "The tracking number is online: send the buyer the carrier and"
    " number.",
}
