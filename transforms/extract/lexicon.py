"""Closed word lists shared by the extractors, written in standard spelling and normalized once.

They are the grammar of Arabic news prose that the patterns rely on: function words (which end a
name), titles and roles (which announce one), institutional heads (which start an organisation's
name), place heads, attribution verbs. Being closed classes they are short, and keeping them in
one module lets the person, organisation and quote patterns agree on them.
"""

from __future__ import annotations

from akhbar.transforms.normalize import normalize_fast


def _norm_set(words: str) -> frozenset[str]:
    return frozenset(normalize_fast(w) for w in words.split())


# Single-letter proclitics, and the combinations a noun can carry before its article.
PROCLITICS = ("وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ل", "ك")
VALID_PREFIXES = frozenset(["", *PROCLITICS])
ASSIMILATED_PREFIXES = frozenset(["ل", "ول", "فل"])  # ل + ال -> لل

STOPWORDS = _norm_set(
    """
    في فى من إلى الى على عن مع عند لدى لدي حتى منذ مذ خلال بين بعد قبل أمام امام وراء تحت فوق حول
    ضد عبر نحو لدى دون غير سوى إلا الا لكن لكنه لكنها بل أو او أم ثم إذ إذا اذا إن ان أن أنه أنها
    إنه إنها بأن بان لأن لان كأن لعل ليس ليست كان كانت يكون تكون كانوا قد لقد لن لم لا ما ماذا
    هل كيف متى أين اين أي اي أيا كل بعض جميع كافة كلا كلتا نفس ذات هذا هذه هذان هاتان هؤلاء ذلك
    تلك أولئك هنا هناك هنالك الذي التي الذين اللذين اللتين اللاتي اللواتي اللذان اللتان من ممن مما
    عما فيما بينما كما مثل مثلما حيث حين عندما بينما لما كلما وقد فقد وهو وهي وهم هو هي هم هن أنا
    نحن أنت أنتم انه انها له لها لهم لنا لي به بها بهم فيه فيها فيهم منه منها منهم عنه عنها
    عليه عليها عليهم إليه إليها اليه اليها أيضا ايضا أيضاً فقط جدا أكثر اكثر أقل اقل نحو حوالي
    حوالى قرابة نحو أكثر كذلك وكذلك لذلك ولذلك هكذا إضافة اضافة وفق وفقا حسب بحسب بشأن إزاء تجاه
    يوم أمس اليوم غدا الآن الان عام سنة شهر أسبوع ساعة السنة الشهر الأسبوع ضمن إطار جانب
    أجل تم يتم حيث وذلك كل عدد قرابة زهاء مساء صباح أيام
    و ف ب ل ك يا أيها لدى وفي وفى ومن وإلى والى وعلى وعن ومع فإن فان وإن وان وأن
    """
)

# Words before a name that say a person follows. Definite and bare forms are both listed
# because a construct ("وزير الخارجية") drops the article.
TITLE_HEADS = _norm_set(
    """
    الرئيس رئيس الرئيسة رئيسة رئيسها رئيسه نائب النائب نائبة وزير الوزير وزيرة الوزيرة
    السفير سفير السفيرة القنصل المتحدث متحدث المتحدثة الناطق ناطق الناطقة محافظ المحافظ
    حاكم الحاكم والي الوالي المعتمد معتمد مدير المدير مديرة المديرة الأمين
    عضو العضو الملك الملكة الأمير الأميرة ولي الشيخ الشيخة السيد السيدة الدكتور الدكتورة د
    المهندس المهندسة الأستاذ الأستاذة المستشار المستشارة اللواء العميد العقيد الفريق المشير
    الجنرال القاضي القاضية المحامي المحامية الكاتب الكاتبة الصحفي الصحفية الإعلامي الإعلامية
    الفنان الفنانة المطرب المطربة الممثل الممثلة المخرج المخرجة الشاعر الشاعرة الروائي
    اللاعب اللاعبة المهاجم المدافع الحارس المدرب النجم النجمة الباحث الباحثة الخبير الخبيرة
    الناشط الناشطة البابا الإمام المفتي البطريرك نظيره نظيرته نظيرها نظيرتها معالي سمو سعادة
    فخامة جلالة المبعوث مبعوث المنسق منسق المفوض مفوض قائد القائد زعيم الزعيم مؤسس المؤسس
    مراسلنا مراسل مراسلة الزميل الزميلة المندوب مندوب رئيسها نجم المحلل المحللة محلل محللة
    """
)

