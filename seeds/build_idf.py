"""Build ``seeds/idf_ant.tsv.gz``: document frequencies of the commonest terms of the ANT corpus.

    python -m seeds.build_idf [--top 20000] [--min-df 3] [--out seeds/idf_ant.tsv.gz]

Keywords are scored by TF-IDF, and IDF needs a reference corpus; computing it over whatever
articles one pipeline run happens to hold would make a keyword depend on its neighbours. The ANT
corpus (10,161 Tunisian news articles, Apache-2.0, see ``seeds/ant.py``) is read once with
``seeds.ant.read_ant_docs`` and the ``top`` terms by document frequency are kept, which is small
enough to commit. Terms below the cut-off are treated as rare at run time. Deterministic: rows are
sorted by descending frequency, then term.
"""

from __future__ import annotations

import argparse
import gzip
from collections import Counter
from pathlib import Path

from akhbar.seeds.ant import DEFAULT_TARBALL, read_ant_docs
from akhbar.transforms.extract.keywords import term, terms
from akhbar.transforms.normalize import normalize_fast

DEFAULT_OUT = Path(__file__).resolve().parent / "idf_ant.tsv.gz"


def document_frequencies(tarball: Path = DEFAULT_TARBALL) -> tuple[int, Counter[str]]:
    """Two passes: article-stripped words first, then one-letter proclitics resolved with them.

    "ومصر" becomes "مصر" only because "مصر" is far more frequent than "ومصر"; "وزير" stays, since
    "زير" is not a word of the corpus (see ``transforms.extract.keywords.term``).
    """
    docs: list[set[str]] = []
    first: Counter[str] = Counter()
    for doc in read_ant_docs(tarball):
        text = f"{doc.get('title', '')}\n{doc.get('text', '')}"
        words = set(terms(normalize_fast(text)))
        first.update(words)
        docs.append(words)
    df: Counter[str] = Counter()
    for words in docs:
        df.update({term(w, first) for w in words})
    return len(docs), df


def write_table(documents: int, df: Counter[str], out: Path, top: int, min_df: int) -> int:
    rows = sorted(((t, c) for t, c in df.items() if c >= min_df), key=lambda tc: (-tc[1], tc[0]))
    rows = rows[:top]
    # mtime=0 and no file name keep the gzip bytes identical from one build to the next.
    with open(out, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(f"#documents\t{documents}\n".encode())
        gz.write("".join(f"{t}\t{c}\n" for t, c in rows).encode())
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, default=DEFAULT_TARBALL)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--top", type=int, default=20000)
    parser.add_argument("--min-df", type=int, default=3)
    args = parser.parse_args()
    documents, df = document_frequencies(args.tarball)
    kept = write_table(documents, df, args.out, args.top, args.min_df)
    print(f"{args.out}: {kept} terms from {documents} documents")


if __name__ == "__main__":
    main()
