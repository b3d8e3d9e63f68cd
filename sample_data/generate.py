"""Write the bundled demo exports and their planted truths: ``python sample_data/generate.py``.

The demo data is authored here, not copied from any real data set: reviews are composed from hand-written phrases in
Chinese and English so that later features have known truths to find (recurring complaint and praise themes, product
differences and one emerging issue). Output is deterministic for the seed.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20261128
START, END = date(2025, 10, 1), date(2026, 11, 25)


@dataclass(frozen=True)
class Product:
    name: str
    category: str
    kind: str  # electronics | apparel | home | beauty
    mean_stars: float


PRODUCTS = [
    Product("AuraBuds Pro 无线耳机", "Electronics 数码", "electronics", 4.1),
    Product("VoltMax 20000mAh 充电宝", "Electronics 数码", "electronics", 3.6),
    Product("SmartFit Watch S3", "Electronics 数码", "electronics", 4.2),
    Product("CloudStep 跑步鞋", "Apparel 服饰", "apparel", 3.9),
    Product("UrbanLite 羽绒服", "Apparel 服饰", "apparel", 3.4),
    Product("CozyKnit Sweater", "Apparel 服饰", "apparel", 4.3),
    Product("BrewMaster 咖啡机", "Home 家居", "home", 3.8),
    Product("PureAir 空气净化器", "Home 家居", "home", 4.5),
    Product("GlowSerum 精华液", "Beauty 美妆", "beauty", 3.5),
    Product("SilkTouch 面霜", "Beauty 美妆", "beauty", 4.0),
]

# Each theme: who it applies to (product kinds), its phrases in English and Chinese, and keywords a good name holds.
COMPLAINTS = {
    "battery_drain": {
        "label_en": "Battery drains fast", "label_zh": "电池不耐用", "kinds": {"electronics"},
        "keywords": ["battery", "charge", "电池", "电量", "续航", "掉电"],
        "en": ["the battery drains really fast", "battery life is terrible, dead by lunchtime",
               "the battery only lasts two hours", "it loses charge overnight even when switched off",
               "battery dies way too quickly", "I have to charge it twice a day, the battery is awful"],
        "zh": ["电池不耐用，半天就没电了", "掉电太快了", "续航太差，一天要充两次电", "电量掉得飞快",
               "电池根本撑不了一天", "待机也掉电，续航很失望"],
    },
    "slow_delivery": {
        "label_en": "Slow delivery", "label_zh": "物流太慢", "kinds": None,
        "keywords": ["delivery", "shipping", "arrived", "物流", "快递", "发货"],
        "en": ["delivery took forever", "shipping was painfully slow, almost three weeks",
               "it arrived ten days later than promised", "the courier took two weeks to deliver",
               "slow shipping, the tracking did not move for a week"],
        "zh": ["物流太慢了", "快递走了半个月才到", "发货太慢，等了十天", "物流信息一周都不更新",
               "配送超级慢，比承诺的晚了一周"],
    },
    "size_small": {
        "label_en": "Size runs small", "label_zh": "尺码偏小", "kinds": {"apparel"},
        "keywords": ["size", "small", "tight", "尺码", "偏小", "小了"],
        "en": ["the size runs small, order one size up", "way too tight, the sizing is off",
               "runs at least a size small", "I normally wear a medium but this medium is tiny",
               "sizing chart is wrong, it is much smaller than expected"],
        "zh": ["尺码偏小，建议拍大一码", "码数偏小，穿着很紧", "平时穿M这个M太小了", "尺码不准，小了一号",
               "偏小一码，只能退换"],
    },
    "packaging_damaged": {
        "label_en": "Packaging damaged", "label_zh": "包装破损", "kinds": None,
        "keywords": ["box", "package", "damaged", "包装", "破损", "压坏"],
        "en": ["the package arrived damaged", "box was crushed and the item was scratched",
               "packaging was torn open when it arrived", "it came in a dented box with no protection",
               "the parcel was damaged in transit"],
        "zh": ["包装破损了", "外包装被压坏，东西也有划痕", "收到的时候盒子是破的", "包装太简陋，到手已经压扁",
               "快递箱子破了个大洞"],
    },
    "service_unresponsive": {
        "label_en": "Customer service never answers", "label_zh": "客服不回复", "kinds": None,
        "keywords": ["service", "support", "reply", "客服", "回复", "售后"],
        "en": ["customer service never answers", "support ignored my emails for a week",
               "nobody from customer service replied to me", "tried to contact support three times, no response",
               "the seller never responds to messages"],
        "zh": ["客服一直不回复", "联系客服没人理", "售后态度很差，问题也不解决", "找客服三次都没人回",
               "客服只会复制粘贴，根本不解决问题"],
    },
    "breaks_quickly": {
        "label_en": "Broke after a short time", "label_zh": "质量差容易坏", "kinds": {"electronics", "home"},
        "keywords": ["broke", "stopped", "working", "坏了", "质量", "故障"],
        "en": ["it broke after one week", "stopped working after a month", "quality is poor, it failed in days",
               "the button broke on the second day", "died completely after two weeks of light use"],
        "zh": ["用了一周就坏了", "质量太差，一个月就出故障", "没用几天就坏了", "第二天按键就失灵了",
               "做工粗糙，很快就坏"],
    },
    "skin_irritation": {
        "label_en": "Skin irritation", "label_zh": "过敏刺激", "kinds": {"beauty"},
        "keywords": ["skin", "rash", "irritation", "过敏", "刺激", "泛红"],
        "en": ["it gave me a rash", "my skin got red and itchy after using it", "caused breakouts on my face",
               "stings and irritates my sensitive skin", "broke me out within two days"],
        "zh": ["用了脸上过敏", "皮肤泛红发痒", "涂完有刺痛感，敏感肌慎入", "用了两天就爆痘", "很刺激，脸都红了"],
    },
    "strap_breaks": {
        "label_en": "Watch strap breaks", "label_zh": "表带断裂", "kinds": set(),  # only through the emerging issue
        "keywords": ["strap", "band", "snapped", "表带", "断了", "卡扣"],
        "en": ["the strap snapped after a few days", "watch band broke at the clasp",
               "the strap cracked and the watch fell off my wrist", "band clasp broke, watch almost lost"],
        "zh": ["表带断了", "表带卡扣断裂，手表差点丢了", "戴了几天表带就裂开了", "表带质量太差，直接断了"],
    },
}

PRAISES = {
    "good_value": {
        "label_en": "Great value", "label_zh": "性价比高", "kinds": None,
        "keywords": ["value", "price", "worth", "性价比", "价格", "划算"],
        "en": ["great value for the price", "worth every penny", "cheaper than the big brands and just as good",
               "excellent value for money"],
        "zh": ["性价比很高", "价格实惠，物超所值", "这个价位非常划算", "便宜又好用"],
    },
    "fast_shipping": {
        "label_en": "Fast shipping", "label_zh": "发货快", "kinds": None,
        "keywords": ["fast", "shipping", "quickly", "发货", "物流", "很快"],
        "en": ["arrived quickly", "fast shipping, came in two days", "delivery was super fast",
               "shipped the same day, arrived the next"],
        "zh": ["发货很快", "物流很快，第二天就到了", "快递给力，隔天到", "下单当天就发货了"],
    },
    "great_sound": {
        "label_en": "Great sound", "label_zh": "音质好", "kinds": {"electronics"}, "only": {"AuraBuds Pro 无线耳机"},
        "keywords": ["sound", "bass", "clear", "音质", "清晰", "低音"],
        "en": ["the sound quality is amazing", "clear sound and deep bass", "crisp audio and great noise cancelling",
               "sounds much better than my old pair"],
        "zh": ["音质很好", "声音清晰，低音很足", "降噪效果不错，音质清楚", "听歌效果超出预期"],
    },
    "comfortable": {
        "label_en": "Comfortable fit", "label_zh": "穿着舒服", "kinds": {"apparel"},
        "keywords": ["comfortable", "soft", "warm", "舒服", "柔软", "保暖"],
        "en": ["very comfortable to wear", "soft and warm, I wear it every day", "fits perfectly and feels great",
               "so comfy I bought a second one"],
        "zh": ["穿着很舒服", "面料柔软，很保暖", "上身效果很好，很舒适", "穿起来很轻很暖和"],
    },
    "works_well": {
        "label_en": "Works well, easy to use", "label_zh": "好用方便", "kinds": {"home", "electronics"},
        "keywords": ["easy", "works", "setup", "好用", "方便", "简单"],
        "en": ["easy to set up and works perfectly", "does exactly what it promises", "simple to use, works great",
               "set it up in five minutes and it just works"],
        "zh": ["操作简单，很好用", "安装方便，效果很好", "用起来很方便", "功能齐全，上手很快"],
    },
    "skin_results": {
        "label_en": "Moisturising, visible results", "label_zh": "保湿效果好", "kinds": {"beauty"},
        "keywords": ["skin", "moisturizing", "smooth", "保湿", "皮肤", "水润"],
        "en": ["my skin feels so smooth and hydrated", "very moisturizing, visible results in a week",
               "absorbs quickly and leaves my skin soft", "my dry patches are gone"],
        "zh": ["保湿效果很好", "用完皮肤水润润的", "吸收很快，皮肤变细腻了", "干皮救星，一点都不油"],
    },
}

EMERGING = {"theme": "strap_breaks", "product": "SmartFit Watch S3", "start_month": "2026-07"}

OPEN_EN = ["", "", "", "Bought this last month. ", "Second purchase. ", "Gift for my wife. ", "Honest review: ",
           "Update after two weeks: ", "I had high hopes. ", "Ordered during the sale. "]
OPEN_ZH = ["", "", "", "上个月买的，", "第二次回购了，", "给老妈买的，", "说下真实感受：", "用了两周来评价：",
           "双十一囤的，", "朋友推荐买的，"]
CLOSE_EN = {
    "neg": ["", "", "Very disappointed.", "Would not buy again.", "Returning it.", "Two stars for the design.",
            "Not recommended."],
    "mid": ["", "", "It is okay overall.", "Average.", "Mixed feelings.", "Could be better."],
    "pos": ["", "", "Highly recommend!", "Love it.", "Five stars.", "Will buy again.", "Very happy."],
}
CLOSE_ZH = {
    "neg": ["", "", "非常失望。", "不会再买了。", "已经申请退货。", "差评。", "不推荐。"],
    "mid": ["", "", "总体还行吧。", "一般般。", "中规中矩。", "有待改进。"],
    "pos": ["", "", "强烈推荐！", "很喜欢。", "五星好评！", "还会回购。", "很满意。"],
}
SHORT_POS = {"en": ["Love it!", "Perfect.", "Great product.", "Exactly as described."],
             "zh": ["好评！", "很好", "满意", "不错不错", "宝贝收到了，很喜欢"]}
SHORT_NEG = {"en": ["Terrible.", "Waste of money.", "Do not buy."], "zh": ["太差了", "垃圾", "别买"]}


def _applies(theme: dict, product: Product) -> bool:
    if "only" in theme and product.name not in theme["only"]:
        return False
    return theme["kinds"] is None or product.kind in theme["kinds"]


def _pick_complaint(rng: random.Random, complaints: list[str]) -> str:
    """Complaints specific to a kind of product come up three times as often as generic ones."""
    weights = [1.0 if COMPLAINTS[k]["kinds"] is None else 3.0 for k in complaints]
    return rng.choices(complaints, weights=weights)[0]


def _month(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _months_after(month: str, start: str) -> int:
    y, m = map(int, month.split("-"))
    ys, ms = map(int, start.split("-"))
    return (y - ys) * 12 + (m - ms)


def _stars(rng: random.Random, product: Product) -> int:
    value = round(rng.gauss(product.mean_stars - 0.2, 1.3))
    return min(5, max(1, value))


def _phrase(rng: random.Random, theme: dict, lang: str) -> str:
    return rng.choice(theme[lang])


def _join(parts: list[str], lang: str) -> str:
    parts = [p for p in parts if p]
    if lang == "zh":
        return "，".join(p.rstrip("，。") for p in parts) + "。"
    sentences = [p[0].upper() + p[1:] for p in parts]
    return ". ".join(s.rstrip(".") for s in sentences) + "."


def compose_review(rng: random.Random, product: Product, day: date, stars: int) -> tuple[str, list[str], int]:
    """One review's text, the theme ids planted in it, and its (possibly adjusted) stars."""
    lang = rng.choices(["zh", "en", "mixed"], weights=[0.5, 0.4, 0.1])[0]
    complaints = [k for k, t in COMPLAINTS.items() if _applies(t, product) and t["kinds"] != set()]
    praises = [k for k, t in PRAISES.items() if _applies(t, product)]
    themes: list[str] = []

    months_in = _months_after(_month(day), EMERGING["start_month"])
    if product.name == EMERGING["product"] and months_in >= 0 and rng.random() < 0.25 + 0.1 * months_in:
        themes.append("strap_breaks")
        stars = rng.choice([1, 1, 2, 2, 3])

    if stars <= 2:
        while len(themes) < rng.choice([1, 1, 2]):
            pick = _pick_complaint(rng, complaints)
            if pick not in themes:
                themes.append(pick)
        mood = "neg"
    elif stars == 3:
        if not themes:
            themes.append(_pick_complaint(rng, complaints))
        themes.append(rng.choice(praises))
        mood = "mid"
    else:
        themes.append(rng.choice(praises))
        if rng.random() < 0.35:
            extra = rng.choice(praises)
            if extra not in themes:
                themes.append(extra)
        if rng.random() < 0.08:  # happy customers complain too: a 5-star review with a complaint in it
            themes.append(_pick_complaint(rng, complaints))
        mood = "pos"

    if rng.random() < 0.06 and len(themes) == 1 and stars in (1, 5):
        short = SHORT_NEG if stars == 1 else SHORT_POS
        text_lang = "en" if lang == "en" else "zh"
        return rng.choice(short[text_lang]), [], stars

    langs = [lang] * len(themes) if lang != "mixed" else [rng.choice(["zh", "en"]) for _ in themes]
    parts = []
    for theme_id, part_lang in zip(themes, langs):
        theme = COMPLAINTS.get(theme_id) or PRAISES[theme_id]
        parts.append(_phrase(rng, theme, part_lang))
    first = langs[0]
    opener = rng.choice(OPEN_ZH if first == "zh" else OPEN_EN)
    closer = rng.choice((CLOSE_ZH if langs[-1] == "zh" else CLOSE_EN)[mood])
    if lang == "mixed":
        text = " ".join(_join([part], part_lang) for part, part_lang in zip(parts, langs))
    else:
        text = _join(parts, lang)
    text = (opener + text + (" " if lang != "zh" and closer else "") + closer).strip()
    return text, themes, stars


