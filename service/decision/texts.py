"""The agent-facing texts of a decision, zh-CN and en (issue 12 part 3).

Rules write their rationale, steps, trace reasons, conditions, notes and signals
in one canonical form: English, with enum members and times as the engine knows
them. That keeps ``decide`` exactly as fast as before. A text is put into a
language only when read (:func:`localize`), gettext-style: the canonical string is
looked up in :data:`CATALOG`, whose entries pair an English template with its
zh-CN one. Each placeholder's value is captured back from the string and shown
in the target language too: enum members by :data:`LABELS`, durations and China
times in the Chinese forms, nested texts by the catalog again. Results are kept,
so a text repeated across decisions is rendered once.

The English output equals the canonical text except where that held an enum
member's name (``reason is QUALITY`` reads ``reason is quality fault``).
Our own wording; the seeds' sentences are not copied.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from service.decision.facts import EvidenceKind

ZH_CN = "zh-CN"
EN = "en"

# Enum member names that can appear inside a canonical text -> (zh-CN, en).
# Stages (derive.py) share names with statuses and event kinds; one label fits all.
LABELS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        # stages
        "NOT_SHIPPED": ("未发货", "not shipped"),
        "OFFLINE_ONLY": ("已线下发出、未上传单号", "shipped offline, no tracking online"),
        "IN_TRANSIT": ("运输中", "in transit"),
        "SIGNED": ("已签收", "signed for"),
        "RETURNED": ("退回中", "returned"),
        # order status
        "AWAITING_GROUP": ("待成团", "awaiting its group"),
        "AWAITING_SHIPMENT": ("待发货", "awaiting shipment"),
        "SHIPPED": ("已发货", "shipped"),
        "COMPLETED": ("已完成", "completed"),
        "CANCELLED": ("已取消", "cancelled"),
        # signer
        "BUYER": ("买家本人", "the buyer in person"),
        "PROXY": ("他人代签", "a proxy"),
        "LOCKER": ("快递柜/驿站", "a parcel locker"),
        "UNKNOWN": ("未知", "unknown"),
        # tracking events
        "PICKUP": ("已揽收", "picked up"),
        "SORTING_ARRIVAL": ("到达分拨中心", "arrived at a sorting centre"),
        "SORTING_DEPARTURE": ("离开分拨中心", "left a sorting centre"),
        "OUT_FOR_DELIVERY": ("派送中", "out for delivery"),
        "REJECTED": ("已拒收", "refused"),
        "EXCEPTION": ("派送异常", "delivery exception"),
        # refund type and reason
        "REFUND_ONLY": ("仅退款", "refund only"),
        "RETURN_AND_REFUND": ("退货退款", "return and refund"),
        "NO_LONGER_WANTED": ("不想要了", "no longer wanted"),
        "NO_REASON": ("无理由", "no reason given"),
        "NOT_RECEIVED": ("未收到货", "not received"),
        "QUALITY": ("质量问题", "quality fault"),
        "DAMAGED_IN_TRANSIT": ("运输途中破损", "damaged in transit"),
        "DAMAGED_FOUND_LATER": ("签收后发现破损", "damage found later"),
        "MISSING_ITEM": ("少件漏发", "missing item"),
        "WRONG_ITEM": ("发错货", "wrong item"),
        "LOGISTICS_STAGNANT": ("物流停滞", "logistics stagnant"),
        "NOT_DELIVERED_TO_DOOR": ("未送货上门", "not delivered to the door"),
        # platform refunds
        "FAST_REFUND": ("极速退款", "fast refund"),
        "TIMEOUT_REFUND": ("超时自动退款", "timeout refund"),
        # policies
        "pdd": ("拼多多", "pdd"),
        "kuaishou": ("快手", "kuaishou"),
        # small words the rules put in placeholders
        "not recorded": ("未记录", "not recorded"),
        "already passed": ("已过", "already passed"),
        "yes": ("是", "yes"),
        "no": ("否", "no"),
    }
)

EVIDENCE_NAMES: Mapping[EvidenceKind, tuple[str, str]] = MappingProxyType(
    {
        EvidenceKind.OUTER_PACKAGE_PHOTO: ("外包装照片", "outer package photo"),
        EvidenceKind.CONTENTS_PHOTO: ("包裹内全部物品照片", "photo of the contents"),
        EvidenceKind.DAMAGE_PHOTO: ("破损部位细节照", "close-up of the damage"),
        EvidenceKind.SIGNATURE_PROOF: ("签收底单/签收凭证", "signature proof"),
        EvidenceKind.OUTBOUND_RECORD: ("仓库出库记录", "warehouse outbound record"),
        EvidenceKind.WEIGHING_RECORD: ("快递称重记录", "carrier weighing record"),
        EvidenceKind.CHAT_RECORD: ("聊天记录截图", "chat record"),
        EvidenceKind.RETURN_ADDRESS_RECORD: ("退货地址设置记录", "return address record"),
        EvidenceKind.CARRIER_CONFIRMATION: ("快递公司核实回复", "carrier confirmation"),
    }
)


def evidence_name(kind: EvidenceKind, locale: str = ZH_CN) -> str:
    """What the agent calls a piece of evidence, in ``locale``."""
    zh, en = EVIDENCE_NAMES[kind]
    return en if locale == EN else zh


# (canonical English template, zh-CN template). A placeholder's value is shown in
# the target language (see the module docstring); both sides name the same ones.
CATALOG: tuple[tuple[str, str], ...] = (
    # --- logistics anomalies (derive.py), also nested in R6, U5, P0 ---
    ("no tracking to watch", "暂无物流可跟踪"),
    (
        "tracking uploaded {d} ago, no pickup scan; limit {n} h",
        "单号已上传{d}，仍没有揽收扫描；时限{n}小时",
    ),
    (
        "tracking uploaded {d} ago, pickup scan still within {n} h",
        "单号已上传{d}，揽收仍在{n}小时时限内",
    ),
    (
        "picked up {d} ago with no later event; limit {n} h",
        "揽收已{d}，之后一直没有新的物流；时限{n}小时",
    ),
    (
        "picked up {d} ago, next event still within {n} h",
        "揽收已{d}，下一条物流仍在{n}小时时限内",
    ),
    ("delivery exception reported at {t}", "{t}快递上报派送异常"),
    (
        "out for delivery {d} ago without a signature; limit {n} h",
        "派送中已{d}仍未签收；时限{n}小时",
    ),
    ("out for delivery, within the delivery limit", "派送中，未超派送时限"),
    (
        "left the sorting centre, last event {d} ago ({kind}); limit {n} h",
        "已离开分拨中心，最后一条物流（{kind}）在{d}前；时限{n}小时",
    ),
    (
        "left the sorting centre, last event {d} ago ({kind}); limit {n} h "
        "for a remote destination",
        "已离开分拨中心，最后一条物流（{kind}）在{d}前；偏远地区时限{n}小时",
    ),
    ("last event {d} ago, within {n} h", "最后一条物流在{d}前，未超{n}小时"),
    ("anomaly is {a}", "物流异常为{a}"),
    ("{reason} (force-majeure exemption: no penalty)", "{reason}（不可抗力报备，免处罚）"),
    (
        "{reason} (force-majeure exemption #{n}: {carrier}, {region}, {t1} to {t2}; no penalty)",
        "{reason}（免考核报备 #{n}：{carrier}，{region}，{t1}至{t2}；免处罚）",
    ),
    # --- logistics steps ---
    (
        "Call the carrier's outlet now and get the parcel scanned in",
        "马上联系快递网点，让包裹尽快揽收扫描",
    ),
    (
        "If the parcel was never handed over, ship it and replace the tracking number",
        "如果包裹其实没交出去，立即发货并更换单号",
    ),
    (
        "Tell the buyer the parcel is on its way and when the first scan is due",
        "告诉买家包裹已在路上、预计何时有揽收记录",
    ),
    ("Ask the carrier why the parcel has not moved since pickup", "找快递核实揽收后为什么一直没动"),
    ("Check the parcel was not lost or split at the outlet", "确认包裹没有在网点丢失或被拆分"),
    ("Update the buyer with what the carrier says", "把快递的回复同步给买家"),
    ("Open a carrier ticket for the stalled parcel", "给停滞的包裹向快递提交查件工单"),
    (
        "Check whether a regional or customs hold explains the stop",
        "确认是不是区域管控或海关查验导致停滞",
    ),
    (
        "Update the buyer with the carrier's answer and a new estimate",
        "把快递回复和新的预计到达时间告诉买家",
    ),
    (
        "Ask the carrier's delivery station why the parcel was not signed for",
        "问派件网点包裹为什么没有签收",
    ),
    ("Arrange a new delivery or pickup point with the buyer", "和买家约好重新派送或改到代收点"),
    ("Update the buyer with the new delivery time", "把新的派送时间告诉买家"),
    # --- deadline notes (engine, rules) ---
    ("platform auto-agrees after", "超时平台自动同意退款"),
    ("ship and upload tracking by", "须在此前发货并上传单号"),
    ("pickup scan needed by", "须在此前完成揽收扫描"),
    ("already missed", "已超时"),
    ("promised to the buyer", "已向买家承诺的发货时间"),
    ("new hour promised", "已承诺的新发货时间"),
    ("new hour to promise", "要向买家承诺的新发货时间"),
    ("send the tracking details by", "须在此前把物流信息发给买家"),
    ("day {n}", "第{n}天"),
    # --- signals ---
    ("ship-by {t} in {d}: ship and upload tracking", "发货截止{t}，还剩{d}：请尽快发货并上传单号"),
    (
        "group formed {t1}: tell the buyer the expected ship time (no later than {t2})",
        "{t1}已成团：主动告诉买家预计发货时间（不晚于{t2}）",
    ),
    ("no pickup scan yet; limit {t} in {d}", "还没有揽收扫描；揽收时限{t}，还剩{d}"),
    ("refund request auto-agrees at {t} (in {d})", "退款申请将在{t}自动同意（还剩{d}）"),
    (
        "send the buyer carrier, tracking number, origin and ship time",
        "把快递公司、单号、发货地和发货时间发给买家",
    ),
    # --- shared trace reasons ---
    ("stage is {s}, not signed", "包裹状态为{s}，未签收"),
    ("stage is {s}, not unshipped", "包裹状态为{s}，不是未发货"),
    ("stage is {s}, not shipped-offline-without-tracking", "包裹状态为{s}，不是线下已发未传单号"),
    ("stage is {s}, not in transit", "包裹状态为{s}，不在运输中"),
    ("stage is {s}, nothing tracked yet", "包裹状态为{s}，还没有物流"),
    ("stage is {s}, buyer has not signed", "包裹状态为{s}，买家未签收"),
    ("reason is {r}", "退款原因为{r}"),
    ("order status is {s}", "订单状态为{s}"),
    ("order status is {s}, not awaiting shipment", "订单状态为{s}，不是待发货"),
    ("no refund request", "没有退款申请"),
    ("no refund", "没有退款"),
    ("shop cannot fulfil the order", "店铺无法履约（缺货）"),
    ("shop can fulfil the order", "店铺可以正常发货"),
    ("order still awaiting its group: no ship-by yet", "订单仍在待成团，还没有发货时限"),
    ("no ship-by yet", "还没有发货时限"),
    ("ship-by {t} already passed", "发货时限{t}已过"),
    ("still before ship-by {t}", "尚未到发货时限{t}"),
    ("still before ship-by {t} with stock", "尚未到发货时限{t}，且有货"),
    ("shop cannot fulfil the order: a delay is certain", "店铺无法履约：一定会延迟发货"),
    # --- R1-R6 ---
    (
        "order is still awaiting its group; the merchant has no cancel button",
        "订单还在待成团，商家后台没有取消入口",
    ),
    (
        "Explain that the shop cannot cancel an order still awaiting its group",
        "向买家说明待成团订单店铺这边取消不了",
    ),
    (
        "Walk the buyer through: personal centre > my messages > platform support",
        "引导买家：个人中心 > 我的消息 > 平台客服",
    ),
    (
        "Ask the buyer to leave the order number and the request there",
        "请买家在那里留下订单号和诉求",
    ),
    ("no ship-by yet (group not formed)", "还没有发货时限（未成团）"),
    (
        "ship-by {t} keeps running while the request waits ({left})",
        "退款挂着期间发货时限{t}照常计时（{left}）",
    ),
    ("not shipped; {clock}", "未发货；{clock}"),
    ("Apologise to the buyer", "先向买家致歉"),
    (
        "Agree the refund now; do not let it wait into a late-shipment order",
        "马上同意退款，别拖成延迟发货",
    ),
    ("Cancel the order in the warehouse queue", "通知仓库从待发队列里撤掉这单"),
    (
        "handed to the carrier offline at {t} but never uploaded; the buyer asked for the refund",
        "{t}已线下交快递但一直没上传单号；买家申请了退款",
    ),
    ("Agree the refund", "同意退款"),
    ("Ask the carrier to return the parcel to the shop", "联系快递把包裹退回店铺"),
    ("Record the return postage as a cost", "退回运费记为成本"),
    (
        "Request interception (快递拦截) and refund once it is stopped",
        "申请快递拦截，拦截成功后退款",
    ),
    (
        "Choose agree-refund-after-rejection; the refund fires on the rejection scan",
        "选择“同意拒收后退款”，物流显示拒收后自动退款",
    ),
    (
        "refund requested while the parcel is stuck ({a}: {reason}); interceptable: {yn}",
        "包裹物流异常时买家申请退款（{a}：{reason}）；能否拦截：{yn}",
    ),
    ("parcel already out for delivery, no interception", "包裹已在派送，无法拦截"),
    (
        "refund requested while in transit; not yet out for delivery, interception possible",
        "运输途中申请退款；尚未派送，可以拦截",
    ),
    (
        "Request interception (快递拦截) from the refund page or the carrier",
        "在退款页面或找快递申请快递拦截",
    ),
    (
        "Confirm with the buyer that they still want the refund",
        "和买家确认是否仍要退款",
    ),
    (
        "Agree the refund once the carrier confirms the parcel is stopped",
        "快递确认拦截成功后再同意退款",
    ),
    ("interception still possible", "仍可拦截"),
    (
        "refund requested while the parcel is out for delivery; interception no longer possible",
        "包裹派送中申请退款，已无法拦截",
    ),
    (
        "Choose agree-refund-after-rejection (同意拒收后退款) on the refund page",
        "在退款页面选择“同意拒收后退款”",
    ),
    ("Ask the buyer to refuse the parcel at the door", "请买家派件时直接拒收"),
    ("The platform refunds once tracking shows the rejection", "物流显示拒收后平台自动退款"),
    (
        "if the parcel is already out for delivery and can no longer be intercepted",
        "包裹已在派送、拦截不了时",
    ),
    (
        "if the carrier can still stop the parcel before delivery dispatch",
        "包裹还没派送、快递仍能拦截时",
    ),
    # --- U1-U5 ---
    ("Upload the tracking number online now", "马上在后台上传单号"),
    ("Send the buyer the carrier and tracking number", "把快递公司和单号发给买家"),
    (
        "Tell the buyer the carrier updates the tracking within {n} h",
        "告诉买家{n}小时内会有物流更新",
    ),
    ("Ask the buyer to withdraw the pending refund request", "请买家撤销正在申请的退款"),
    ("; a refund request is pending", "；买家有退款申请待处理"),
    (
        "handed to the carrier at {t} ({d} ago) but no tracking number online{pending}",
        "{t}已交快递（{d}前），但后台还没有单号{pending}",
    ),
    (
        "not shipped, stock available, {d} left before ship-by {t}; promise {p}",
        "未发货、有货，距发货时限{t}还有{d}；可承诺{p}前发出",
    ),
    (
        "Agree a ship hour with the buyer, no later than the ship-by",
        "和买家约定发货时间，不晚于发货时限",
    ),
    ("Ship and upload the tracking number before that hour", "在约定时间前发货并上传单号"),
    ("Tell the buyer in chat once it has shipped", "发出后在聊天里告诉买家"),
    (
        "not shipped and {d} past ship-by {t}; promise {p}, coupon {c} CNY if the buyer waits",
        "未发货，已超过发货时限{t}共{d}；承诺{p}前发出，买家愿意等就送{c}元优惠券",
    ),
    ("Apologise and give the real reason for the delay", "致歉并如实说明延迟原因"),
    ("Commit to a ship hour", "承诺一个具体发货时间"),
    (
        "Offer a {c} CNY coupon after shipping if the buyer waits",
        "买家愿意等的话，发货后送{c}元优惠券",
    ),
    ("If the buyer will not wait, refund at once", "买家不愿等就立即退款"),
    (
        "if the buyer will not wait for the new hour, refund at once",
        "买家不愿等到新的发货时间时，立即退款",
    ),
    ("if the promised ship-by passes before shipping", "过了承诺的发货时间还没发出时"),
    ("not shipped and the shop cannot fulfil it (no stock)", "未发货且店铺无法履约（缺货）"),
    ("Apologise and explain why the item cannot be sent", "致歉并说明商品发不出的原因"),
    ("Start the refund for the buyer now", "马上主动给买家退款"),
    ("Send a {c} CNY coupon for another item", "送一张{c}元优惠券，引导买家看看其他商品"),
    ("no event yet", "暂无物流"),
    ("{kind} at {t}", "{t}{kind}"),
    (
        "parcel tracked ({s}), latest: {status}; {reason}",
        "包裹有物流（{s}），最新：{status}；{reason}",
    ),
    (
        "Send the buyer the carrier, tracking number and latest status",
        "把快递公司、单号和最新物流发给买家",
    ),
    ("Point the buyer to the platform tracking page", "引导买家在平台物流页面查看"),
    # --- S1-S9 ---
    ("signed by the buyer in person", "买家本人签收"),
    ("buyer says not received; signer: {signer}", "买家称没收到货；签收人：{signer}"),
    (
        "Ask the carrier who signed and where the parcel was left",
        "找快递核实谁签收的、包裹放在哪里",
    ),
    ("Get the signature or delivery photo from the carrier", "向快递要签收底单或投递照片"),
    ("Decide the refund only after the carrier answers", "等快递回复后再处理退款"),
    ("no threat recorded", "没有威胁记录"),
    (
        "buyer uses a bad-review / dispute threat to ask for cash",
        "买家以差评/投诉相威胁索要赔偿",
    ),
    ("Reject the request; keep the tone polite", "驳回申请，语气保持礼貌"),
    (
        "Attach the chat record showing the threat and the signature proof",
        "上传带威胁内容的聊天记录和签收凭证",
    ),
    (
        "Keep offering the normal after-sales path (return, reissue) if there is a real fault",
        "商品确有问题的，照常提供退货或补发",
    ),
    ("signing time unknown", "签收时间未知"),
    ("signed {d} ago, within {n} days", "签收{d}，未超过{n}天"),
    ("photos received", "照片已收到"),
    ("photos of package and damage missing", "缺少外包装和破损照片"),
    (
        "damage reported {days} days after signing (> {n} days); {photos}",
        "签收{days}天后才反馈破损（超过{n}天）；{photos}",
    ),
    ("Log the case and have the warehouse reissue the damaged part", "登记后让仓库补发损坏的配件"),
    (
        "Ask for a photo of the outer package and a close-up of the damage",
        "请买家拍外包装和破损部位的细节照",
    ),
    ("Then log the case and reissue the damaged part", "然后登记并补发损坏的配件"),
    (
        "damage reported ({r}) within {n} days of signing",
        "签收{n}天内反馈破损（{r}）",
    ),
    ("Apologise and reissue the item or part", "致歉并补发商品或配件"),
    ("Send the buyer the new tracking number", "把补发单号发给买家"),
    (
        "File a damage claim with the carrier using the buyer's photos",
        "拿买家的照片向快递发起破损理赔",
    ),
    ("no outbound record given", "未提供出库记录"),
    ("outbound recorded", "有出库记录"),
    ("no outbound entry in the warehouse record", "仓库记录里没有这单的出库"),
    ("weighed {rec} g of {exp} g expected", "称重{rec}克（应为{exp}克）"),
    ("weighed {rec} g, no expected weight given", "称重{rec}克，未提供应有重量"),
    ("{exp} g expected, no weighing record given", "应为{exp}克，未提供称重记录"),
    ("no weighing record given", "未提供称重记录"),
    ("{outbound}; {weight}", "{outbound}；{weight}"),
    (
        "{r} claimed without a photo of the contents; the photo decides before the records do "
        "({records})",
        "买家反馈{r}但没有拍包裹内物品，先看照片再看记录（{records}）",
    ),
    (
        "Ask the buyer for a photo of everything that came in the parcel and one of the "
        "outer package",
        "请买家把收到的东西摆在一起拍照，再拍一张外包装",
    ),
    (
        "Meanwhile pull the warehouse outbound record and the carrier weighing record",
        "同时调取仓库出库记录和快递称重记录",
    ),
    (
        "Once the photo shows what is missing or wrong, reissue or reject by the records",
        "照片确认少件或错发后，按记录决定补发还是驳回",
    ),
    ("once the photo shows what is missing or wrong", "照片确认少件或错发后"),
    ("records show a shortfall", "记录显示确实少发"),
    (
        "records do not prove a shortfall, but only {n} free reissue(s) given so far",
        "记录不能证明少发，但目前只免费补发过{n}次",
    ),
    (
        "{r} with a contents photo: {reason} ({records})",
        "买家反馈{r}并有实物照片：{reason}（{records}）",
    ),
    ("Reissue the missing or correct item", "补发缺少的或正确的商品"),
    (
        "{r} with a contents photo: records clean ({records}) and the free reissue was used",
        "买家反馈{r}并有实物照片：记录无异常（{records}），免费补发已用过",
    ),
    ("Reject the request", "驳回申请"),
    (
        "Attach the outbound record, the weighing record and the package photos",
        "上传出库记录、称重记录和包裹照片",
    ),
    (
        "{r} with a contents photo: free reissue used, records incomplete ({records})",
        "买家反馈{r}并有实物照片：免费补发已用过，记录不全（{records}）",
    ),
    (
        "Pull the warehouse outbound record and the carrier weighing record",
        "调取仓库出库记录和快递称重记录",
    ),
    (
        "Reject with the records if they show a complete parcel; reissue if they show a shortfall",
        "记录证明发货完整就带记录驳回，显示少发就补发",
    ),
    ("quality fault claimed without any photo", "买家反馈质量问题但没有照片"),
    ("Ask the buyer for a photo of the fault", "请买家拍一下问题部位"),
    ("Then accept the return with postage paid by the shop", "然后同意退货，运费店铺承担"),
    ("once a photo shows the fault", "照片确认质量问题后"),
    (
        "quality fault with photo evidence; the shop pays the return postage",
        "质量问题有照片为证；退货运费由店铺承担",
    ),
    ("Accept the return", "同意退货"),
    ("Tell the buyer the shop covers the return postage", "告诉买家退货运费由店铺承担"),
    ("Refund once the return arrives", "收到退货后退款"),
    ("refund only, not a return", "仅退款，不是退货"),
    ("{r}, return and refund requested after signing", "签收后以{r}申请退货退款"),
    ("Accept the return; the buyer pays the return postage", "同意退货，退货运费由买家承担"),
    ("Send the buyer the return address", "把退货地址发给买家"),
    ("Refund once the return arrives intact", "退货完好收到后退款"),
    ("not a refund-only request", "不是仅退款申请"),
    ("signed by the buyer, refund only, reason {r}", "买家本人已签收，申请仅退款，原因：{r}"),
    ("Reject the refund-only request", "驳回仅退款申请"),
    ("Attach the signature proof", "上传签收凭证"),
    ("Offer a return and refund instead", "建议买家改为退货退款"),
    ("if the buyer switches to return-and-refund", "买家改成退货退款时"),
    ("no door-delivery complaint", "没有送货上门的投诉"),
    (
        "buyer says the courier will not bring the parcel to the door",
        "买家反映快递员不送货上门",
    ),
    (
        "Explain calmly that delivery is the carrier's job and the shop will chase it",
        "耐心说明派送由快递负责，店铺会去催",
    ),
    (
        "Call the delivery station and ask for delivery to the door",
        "打电话给派件网点，要求送货上门",
    ),
    ("Ask the buyer to keep the phone reachable", "请买家保持电话畅通"),
    # --- A1-A5 ---
    ("not refunded by the platform itself", "不是平台自动退的款"),
    ("{policy} has no fast refund", "{policy}没有极速退款"),
    ("platform refund kind is {k}", "平台退款类型为{k}"),
    (
        "{grounds}, but the appeal window closed at {t} ({d} ago)",
        "{grounds}，但申诉期已在{t}结束（{d}前）",
    ),
    ("Nothing to file: the window is over", "无需提交：申诉期已过"),
    ("Upload tracking promptly on future orders", "以后发货及时上传单号"),
    (
        "Open the after-sales detail page and file the fast-refund appeal",
        "打开售后详情页，提交极速退款申诉",
    ),
    ("Attach the evidence listed below", "上传下面列出的凭证"),
    ("File before {t}", "在{t}前提交"),
    ("appeal opens at {t} (in {d})", "申诉入口{t}开放（还有{d}）"),
    ("Wait: the appeal entry opens on {t}; set a reminder", "先等：申诉入口{t}开放，记得设提醒"),
    ("appeal window open until {t}", "申诉期至{t}"),
    ("{grounds}; {when}", "{grounds}；{when}"),
    ("no return to a wrong address", "没有退错地址的情况"),
    (
        "buyer returned to a wrong address because the shop's return address is "
        "incomplete: the appeal would fail (merchant's fault)",
        "买家退错地址是因为店铺退货地址不完整：申诉不会成功（商家责任）",
    ),
    ("Do not appeal", "不要申诉"),
    (
        "Fix the return address: district, street and number, not just the city",
        "补全退货地址：写到区县、街道和门牌号，不能只写城市",
    ),
    (
        "Set the right return address per product before shipping",
        "发货前给每个商品设置正确的退货地址",
    ),
    (
        "buyer returned to a wrong address although the shop's address is complete",
        "店铺退货地址完整，买家仍退错了地址",
    ),
    (
        "platform refunded ({k}) while the parcel is in transit; recover the goods",
        "包裹运输途中平台已退款（{k}）；要把货追回来",
    ),
    (
        "platform refunded ({k}) while the parcel is in transit; recover the goods "
        "(already out for delivery: ask for return on rejection)",
        "包裹运输途中平台已退款（{k}）；要把货追回来（已在派送：让快递在拒收后退回）",
    ),
    ("Request interception from the refund page or the carrier", "在退款页面或找快递申请拦截"),
    (
        "If already out for delivery, ask the carrier to return it when refused",
        "已在派送的，请快递在买家拒收后退回",
    ),
    ("no pickup scan recorded", "没有揽收记录"),
    ("pickup scan {t1} is after the refund {t2}", "揽收时间{t1}晚于退款时间{t2}"),
    ("pickup scan {t1} is after ship-by {t2}", "揽收时间{t1}晚于发货时限{t2}"),
    (
        "pickup scan before both the refund and the ship-by",
        "揽收时间早于退款时间和发货时限",
    ),
    ("{late}: the platform rejects this appeal by itself", "{late}：平台会自动驳回这类申诉"),
    (
        "Get parcels scanned by the carrier the day they are handed over",
        "包裹交给快递当天就要让快递扫描揽收",
    ),
    ("not refund-only", "不是仅退款"),
    ("filed {d1} after confirmation, beyond {d2}", "成交后{d1}才申请，超过了{d2}"),
    ("tracking was already online at refund time", "退款时单号已在线上"),
    ("not shipped offline before the refund", "退款前没有线下发货"),
    (
        "refund-only filed {d1} after confirmation (window {d2}), shipped offline at {t} "
        "before the refund, buyer signed",
        "成交后{d1}申请仅退款（时限{d2}），退款前已于{t}线下发出，买家已签收",
    ),
    (
        "the refund is already paid{paid} and no appeal or recovery applies",
        "退款已完成{paid}，没有可申诉或追回的事项",
    ),
    (" ({k})", "（{k}）"),
    ("Nothing to file", "无需处理"),
    (
        "Check the case for lessons (upload tracking, answer in time)",
        "复盘这单（及时上传单号、及时回复）",
    ),
    (
        "if it was a fast refund filed within the window on an order shipped offline "
        "and signed by the buyer",
        "若是时限内申请的极速退款，且订单已线下发出、买家已签收",
    ),
    # --- V1-V3 ---
    (
        "group formed, not shipped; ship-by {t} in {d}: tell the buyer it ships by {p}",
        "已成团未发货；发货时限{t}，还剩{d}：告诉买家{p}前发出",
    ),
    (
        "Tell the buyer the expected ship hour, no later than the ship-by",
        "告诉买家预计发货时间，不晚于发货时限",
    ),
    ("tracking uploaded {d} ago, past the {n} h", "单号已上传{d}，超过了{n}小时"),
    (
        "tracking uploaded at {t} ({d} ago): send the buyer carrier, number and ship time "
        "within {n} h",
        "单号已于{t}上传（{d}前）：{n}小时内把快递公司、单号和发货时间发给买家",
    ),
    (
        "Send the buyer the carrier, tracking number, origin and ship time",
        "把快递公司、单号、发货地和发货时间发给买家",
    ),
    ("not shipped and {d} past ship-by {t}", "未发货，已超过发货时限{t}共{d}"),
    ("stock missing, ship-by {t} cannot be met", "缺货，赶不上发货时限{t}"),
    (
        "{why}: apologise now, promise {p}, coupon {c} CNY if the buyer waits",
        "{why}：马上致歉，承诺{p}前发出，买家愿意等就送{c}元优惠券",
    ),
    (
        "Message the buyer before they ask: apologise and give the real reason",
        "不等买家来问，先主动致歉并说明真实原因",
    ),
    ("Name the new ship hour and keep it", "给出新的发货时间并做到"),
    # --- P0-P1 ---
    ("nothing to answer now (stage {s}; {reason})", "暂时无需回复（包裹状态：{s}；{reason}）"),
    (
        "Keep monitoring; act on the signals listed with this decision",
        "继续跟进，按本建议列出的提醒处理",
    ),
    (
        "no rule covers reason {r} at stage {s}; review by hand",
        "没有规则覆盖原因{r}（包裹状态{s}），请人工处理",
    ),
    ("Ask the buyer for photos and details", "请买家补充照片和具体情况"),
    (
        "Review the case with a senior agent before the respond-by deadline",
        "在回复时限前和资深客服一起复核",
    ),
)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# 26 h | 24 h 30 min | 24 h 0 min 1 s, as timefmt.hours writes them.
_DURATION = re.compile(r"(-?)(\d+) h(?: (\d+) min(?: (\d+) s)?)?")
# 2026-11-25 18:00 (UTC+8) | ...18:00:01 (UTC+8), as timefmt.local_time writes them.
_LOCAL_TIME = re.compile(r"\d{4}-(\d\d)-(\d\d) (\d\d:\d\d(?::\d\d)?) \(UTC\+8\)")

# What a placeholder may hold, by its name, so that a short template such as
# "{kind} at {t}" cannot swallow a longer text; other names take any text.
_TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)? \(UTC\+8\)"
_SHAPES = {
    **dict.fromkeys(("t", "t1", "t2", "p"), _TIME),
    **dict.fromkeys(("d", "d1", "d2"), r"-?\d+ h(?: \d+ min(?: \d+ s)?)?"),
    **dict.fromkeys(("n", "c", "days", "rec", "exp"), r"-?\d+(?:\.\d+)?"),
    **dict.fromkeys(("kind", "r", "k", "s", "a"), r"[A-Z][A-Z0-9_]*|-"),
}

# One catalog template: (its regex source, placeholder names, en, zh-CN).
Template = tuple[str, tuple[str, ...], str, str]


def _template(en: str, zh: str) -> Template:
    names = tuple(_PLACEHOLDER.findall(en))
    if sorted(names) != sorted(_PLACEHOLDER.findall(zh)) or len(set(names)) != len(names):
        raise ValueError(f"catalog entry {en!r}: placeholders differ between languages")
    pieces = _PLACEHOLDER.split(en)
    regex = "".join(
        re.escape(piece) if i % 2 == 0 else f"(?P<{{g}}_{piece}>{_SHAPES.get(piece, '.*?')})"
        for i, piece in enumerate(pieces)
    )
    return regex, names, en, zh


_EXACT: dict[str, str] = {}
_TEMPLATES: list[Template] = []
for _en, _zh in CATALOG:
    if _PLACEHOLDER.search(_en) is None:
        if _en in _EXACT:
            raise ValueError(f"catalog entry {_en!r} appears twice")
        _EXACT[_en] = _zh
    else:
        _TEMPLATES.append(_template(_en, _zh))
# The most literal text first, so "{reason} (force-majeure...)" wins over "{grounds}; {when}".
_TEMPLATES.sort(key=lambda t: -len(_PLACEHOLDER.sub("", t[2])))
_Groups = tuple[tuple[tuple[str, str], ...], str, str]


def _alternation(members: list[tuple[int, Template]]) -> re.Pattern[str]:
    """Templates as one alternation, tried in the given order by the regex engine
    itself (a Python loop over the patterns cost several times more); group t<i>
    is template i."""
    return re.compile(
        "|".join(f"(?P<t{i}>{regex.replace('{g}', f't{i}')})" for i, (regex, *_) in members),
        re.DOTALL,
    )


# Templates are picked by the text's first word (most start with a literal word);
# those starting with a placeholder are tried after them.
_BY_WORD: dict[str, list[tuple[int, Template]]] = {}
_LEADING_PLACEHOLDER: list[tuple[int, Template]] = []
for _i, _t in enumerate(_TEMPLATES):
    _lead = _PLACEHOLDER.split(_t[2], maxsplit=1)[0]
    if " " in _lead:
        _BY_WORD.setdefault(_lead.split(" ", 1)[0], []).append((_i, _t))
    else:
        _LEADING_PLACEHOLDER.append((_i, _t))
_WORD_ALTERNATIONS = {word: _alternation(members) for word, members in _BY_WORD.items()}
_FALLBACK = _alternation(_LEADING_PLACEHOLDER)
_GROUPS: dict[str, _Groups] = {
    f"t{i}": (tuple((n, f"t{i}_{n}") for n in names), en, zh)
    for i, (_, names, en, zh) in enumerate(_TEMPLATES)
}

_CACHE_MAX = 8192
_CACHE: tuple[dict[str, str], dict[str, str]] = ({}, {})  # zh-CN, en


def localize(text: str, locale: str = ZH_CN) -> str:
    """``text`` (canonical, as a rule wrote it) in ``locale`` ("zh-CN" or "en").

    A text the catalog does not know comes back as written: the golden-table test
    (``tests/decision/test_texts.py``) proves every text of every rule is known.
    """
    english = locale == EN
    cache = _CACHE[english]
    shown = cache.get(text)
    if shown is None:
        found = _render(text, english)
        shown = text if found is None else found
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[text] = shown
    return shown


def known(text: str) -> bool:
    """Whether the catalog has an entry for ``text`` (for tests and tooling)."""
    return _render(text, False) is not None


def _render(text: str, english: bool) -> str | None:
    zh = _EXACT.get(text)
    if zh is not None:
        return text if english else zh
    by_word = _WORD_ALTERNATIONS.get(text.split(" ", 1)[0])
    m = by_word.fullmatch(text) if by_word is not None else None
    if m is None:
        m = _FALLBACK.fullmatch(text)
        if m is None:
            return None
    # The outermost group closes last, so lastgroup names the template that matched.
    groups, en_template, zh_template = _GROUPS[m.lastgroup]  # type: ignore[index]
    values = {name: _value(m.group(g), english) for name, g in groups}
    return (en_template if english else zh_template).format_map(values)


def _value(v: str, english: bool) -> str:
    label = LABELS.get(v)
    if label is not None:
        return label[english]
    if not v:
        return v
    nested = _render(v, english)
    if nested is not None:
        return nested
    if english:
        return v
    d = _DURATION.fullmatch(v)
    if d is not None:
        sign, h, m, s = d.groups()
        return f"{sign}{h}小时" + (f"{m}分" if m else "") + (f"{s}秒" if s else "")
    t = _LOCAL_TIME.fullmatch(v)
    if t is not None:
        month, day, clock = t.groups()
        return f"{int(month)}月{int(day)}日 {clock}"
    return v
