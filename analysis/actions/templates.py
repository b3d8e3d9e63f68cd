"""Reply drafts from the project's own bilingual templates: one set per kind of complaint, filled with the review's
product, the problems it names and, where another product of the category does better, a recommendation.

A draft is the opening, what went wrong (one full sentence for one problem, one sentence naming up to three), what
happens next (for the two most urgent problems), an optional recommendation and a closing. Every part has several
wordings; which one a review gets follows from its key, so the same review always gets the same draft while fifty
reviews about sizes do not read alike. The draft is in the review's own language (``reply_language``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

from analysis.actions.kinds import OTHER, PRODUCT_ASPECTS

OPENINGS = {
    "en": ("Hi, thank you for taking the time to review the {product}.",
           "Hello, and thanks for telling us honestly how the {product} worked out for you.",
           "Thank you for your feedback on the {product}; we read every review, and this one matters to us.",
           "Hi there, thanks for letting us know about your experience with the {product}.",
           "Thanks for writing this up: feedback like yours on the {product} is how we get better."),
    "zh": ("您好，感谢您抽空评价{product}。",
           "您好，谢谢您如实告诉我们{product}的使用情况。",
           "感谢您对{product}的反馈，每一条评价我们都会认真看。",
           "您好，看到您关于{product}的评价了，谢谢您说出来。",
           "亲，感谢您的评价，关于{product}的问题我们都很在意。"),
}
CLOSINGS = {
    "en": ("Thanks again for being straight with us.", "We'd really like to put this right for you.",
           "Thank you for your patience while we sort this out.", "We hope to win back your trust.",
           "Thanks again, and sorry for the trouble."),
    "zh": ("再次感谢您的坦诚反馈。", "希望能有机会弥补这次不好的体验。", "处理过程中有任何问题，随时联系我们。",
           "给您添麻烦了，再次说声抱歉。", "我们会认真改进，希望您再给我们一次机会。"),
}
NO_PRODUCT = {"en": "your order", "zh": "您购买的商品"}
SEVERAL = {"en": "I'm sorry about {items}.", "zh": "{items}，给您添麻烦了，非常抱歉。"}
RECOMMEND = {
    "en": "Customers who had the same problem often praise {aspect}: {positive} of {mentions} reviews that mention "
          "it are positive.",
    "zh": "遇到同样问题的顾客，很多都夸{aspect}：提到这一点的 {mentions} 条评价里有 {positive} 条好评。",
}

# Per kind and language: short (a phrase for "sorry about A and B"), sorry (full sentences), next (next steps),
# aspect (what another product is praised for, with {other}; product aspects only).
KIND_TEXTS: dict[str, dict[str, dict]] = {
    "size": {
        "en": {"short": "the size not being right",
               "sorry": ("I'm sorry the size wasn't right; clothes that don't fit are no use to anyone.",
                         "Sorry the sizing was off, I know how annoying it is when a size runs small."),
               "next": (("If you'd like another size, reply with your order number and the size you need, and we'll "
                        "arrange the exchange with free return shipping."),
                        ("We can swap it for a size that fits: just send us your order number and your usual size, "
                        "and we'll take care of the return.")),
               "aspect": "the fit of the {other}"},
        "zh": {"short": "尺码不合适",
               "sorry": ("尺码不合适给您添麻烦了，真的很抱歉。", "抱歉尺码没有做准，让您白等了一场。"),
               "next": ("如需换码，请把订单号和平时穿的尺码发给我们，我们安排免费换货。",
                        "我们可以给您换一个合适的尺码，麻烦私信订单号和平时的尺码，退回运费由我们承担。"),
               "aspect": "{other}的尺码"},
    },
    "quality": {
        "en": {"short": "the quality problem",
               "sorry": ("I'm sorry it isn't holding up; that shouldn't happen, and it's not the quality we promise.",
                         "That's really disappointing, and I'm sorry: it should have lasted far longer than that."),
               "next": (("Please send us your order number and a photo of the damage, and we'll send a replacement "
                        "or refund you, whichever you prefer."),
                        ("This is covered by our warranty: reply with your order number and a quick photo, and we'll "
                        "ship a replacement right away.")),
               "aspect": "how well the {other} holds up"},
        "zh": {"short": "这么快就出了质量问题",
               "sorry": ("质量出了问题，确实不应该，非常抱歉。", "东西没用多久就出问题，换谁都会生气，真的对不起。"),
               "next": ("麻烦把订单号和损坏处的照片发给我们，换新或退款都可以，按您方便的来。",
                        "这在保修范围内，请私信订单号和一张照片，我们马上给您寄新的。"),
               "aspect": "{other}的质量"},
    },
    "battery": {
        "en": {"short": "the battery running down so fast",
               "sorry": ("I'm sorry the battery is running down so quickly; that's not how it should behave.",
                         "Sorry about the battery: it should easily last a full day, so something isn't right."),
               "next": (("Could you send us your order number? We'll check whether the battery is faulty and replace "
                        "the unit if it is."),
                        ("A battery that drains this fast usually has a faulty cell: reply with your order number and "
                        "we'll send a replacement.")),
               "aspect": "the battery life of the {other}"},
        "zh": {"short": "电池掉电太快",
               "sorry": ("电池掉电这么快，确实不正常，非常抱歉。", "续航没有达到应有的水平，给您添麻烦了。"),
               "next": ("麻烦发一下订单号，我们帮您检测电池，确认有问题直接换新。",
                        "掉电这么快多半是电池有问题，请私信订单号，我们给您换一台。"),
               "aspect": "{other}的续航"},
    },
    "packaging": {
        "en": {"short": "the parcel arriving damaged",
               "sorry": ("I'm sorry it arrived damaged; that's a rotten way to receive an order.",
                         "Sorry the package came in that state, it should have reached you in perfect condition."),
               "next": (("Please send a photo of the box and the item with your order number, and we'll send a "
                        "replacement straight away."),
                        ("If you reply with your order number and a photo, we'll replace it; we've also passed this on "
                        "to the team that packs our parcels.")),
               "aspect": ""},
        "zh": {"short": "收到的包裹有破损",
               "sorry": ("收到的东西有破损，真的很抱歉，这样的体验太糟糕了。", "包装没保护好商品，让您收到这样的包裹，非常抱歉。"),
               "next": ("请拍一下外箱和商品的照片，连同订单号发给我们，我们马上补发。",
                        "麻烦私信订单号和照片，我们给您补寄一件，也已经把问题反馈给打包的同事了。"),
               "aspect": ""},
    },
    "delivery": {
        "en": {"short": "the long wait for delivery",
               "sorry": ("I'm sorry it took so long to reach you; waiting that long for an order is frustrating.",
                         "Sorry about the slow delivery, that's far longer than it should take."),
               "next": (("We're taking this up with the courier; if anything is still missing, send us your order "
                        "number and we'll chase it today."),
                        ("Send us your order number and we'll find out what held it up, and make it right if it's "
                        "still not with you.")),
               "aspect": ""},
        "zh": {"short": "物流太慢",
               "sorry": ("让您等了这么久，真的很抱歉。", "物流这么慢，确实影响体验，非常抱歉。"),
               "next": ("我们已经在跟快递公司沟通；如果还没收到，请发订单号给我们，今天就帮您催。",
                        "麻烦私信订单号，我们查一下是哪里耽误了，有问题一定给您处理好。"),
               "aspect": ""},
    },
    "service": {
        "en": {"short": "the help you got from our service",
               "sorry": ("I'm sorry our customer service let you down; that's on us, and it shouldn't have happened.",
                         "Sorry you didn't get the help you needed from us; you deserved better the first time."),
               "next": (("I've flagged your case so that a real person answers within 24 hours; you can also reply "
                        "here with your order number."),
                        "Please reply with your order number and I'll follow this up myself until it's solved."),
               "aspect": ""},
        "zh": {"short": "客服没能解决问题",
               "sorry": ("客服没能帮您把问题解决好，这是我们的问题，非常抱歉。", "让您在客服这里受了气、问题还没解决，真的很对不起。"),
               "next": ("已经把您的问题标记为加急，24 小时内会有专人联系您；也可以直接在这里回复订单号。",
                        "请回复订单号，我会亲自跟进，直到问题解决为止。"),
               "aspect": ""},
    },
    "returns": {
        "en": {"short": "the trouble with your return",
               "sorry": ("I'm sorry the return has been such a hassle.",
                         "Sorry that sending it back hasn't been simple; it should be."),
               "next": ("Send us your order number and we'll speed up the return and the refund on our side.",
                        ("If you reply with your order number, we'll check where the return stands and get the refund "
                        "moving.")),
               "aspect": ""},
        "zh": {"short": "退换货不顺利",
               "sorry": ("退货过程这么麻烦，非常抱歉。", "退换货本该很简单，让您费心了，抱歉。"),
               "next": ("请把订单号发给我们，我们会加快处理退货和退款。", "麻烦私信订单号，我们查一下退货进度，尽快给您退款。"),
               "aspect": ""},
    },
    "price": {
        "en": {"short": "it not feeling worth the price",
               "sorry": ("I'm sorry it didn't feel worth what you paid.",
                         "Sorry it didn't live up to its price for you."),
               "next": (("If you're within the return window, send us your order number and we'll arrange a return "
                        "or a partial refund."),
                        ("Reply with your order number and we'll see what we can do, whether that's a return or a "
                        "price adjustment.")),
               "aspect": "the value of the {other}"},
        "zh": {"short": "觉得不值这个价",
               "sorry": ("让您觉得不值这个价，很抱歉。", "没能让您觉得物有所值，抱歉。"),
               "next": ("如果还在退货期内，请发订单号给我们，可以安排退货或部分退款。",
                        "请私信订单号，我们看看能为您做些什么，退货或补差价都可以商量。"),
               "aspect": "{other}的性价比"},
    },
    "skin": {
        "en": {"short": "the reaction your skin had",
               "sorry": ("I'm very sorry about the reaction; please stop using it for now.",
                         "I'm sorry your skin reacted like that; please stop using the product until it has settled."),
               "next": (("If the redness doesn't settle, please see a doctor. Send us your order number and we'll "
                        "refund you in full, with no need to send it back."),
                        ("Send us your order number and the batch number on the pack, and we'll refund you and have "
                        "our quality team check that batch.")),
               "aspect": "how gentle the {other} is on the skin"},
        "zh": {"short": "皮肤出现不适",
               "sorry": ("皮肤出现不适，真的非常抱歉，请先暂停使用。", "很抱歉让您的皮肤受到刺激，请先停用一段时间。"),
               "next": ("如果红肿一直不消，请及时就医。麻烦发一下订单号，我们给您全额退款，商品不用寄回。",
                        "请把订单号和包装上的批号发给我们，我们给您退款，并让品控同事检查这一批次。"),
               "aspect": "{other}的肤感"},
    },
    OTHER: {
        "en": {"short": "what went wrong",
               "sorry": ("I'm sorry to read that \u201c{clause}\u201d; that isn't the experience we want you to have.",
                         "Sorry about this: \u201c{clause}\u201d is not what we want anyone to go through."),
               "sorry_plain": ("I'm sorry the {product} let you down.",
                               "Sorry it didn't live up to what you hoped for."),
               "next": ("Could you tell us a bit more, with your order number, so we can look into it?",
                        "Reply with your order number and what happened, and we'll find a way to put it right."),
               "aspect": ""},
        "zh": {"short": "遇到的问题",
               "sorry": ("看到您说\u201c{clause}\u201d，非常抱歉，这不是我们希望您有的体验。",
                         "\u201c{clause}\u201d，抱歉让您有这样的感受。"),
               "sorry_plain": ("很抱歉{product}让您失望了。", "没能让您满意，真的很抱歉。"),
               "next": ("方便的话请告诉我们具体情况和订单号，我们尽快跟进。", "请私信订单号和遇到的问题，我们一定想办法给您解决。"),
               "aspect": ""},
    },
}

_TRAILING = re.compile(r"[\s。．.!！?？,，;；:：…~～]+$")
_LEADING = re.compile(r"^[\s,，;；:：、]+")
MAX_QUOTED = 40


def _pick(options: Sequence[str], seed: int, salt: int) -> str:
    return options[(seed // salt) % len(options)]


def seed_of(key: str) -> int:
    """A number from the review key that chooses the wordings: stable for a review, spread across reviews."""
    return int.from_bytes(hashlib.blake2b(str(key).encode("utf-8"), digest_size=4).digest(), "big")


def quoted(clause: str) -> str:
    """A clause as the reply quotes it back: without end punctuation, cut to ``MAX_QUOTED`` characters."""
    text = _LEADING.sub("", _TRAILING.sub("", " ".join(str(clause).split())))
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 1].rstrip() + "…"


def _joined(items: list[str], language: str) -> str:
    if language == "zh":
        return "、".join(items[:-1]) + ("和" if len(items) > 1 else "") + items[-1]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def template_reply(item: Mapping, recommendation: Mapping | None = None) -> str:
    """A draft reply to one queued review (``reply_queue`` row: review_key, product, reply_language, kinds, clauses).

    ``recommendation``: a row of ``recommendations`` for the review's product and first product-aspect kind (other,
    mentions, positive), offered as an alternative.
    """
    language = item.get("reply_language") if item.get("reply_language") in OPENINGS else "en"
    product = item.get("product")
    product = str(product).strip() if isinstance(product, str) and product.strip() else NO_PRODUCT[language]
    kinds = [k for k in (item.get("kinds") or [OTHER]) if k in KIND_TEXTS] or [OTHER]
    clauses = [quoted(c) for c in (item.get("clauses") or []) if quoted(c)]
    seed = seed_of(item.get("review_key", ""))
    parts = [_pick(OPENINGS[language], seed, 1).format(product=product)]
    texts = {kind: KIND_TEXTS[kind][language] for kind in kinds}
    if len(kinds) == 1:
        kind = kinds[0]
        if kind == OTHER and clauses:
            parts.append(_pick(texts[kind]["sorry"], seed, 7).format(clause=clauses[0]))
        elif kind == OTHER:
            parts.append(_pick(texts[kind]["sorry_plain"], seed, 7).format(product=product))
        else:
            parts.append(_pick(texts[kind]["sorry"], seed, 7))
    else:
        parts.append(SEVERAL[language].format(items=_joined([texts[k]["short"] for k in kinds[:3]], language)))
    parts.append(_pick(texts[kinds[0]]["next"], seed, 11))  # one next step: the most urgent problem's
    if recommendation is not None and recommendation.get("kind") in PRODUCT_ASPECTS:
        aspect = KIND_TEXTS[recommendation["kind"]][language]["aspect"].format(other=recommendation["other"])
        parts.append(RECOMMEND[language].format(aspect=aspect, mentions=int(recommendation["mentions"]),
                                                positive=int(recommendation["positive"])))
    parts.append(_pick(CLOSINGS[language], seed, 29))
    return ("" if language == "zh" else " ").join(parts)
