"""tokens.py: the fast tokenizer gives exactly the tokens of its definition, as parallel lists."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.transforms.extract.tokens import DIGITS, SPLIT, WORD, split_text, tokenize

# The definition: words (letters), numbers with their separators, single punctuation marks.
DEFINITION = re.compile(r"([^\W\d_]+|\d+(?:[.,٫٬]\d+)*|[^\w\s])").split

# Arabic letters, their neighbours in the block (marks, digits, Persian letters), Latin letters,
# digits, separators and punctuation: where a range-based shortcut could split differently.
_ALPHABET = (
    "".join(chr(c) for c in range(0x0600, 0x0700)) + "abcXYZ_019٫٬.,;:!؟?«»\"'-–/ \n\t\u00a0éßİ²½"
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=60) | st.text(max_size=40))
def test_split_equals_the_definition(text: str) -> None:
    assert SPLIT(text) == DEFINITION(text)


def test_parallel_lists_give_texts_offsets_and_kind_bits() -> None:
    text = "قال الوزير، إن 2.5 مليون دينارپ ok"
    tokens = tokenize(text)
    assert tokens.texts == ["قال", "الوزير", "،", "إن", "2.5", "مليون", "دينارپ", "ok"]
    assert [text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)] == tokens.texts
    w, n, p = WORD, DIGITS, 0
    assert tokens.bits == [w, w, p, w, n, w, w, w]
    assert split_text(text) == (tokens.texts, tokens.starts, tokens.ends)
