"""quotes.py: speaker, its type and the verb of each attribution."""

from __future__ import annotations

from tests.extract.conftest import run


def quotes(extractor, text: str) -> list[tuple[str | None, str, str]]:
    return [(q["speaker"], q["speaker_type"], q["verb"]) for q in run(extractor, text)["quotes"]]


def test_speaker_after_verb_and_title(extractor) -> None:
    text = "وقال وزير المالية أحمد كجوك، في بيان صحفي، إن الحكومة تستهدف خفض العجز."
    assert quotes(extractor, text) == [("أحمد كجوك", "PER", "قال")]


def test_organisation_speaker(extractor) -> None:
    text = "أعلنت وزارة المالية المصرية، اليوم الثلاثاء، أن مصر تسلمت شريحة جديدة."
    assert quotes(extractor, text) == [("وزارة المالية المصرية", "ORG", "أعلن")]


def test_pronoun_subjects_and_participles_continue_the_speaker(extractor) -> None:
    text = (
        "قال السفير الصيني بالقاهرة، لياو ليتشانج إن الصين عقدت المؤتمر، مشيرا إلى أن القاهرة "
        "تضامنت مع بكين.\nوأضاف في المؤتمر أن الرئيس تقدم بالتعازي، مؤكدا أن بلاده شفافة."
    )
    assert quotes(extractor, text) == [
        ("لياو ليتشانج", "PER", "قال"),
        ("لياو ليتشانج", "PER", "أشار"),
        ("لياو ليتشانج", "PER", "أضاف"),
        ("لياو ليتشانج", "PER", "أكد"),
    ]


def test_title_refers_back_to_the_named_person(extractor) -> None:
    text = (
        "وصرح السفير محمد الشناوي المتحدث الرسمي باسم رئاسة الجمهورية بأن الاجتماع ناجح.\n"
        "وأشار المتحدث إلى أن التبادل التجاري ارتفع."
    )
    assert [q[0] for q in quotes(extractor, text)] == ["محمد الشناوي", "محمد الشناوي"]


def test_unnamed_source(extractor) -> None:
    text = "وأوضح معاون وزير الاقتصاد، في تصريح لـ سانا اليوم، أن الرسوم حددت بنسبة 20 بالمئة."
    assert quotes(extractor, text) == [("معاون وزير الاقتصاد", "UNK", "أوضح")]


def test_colon_and_quotation_marks(extractor) -> None:
    text = "وقال خالد حميدان: «نتوقع استثمارات كبيرة هذا العام»."
    [quote] = run(extractor, text)["quotes"]
    assert (quote["speaker"], quote["verb"]) == ("خالد حميدان", "قال")
    assert quote["text"] == "«نتوقع استثمارات كبيرة هذا العام»"
    assert text[quote["start"] : quote["end"]] == quote["text"]


def test_no_speech_complement_no_quote(extractor) -> None:
    assert quotes(extractor, "أعلن النادي الأهلي تعاقده مع المهاجم") == []
    assert quotes(extractor, "كشف الوزير عن تطعيم مليون طفل") == []
    assert quotes(extractor, "وتقدم بالشكر، معربا عن تقديره للجهود") == []


def test_quote_offsets_are_inside_the_text(extractor) -> None:
    text = "وقالت المتحدثة باسم البرنامج ليني كينزلي إن المنظمة تحتاج 400 مليون دولار"
    [quote] = run(extractor, text)["quotes"]
    assert quote["speaker"] == "ليني كينزلي"
    assert text[quote["start"] : quote["end"]] == quote["text"]
    assert quote["text"].startswith("إن المنظمة")
