"""One message for a whole group of buyers, in zh-CN and en.

Per-buyer details stay placeholders, filled per order when sent: ``{orderNumber}``,
``{trackingNumber}``, ``{carrier}``. The texts are the service's own, written for
after-sales messages sent to many buyers at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.decision.outcome import Action


@dataclass(frozen=True, slots=True)
class Broadcast:
    zh_cn: str
    en: str


PLACEHOLDERS = ("{orderNumber}", "{trackingNumber}", "{carrier}")

_STUCK = Broadcast(
    zh_cn="亲，您的订单 {orderNumber}（{carrier} 运单号 {trackingNumber}）在{place}一带因快递"
    "网络异常暂时停滞，我们已联系快递加急处理，有新进展会第一时间告诉您。给您带来不便非常抱歉，"
    "如不想继续等待，可以随时联系我们协商处理。",
    en="Hello, your order {orderNumber} ({carrier}, tracking {trackingNumber}) is held up"
    " around {place} by a problem in the carrier's network. We have asked the carrier to"
    " speed it up and will tell you as soon as it moves. We are sorry for the wait; if you"
    " would rather not wait, contact us and we will work out a solution with you.",
)
_NOT_SHIPPED = Broadcast(
    zh_cn="亲，您的订单 {orderNumber} 还在备货中，我们会尽快安排发出，发货后第一时间把运单号"
    "告诉您。让您久等了，非常抱歉。",
    en="Hello, your order {orderNumber} is still being prepared. We will ship it as soon as"
    " we can and send you the tracking number right away. Sorry to keep you waiting.",
)
# 004's first scenario: orders not shipped yet, bound for the disrupted place.
_HELD_BACK = Broadcast(
    zh_cn="亲，{place}一带的快递线路暂时中断，您的订单 {orderNumber} 目前发不出去。我们已为您"
    "留好货，线路一恢复就马上发出并把运单号告诉您。让您久等了，实在抱歉；如果不想等，随时"
    "联系我们，可以直接为您办理退款。",
    en="Hello, deliveries around {place} are suspended for now, so we cannot send your order"
    " {orderNumber} yet. Your item is set aside for you; we will ship it as soon as the route"
    " reopens and send you the tracking number. We are sorry for the wait; if you would"
    " rather not wait, contact us at any time and we will refund you.",
)
_TRACKING = Broadcast(
    zh_cn="亲，您的订单 {orderNumber} 已由 {carrier} 发出，运单号 {trackingNumber}，"
    "可在订单详情里查看物流进度。",
    en="Hello, your order {orderNumber} has shipped with {carrier}, tracking number"
    " {trackingNumber}; you can follow it on the order page.",
)
_GENERIC = Broadcast(
    zh_cn="亲，关于您的订单 {orderNumber}，我们正在处理您的售后问题，稍后会单独与您联系。",
    en="Hello, we are working on the after-sales question about your order {orderNumber}"
    " and will contact you about it shortly.",
)

_BY_ACTION = {
    Action.CONTACT_CARRIER: _STUCK,
    Action.UPLOAD_TRACKING: _NOT_SHIPPED,
    Action.PROMISE_SHIP_TIME: _NOT_SHIPPED,
    Action.APOLOGIZE_AND_PROMISE: _NOT_SHIPPED,
    Action.INFORM_TRACKING: _TRACKING,
}


def message_for(action: Action, place: str, unshipped_in_disruption: bool = False) -> Broadcast:
    """The group's message; the place is the group's own, so it is filled in here.
    Orders not shipped yet towards a disrupted place all get the held-back message,
    whatever each one's own decision (one message per scenario, 004)."""
    text = _HELD_BACK if unshipped_in_disruption else _BY_ACTION.get(action, _GENERIC)
    where_zh = place or "途中"
    where_en = place or "its route"
    return Broadcast(
        zh_cn=text.zh_cn.replace("{place}", where_zh), en=text.en.replace("{place}", where_en)
    )