def _random_day(rng: random.Random) -> date:
    # Volume grows over time, as a shop's does.
    span = (END - START).days
    return START + timedelta(days=int(span * (rng.random() ** 0.8)))


def generate(n: int = 2000, seed: int = SEED) -> tuple[pd.DataFrame, dict]:
    """The main bilingual export and the truths planted in it."""
    rng = random.Random(seed)
    rows, review_themes = [], {}
    for i in range(n):
        product = rng.choice(PRODUCTS)
        day = _random_day(rng)
        text, themes, stars = compose_review(rng, product, day, _stars(rng, product))
        review_id = f"R{i + 1:05d}"
        rows.append({"review_id": review_id, "product": product.name, "category": product.category,
                     "date": day.isoformat(), "rating": stars, "review": text})
        review_themes[review_id] = themes
    frame = pd.DataFrame(rows).sort_values(["date", "review_id"]).reset_index(drop=True)
    truth = {
        "description": "Truths planted in sample_data/reviews.csv by sample_data/generate.py (authored demo data).",
        "products": [{"product": p.name, "category": p.category, "mean_stars_planned": p.mean_stars}
                     for p in PRODUCTS],
        "complaint_themes": [{"id": k, "label_en": t["label_en"], "label_zh": t["label_zh"],
                              "keywords": t["keywords"]} for k, t in COMPLAINTS.items()],
        "praise_themes": [{"id": k, "label_en": t["label_en"], "label_zh": t["label_zh"],
                           "keywords": t["keywords"]} for k, t in PRAISES.items()],
        "emerging_issue": EMERGING,
        "review_themes": review_themes,
    }
    return frame, truth


