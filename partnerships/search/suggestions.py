"""What a search that finds nothing may have meant: "Did you mean INTERPOL?"

The candidates are the published names, acronyms and titles (organisations, areas, sources,
agreement and activity titles), and the words they are made of. They are read once per
registry version (``partnerships.caching.cached``) and compared in Python, alike on both
databases: a whole query is compared with the names and acronyms, and each word of it that
appears nowhere is replaced by the closest known word ("trafficing victms" → "trafficking
victims"). Similarity is difflib's ratio, which, unlike trigrams alone, also forgives a swapped
pair of letters in a short acronym (UNCHR → UNHCR).
"""

import difflib

from ..caching import cached
from ..models import Agreement, CooperationActivity, CooperationArea, Organisation, SourceDocument
from .documents import is_public
from .text import WORD, fold, spelling, words

# How close a name or a word must be to be suggested (difflib's ratio, 0 to 1).
NAME_CUTOFF = 0.7
WORD_CUTOFF = 0.75
# Words shorter than this are not corrected: too many short words are a letter apart.
SHORTEST_WORD = 4
MOST = 3


def public(model):
    return model._base_manager.filter(**is_public(model))


def read_vocabulary():
    """{folded name: name as written} and the set of known words, of the published records."""
    names = {}
    for name, acronym in public(Organisation).values_list("name", "acronym"):
        names.setdefault(fold(acronym), acronym)
        names.setdefault(fold(name), name)
    for name in public(CooperationArea).values_list("name", flat=True):
        names.setdefault(fold(name), name)
    for name in SourceDocument.objects.public().values_list("title", flat=True):
        names.setdefault(fold(name), name)
    titles = [*names.values()]
    for model in (Agreement, CooperationActivity):
        titles.extend(public(model).values_list("title", flat=True).distinct().iterator(chunk_size=5000))
    # One pass over all the text at once: a hundred thousand titles take a fraction of a second.
    known = {spelling(word) for word in set(WORD.findall(fold("\n".join(titles))))}
    return {"names": names, "words": sorted(word for word in known if len(word) >= SHORTEST_WORD)}


def vocabulary(request):
    return cached(request, "search-vocabulary", read_vocabulary)


def corrected(q, known):
    """The query with each unknown word replaced by the closest known one (``known``: a sorted
    list of words), or None when every word is known."""
    found = words(q)
    known_set = set(known)
    fixed = []
    for word in found:
        if len(word) < SHORTEST_WORD or word in known_set or word.isdigit():
            fixed.append(word)
            continue
        closest = difflib.get_close_matches(word, known, n=1, cutoff=WORD_CUTOFF)
        fixed.append(closest[0] if closest else word)
    return " ".join(fixed) if fixed != found else None


def suggestions(request, q):
    """Up to three names, acronyms, titles or corrected queries close to ``q``, closest first."""
    found = " ".join(words(q))
    if not found:
        return []
    vocabulary_ = vocabulary(request)
    names = vocabulary_["names"]
    close = [names[key] for key in difflib.get_close_matches(found, list(names), n=MOST, cutoff=NAME_CUTOFF)]
    fix = corrected(q, vocabulary_["words"])
    result, seen = [], {fold(q)}
    for suggestion in [*close, fix]:
        if suggestion and fold(suggestion) not in seen:
            seen.add(fold(suggestion))
            result.append(suggestion)
    return result[:MOST]
