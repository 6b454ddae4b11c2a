"""Issue 21, round 4: rules generalised from the errors of the second held-out split (read once
its blind scores were recorded), of dev and of unannotated ANT articles. Each sentence is
written for the test in the style of the article that showed the error class, not copied."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.extract.conftest import entity_set, run

PUB = datetime(2026, 5, 6, 9, 0, tzinfo=UTC)


def test_a_country_adjective_after_a_rare_name_is_not_part_of_the_organisation(
    extractor,
) -> None:
    text = "وقال المحلل في بنك نومورا الياباني كينجي أوكادا إن الين سيتراجع."
    out = run(extractor, text, PUB)
    found = entity_set(out)
    assert ("ORG", "بنك نومورا") in found
    assert ("ORG", "بنك نومورا الياباني") not in found
    # المحلل is a title: the transliterated name after the organisation is the speaker
    assert ("PER", "كينجي اوكادا") in found
    assert [q["speaker"] for q in out["quotes"]] == ["كينجي أوكادا"]


def test_a_status_adjective_ends_the_name_of_a_party(extractor) -> None:
    text = (
        "وفاز حزب تاكادوم الحاكم بأغلبية المقاعد، فيما رفض التحالف الوطني الديمقراطي المعارض "
        "الأحزاب الصغيرة النتائج."
    )
    found = entity_set(run(extractor, text, PUB))
    assert ("ORG", "حزب تاكادوم") in found
    assert not any(t == "ORG" and "الحاكم" in n for t, n in found)
    assert not any(t == "ORG" and n.endswith(("المعارض", "الصغيره")) for t, n in found)


def test_a_kunya_or_abd_name_after_an_organisation_starts_the_next_person(extractor) -> None:
    text = (
        "وقال مدير هيئة الطيران المدني أبو بكر حسن علي إن المطار جاهز، "
        "وأكد رئيس لجنة الأولمبياد الوطنية عبد الكريم صالح أن الاستعدادات انتهت."
    )
    found = entity_set(run(extractor, text, PUB))
    assert ("ORG", "هيئه الطيران المدني") in found
    assert ("PER", "ابو بكر حسن علي") in found
    assert not any(t == "ORG" and ("ابو" in n or "عبد" in n) for t, n in found)


def test_chaired_by_a_person_is_no_organisation(extractor) -> None:
    text = (
        "واستقبل الوزير وفدا من البنك الدولي برئاسة كاترينا سوبوليفا، "
        "ثم اجتمع بلجنة برئاسة الدكتور منير الطرابلسي."
    )
    found = entity_set(run(extractor, text, PUB))
    assert not any(t == "ORG" and n.startswith(("رئاسه", "برئاسه")) for t, n in found)
    assert ("PER", "منير الطرابلسي") in found


def test_generic_heads_and_activities_are_no_organisations(extractor) -> None:
    text = (
        "وتوقفت حركة المرور ساعتين بينما حاولت الشرطة التدخل، ونشرت الهيئة المديرة للنادي "
        "بيانا على موقع التواصل الاجتماعي فيسبوك، وتأهل الفريق إلى المجموعة الثانية، "
        "واجتمع المكتب السياسي للحركة. وقالت هيئة حقوقية مقرها جنيف إن العدد ارتفع، "
        "وأشارت المنظمة لهذا العام إلى نقص التمويل."
    )
    found = entity_set(run(extractor, text, PUB))
    orgs = {n for t, n in found if t == "ORG"}
    assert ("ORG", "فيسبوك") in found
    for generic in (
        "حركه المرور",
        "الشرطه التدخل",
        "الهيئه المديره",
        "موقع التواصل الاجتماعي فيسبوك",
        "المجموعه الثانيه",
        "المكتب السياسي",
    ):
        assert generic not in orgs, generic
    assert not any("مقرها" in n or "لهذا" in n for n in orgs), orgs


def test_a_security_team_of_a_president_is_not_an_organisation(extractor) -> None:
    text = "واعتقلت الشرطة أعضاء في الفريق الأمني للرئيس البرازيلي لولا دا سيلفا."
    found = entity_set(run(extractor, text, PUB))
    assert not any(t == "ORG" and "الفريق" in n for t, n in found)


def test_the_preposition_ala_before_a_noun_that_is_also_a_name(extractor) -> None:
    text = (
        "وحصلت الحكومة الفيدرالية على منحة قدرها 20 مليون دولار، "
        "وقال خبير التجميل إن الصبغة تستخدم للحصول على مظهر أشقر فاتح."
    )
    found = entity_set(run(extractor, text, PUB))
    assert not any(t == "PER" for t, _ in found), found


def test_a_feast_is_not_a_person_and_a_father_name_that_is_a_word_continues(extractor) -> None:
    text = (
        "ويتوقع التجار أن ترتفع الأسعار قبل عيد النوروز. "
        "وافتتح رئيس الوزراء عبد الرحمن كامل أحمد المعرض."
    )
    found = entity_set(run(extractor, text, PUB))
    assert not any("عيد" in n for _, n in found)
    assert ("PER", "عبد الرحمن كامل احمد") in found


def test_a_transliterated_name_before_the_reported_speech(extractor) -> None:
    text = (
        "وأوضح خبير الأزياء الباريسي إيفاريست لوبواتييه لصحيفة لوموند أن اللون عاد. "
        "وأضاف لوبواتييه أن الموضة تتغير."
    )
    out = run(extractor, text, PUB)
    assert ("PER", "ايفاريست لوبواتييه") in entity_set(out)
    assert [q["speaker"] for q in out["quotes"]] == ["إيفاريست لوبواتييه"] * 2


def test_a_participle_takes_the_subject_of_its_own_sentence(extractor) -> None:
    text = (
        "وقال محافظ البنك المركزي جون ماكدونالد إن التضخم تراجع. "
        "من جهتها، رحبت وزيرة المالية سارة كولينز بالقرار، مشيرة إلى أن الحكومة ستخفض الإنفاق."
    )
    speakers = [q["speaker"] for q in run(extractor, text, PUB)["quotes"]]
    assert speakers == ["جون ماكدونالد", "سارة كولينز"]


def test_a_source_of_facts_is_not_a_quote_and_time_words_leave_the_speaker(extractor) -> None:
    text = (
        'وقع الانفجار في محطة القطارات، وفق ما ذكرت وكالة "إنترفاكس" الروسية. '
        "وقال مسؤولون أوروبيون الخميس إن التحقيق بدأ."
    )
    speakers = [q["speaker"] for q in run(extractor, text, PUB)["quotes"]]
    assert speakers == ["مسؤولون اوروبيون"]


def test_more_currencies_and_digits_joined_to_a_scale_word(extractor) -> None:
    text = (
        "بلغ سعر الدولار مليونا و200 ألف ريال إيراني، وتراجع الين إلى 150 ينا للدولار، "
        "وخصصت الحكومة 25 مليار فرنك جيبوتي و400 مليار فرنك أفريقي للبنية التحتية."
    )
    amounts = {(a["unit"], a["value"]) for a in run(extractor, text, PUB)["amounts"]}
    assert ("IRR", 1_200_000.0) in amounts
    assert ("JPY", 150.0) in amounts
    assert ("DJF", 25e9) in amounts
    assert ("XOF", 400e9) in amounts
    assert not any(unit == "CHF" for unit, _ in amounts)


def test_unannotated_ant_false_positives(extractor) -> None:
    """Read in the output on JawharaFM articles: a role after an organisation, a describing
    adjective after a company head, an adjective that is also a title, a head word that is no
    name and a verb glued to و after a team."""
    text = (
        "وأكد العضو المؤسس لحركة الأمل والوزير السابق في الحكومة أن الحزب مستعد. "
        "وقال الفريق المبتكر للتطبيق إن النسخة جاهزة. "
        "وبادرت الهيئة المديرة بتكليف المدرب بتدريب الفريق وعززت الإطار الفني. "
        "وشارك وزير الفلاحة في حكومة الوحدة الوطنية برئاسة يوسف الشاهد في الاجتماع."
    )
    found = entity_set(run(extractor, text, PUB))
    orgs = {n for t, n in found if t == "ORG"}
    people = {n for t, n in found if t == "PER"}
    assert not any("والوزير" in n for n in orgs), orgs
    assert "الفريق المبتكر" not in orgs
    assert "وعززت" not in orgs | people
    assert not any(n.startswith(("بتكليف", "برئاسه")) for n in people), people
    assert "يوسف الشاهد" in people


def test_a_quoted_name_after_any_head_and_a_dateline_ending_with_a_colon(extractor) -> None:
    text = (
        "باريس - «الشرق الجديد»:\n"
        'تراجع الريال، وفق ما نقلت وكالة «مهر» عن تجار، ونقلت وكالة "إيسنا" الإيرانية عن '
        "مسؤول قوله إن الأسعار سترتفع."
    )
    found = entity_set(run(extractor, text, PUB))
    assert {("ORG", "الشرق الجديد"), ("ORG", "مهر"), ("ORG", "ايسنا")} <= found


def test_a_body_named_again_by_its_head_speaks_as_itself(extractor) -> None:
    text = (
        "وأعلنت شرطة مدريد يوم الأربعاء القبض على رجلين. وأوضحت الشرطة أن التحقيق مستمر. "
        "وقالت وزارة النقل إن الطريق مغلق، وأضافت الوزارة أن الأشغال ستنتهي قريبا."
    )
    speakers = [q["speaker"] for q in run(extractor, text, PUB)["quotes"]]
    assert speakers == ["شرطة مدريد", "وزارة النقل", "وزارة النقل"]


def test_a_deputy_for_a_place_still_speaks(extractor) -> None:
    text = "وحذر النائب عن أصفهان في البرلمان الإيراني حسين مرادي من أن الأسعار سترتفع."
    speakers = [q["speaker"] for q in run(extractor, text, PUB)["quotes"]]
    assert speakers == ["حسين مرادي"]


def test_numbers_glued_to_a_preposition_or_after_a_colon_and_ages(extractor) -> None:
    text = (
        "وفاز الفريق بثلاثة أهداف، وتقرر فتح المعبر لخمسة أشهر، وفاز الحزب بـ87 مقعدا. "
        "وتوفي الرجل البالغ من العمر 64 عاما. وبلغ العدد في ولاية صفاقس: 14 ألف و862 سيارة، "
        "ورصدت الحكومة بألف مليون دينار للمشروع."
    )
    amounts = {(a["unit"], a["value"]) for a in run(extractor, text, PUB)["amounts"]}
    for expected in (
        ("COUNT", 3.0),
        ("COUNT", 5.0),
        ("COUNT", 87.0),
        ("COUNT", 64.0),
        ("COUNT", 14862.0),
    ):
        assert expected in amounts, expected
    assert any(unit != "COUNT" and value == 1e9 for unit, value in amounts), amounts


def test_a_bare_month_after_bihulul_and_this_year_with_lam(extractor) -> None:
    text = "وقد يتجاوز التضخم 40 في المئة بحلول أبريل/نيسان، وطلبت المنظمة التمويل لهذا العام."
    dates = {
        (d["value"].isoformat(), d["granularity"])
        for d in run(extractor, text, PUB)["dates_mentioned"]
    }
    assert ("2026-04-01", "month") in dates
    assert ("2026-01-01", "year") in dates


def test_observatories_and_brigades_are_organisations(extractor) -> None:
    text = (
        "وقال المرصد اليمني لحقوق الإنسان إن كتيبة شهداء الجبل التابعة للجيش انسحبت، "
        "فيما أعلنت كتائب المقاومة الوطنية أنها ستواصل القتال."
    )
    orgs = {n for t, n in entity_set(run(extractor, text, PUB)) if t == "ORG"}
    assert "المرصد اليمني لحقوق الانسان" in orgs
    assert "كتيبه شهداء الجبل" in orgs
    assert not any("التابعه" in n for n in orgs)


def test_places_listed_after_a_plural_administrative_head(extractor) -> None:
    text = (
        "ووزعت المساعدات في ولايات هيرشبيلي وجلمدغ وبونتلاند، كما شملت معتمديات فريانة "
        "وجدليان، بالإضافة إلى مدن كثيرة."
    )
    places = {n for t, n in entity_set(run(extractor, text, PUB)) if t == "LOC"}
    assert {"هيرشبيلي", "جلمدغ", "بونتلاند", "فريانه", "جدليان"} <= places, places
    assert not any(n in ("كثيره", "بالاضافه") for n in places)


def test_the_parliament_is_a_generic_reference(extractor) -> None:
    """GUIDELINES, entities rule 8 (dev gold ma-02, heldout2 sn-01): "البرلمان" alone is a
    generic reference like "الحكومة", not an organisation's name."""
    found = entity_set(run(extractor, "وكان الرئيس قد حل البرلمان في سبتمبر الماضي.", PUB))
    assert ("ORG", "البرلمان") not in found


