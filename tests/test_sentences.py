"""Sentence and clause splitting for Chinese, English and mixed reviews."""

from __future__ import annotations

from analysis.text import explode_sentences, split_sentences


def test_chinese_punctuation_and_turns():
    assert split_sentences("电池不耐用，半天就没电了。但是音质很好！客服态度也差？") == [
        "电池不耐用", "半天就没电了。", "但是音质很好！", "客服态度也差？"]


def test_english_sentences_keep_decimals_and_abbreviations():
    pieces = split_sentences("The screen is great. Battery lasts 3.5 hours only! Dr. Smith agreed.")
    assert pieces == ["The screen is great.", "Battery lasts 3.5 hours only!", "Dr. Smith agreed."]


def test_contrastive_turn_splits_aspects():
    assert split_sentences("Quality is great but delivery took two weeks") == [
        "Quality is great", "but delivery took two weeks"]
    assert split_sentences("Quality is great but delivery took two weeks", clauses=False) == [
        "Quality is great but delivery took two weeks"]


def test_short_fragments_are_glued_and_runs_of_marks_count_once():
    assert split_sentences("Loved it!!! Would buy again.") == ["Loved it!!!", "Would buy again."]
    assert split_sentences("Perfect. Would buy again.") == ["Perfect. Would buy again."]
    assert split_sentences("好") == ["好"]
    assert split_sentences("房间很干净，位置也不错。差评。") == ["房间很干净", "位置也不错。差评。"]
    # two words or four Chinese characters can name an aspect on their own
    assert split_sentences("Great sound, but the battery dies fast.") == ["Great sound", "but the battery dies fast."]
    assert split_sentences("用了两周来评价：物流很快") == ["用了两周来评价：", "物流很快"]


def test_colon_and_newline_and_blank():
    assert split_sentences("Update: the strap snapped after a week.\nStill like the screen a lot") == [
        "Update: the strap snapped after a week.", "Still like the screen a lot"]
    assert split_sentences("总结：表带质量太差，戴了几天就断了") == ["总结：表带质量太差", "戴了几天就断了"]
    assert split_sentences("") == [] and split_sentences("   ") == [] and split_sentences(None) == []


def test_explode_keeps_review_positions():
    frame = explode_sentences(["物流太慢了。质量非常好。", "", "The sound is great, but the battery dies fast."])
    assert frame["review"].tolist() == [0, 0, 2, 2]
    assert frame["sentence_no"].tolist() == [0, 1, 0, 1]
    assert frame["sentence"].iloc[3] == "but the battery dies fast."
