"""entities.py / persons.py / heads.py: people, organisations and places, with exact offsets."""

from __future__ import annotations

import pytest

from akhbar.transforms.extract import ExtractConfig
from akhbar.transforms.extract.engine import Extractor
from tests.extract.conftest import entity_set, run


def people(extractor, text: str) -> set[str]:
    return {e["text"] for e in run(extractor, text)["entities"] if e["type"] == "PER"}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("وقال وزير المالية أحمد كجوك، في بيان، إن العجز تراجع", "أحمد كجوك"),
        ("أكد الرئيس عبد المجيد تبون أن الجزائر ماضية", "عبد المجيد تبون"),
        ("وقال السفير الصيني بالقاهرة، لياو ليتشانج إن الصين", "لياو ليتشانج"),
        ("والتقى وزير الخارجية التركي هاكان فيدان في الدوحة", "هاكان فيدان"),
        ("وقالت المتحدثة باسم البرنامج ليني كينزلي إن المنظمة", "ليني كينزلي"),
        ("أكد الشيخ محمد بن عبدالرحمن بن جاسم آل ثاني أن", "محمد بن عبدالرحمن بن جاسم آل ثاني"),
        ("وأكد الأمير عبدالعزيز بن سلمان أن القرار", "عبدالعزيز بن سلمان"),
        ("أفاد وزير الفلاحة عز الدين بن الشيخ بأن", "عز الدين بن الشيخ"),
        ("وقال حسام عبد الغفار المتحدث باسم الوزارة إن", "حسام عبد الغفار"),
        ("وقال محافظ البنك علي محسن العلاق إن الاحتياطيات", "علي محسن العلاق"),
        ("ومن المقرر أن يزور رئيس الوزراء محمد شياع السوداني أنقرة", "محمد شياع السوداني"),
        ("بحضور خالد محمد بالعمى محافظ المصرف", "خالد محمد بالعمى"),
        ("وقال الدكتور وسام بكر إن ثلاثة", "وسام بكر"),
    ],
)
def test_person_patterns(extractor, text: str, name: str) -> None:
    assert name in people(extractor, text)


@pytest.mark.parametrize(
    "text",
    [
        "وألقى الرئيس الصيني كلمة في المؤتمر",
        "وقال وزير الخارجية الصيني طرح مبادرة",
        "اللاعب سينضم إلى معسكر الفريق",
        "وتقدم الرئيس بالشكر للأصدقاء",
        "قال على هامش المؤتمر إن",
    ],
)
def test_titles_without_a_name_give_no_person(extractor, text: str) -> None:
    assert people(extractor, text) == set()


def test_names_propagate_to_later_bare_mentions(extractor) -> None:
    out = run(
        extractor, "قال وزير المالية أحمد كجوك إن العجز تراجع. وأضاف كجوك أن الاحتياطي ارتفع."
    )
    persons = [(e["text"], e["normalized"]) for e in out["entities"] if e["type"] == "PER"]
    assert persons == [("أحمد كجوك", "احمد كجوك"), ("كجوك", "احمد كجوك")]


def test_organisation_and_place_heads(extractor) -> None:
    found = entity_set(
        run(
            extractor,
            "أعلنت وزارة الطاقة السعودية أن مخيم جنين ومحافظة الزرقاء وغرفة تجارة وصناعة نابلس "
            "والمؤسسة الوطنية للنفط وشركة نفط البصرة ومجموعة إيني الإيطالية وحقل الشرارة",
        )
    )
    assert {
        ("ORG", "وزاره الطاقه السعوديه"),
        ("LOC", "مخيم جنين"),
        ("LOC", "الزرقاء"),
        ("ORG", "غرفه تجاره وصناعه نابلس"),
        ("ORG", "المؤسسه الوطنيه للنفط"),
        ("ORG", "نفط البصره"),
        ("ORG", "ايني"),
        ("LOC", "حقل الشراره"),
    } <= found


def test_anaphoric_and_verbal_chains_are_not_organisations(extractor) -> None:
    found = entity_set(
        run(extractor, "وأضاف أن البنك يتوقع استمرار التباطؤ وأن البنك قرر الإبقاء على الفائدة")
    )
    assert not [e for e in found if e[0] == "ORG"]


def test_currency_adjective_is_not_a_place(extractor) -> None:
    found = entity_set(run(extractor, "حدد سعر الدولار عند 11 ألف ليرة سورية"))
    assert ("LOC", "سوريا") not in found


def test_offsets_always_point_at_the_entity_text(extractor) -> None:
    text = (
        "قال السفيرُ الصينى بالقاهرة، لياو ليتشانج إن الصّين قدمت الدعم للصين ولمصرَ، "
        "وألتقى ﻻعبين من تونس والرئيس عبد الفتاح السيسى."
    )
    out = run(extractor, text)
    assert out["entities"]
    for entity in out["entities"]:
        assert text[entity["start"] : entity["end"]] == entity["text"]
        assert set(entity) == {"text", "normalized", "type", "start", "end"}
        assert entity["type"] in ("PER", "ORG", "LOC")
    assert out["places"] == ["القاهره", "الصين", "مصر", "تونس"]


def test_the_person_list_can_be_switched_off() -> None:
    with_list = Extractor(ExtractConfig())
    without = Extractor(ExtractConfig(person_list=False))
    text = "ودعا أردوغان إلى التهدئة"
    assert ("PER", "رجب طيب اردوغان") in entity_set(with_list.fields(text, _now()))
    assert not [e for e in entity_set(without.fields(text, _now())) if e[0] == "PER"]


def _now():
    from tests.extract.conftest import PUBLISHED

    return PUBLISHED