def test_maghrebi_given_names_with_the_article_and_more_foreign_given_names(extractor) -> None:
    text = (
        "وأكد المولدي الزواوي أن الإضراب متواصل، فيما نقل المصاب إلى المستشفى الجامعي "
        "الطاهر صفر بالمهدية. وحضر اللقاء جيرار كولومب وفرانسواز أولسن."
    )
    found = entity_set(run(extractor, text, PUB))
    assert ("PER", "المولدي الزواوي") in found
    assert ("ORG", "المستشفي الجامعي الطاهر صفر") in found
    assert ("PER", "جيرار كولومب") in found
    assert ("PER", "فرانسواز اولسن") in found


def test_a_former_head_of_state_with_a_common_family_name(extractor) -> None:
    """السبسي is too common in the Tunisian reference corpus for the rules to take it as a
    family name; the curated list of heads of state names him."""
    text = "قال رئيس الجمهورية، الباجي قائد السبسي إنه سيعفو عن الشبان. وأكد رئيس الجمهورية أنه سيتم ذلك."
    out = run(extractor, text, PUB)
    assert ("PER", "الباجي قائد السبسي") in {(e["type"], e["text"]) for e in out["entities"]}
    assert [q["speaker"] for q in out["quotes"]] == ["الباجي قائد السبسي"] * 2