# Roles that may follow a name ("حسام عبد الغفار المتحدث باسم الوزارة").
ROLE_AFTER = _norm_set(
    """
    رئيس الرئيس نائب وزير الوزير وزيرة محافظ المحافظ حاكم والي الوالي مدير المدير مديرة
    المتحدث المتحدثة الناطق الناطقة سفير السفير عضو أمين الأمين مستشار المستشار رئيسة
    قائد زعيم مؤسس
    """
)

# Heads that begin an organisation's name ("وزارة الصحة", "البنك المركزي العراقي").
ORG_HEADS = _norm_set(
    """
    وزارة هيئة الهيئة مجلس المجلس اتحاد الاتحاد لجنة اللجنة دائرة غرفة صندوق الصندوق بنك البنك
    مصرف المصرف منظمة المنظمة جامعة الجامعة مستشفى المستشفى مؤسسة المؤسسة جمعية الجمعية نقابة
    النقابة معهد المعهد أكاديمية الأكاديمية محكمة المحكمة وكالة الوكالة مديرية المديرية رئاسة
    حزب الحزب حركة الحركة جبهة الجبهة ائتلاف الائتلاف الديوان ديوان مكتب المكتب جهاز الجهاز
    الإدارة سلطة السلطة بورصة البورصة شرطة الشرطة بعثة البعثة مرصد المرصد كتيبة كتائب
    """
)
# Heads of companies and media: the name after them is the entity, the head is not.
COMPANY_HEADS = _norm_set(
    "شركة الشركة مجموعة المجموعة إذاعة الإذاعة قناة القناة صحيفة الصحيفة نادي النادي فريق الفريق موقع"
)
# Generic nouns that refer back to an organisation already named; not a name on their own.
ANAPHORIC = _norm_set(
    """
    البنك الوزارة الصندوق المصرف الحكومة الدولة الشركة المنظمة البرنامج البلاد المجلس الهيئة
    الاتحاد اللجنة المؤسسة الجامعة الفريق النادي المدينة الولاية المحافظة المنطقة الجمعية
    الحركة الحزب الجهاز الإدارة المكتب الوكالة المستشفى السلطة السلطات الجهات الإقليم
    البرلمان الفريق المنتخب
    """
)

# Heads of administrative areas: the name after them is the place ("محافظة الزرقاء" -> الزرقاء).
PLACE_ADMIN_HEADS = _norm_set(
    """
    مدينة محافظة ولاية معتمدية بلدة قرية إقليم مدينتي محافظتي ولايتي معتمديتي بلدتي إمارة
    منطقة عاصمة
    """
)
# Plural administrative heads that introduce a list of places ("ولايات جوبالاند وبونتلاند").
PLACE_ADMIN_PLURALS = _norm_set("ولايات محافظات معتمديات بلدات مدن قرى أقاليم مقاطعات")
# Heads that are part of a facility's or feature's name ("مخيم جنين", "حقل الشرارة").
PLACE_FACILITY_HEADS = _norm_set(
    """
    مخيم حقل ميناء مطار قصر سد ستاد استاد ملعب مصفاة معبر جسر ميدان ساحة شارع حي جبل نهر
    بحيرة وادي جزيرة خليج مضيق صحراء سجن مرفأ
    """
)

