"""How text is read for search, the same for the records indexed and for what a visitor types.

Both sides go through ``words()``: case and accents folded, every dash, apostrophe or other
punctuation a word break, and British spellings written the American way (organisation and
organization, programme and program, -ise/-ize, -our/-or, -yse/-yze), so that either spelling
finds both. The databases then only stem the words (SQLite's porter tokenizer, PostgreSQL's
English snowball stemmer), which is why the index and the query meet.

``parse()`` reads a query once, in Python, for both databases: words, ``"quoted phrases"``,
``-word`` exclusions and ``or`` between alternatives; ``fts5()`` and ``tsquery()`` write it in
each database's own syntax. Every word matches as a beginning too ("traff" finds
"trafficking"), so that results come as a visitor types.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass, field

# Letters that carry no combining mark to strip but that readers treat as plain Latin ones.
LETTERS = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"})
WORD = re.compile(r"[^\W_]+")

# British roots ending in -our whose American spelling ends in -or (colour, labourers...).
OUR_ROOTS = [
    "ardo",
    "behavio",
    "cando",
    "clamo",
    "colo",
    "demeano",
    "endeavo",
    "favo",
    "fervo",
    "flavo",
    "harbo",
    "hono",
    "humo",
    "labo",
    "neighbo",
    "odo",
    "parlo",
    "rigo",
    "rumo",
    "savio",
    "savo",
    "splendo",
    "succo",
    "tumo",
    "valo",
    "vapo",
    "vigo",
    "armo",
]
SPELLINGS = [
    (re.compile(rf"^({'|'.join(OUR_ROOTS)})ur"), r"\1r"),
    # -ise, -isation, -yse... -> -ize, -ization, -yze: organise, realised, analysing, paralyses.
    (re.compile(r"^(\w{3,}[iy])s(e|es|ed|ing|er|ers|ation|ations|ational|able)$"), r"\1z\2"),
    (re.compile(r"^programme(s?)$"), r"program\1"),
    (re.compile(r"^(cent|met|lit|theat|fib|calib|somb|spect|lust|meag)re(s?)$"), r"\1er\2"),
    (re.compile(r"^(defen|offen|licen|preten)ce(s?)$"), r"\1se\2"),
    (re.compile(r"^(catalog|dialog|analog)ue(s?)$"), r"\1\2"),
    (re.compile(r"^(travel|model|label|cancel|signal|fuel|channel|counsel|level)l(ed|ing|er|ers)$"), r"\1\2"),
]
# A beginning typed so far that only the British spelling has: "organis" finds "organiz...".
PREFIX_SPELLINGS = [
    (re.compile(r"^(\w{3,}[iy])s$"), r"\1z"),
    (re.compile(rf"^({'|'.join(OUR_ROOTS)})u$"), r"\1"),
    (re.compile(r"^programm$"), "program"),
]

# No query is longer than this many words: a longer text is not a search.
MAX_TERMS = 32
MAX_WORD_LENGTH = 60


NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_letters(match):
    decomposed = unicodedata.normalize("NFKD", match.group(0))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(LETTERS)


def fold(text):
    """Lower case without accents: "TÜRKIYE", "Türkiye" and "turkiye" alike."""
    text = (text or "").casefold()
    # Only the letters outside ASCII need decomposing; most of any text is plain ASCII.
    return text if text.isascii() else NON_ASCII.sub(_fold_letters, text)


@functools.lru_cache(maxsize=65536)  # a registry's vocabulary is a few thousand words
def spelling(word):
    """One spelling for words that British and American English write differently."""
    for pattern, replacement in SPELLINGS:
        word, found = pattern.subn(replacement, word)
        if found:
            return word
    return word


def words(text):
    """The words of a text as search reads them: folded, split at anything not a letter or digit."""
    return [spelling(word) for word in WORD.findall(fold(text))]


def indexed(*texts):
    """What the index stores of one or more texts: their words, separated by spaces."""
    return " ".join(words(" ".join(text for text in texts if text)))


@dataclass
class Clause:
    """Consecutive words that must all match, in order when there are several."""

    words: list
    prefix: bool = True  # the last word may be the beginning of a longer one

    def variants(self):
        """The clause, plus the American spelling of a British beginning typed so far."""
        yield self.words
        if self.prefix:
            last = self.words[-1]
            for pattern, replacement in PREFIX_SPELLINGS:
                other = pattern.sub(replacement, last)
                if other != last:
                    yield [*self.words[:-1], other]


@dataclass
class Query:
    """A parsed query: alternatives (``or``) of clauses that must all match, minus exclusions."""

    alternatives: list = field(default_factory=list)
    excluded: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.alternatives or self.excluded)


CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def clean(q):
    """The text as the databases can take it: no NUL characters, no lone surrogates."""
    return (q or "").replace("\x00", " ").encode("utf-8", "replace").decode("utf-8").strip()


def parse(q):
    """Read a visitor's query: words, "quoted phrases", -exclusions and ``or`` alternatives."""
    query, current, terms = Query(), [], 0
    for match in CHUNK.finditer(clean(q)):
        if terms >= MAX_TERMS:
            break
        negated, phrase, bare = match.groups()
        if bare is not None:
            if bare.lower() == "or":
                if current:
                    query.alternatives.append(current)
                current = []
                continue
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            text, exact = bare[len(negated) :], False
        else:
            text, exact = phrase, True
        found = [word[:MAX_WORD_LENGTH] for word in words(text)][: MAX_TERMS - terms]
        if not found:
            continue
        terms += len(found)
        # Quoted phrases and exclusions match whole words; a typed word may be a beginning.
        clause = Clause(found, prefix=not (exact or negated))
        (query.excluded if negated else current).append(clause)
    if current:
        query.alternatives.append(current)
    return query


