"""Issue 21 on real news text: people without titles, family and first names repeated alone,
organisation and place boundaries next to a person's name, generic nouns that are no names.

The sentences are quoted from JawharaFM articles of the ANT corpus v1.1 (antcorpus/antcorpus.data,
Apache-2.0; Chouigui, Ben Khiroun, Elayeb, AICCSA 2017), document ids in the comments.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.extract.conftest import run

PUB = datetime(2017, 3, 1, 16, 25, tzinfo=UTC)


def entities(extractor, text: str) -> set[tuple[str, str]]:
    return {(e["type"], e["text"]) for e in run(extractor, text, PUB)["entities"]}


def people(extractor, text: str) -> set[str]:
    return {name for type_, name in entities(extractor, text) if type_ == "PER"}


# JA-sport-584-20170301: a match report names every scorer without a title
MATCH = (
    "و إفتتح علاء المرزوقي النتيجة في الدقيقة 8 للنادي الصفاقسي قبل أن يعدل البرازيلي دياغو "
    "أكوستا الكفة للنجم الساحلي في الدقيقة 9 و أضاف واليو نداي الهدف الثاني للنادي الصفاقسي في "
    "الدقيقة 20 فيما سجل حمزة لحمر الهدف الثاني للنجم من ضربة جزاء في الدقيقة 34 و تمكن كريم "
    "العواضي من حسم المقابلة لصالح فريق عاصمة الجنوب بعد تسجيله الهدف الثالث من ضربة جزاء في "
    "الدقيقة 77 . يشار أن المقابلة قد شهدت إقصاء لاعب النادي الصفاقسي محمود بن صالح في الدقيقة "
    "الأخيرة من عمر اللقاء."
)
# JA-sport-40-20170123: a list of athletes, names only
ATHLETES = (
    "وأحرز ياسين الطرابلسي ذهبية اللاعب  وزن أقل من 87 كغ في حين نال محمد القرامي فضية وزن اقل "
    "من 54 كغ  ونالت الميدالية البرونزية رحمة بن علي في وزن أقل من 53 كغ . وضمت بعثة تونس في "
    "ألمانيا 7 مصارعين و هم:  ياسين الطرابلسي وزن أقل 87 كغ ـ  الهادي النفاتي وزن أقل 63 كغ ـ "
    "فادية الفرجاني وزن 49 كغ - إكرام الظاهري وزن 49 كغ ـ  رحمة بن علي وزن 53 كغ ـ محمد قرامي "
    "وزن  54 كغ  ـ  سيف الطرابلسي وزن 74 كغ."
)


def test_players_named_without_a_title(extractor) -> None:
    found = people(extractor, MATCH)
    assert {"علاء المرزوقي", "حمزة لحمر", "كريم العواضي", "محمود بن صالح"} <= found


def test_athletes_named_in_a_list(extractor) -> None:
    found = people(extractor, ATHLETES)
    expected = {"ياسين الطرابلسي", "محمد القرامي", "رحمة بن علي", "الهادي النفاتي"}
    assert expected | {"فادية الفرجاني", "إكرام الظاهري", "سيف الطرابلسي"} <= found
    assert "محمد" not in found  # "محمد قرامي" is another spelling, not "محمد" alone
    assert ("ORG", "بعثة تونس") not in entities(extractor, ATHLETES)  # a delegation


def test_family_name_alone_after_the_full_name(extractor) -> None:
    # JA-localNews-3954-20170512
    text = (
        "قال رئيس الحكومة يوسف الشاهد إن تونس بلد فلاحي بامتياز.\n"
        "وأكد الشاهد في تصريح لمراسلة الجوهرة اف ام أن الحكومة متجهة إلى دعم قطاع الفلاحة."
    )
    out = run(extractor, text, PUB)["entities"]
    surnames = [e for e in out if e["text"] == "الشاهد"]
    assert surnames and all(e["type"] == "PER" for e in surnames)
    assert {e["normalized"] for e in surnames} == {"يوسف الشاهد"}


def test_first_name_alone_after_the_full_name(extractor) -> None:
    text = "سجل علاء المرزوقي الهدف الأول في الدقيقة 8. وأضاف علاء الهدف الثاني بعد دقائق."
    out = run(extractor, text, PUB)["entities"]
    assert [(e["text"], e["normalized"]) for e in out if e["type"] == "PER"] == [
        ("علاء المرزوقي", "علاء المرزوقي"),
        ("علاء", "علاء المرزوقي"),
    ]


@pytest.mark.parametrize(
    ("text", "organisation", "person"),
    [
        # JA-localNews-2643-20150512
        (
            "اكد كاتب عام النقابة الاساسية للمستشفى كمال البوزيدي أن إطارات وأعوان المستشفى",
            "النقابة الاساسية للمستشفى",
            "كمال البوزيدي",
        ),
        # JA-localNews-3528-20170416
        (
            "كما أفاد كاتب عام النقابة العامة للاعلام محمد السعيدي، في تصريح لـوكالة تونس "
            "افريقيا للأنباء، أن الإضراب قائم",
            "النقابة العامة للاعلام",
            "محمد السعيدي",
        ),
        # JA-sport-576-20161021
        (
            "طبيعة العلاقة التي تربطه برئيس الاتحاد الجزائري محمد روراوة و رئيس الاتحاد الليبي",
            "الاتحاد الجزائري",
            "محمد روراوة",
        ),
    ],
)
def test_an_organisation_ends_before_the_person_who_follows_it(
    extractor, text: str, organisation: str, person: str
) -> None:
    found = entities(extractor, text)
    assert ("ORG", organisation) in found and ("PER", person) in found


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # JA-localNews-1003-20170114
        ("تتمركز في مختلف مداخل شارع الحبيب بورقيبة.", ("LOC", "شارع الحبيب بورقيبة")),
        # JA-localNews-2068-20160114
        ("وستنطلق المسيرة من أمام ملعب الطيب المهيري بصفاقس", ("LOC", "ملعب الطيب المهيري")),
        # JA-internationalNews-1036-20170601
        (
            "خلال عملية تفقد صالات العمرة بمطار الملك عبدالعزيز الدولي بجدة",
            ("LOC", "مطار الملك عبدالعزيز الدولي"),
        ),
        # JA-localNews-1300-20160329
        ("بقسم الأمراض الجلدية بمستشفى الهادي شاكر بصفاقس", ("ORG", "مستشفى الهادي شاكر")),
    ],
)
def test_places_named_after_a_person_keep_the_whole_name(extractor, text: str, place) -> None:
    found = entities(extractor, text)
    assert place in found
    assert not any(type_ == "PER" for type_, _ in found)


@pytest.mark.parametrize(
    ("text", "generic"),
    [
        ("وقال إن الجهاز الفني منح اللاعبين راحة", "الجهاز الفني"),
        ("لعب الفريق الزائر بشجاعة", "الفريق الزائر"),
        ("من بينها الشركة الناشئة التي تأسست في المنامة", "الشركة الناشئة"),
        ("بعد موافقة المجلس التنفيذي للصندوق على المراجعة", "المجلس التنفيذي للصندوق"),
    ],
)
def test_generic_heads_are_not_organisations(extractor, text: str, generic: str) -> None:
    assert not any(type_ == "ORG" for type_, _ in entities(extractor, text)), generic


def test_a_name_after_a_generic_head_is_the_organisation(extractor) -> None:
    found = entities(extractor, "من بينها الشركة الناشئة «رين» التي تأسست في المنامة")
    assert ("ORG", "رين") in found and ("ORG", "الشركة الناشئة") not in found


def test_a_list_of_names_joined_by_wa(extractor) -> None:
    # JA-culture-13-20161204: a cast list, each name after the first glued to و
    text = (
        "يجمع هذا الفيلم الكوميدي 13 ممثلا تونسيا هم فاطمة بن سعيدان وجميلة الشيحي ونعيمة "
        "الجاني ونادية بوستة ومريم بن شعبان وسنية بن جمعة وسناء الزين رستم وكنزة بن ذياب"
    )
    out = [e for e in run(extractor, text, PUB)["entities"] if e["type"] == "PER"]
    names = {e["text"] for e in out}
    assert {"جميلة الشيحي", "نعيمة الجاني", "نادية بوستة", "مريم بن شعبان"} <= names
    assert all(not name.startswith("و") for name in names)  # the conjunction stays outside