def test_a_relative_with_the_family_name_of_a_listed_person(extractor) -> None:
    text = (
        "ألقى الرئيس إيمانويل ماكرون خطابا في باريس. وكانت بريجيت ماكرون قد صرحت بأن الحفل "
        "سيقام في الإليزيه، فيما وصل نجل ماكرون متأخرا. وقال ماكرون إن فرنسا مستعدة."
    )
    out = run(extractor, text, PUB)
    people = {e["text"] for e in out["entities"] if e["type"] == "PER"}
    assert "بريجيت ماكرون" in people
    assert not any(p.startswith("نجل") for p in people)
    assert [q["speaker"] for q in out["quotes"]] == ["بريجيت ماكرون", "إيمانويل ماكرون"]


def test_a_capital_named_with_its_country_is_the_place_alone(extractor) -> None:
    text = "وألقى خطابا في واشنطن العاصمة، ثم سافر إلى تونس العاصمة."
    places = {e["text"] for e in run(extractor, text, PUB)["entities"] if e["type"] == "LOC"}
    assert places == {"واشنطن", "تونس"}


def test_secretary_general_site_of_an_event_and_words_after_a_known_organisation(
    extractor,
) -> None:
    """From the ANT output: "الأمين العام" was a person (أمين is a given name), "موقع الحادث"
    an organisation, and a known name swallowed the verb's object or a participle after it."""
    text = (
        "وقال الأمين العام المساعد للاتحاد العام التونسي للشغل سامي الطاهري إن الإضراب قائم. "
        "وتحولت فرق الحماية المدنية إلى موقع الحادث، ونشر موقع الجوهرة أف أم الخبر، "
        "وقال مكتب الأمم المتحدة لخدمات المشاريع إن التمويل تأخر."
    )
    found = entity_set(run(extractor, text, PUB))
    people = {n for t, n in found if t == "PER"}
    orgs = {n for t, n in found if t == "ORG"}
    assert "سامي الطاهري" in people
    assert not any("العام" in n for n in people), people
    assert not any(n.startswith("موقع") for n in orgs), orgs
    assert not any(n.endswith("الخبر") for n in orgs), orgs
    assert "مكتب الامم المتحده لخدمات المشاريع" in orgs


def test_definite_numbers_after_their_noun_and_numbers_of_texts(extractor) -> None:
    """dev gold (kw-01, mr-01): "السنوات الخمس" counts; from ANT: "القانون عدد 33 لسنة 2004"
    and "الجولة الثامنة عشرة" are a text's number and an ordinal, "إيقاف عدد 5 عناصر" counts."""
    text = (
        "وتضاعفت الودائع خلال السنوات الخمس الماضية، وتم إيقاف عدد 7 عناصر، وفق القانون عدد "
        "52 لسنة 1992 والأمر عدد 717 المؤرخ في جوان، في الجولة الثامنة عشرة من الدوري."
    )
    amounts = {(a["unit"], a["value"]) for a in run(extractor, text, PUB)["amounts"]}
    assert amounts == {("COUNT", 5.0), ("COUNT", 7.0)}, amounts