# SQLite FTS5 --------------------------------------------------------------------------


def _fts5_clause(clause):
    forms = [f'"{" ".join(variant)}"{" *" if clause.prefix else ""}' for variant in clause.variants()]
    return forms[0] if len(forms) == 1 else f"({' OR '.join(forms)})"


def _fts5_any(clauses_list):
    parts = [" AND ".join(_fts5_clause(c) for c in clauses) for clauses in clauses_list]
    return parts[0] if len(parts) == 1 else " OR ".join(f"({part})" for part in parts)


def fts5(query, excluded=True):
    """The query as an FTS5 expression (the words are letters and digits only, so always valid)."""
    if not query.alternatives:
        return _fts5_any([[c] for c in query.excluded])
    expression = _fts5_any(query.alternatives)
    if excluded and query.excluded:
        expression = f"({expression}) NOT ({_fts5_any([[c] for c in query.excluded])})"
    return expression


# PostgreSQL tsquery -------------------------------------------------------------------


def _tsquery_clause(clause, weights=""):
    def one(variant):
        # Each word's label: its weights, and for a typed word's last one a prefix mark.
        labels = [weights] * len(variant)
        if clause.prefix:
            labels[-1] = f"*{weights}"
        return " <-> ".join(
            f"'{word}'" + (f":{label}" if label else "") for word, label in zip(variant, labels, strict=True)
        )

    forms = [one(variant) for variant in clause.variants()]
    return forms[0] if len(forms) == 1 else f"({' | '.join(forms)})"


def _tsquery_any(clauses_list, weights=""):
    parts = [" & ".join(_tsquery_clause(c, weights) for c in clauses) for clauses in clauses_list]
    return parts[0] if len(parts) == 1 else " | ".join(f"({part})" for part in parts)


def tsquery(query, excluded=True, weights=""):
    """The query as to_tsquery() input for the registry's text search configuration; with
    ``weights`` ("A", "AB"), each word matches only where the vector gives it one of those
    weights (the columns of the index: partnerships/search/entries.py)."""
    if not query.alternatives:
        return _tsquery_any([[c] for c in query.excluded])
    expression = _tsquery_any(query.alternatives, weights)
    if excluded and query.excluded:
        expression = f"({expression}) & !({_tsquery_any([[c] for c in query.excluded])})"
    return expression
