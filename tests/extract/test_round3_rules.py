"""Issue 21, round 3: rules generalised from the errors of the first held-out split (read once
its blind scores were recorded) and of the dev split. Each sentence is written for the test in
the style of the article that showed the error class, not copied from it."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.extract.conftest import entity_set, run

PUB = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_an_honorific_ends_an_organisation_before_the_person(extractor) -> None:
    out = run(
        extractor, "وقال المتحدث باسم وزارة الخارجية الدكتور ماجد الأنصاري إن الوفد وصل.", PUB
    )
    found = entity_set(out)
    assert ("ORG", "وزاره الخارجيه") in found
    assert ("PER", "ماجد الانصاري") in found
    assert not any("الدكتور" in name for _, name in found)


def test_a_rank_before_a_name_ends_an_organisation(extractor) -> None:
    text = "واستقبل رئيس مجلس السيادة الانتقالي الفريق أول عبد الفتاح البرهان الوفد في بورتسودان."
    found = entity_set(run(extractor, text, PUB))
    assert ("ORG", "مجلس السياده الانتقالي") in found
    assert not any(name.endswith("الفريق") for _, name in found)


def test_a_person_after_a_construct_is_not_part_of_the_organisation(extractor) -> None:
    text = "وقال رئيس مجلس إدارة أكوا باور محمد أبونيان إن الشركة ستوقع العقد."
    found = entity_set(run(extractor, text, PUB))
    assert ("PER", "محمد ابونيان") in found
    assert not any(type_ == "ORG" and "محمد" in name for type_, name in found)


def test_status_adjectives_make_a_generic_head_no_organisation(extractor) -> None:
    text = "وانتقد الائتلاف الحاكم قرار المحكمة، فيما عاد الفريق الزائر الوحيد إلى بلاده."
    found = entity_set(run(extractor, text, PUB))
    assert ("ORG", "الائتلاف الحاكم") not in found
    assert not any(name.startswith("الفريق الزائر") for _, name in found)


def test_european_name_particles_and_the_family_name_alone(extractor) -> None:
    text = (
        "وقالت رئيسة المفوضية الأوروبية أورسولا فون دير لاين إن الاتفاق جاهز. "
        "وأضافت فون دير لاين أن التوقيع سيتم قريبا."
    )
    out = run(extractor, text, PUB)
    found = entity_set(out)
    assert ("PER", "اورسولا فون دير لاين") in found
    surfaces = {e["text"] for e in out["entities"] if e["type"] == "PER"}
    assert "فون دير لاين" in surfaces
    assert [q["speaker"] for q in out["quotes"]] == ["أورسولا فون دير لاين"] * 2


def test_currency_sub_units(extractor) -> None:
    text = "رفعت الحكومة في الأردن سعر لتر البنزين 15 فلسا، وفي مصر زاد سعر الرغيف 25 قرشا."
    amounts = {(a["unit"], round(a["value"], 6)) for a in run(extractor, text, PUB)["amounts"]}
    assert ("JOD", 0.015) in amounts
    assert ("EGP", 0.25) in amounts
    cents = run(extractor, "ارتفع سعر الغالون 15 سنتا.", PUB)["amounts"]
    assert [(a["unit"], round(a["value"], 6)) for a in cents] == [("USD", 0.15)]