# Attribution verbs: normalized surface (without و/ف) -> lemma shown in the output.
_VERBS = {
    "قال": "قال قالت قالوا",
    "أكد": "أكد أكدت أكدوا مؤكدا مؤكدة مؤكدين",
    "أضاف": "أضاف أضافت مضيفا مضيفة",
    "أوضح": "أوضح أوضحت موضحا موضحة",
    "صرح": "صرح صرحت مصرحا",
    "أشار": "أشار أشارت مشيرا مشيرة",
    "لفت": "لفت لفتت لافتا لافتة",
    "شدد": "شدد شددت مشددا مشددة",
    "أعلن": "أعلن أعلنت معلنا معلنة",
    "اعتبر": "اعتبر اعتبرت معتبرا معتبرة",
    "رأى": "رأى رأت",
    "كشف": "كشف كشفت كاشفا كاشفة",
    "ذكر": "ذكر ذكرت",
    "أفاد": "أفاد أفادت مفيدا",
    "تابع": "تابع تابعت",
    "بين": "بينت مبينا مبينة",
    "نوه": "نوه نوهت منوها منوهة",
    "حذر": "حذر حذرت محذرا محذرة",
    "نفى": "نفى نفت نافيا",
    "توقع": "توقع توقعت متوقعا",
}
ATTRIBUTION_VERBS: dict[str, str] = {
    normalize_fast(form): lemma for lemma, forms in _VERBS.items() for form in forms.split()
}
# Adverbial participles (مؤكدا): their subject is the previous speaker.
PARTICIPLES = frozenset(v for v in ATTRIBUTION_VERBS if v.startswith(("م", "لافت", "كاشف", "ناف")))
# The complement that makes a verb an attribution of speech.
COMPLEMENTS = _norm_set("إن أن بأن أنه أنها أنهم بأنه بأنها بأنهم إنه إنها إنهم")

# Compound given names: "عز الدين", "نور الدين", "عبد الله", "جار الله".
COMPOUND_FIRST = _norm_set(
    "عز نور صلاح نجم علاء سيف شمس بدر جمال كمال محيي تقي خير فخر زين عماد حسام شرف سعد بهاء "
    "ضياء عصام نصر جار عطا فتح حسب"
)
COMPOUND_SECOND = _norm_set("الدين الله الرحمن الرحيم العزيز")
# Currency names (normalized, with their case and plural forms): a place name right after one
# is an adjective ("ليرة سورية"), not a place.
CURRENCY_WORDS = _norm_set(
    "دولار دولارا دولارات يورو جنيه جنيها جنيهات ريال ريالا ريالات درهم دراهم درهما دينار دينارا "
    "دنانير ليرة ليرات شيكل شيقل يوان روبل روبية فرنك"
)
NAME_PARTICLES = _norm_set("بن ابن أبو أبي أبا ولد بنت آل عبد")
# Particles of European names as Arabic news writes them ("أورسولا فون دير لاين", "فان دايك"):
# they continue a name that a transliterated given name opened, and the family name starts there.
FOREIGN_PARTICLES = _norm_set("فون فان دير دي دا دو ديل دوس")
# Honorifics that open a person's name inside a place name ("ستاد الأمير عبدالله الفيصل").
NAME_HONORIFICS = _norm_set("الأمير الملك الشيخ الرئيس الإمام الشهيد السلطان الأميرة الملكة مولاي")
# Heads that precede a country's short name and are not part of it ("سلطنة عمان" -> عمان).
COUNTRY_ADMIN_HEADS = _norm_set("سلطنة جمهورية دولة إمارة مملكة")
# Tokens after "على" that show it is the preposition, not the name علي.
AFTER_ALA = _norm_set(
    """
    أن ان أنه أنها ضرورة هامش رأس مستوى الأقل غرار صعيد خلفية حد نحو الرغم إثر ذلك هذا هذه أهمية
    اعتبار وجه مدى امتداد طول قدم حساب عاتق لسان إثرها
    """
)

# The outlet a statement was given to ("لصحيفة", "للوكالة"): it follows the speaker's words.
_MEDIA = _norm_set("صحيفة وكالة قناة موقع إذاعة مجلة جريدة شبكة")
MEDIA_ADJUNCTS = frozenset(["ل" + m for m in _MEDIA] + ["لل" + m for m in _MEDIA])
