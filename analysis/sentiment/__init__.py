"""Review sentiment: a label (negative / neutral / positive), a score in [-1, 1] and three class probabilities per review.

One interface, three kinds of backend, chosen by a spec string (``Settings.sentiment_model``):

- ``"default"``: the project's own model, trained by ``python -m analysis train-sentiment`` on the labelled reviews of
  ``../shared/data`` and shipped as small weights under ``analysis/sentiment/models/``. It adds the logits of two parts: a small
  MLP over the multilingual USE-m sentence embedding (Chinese, English and mixed text in one vector space) and a linear
  layer over hashed n-grams (character 1-3 grams for any script, English word 1-2 grams). Both parts read the whole
  review: USE-m averages over every token and the n-grams count every n-gram, so a long review is never judged by
  its first 128 tokens. Pass the USE-m embeddings the pipeline already computed for themes to skip a second encoder
  pass.
- ``"hf:<model id or local path>"`` (or a plain path / id that is not a ``.safetensors`` head): any Hugging Face
  text-classification model through transformers. Its labels are mapped to the three classes by name
  (``negative``/``neutral``/``positive`` and abbreviations, ``LABEL_0..2``, or star ratings ``"1 star".."5 stars"``,
  whose expected star count gives the score). Reviews longer than the model's window are split into overlapping
  windows whose probabilities are averaged, weighted by window length.
- ``"st:<sentence-transformers id or path>+<head.safetensors>"``: any sentence-transformers model plus a head trained
  on its embeddings with :func:`analysis.sentiment.training.train_embedding_head`.

Every backend gives an empty or blank review the label ``neutral``, score 0 and probabilities (0, 1, 0), and is
deterministic: same texts, same numbers.

Modules: ``predictions`` (the result type), ``ngrams`` and ``network`` (the default model's parts), ``backends`` (loading
any backend), ``training`` (train-sentiment), ``finetune`` (one shop's ratings), ``evaluation`` (against labels or stars),
``transformer`` (e5-small's top layers + a head fine-tuned, shipped as a small delta; not the default).
"""

from analysis.sentiment.backends import (
    DEFAULT_MODEL_ID,
    MODELS_DIR,
    WEIGHTS_FILE,
    DefaultSentimentModel,
    EmbeddingHeadSentimentModel,
    TransformersSentimentModel,
    load_sentiment_model,
    map_labels,
)
from analysis.sentiment.evaluation import (
    EvaluationReport,
    disagreements,
    evaluate_model,
    evaluate_predictions,
    expected_calibration_error,
    polarity_metrics,
    read_labelled_file,
    three_class_metrics,
)
from analysis.sentiment.finetune import FineTuneError, FineTuneOutcome, fine_tune_on_ratings
from analysis.sentiment.network import apply_language_bias, build_network, load_network, save_network, sparse_batch
from analysis.sentiment.ngrams import NgramHasher
from analysis.sentiment.predictions import (
    FRAME_COLUMNS,
    LABELS,
    SentimentModel,
    SentimentPredictions,
    predictions_from_probabilities,
)
from analysis.sentiment.training import (
    HELD_OUT_SOURCES,
    TrainingConfig,
    TrainingReport,
    load_corpus,
    targets_from,
    train_default_model,
    train_embedding_head,
    train_sentiment_model,
)
from analysis.sentiment.transformer_finetune import adapted_model, transformer_of

__all__ = [
    "DEFAULT_MODEL_ID", "FRAME_COLUMNS", "HELD_OUT_SOURCES", "LABELS", "MODELS_DIR", "WEIGHTS_FILE",
    "DefaultSentimentModel", "EmbeddingHeadSentimentModel", "EvaluationReport", "FineTuneError", "FineTuneOutcome",
    "NgramHasher",
    "SentimentModel", "SentimentPredictions", "TrainingConfig", "TrainingReport", "TransformersSentimentModel",
    "adapted_model", "apply_language_bias", "build_network", "disagreements", "evaluate_model", "evaluate_predictions",
    "expected_calibration_error",
    "fine_tune_on_ratings", "load_corpus", "load_network", "load_sentiment_model", "map_labels", "polarity_metrics",
    "predictions_from_probabilities", "read_labelled_file", "save_network", "sparse_batch", "targets_from",
    "three_class_metrics", "train_default_model", "train_embedding_head", "train_sentiment_model",
    "transformer_of",
]
