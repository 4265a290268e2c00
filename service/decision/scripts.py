"""Ready-to-send texts, zh-CN and en, one pair per outcome key.

Our own wording (the seeds' 参考话术 are not copied). Placeholders are named
(``{order}``) and rendered through :data:`COMPILED`; the common ones are ``order``,
``tracking``, ``carrier``, ``amount`` (refund or order amount) and ``coupon``; a rule adds
``hour_zh`` / ``hour_en`` (promised hour, Shanghai time), ``update_hours`` or
``days`` where its text needs them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from string import Formatter

TEMPLATES: dict[str, tuple[str, str]] = {
    "U1": (
        "您好，订单{order}的包裹其实已经交给{carrier}了，运单号{tracking}，刚刚已补录到平台。"
        "快递一般会在{update_hours}小时内显示物流，如有疑问随时找我们。",
        "Hello, the parcel for order {order} is already with {carrier}; tracking number "
        "{tracking} is now online. The carrier usually shows the first update within "
        "{update_hours} h. Message us any time.",
    ),
    "U1.refund": (
        "您好，订单{order}已经由{carrier}发出，运单号{tracking}，现已补录到平台，"
        "物流会在{update_hours}小时内更新。包裹已在路上，麻烦您撤回退款申请，耐心等一下收货。",
        "Hello, order {order} has shipped with {carrier}, tracking number {tracking}, now online; "
        "tracking updates within {update_hours} h. As the parcel is on its way, could you please "
        "withdraw the refund request and wait for delivery?",
    ),
    "U2": (
        "您好，订单{order}仓库正在打包，我们保证在{hour_zh}前发出，发货后会第一时间把单号发给您。",
        "Hello, order {order} is being packed; we guarantee it ships by {hour_en} (Beijing time) "
        "and will send you the tracking number as soon as it does.",
    ),
    "U3": (
        "非常抱歉，订单{order}因为我们这边的原因没能按时发出，给您添麻烦了。"
        "我们承诺在{hour_zh}前发货；如果您愿意等，发货后送您一张{coupon}元优惠券；"
        "如果不想等了，申请退款我们马上处理。",
        "We are very sorry: order {order} did not ship on time because of a problem on our side. "
        "We commit to shipping it by {hour_en} (Beijing time). If you can wait, we will add a "
        "{coupon} CNY coupon once it ships; if not, request a refund and we will process it "
        "right away.",
    ),
    "U4": (
        "非常抱歉，订单{order}的商品暂时缺货，无法为您发出。我们已主动为您发起{amount}元退款，"
        "另外送上一张{coupon}元优惠券，欢迎看看店里的其他商品。",
        "We are very sorry: the item in order {order} is out of stock and cannot be sent. "
        "We have started a {amount} CNY refund for you and added a {coupon} CNY coupon for "
        "anything else in the shop.",
    ),
    "U5": (
        "您好，订单{order}由{carrier}配送，运单号{tracking}，可在平台物流页或快递官网查看最新进度。",
        "Hello, order {order} is with {carrier}, tracking number {tracking}; the platform's "
        "tracking page or the carrier's site shows the latest status.",
    ),
    "U5.signed": (
        "您好，订单{order}（{carrier}，运单号{tracking}）物流显示已签收，"
        "如果您没有拿到，请告诉我们，我们马上帮您核实。",
        "Hello, tracking for order {order} ({carrier}, {tracking}) shows it was signed for. "
        "If you do not have it, tell us and we will check at once.",
    ),
    "R1": (
        "您好，订单{order}还在等待成团，店铺这边暂时无法取消。您可以在拼多多App"
        "“个人中心-我的消息-平台客服”留下订单号和需求，平台会帮您处理。",
        "Hello, order {order} is still waiting for its group, so the shop cannot cancel it. "
        "Please open personal centre > my messages > platform support in the app and leave "
        "the order number and your request; the platform will handle it.",
    ),
    "R2": (
        "抱歉给您带来不便，订单{order}还没有发出，您的{amount}元退款我们现在就同意，请放心。",
        "Sorry for the trouble. Order {order} has not shipped yet, so we are approving your "
        "{amount} CNY refund now.",
    ),
    "R3": (
        "您好，订单{order}已同意退款{amount}元，包裹我们会联系快递召回，您无需再操作。",
        "Hello, we have approved the {amount} CNY refund for order {order} and will recall the "
        "parcel from the carrier; nothing more is needed from you.",
    ),
    "R4": (
        "您好，订单{order}的包裹（{carrier} {tracking}）还在途中，我们正在申请拦截退回，"
        "拦截成功后立即为您退款{amount}元。",
        "Hello, the parcel for order {order} ({carrier} {tracking}) is still in transit; we are "
        "asking the carrier to stop it and will refund {amount} CNY as soon as it is stopped.",
    ),
    "R5": (
        "您好，订单{order}的包裹已在派送中，无法拦截。派件时请直接拒收，"
        "物流显示拒收后系统会自动退款{amount}元给您。",
        "Hello, the parcel for order {order} is already out for delivery and cannot be stopped. "
        "Please refuse it at the door; the {amount} CNY refund is paid automatically once "
        "tracking shows the refusal.",
    ),
    "R6.intercept": (
        "您好，订单{order}的包裹（{carrier} {tracking}）物流停滞了，我们已在催快递并申请拦截，"
        "拦截后马上退款{amount}元给您。",
        "Hello, the parcel for order {order} ({carrier} {tracking}) has stalled. We are chasing "
        "the carrier and have asked it to stop the parcel; the {amount} CNY refund follows.",
    ),
    "R6.reject": (
        "您好，订单{order}的包裹物流有延误，我们在催快递处理。包裹送到时请拒收，"
        "拒收记录出来后系统会自动退款{amount}元。",
        "Hello, the parcel for order {order} is delayed and we are chasing the carrier. Please "
        "refuse it on arrival; the {amount} CNY refund is paid once tracking shows the refusal.",
    ),
    "S1": (
        "您好，订单{order}物流显示已被代签或放在代收点，我们正在向{carrier}核实签收人和包裹去向，"
        "有结果马上告诉您。",
        "Hello, tracking for order {order} shows someone else or a pickup point signed for it. "
        "We are asking {carrier} who signed and where the parcel is, and will update you soon.",
    ),
    "S2": (
        "您好，订单{order}物流记录显示您已本人签收，仅退款申请我们暂时无法同意；"
        "如果商品不合适，可以申请退货退款，我们收到后按流程退款。",
        "Hello, tracking for order {order} shows you signed for it in person, so we cannot "
        "approve a refund without return. If the item does not suit you, request a return and "
        "refund and we will refund once it is back.",
    ),
    "S3": (
        "您好，订单{order}的退货申请已同意，请按退货地址寄回（运费由您承担），"
        "我们收到后退款{amount}元。",
        "Hello, the return for order {order} is approved. Please send it to the return address "
        "(return postage is yours); we refund {amount} CNY once it arrives.",
    ),
    "S4.request": (
        "您好，订单{order}商品出现问题非常抱歉，麻烦您拍一张问题部位的照片发给我们，确认后马上安排退货，运费由我们承担。",
        "Hello, sorry the item in order {order} has a problem. Please send us a photo of the "
        "fault; once we see it we will arrange the return with postage paid by us.",
    ),
    "S4.accept": (
        "您好，订单{order}的质量问题我们很抱歉，退货已同意，来回运费由我们承担，收到后退款{amount}元。",
        "Hello, we apologise for the fault in order {order}. The return is approved, postage "
        "is on us, and we refund {amount} CNY once it arrives.",
    ),
    "S5.request": (
        "您好，订单{order}签收已有{days}天，请您拍一张外包装和破损位置的细节照片发给我们，"
        "我们登记后给您补发配件。",
        "Hello, order {order} was signed for {days} days ago. Please send a photo of the outer "
        "package and a close-up of the damage; we will log it and send you the replacement part.",
    ),
    "S5.reissue": (
        "您好，照片已收到，订单{order}的破损配件我们马上免费补发，发出后把单号告诉您。",
        "Hello, thanks for the photos. We are sending a free replacement part for order {order} "
        "and will share the tracking number once it ships.",
    ),
    "S6.reissue": (
        "抱歉，订单{order}给您少发或发错了，我们马上为您补发，补发单号稍后发给您。",
        "Sorry, order {order} was short or wrong. We are sending the missing or correct item "
        "now and will share the new tracking number shortly.",
    ),
    "S6.reject": (
        "您好，我们核对了订单{order}的出库记录和快递称重记录，均显示商品完整发出，"
        "此前也已为您免费补发过一次，本次申请暂无法同意，相关记录已提交平台。",
        "Hello, we checked the warehouse outbound record and the carrier's weighing record for "
        "order {order}; both show a complete parcel, and one free reissue was already sent. We "
        "cannot approve this request and have submitted the records to the platform.",
    ),
    "S6.photo": (
        "您好，订单{order}的情况我们会认真核实。麻烦您把包裹里收到的所有东西摆在一起拍张照，"
        "再拍一张外包装，我们对照出库和称重记录后，会尽快给您补发或答复。",
        "Hello, we will look into order {order} right away. Please lay out everything that came "
        "in the parcel and send us a photo of it, plus one of the outer package; we will compare "
        "them with our outbound and weighing records and then reissue or reply quickly.",
    ),
    "S6.request": (
        "您好，订单{order}的照片已收到，我们正在调取仓库出库记录和快递称重记录，核对完马上回复您。",
        "Hello, thanks for the photos of order {order}. We are pulling the warehouse outbound "
        "record and the carrier's weighing record and will reply as soon as we have checked them.",
    ),
    "S7": (
        "抱歉订单{order}的商品在运输中损坏了，我们马上为您补发，快递那边由我们去索赔，补发单号稍后发您。",
        "Sorry the item in order {order} was damaged in transit. We are sending a replacement "
        "now and will claim from the carrier ourselves; the new tracking number follows.",
    ),
    "S8": (
        "您好，订单{order}我们按平台规则处理，本次申请暂不能同意，商品如确有问题，欢迎走退货或补发流程。",
        "Hello, we handle order {order} under the platform's rules and cannot approve this "
        "request. If the item really has a fault, we are glad to arrange a return or a "
        "replacement.",
    ),
    "S9": (
        "您好，订单{order}的送货上门由快递负责，我们已联系{carrier}（单号{tracking}）安排送到门口，"
        "请保持电话畅通；您也可以直接联系派件员。",
        "Hello, door delivery of order {order} is up to the carrier; we have asked {carrier} "
        "(tracking {tracking}) to bring the parcel to your door. Please keep your phone on; "
        "you can also call the courier directly.",
    ),
    "A1": (
        "申诉说明：订单{order}在极速退款前已线下交{carrier}发出（运单号{tracking}），"
        "买家已签收，申请撤销极速退款{amount}元。",
        "Appeal: order {order} had already been handed to {carrier} offline (tracking "
        "{tracking}) before the fast refund, and the buyer signed for it. We ask to reverse the "
        "{amount} CNY fast refund.",
    ),
    "A1.closed": (
        "内部备注：订单{order}极速退款{amount}元的申诉期已过，无法申诉。",
        "Internal note: the appeal window for the {amount} CNY fast refund on order {order} "
        "has closed.",
    ),
    "A2": (
        "内部备注：订单{order}揽件时间晚于退款时间或承诺发货时间，平台会自动驳回申诉，请勿提交。",
        "Internal note: the pickup scan for order {order} is later than the refund or the "
        "ship-by, so the platform rejects any appeal; do not file one.",
    ),
    "A3": (
        "申诉说明：订单{order}店铺退货地址完整准确（见地址记录），买家寄错地址，"
        "申请撤销极速退款{amount}元。",
        "Appeal: the shop's return address for order {order} is complete and correct (see the "
        "address record); the buyer sent the return elsewhere. We ask to reverse the {amount} "
        "CNY fast refund.",
    ),
    "A3.closed": (
        "内部备注：订单{order}退错地址的申诉期已过，无法申诉。",
        "Internal note: the appeal window for the wrong-address return on order {order} has "
        "closed.",
    ),
    "A3.fix": (
        "内部备注：订单{order}买家退错地址是因为店铺退货地址不完整，申诉不会成功；请补全到区县街道门牌号。",
        "Internal note: the return for order {order} went astray because the shop's return "
        "address is incomplete; an appeal would fail. Complete it down to street and number.",
    ),
    "A4": (
        "内部备注：订单{order}已由平台退款{amount}元，"
        "包裹（{carrier} {tracking}）仍在途中，立即申请拦截退回。",
        "Internal note: the platform refunded {amount} CNY on order {order} while the parcel "
        "({carrier} {tracking}) is in transit; request interception now.",
    ),
    "A5": (
        "内部备注：订单{order}的{amount}元退款已完成，无可申诉或追回的事项。",
        "Internal note: the {amount} CNY refund on order {order} is complete; nothing to appeal "
        "or recover.",
    ),
    "L1": (
        "您好，订单{order}已交{carrier}发出（单号{tracking}），快递还没扫描揽收，我们正在催促，有更新马上告诉您。",
        "Hello, order {order} is with {carrier} (tracking {tracking}) but has not been scanned "
        "in yet; we are chasing the carrier and will update you.",
    ),
    "L2": (
        "您好，订单{order}（{carrier} {tracking}）揽收后物流暂未更新，"
        "我们已联系快递查询，请您稍等。",
        "Hello, tracking for order {order} ({carrier} {tracking}) has not moved since pickup; "
        "we have asked the carrier to check and will report back.",
    ),
    "L3": (
        "您好，订单{order}（{carrier} {tracking}）在转运途中停滞了，我们已向快递提交查询，"
        "会尽快给您新的预计到达时间。",
        "Hello, order {order} ({carrier} {tracking}) has stalled between sorting centres; we "
        "have opened a ticket with the carrier and will send you a new estimate soon.",
    ),
    "L4": (
        "您好，订单{order}（{carrier} {tracking}）派送遇到异常，"
        "我们正在联系派件网点重新安排，请保持电话畅通。",
        "Hello, delivery of order {order} ({carrier} {tracking}) hit a problem; we are asking "
        "the delivery station to try again. Please keep your phone on.",
    ),
    "V1": (
        "您好，订单{order}已经成团，仓库正在备货，预计在{hour_zh}前发出，"
        "发货后我们会把快递单号发给您。",
        "Hello, the group for order {order} has formed and the warehouse is preparing it; "
        "it should ship by {hour_en} (Beijing time), and we will send you the tracking "
        "number once it does.",
    ),
    "V2": (
        "您好，订单{order}已由{carrier}发出，运单号{tracking}，"
        "您可以在平台的物流页面随时查看进度，有问题随时联系我们。",
        "Hello, order {order} is on its way with {carrier}, tracking number {tracking}. "
        "The platform's tracking page shows its progress; message us with any question.",
    ),
    "V3": (
        "非常抱歉，订单{order}没能按原定时间发出，原因是我们这边备货出了问题。"
        "我们会在{hour_zh}前发货；您愿意等的话，发货后送您一张{coupon}元优惠券，"
        "不想等也可以直接申请退款，我们会立刻处理。",
        "We are sorry: order {order} could not ship at the planned time because of a stock "
        "problem on our side. It will ship by {hour_en} (Beijing time); if you wait, a "
        "{coupon} CNY coupon follows the shipment, and if you would rather not, request a "
        "refund and we will handle it at once.",
    ),
    "P0": (
        "内部备注：订单{order}暂无需回复，请按提醒事项跟进。",
        "Internal note: nothing to answer on order {order} now; follow the listed signals.",
    ),
    "P1": (
        "您好，订单{order}的问题我们已记录，麻烦您补充照片和具体情况，我们会尽快给您答复。",
        "Hello, we have logged the issue with order {order}. Please send photos and details so "
        "we can answer quickly.",
    ),
}


Render = Callable[[Mapping[str, str]], str]


def compile_template(template: str) -> Render:
    """``"订单{order}…"`` -> ``lambda p: f"订单{p['order']}…"``.

    Built as a syntax tree, so no text is ever evaluated. An f-string joins the
    pieces about three times as fast as ``%``-formatting a mapping, and every
    decision renders two texts (see ``bench/decision_bench.py``).
    """
    parts: list[ast.expr] = []
    for literal, name, spec, conversion in Formatter().parse(template):
        if literal:
            parts.append(ast.Constant(literal))
        if name is not None:
            if not name.isidentifier() or spec or conversion:
                raise ValueError(f"template placeholder {{{name}}} must be a bare name")
            lookup = ast.Subscript(ast.Name("p", ast.Load()), ast.Constant(name), ast.Load())
            parts.append(ast.FormattedValue(lookup, -1, None))
    args = ast.arguments([], [ast.arg("p")], None, [], [], None, [])
    tree = ast.Expression(ast.Lambda(args, ast.JoinedStr(parts)))
    render: Render = eval(compile(ast.fix_missing_locations(tree), "<script>", "eval"))
    return render


# The same texts, compiled once: key -> (zh-CN, en) renderers taking the parameters.
COMPILED: dict[str, tuple[Render, Render]] = {
    key: (compile_template(zh), compile_template(en)) for key, (zh, en) in TEMPLATES.items()
}