def gbk_export(frame: pd.DataFrame) -> pd.DataFrame:
    """A small Chinese-only export as a Chinese shop back-end writes it: Chinese headers, Chinese date format."""
    zh = frame[frame["review"].str.contains(r"[\u4e00-\u9fff]") & ~frame["review"].str.contains(r"[A-Za-z]{3,}")]
    zh = zh[~zh["product"].str.contains("SmartFit")].head(150)
    out = pd.DataFrame({
        "订单编号": zh["review_id"].str.replace("R", "D", regex=False),
        "商品名称": zh["product"],
        "评价时间": [f"{d.year}年{d.month}月{d.day}日" for d in pd.to_datetime(zh["date"])],
        "评分": [f"{int(r)}星" for r in zh["rating"]],
        "评价内容": zh["review"],
    })
    return out.reset_index(drop=True)


def excel_export(frame: pd.DataFrame) -> pd.DataFrame:
    """An English-headed Excel export of one quarter, dates as real Excel dates."""
    part = frame[(frame["date"] >= "2026-07-01") & (frame["date"] < "2026-10-01")].head(300)
    return pd.DataFrame({
        "Review ID": part["review_id"], "Product Name": part["product"], "Review Date": pd.to_datetime(part["date"]),
        "Stars": part["rating"], "Review Text": part["review"],
    }).reset_index(drop=True)


def main() -> None:
    frame, truth = generate()
    frame.to_csv(HERE / "reviews.csv", index=False, encoding="utf-8")
    (HERE / "sample_truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    gbk_export(frame).to_csv(HERE / "reviews_gbk.csv", index=False, encoding="gbk")
    excel_export(frame).to_excel(HERE / "reviews.xlsx", index=False)
    print(f"wrote {len(frame)} reviews, truths, a GBK export and an Excel export to {HERE}")


if __name__ == "__main__":
    main()
