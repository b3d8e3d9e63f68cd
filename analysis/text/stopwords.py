"""Stopwords for naming themes in Chinese and English reviews: function words and review filler that say nothing.

Compact on purpose: c-TF-IDF already down-weights words common to every theme, so these lists only remove words
that would otherwise still surface as a theme's name (pronouns, particles, "very", "good", "product", 东西, 感觉).

``VERDICT_WORDS`` are words that rate the whole purchase or vent a feeling rather than name something about it
("highly recommend", "five stars", "disappointed", "will buy again", 强烈推荐, 失望, 回购, 郁闷, 结果, 实在, 好好): a
manager cannot act on them, so they never name a theme, and a clause made only of them and stopwords carries no
aspect (``analysis.themes`` treats it as context).
"""

from __future__ import annotations

ENGLISH_STOPWORDS = frozenset(
    """
a about above after again against all almost also although always am an and any anyone anything are aren around as
at be became because been before being below between both but by can cannot could couldn did didn do does doesn doing
don done down during each either else even ever every few for from further get gets getting got had hadn has hasn have
haven having he her here hers herself him himself his how however i if in into is isn it its itself just least less
let like ll made make many may me might mine more most much must my myself need no nor not now of off often on once
one only or other others our ours ourselves out over own per quite rather re really s same say says she should
shouldn since so some something still such t than that the their theirs them themselves then there these they thing
things this those though through thus to too under until up upon us use used using ve very via was wasn way we well
were weren what whatever when where whether which while who whom whose why will with within without won would
wouldn yet you your yours yourself yourselves im ive dont didnt doesnt isnt wasnt cant wont couldnt thats its
also got go going went lot lots bit ok okay yes oh etc ever though whole sure definitely absolutely actually
product item items buy bought purchase purchased review reviews star stars overall time times day days thing
good great nice best better bad love loved like liked recommend recommended happy pretty far back first new two
""".split()  # noqa: SIM905  a word list reads best as words
)

CHINESE_STOPWORDS = frozenset(
    """
的 了 是 我 你 他 她 它 们 我们 你们 他们 这 那 这个 那个 这些 那些 这样 那样 这么 那么 就 都 也 还 又 和 与 及 或
而 但 但是 不过 可是 然后 而且 因为 所以 如果 虽然 就是 只是 还是 还有 已经 一个 一些 一下 一点 一样 一直 一般 没有
有 在 到 去 来 说 看 做 让 给 被 把 对 从 向 比 很 太 非常 特别 比较 挺 真 真的 蛮 最 更 再 才 会 能 可以 可能 应该
要 想 觉得 感觉 认为 知道 不 没 吧 吗 呢 啊 呀 哦 嗯 哈 哈哈 啦 嘛 么 之 其 等 等等 着 过 得 地 个 次 些 上 下
里 中 后 前 时 时候 时间 地方 东西 问题 事情 什么 怎么 怎样 为什么 自己 大家 没什么 不错 好 很好 挺好 满意 不好
好的 比较好 还行 还可以 一般般 总之 总体 总的来说 整体 其他 其它 其实 确实 当然 而已 非常好 不是 这家 那家 买 购买
产品 商品 宝贝 京东 卖家 评价 好评 差评 推荐 值得 一次 第一次 以后 之前 以前 现在 今天 昨天 多 少 大 小 用 为
""".split()  # noqa: SIM905  a word list reads best as words
)

VERDICT_WORDS = frozenset(
    """
again recommend recommended recommends highly disappointed disappointing disappointment disappoint satisfied
unsatisfied happy unhappy love loves hate hated awesome amazing excellent perfect terrible horrible awful worst
average okay mediocre fine five four three one zero stars star rating rate
feelings mixed overall expectations hopes hoped regret regrets
再买 不会 不会再 还会 回购 再次 喜欢 很喜欢 满意 很满意 不满意 失望 非常失望 推荐 强烈推荐 不推荐 五星 四星 三星 一星
好评 差评 中评 一般般 中规中矩 有待 改进 有待改进 总体 还行 凑合 垃圾 值得 后悔 太差 太差了 很差劲
wow ugh meh yay sucks sucked waste wasted worth fantastic wonderful incredible outstanding superb brilliant lovely
pleased thrilled impressed annoyed annoying frustrated frustrating angry upset sad unacceptable ridiculous pathetic
郁闷 无语 气死 气人 恶心 坑人 上当 受骗 无奈 崩溃 心累 伤心 难过 生气 愤怒 倒霉 晕 结果 实在 简直 真是 好好 好不好
好好好 哈哈哈 呵呵 唉 哎 太棒 太棒了 棒棒 棒棒哒 赞 点赞 超赞 完美 惊喜 开心 高兴 失望透顶 差劲 太坑
""".split()  # noqa: SIM905  a word list reads best as words
)

STOPWORDS = ENGLISH_STOPWORDS | CHINESE_STOPWORDS | VERDICT_WORDS


def is_stopword(token: str) -> bool:
    """True for function words of either language, punctuation, digits and single Latin letters; an English
    contraction is a stopword when its first part or its letters are one ("it's", "haven't", "i'm", "they’re")."""
    t = token.strip().lower().replace("\u2019", "'")
    if not t or t in STOPWORDS:
        return True
    if "'" in t and (t.split("'", 1)[0] in STOPWORDS or t.replace("'", "") in STOPWORDS or len(t.split("'", 1)[0]) < 2):
        return True
    if t.isdigit() or all(not ch.isalnum() for ch in t):
        return True
    return len(t) == 1 and t.isascii()
