"""What a typed query asks for, and the same question in SQLite FTS5 and PostgreSQL tsquery syntax.

The syntax is PostgreSQL's websearch one: words (all must match), "quoted phrases", -excluded
words, and `or` between alternatives (`a b or c` is (a and b) or c). Each word is matched as a
prefix of its light stem, in any of its spellings (synonyms.py); a hyphenated word matches as
typed, in part ("P-8" finds "P-8A") and joined ("co-creation" finds "cocreation").
"""

import re
from dataclasses import dataclass, field

from .synonyms import other_names, spelling_variants
from .text import COMPOUND, STOP_WORDS, WORD, fold, stem

MAX_QUERY_LENGTH = 500
MAX_TERMS = 16  # words and phrases of a query that are searched
MIN_PREFIX = 4  # shorter words match whole ("usa" does not find "usage")
TOKEN = re.compile(r'"[^"]*"?|\S+')
ABBREVIATION = re.compile(r"^(?:[^\W\d_]\.){2,}$")  # U.S., e.u.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")


def clean_query(q):
    """The query as searched: no NUL or control characters, single spaces, at most MAX_QUERY_LENGTH characters.

    Returns (query, truncated).
    """
    text = " ".join(CONTROL.sub(" ", q or "").split())
    if len(text) <= MAX_QUERY_LENGTH:
        return text, False
    cut = text[:MAX_QUERY_LENGTH]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut, True


def query_words(q):
    """The words of a query as typed (letters and digits, hyphens kept inside words); bounded in length."""
    return re.findall(r"\w+(?:-\w+)*", clean_query(q)[0])


@dataclass(frozen=True)
class Form:
    """Folded words that must follow each other; the last one matched as a prefix when `prefix`."""

    words: tuple
    prefix: bool = False


@dataclass(frozen=True)
class Term:
    """One thing a query asks for, found in any of its forms (spellings, names, joined or not)."""

    text: str  # as the user wrote it, folded
    forms: tuple
    negated: bool = False

    @property
    def words(self):
        """Every word of every form, for highlighting: (word, prefix)."""
        return {
            (word, form.prefix and index == len(form.words) - 1)
            for form in self.forms
            for index, word in enumerate(form.words)
        }


@dataclass
class ParsedQuery:
    """A disjunction of conjunctions: `a b or c -d` is [[a, b], [c, -d]]."""

    alternatives: list = field(default_factory=list)
    had_words: bool = False  # the query had words, even if all were stop words
    only_exclusions: bool = False  # an alternative had nothing but excluded words (dropped)

    @property
    def is_empty(self):
        return not self.alternatives

    @property
    def positive_terms(self):
        return [term for alternative in self.alternatives for term in alternative if not term.negated]

    def fts5(self):
        """The SQLite FTS5 MATCH expression."""
        return " OR ".join(f"({fts5_alternative(alternative)})" for alternative in self.alternatives)

    def tsquery(self):
        """The PostgreSQL to_tsquery expression (for the kb_search configuration)."""
        return " | ".join(f"({tsquery_alternative(alternative)})" for alternative in self.alternatives)


def word_term(word, negated=False):
    """A single folded word: its stem as a prefix (whole if short), in every spelling and name."""
    forms = []
    for spelling in [word, *spelling_variants(word)]:
        stemmed = stem(spelling)
        forms.append(Form((stemmed,), prefix=len(stemmed) >= MIN_PREFIX))
    forms += [Form(tuple(name.split())) for name in other_names(word)]
    return Term(word, tuple(dict.fromkeys(forms)), negated)


def phrase_term(words, negated=False, prefix=False):
    """Words in a row; a compound ("p-8") also matches joined ("p8…") and as a prefix (`prefix`)."""
    forms = [Form(tuple(words), prefix=prefix)]
    if prefix:
        # "co-creation" also finds "co-created", "cocreation" and "co creation".
        forms = [Form((*words[:-1], stem(words[-1])), prefix=True), Form((stem("".join(words)),), prefix=True)]
    forms += [Form(tuple(name.split())) for name in other_names(" ".join(words))]
    return Term(" ".join(words), tuple(dict.fromkeys(forms)), negated)


def token_terms(token, negated):
    """The terms of one unquoted token; stop words are left out."""
    if ABBREVIATION.match(token):
        token = token.replace(".", "")
    folded = fold(token)
    terms = []
    position = 0
    for compound in COMPOUND.finditer(folded):
        terms += [
            word_term(word, negated)
            for word in WORD.findall(folded[position : compound.start()])
            if word not in STOP_WORDS
        ]
        terms.append(phrase_term(WORD.findall(compound.group(0)), negated, prefix=True))
        position = compound.end()
    terms += [word_term(word, negated) for word in WORD.findall(folded[position:]) if word not in STOP_WORDS]
    return terms


def parse_query(q):
    """The ParsedQuery of a typed query (cleaned first); stop words outside phrases are dropped."""
    query, _ = clean_query(q)
    parsed = ParsedQuery()
    alternatives = [[]]
    for token in TOKEN.findall(query):
        if token.lower() == "or":
            if alternatives[-1]:
                alternatives.append([])
            continue
        negated = token.startswith("-") and len(token) > 1
        if negated:
            token = token[1:]
        if token.startswith('"'):
            words = WORD.findall(fold(token))
            parsed.had_words = parsed.had_words or bool(words)
            if len(words) == 1 and words[0] not in STOP_WORDS:
                alternatives[-1].append(word_term(words[0], negated))
            elif any(word not in STOP_WORDS for word in words):
                alternatives[-1].append(phrase_term(words, negated))
            continue
        parsed.had_words = parsed.had_words or bool(WORD.search(token))
        alternatives[-1] += token_terms(token, negated)
    budget = MAX_TERMS
    for alternative in alternatives:
        terms = list(dict.fromkeys(alternative))[:budget]
        budget -= len(terms)
        if terms and not any(not term.negated for term in terms):
            parsed.only_exclusions = True  # FTS5 cannot list what lacks a word: nothing to look for
            continue
        if terms:
            parsed.alternatives.append(terms)
    return parsed


# --- the two syntaxes -------------------------------------------------------------------------------


def fts5_form(form):
    return '"' + " ".join(form.words) + '"' + ("*" if form.prefix else "")


def fts5_term(term):
    return "(" + " OR ".join(fts5_form(form) for form in term.forms) + ")"


def fts5_alternative(terms):
    wanted = " AND ".join(fts5_term(term) for term in terms if not term.negated)
    excluded = [fts5_term(term) for term in terms if term.negated]
    return f"({wanted}) NOT ({' OR '.join(excluded)})" if excluded else wanted


def tsquery_form(form):
    words = [f"'{word}'" for word in form.words]
    if form.prefix:
        words[-1] += ":*"
    return "(" + " <-> ".join(words) + ")"


def tsquery_term(term):
    forms = "(" + " | ".join(tsquery_form(form) for form in term.forms) + ")"
    return f"!{forms}" if term.negated else forms


def tsquery_alternative(terms):
    return " & ".join(tsquery_term(term) for term in terms)
