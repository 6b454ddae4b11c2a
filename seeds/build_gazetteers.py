"""Build ``seeds/gazetteers/gazetteer.tsv`` from installed packages plus the curated lists.

    python -m seeds.build_gazetteers [--out seeds/gazetteers]

No package ships Arabic person or organisation lists, so those are curated by hand in
``seeds/gazetteers/curated/``. Country and world-city names come from data that pip installs:
babel's CLDR territory names and time-zone exemplar cities in Arabic, and pycountry's ISO 3166
Arabic translations. Their spellings carry diacritics ("الصّين"), which are removed here.

The output is deterministic (sorted, no timestamps), so running the script twice gives the same
file and a diff shows exactly what a list change did. Columns:

    surface <TAB> canonical <TAB> type <TAB> country <TAB> flags

``flags`` is ``weak`` for names that are also common words (they only match after a head such as
محافظة or نادي, or in a dateline) and empty otherwise.
"""

from __future__ import annotations

import argparse
import gettext
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from camel_tools.utils.dediac import dediac_ar

from akhbar.transforms.normalize import normalize_fast

HERE = Path(__file__).resolve().parent / "gazetteers"
CURATED = HERE / "curated"
# Curated sources in priority order: when one normalized surface has entries of different types
# or canonical names, the first source wins (a person list beats a place list, and curated lists
# beat generated names).
CURATED_ORDER = (
    "persons.tsv",
    "orgs_international.tsv",
    "orgs_state.tsv",
    "orgs_media_companies_parties.tsv",
    "countries_extra.tsv",
    "places_arab.tsv",
    "places_world.tsv",
)
MIN_GENERATED_CHARS = 3  # shorter generated names (e.g. 'ين') are noise


@dataclass(frozen=True, slots=True)
class Entry:
    surface: str
    canonical: str
    type: str
    country: str
    source: str


def clean(name: str) -> str:
    """Dediacritize and collapse spaces; keep the spelling otherwise (it is shown to users)."""
    return " ".join(dediac_ar(name).replace("\u0640", "").split())


def read_lines(path: Path) -> Iterator[str]:
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield line


def curated_entries(directory: Path = CURATED) -> Iterator[Entry]:
    for name in CURATED_ORDER:
        for line in read_lines(directory / name):
            cols = line.split("\t")
            if len(cols) < 3:
                raise ValueError(f"{name}: expected canonical<TAB>TYPE<TAB>country: {line!r}")
            canonical, type_, country = clean(cols[0]), cols[1].strip(), cols[2].strip()
            if type_ not in ("PER", "ORG", "LOC"):
                raise ValueError(f"{name}: bad type {type_!r} in {line!r}")
            country = "" if country == "-" else country
            aliases = [clean(a) for a in cols[3].split("|")] if len(cols) > 3 else []
            for surface in [canonical, *aliases]:
                if surface:
                    yield Entry(surface, canonical, type_, country, name)


def babel_entries() -> Iterator[Entry]:
    """Country names (CLDR territories with a 2-letter code) and time-zone exemplar cities."""
    from babel import Locale
    from babel.core import get_global

    locale = Locale("ar")
    for code, name in sorted(locale.territories.items()):
        if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "UN", "EZ", "QO"):
            yield Entry(clean(name), clean(name), "LOC", code, "babel:territory")
    zone_territories = get_global("zone_territories")
    for zone, data in sorted(locale.time_zones.items()):
        city = dict(data).get("city")
        country = zone_territories.get(zone, "")
        if city and country and country != "001":
            yield Entry(clean(city), clean(city), "LOC", country, "babel:city")


def pycountry_entries() -> Iterator[Entry]:
    """ISO 3166-1 names and official names, as translated into Arabic by the iso-codes project."""
    import pycountry

    translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        name = translation.gettext(country.name)
        if name != country.name:
            yield Entry(clean(name), clean(name), "LOC", country.alpha_2, "pycountry:name")
        official = getattr(country, "official_name", None)
        if official:
            translated = translation.gettext(official)
            if translated != official:
                canonical = clean(name) if name != country.name else clean(translated)
                yield Entry(
                    clean(translated), canonical, "LOC", country.alpha_2, "pycountry:official"
                )


def is_arabic(text: str) -> bool:
    return any("\u0621" <= ch <= "\u064a" for ch in text)


def build(directory: Path = CURATED) -> list[tuple[str, str, str, str, str]]:
    """Merged rows, one per normalized surface form, sorted."""
    excluded = {normalize_fast(clean(x)) for x in read_lines(directory / "exclude.txt")}
    weak = {normalize_fast(clean(x)) for x in read_lines(directory / "weak.txt")}
    chosen: dict[str, Entry] = {}
    ambiguous_country: set[str] = set()
    generated = [*pycountry_entries(), *babel_entries()]
    for entry in [*curated_entries(directory), *generated]:
        key = normalize_fast(entry.surface)
        if not is_arabic(key) or key in excluded:
            continue
        if entry.source.startswith(("babel", "pycountry")):
            if len(key.replace(" ", "")) < MIN_GENERATED_CHARS:
                continue
            if key.startswith("دوله "):
                continue  # "دولة قطر" is "قطر" after a generic head (annotation guideline 6)
        first = chosen.get(key)
        if first is None:
            chosen[key] = entry
        elif (
            first.type == entry.type
            and normalize_fast(first.canonical) == normalize_fast(entry.canonical)
            and first.country != entry.country
            and entry.source.endswith(".tsv")
        ):
            ambiguous_country.add(key)  # e.g. طرابلس in Lebanon and in Libya
    rows = []
    for key, entry in chosen.items():
        country = "" if key in ambiguous_country else entry.country
        rows.append(
            (entry.surface, entry.canonical, entry.type, country, "weak" if key in weak else "")
        )
    rows.sort(key=lambda r: (r[2], normalize_fast(r[0]), r[0]))
    return rows


def source_versions() -> str:
    """The versions of the packages the generated names come from (their data changes)."""
    from importlib.metadata import version

    return f"babel {version('babel')}, pycountry {version('pycountry')}"


def write(rows: list[tuple[str, str, str, str, str]], out: Path) -> Path:
    path = out / "gazetteer.tsv"
    header = (
        "# surface\tcanonical\ttype\tcountry\tflags  (generated by seeds/build_gazetteers.py "
        f"from the curated lists and {source_versions()})\n"
    )
    body = "".join("\t".join(row) + "\n" for row in rows)
    path.write_text(header + body, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    rows = build()
    path = write(rows, args.out)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[2]] = counts.get(row[2], 0) + 1
    print(f"{path}: {len(rows)} names " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
