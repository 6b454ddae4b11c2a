"""Tiny camel-tools resources made on the spot: a hand-written morphology DB with its
``catalogue.json``, and a randomly initialised BERT token-classification model.

They test the wiring of the optional camel-tools paths offline, not linguistic quality. Each is
written into a folder the test owns; nothing is downloaded.
"""

from __future__ import annotations

import json
from pathlib import Path

# Stems are in camel-tools' normalized form (the analyzer normalizes the word before lookup).
_STEMS = [
    ("مصر", "مِصْر", "Egypt"),
    ("القاهره", "القاهِرَة", "Cairo"),
    ("الصين", "الصِّين", "China"),
    ("تونس", "تُونِس", "Tunisia"),
]
_PREFIXES = [
    ("", "Pref-0", "", "0", "0"),
    ("و", "Pref-wa", "وَ", "wa_conj", "0"),
    ("ب", "Pref-bi", "بِ", "0", "bi_prep"),
    ("ل", "Pref-li", "لِ", "0", "li_prep"),
    ("وب", "Pref-wabi", "وَبِ", "wa_conj", "bi_prep"),
    ("ك", "Pref-ka", "كَ", "0", "ka_prep"),
]


def morphology_db_text() -> str:
    """A complete, minimal MorphologyDB: proper nouns with conjunction/preposition proclitics."""
    lines = [
        "###DEFINES###",
        "DEFINE pos pos:noun pos:noun_prop pos:digit",
        "DEFINE prc0 prc0:0",
        "DEFINE prc1 prc1:0 prc1:bi_prep prc1:li_prep prc1:ka_prep",
        "DEFINE prc2 prc2:0 prc2:wa_conj",
        "DEFINE lex lex:*open*",
        "DEFINE diac diac:*open*",
        "DEFINE bw bw:*open*",
        "DEFINE gloss gloss:*open*",
        "###DEFAULTS###",
        "DEFAULT pos:noun prc0:0 prc1:0 prc2:0 lex:* diac:* bw:* gloss:*",
        "DEFAULT pos:noun_prop prc0:0 prc1:0 prc2:0 lex:* diac:* bw:* gloss:*",
        "DEFAULT pos:digit prc0:0 prc1:0 prc2:0 lex:* diac:* bw:* gloss:*",
        "###ORDER###",
        "ORDER pos prc2 prc1 prc0 lex diac bw gloss",
        "###TOKENIZATIONS###",
        "TOKENIZATION diac",
        "###STEMBACKOFF###",
        "STEMBACKOFF NOUN_PROP Nprop",
        "###PREFIXES###",
    ]
    for surface, cat, diac, prc2, prc1 in _PREFIXES:
        lines.append(f"{surface}\t{cat}\tdiac:{diac} prc2:{prc2} prc1:{prc1} prc0:0")
    lines += ["###SUFFIXES###", "\tSuff-0\tdiac:", "نا\tSuff-na\tdiac:نا", "###STEMS###"]
    for stem, diac, gloss in _STEMS:
        lines.append(
            f"{stem}\tNprop\tdiac:{diac} lex:{diac}_1 pos:noun_prop bw:{stem}/NOUN_PROP gloss:{gloss}"
        )
    lines.append("###TABLE AB###")
    lines += [f"{cat} Nprop" for _s, cat, *_ in _PREFIXES]
    lines += ["###TABLE BC###", "Nprop Suff-0", "Nprop Suff-na", "###TABLE AC###"]
    lines += [f"{cat} {suffix}" for _s, cat, *_ in _PREFIXES for suffix in ("Suff-0", "Suff-na")]
    return "\n".join(lines)  # no trailing blank line: the parser rejects it


def write_camel_data(folder: Path) -> Path:
    """A ``CAMELTOOLS_DATA`` folder whose catalogue's default MorphologyDB is the tiny one."""
    db_dir = folder / "data" / "morphology_db" / "tiny-r1"
    db_dir.mkdir(parents=True, exist_ok=True)
    (db_dir / "morphology.db").write_text(morphology_db_text(), encoding="utf-8")
    catalogue = {
        "version": "1.5",
        "packages": {},
        "components": {
            "MorphologyDB": {
                "default": "tiny-r1",
                "datasets": {"tiny-r1": {"path": "morphology_db/tiny-r1"}},
            }
        },
    }
    (folder / "catalogue.json").write_text(json.dumps(catalogue), encoding="utf-8")
    return folder


NER_LABELS = ["B-LOC", "B-ORG", "B-PERS", "B-MISC", "I-LOC", "I-ORG", "I-PERS", "I-MISC", "O"]


def write_ner_model(folder: Path, words: list[str]) -> Path:
    """A 2-layer BERT token classifier with random weights and a word-level vocabulary."""
    import torch
    from transformers import BertConfig, BertForTokenClassification, BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted(set(words))]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(
        str(folder / "vocab.txt"), do_lower_case=False, tokenize_chinese_chars=False
    )
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=512,
        num_labels=len(NER_LABELS),
        id2label=dict(enumerate(NER_LABELS)),
        label2id={label: i for i, label in enumerate(NER_LABELS)},
    )
    torch.manual_seed(0)
    model = BertForTokenClassification(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
