"""The shared synonym step: British and American spellings and the common names of countries.

A query word is searched as itself or any of its variants (on both databases, as the query is
built here); the indexed text is left as written. Words are folded (see text.fold).
"""

import re

# (British, American) beginnings of words: a word starting with one also matches the other
# ("behavioural" -> "behavioral", "programmes" -> "programs", "centred" -> "centered").
SPELLING_PAIRS = (
    ("behaviour", "behavior"),
    ("colour", "color"),
    ("favour", "favor"),
    ("flavour", "flavor"),
    ("harbour", "harbor"),
    ("honour", "honor"),
    ("humour", "humor"),
    ("labour", "labor"),
    ("neighbour", "neighbor"),
    ("rumour", "rumor"),
    ("vigour", "vigor"),
    ("endeavour", "endeavor"),
    ("rigour", "rigor"),
    ("savour", "savor"),
    ("tumour", "tumor"),
    ("vapour", "vapor"),
    ("armour", "armor"),
    ("centre", "center"),
    ("metre", "meter"),
    ("litre", "liter"),
    ("fibre", "fiber"),
    ("theatre", "theater"),
    ("calibre", "caliber"),
    ("sombre", "somber"),
    ("spectre", "specter"),
    ("defence", "defense"),
    ("offence", "offense"),
    ("licence", "license"),
    ("pretence", "pretense"),
    ("catalogue", "catalog"),
    ("dialogue", "dialog"),
    ("analogue", "analog"),
    ("prologue", "prolog"),
    ("programme", "program"),
    ("tonne", "ton"),
    ("travell", "travel"),
    ("modell", "model"),
    ("labell", "label"),
    ("cancell", "cancel"),
    ("fuell", "fuel"),
    ("counsell", "counsel"),
    ("signall", "signal"),
    ("levell", "level"),
    ("channell", "channel"),
    ("totall", "total"),
    ("jewell", "jewel"),
    ("marshall", "marshal"),
    ("enrolment", "enrollment"),
    ("fulfilment", "fulfillment"),
    ("skilful", "skillful"),
    ("wilful", "willful"),
    ("judgement", "judgment"),
    ("ageing", "aging"),
    ("grey", "gray"),
    ("aluminium", "aluminum"),
    ("mould", "mold"),
    ("plough", "plow"),
    ("sceptic", "skeptic"),
    ("cheque", "check"),
    ("draught", "draft"),
    ("paediatric", "pediatric"),
    ("anaesthe", "anesthe"),
    ("haemo", "hemo"),
    ("oestrogen", "estrogen"),
    ("encyclopaedia", "encyclopedia"),
    ("manoeuvr", "maneuver"),
    ("orthopaedic", "orthopedic"),
    ("foetus", "fetus"),
    ("leukaemia", "leukemia"),
    ("diarrhoea", "diarrhea"),
)
# -ise/-ize and -yse/-yze endings, both ways ("organisation" <-> "organization", "analyse" <-> "analyze").
ISE = re.compile(r"^(\w{3,}?)is(e|ed|es|er|ers|ing|ation|ations|ational)$")
IZE = re.compile(r"^(\w{3,}?)iz(e|ed|es|er|ers|ing|ation|ations|ational)$")
YSE = re.compile(r"^(\w{3,}?)ys(e|ed|es|ing)$")
YZE = re.compile(r"^(\w{3,}?)yz(e|ed|es|ing)$")

# Names a country or union goes by besides the one the library spells: each group finds the
# others. The library holds the ISO names (`cases/data/countries.csv`) and codes.
NAME_GROUPS = (
    ("united states", "usa", "us", "u s", "united states of america", "america"),
    ("united kingdom", "uk", "gb", "great britain", "britain"),
    ("turkiye", "turkey"),
    ("netherlands", "holland"),
    ("czechia", "czech republic"),
    ("korea republic of", "south korea"),
    ("russian federation", "russia"),
    ("viet nam", "vietnam"),
    ("cote d ivoire", "ivory coast"),
    ("eswatini", "swaziland"),
    ("myanmar", "burma"),
    ("european union", "eu"),
    ("united arab emirates", "uae"),
)
NAMES = {name: group for group in NAME_GROUPS for name in group}


def spelling_variants(word):
    """The other spellings of a folded word (without the word itself), British and American."""
    variants = set()
    for british, american in SPELLING_PAIRS:
        if word.startswith(british):
            variants.add(american + word[len(british) :])
        elif word.startswith(american):
            variants.add(british + word[len(american) :])
    for pattern, letters in ((ISE, "iz"), (IZE, "is"), (YSE, "yz"), (YZE, "ys")):
        match = pattern.match(word)
        if match:
            variants.add(f"{match.group(1)}{letters}{match.group(2)}")
    variants.discard(word)
    return sorted(variants)


def other_names(phrase):
    """The other names of a folded word or phrase ("usa" -> "united states", "america", …), or ()."""
    return tuple(name for name in NAMES.get(phrase, ()) if name != phrase)
