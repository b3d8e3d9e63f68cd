"""Text tools every stage shares: which language a review is in, its sentences and clauses, stopwords, and the
content words of Chinese and English text (jieba with shopping words).
"""

from analysis.text.clauses import explode_sentences, split_sentences
from analysis.text.language import LANGUAGES, detect_language, detect_languages
from analysis.text.stopwords import STOPWORDS, is_stopword
from analysis.text.tokenizers import SHOPPING_WORDS, tokenize

__all__ = [
    "LANGUAGES", "SHOPPING_WORDS", "STOPWORDS", "detect_language", "detect_languages", "explode_sentences",
    "is_stopword", "split_sentences", "tokenize",
]
