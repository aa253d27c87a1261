"""How alike two texts are: Jaccard similarity of their folded word sets (case and accents aside), stopwords left out.

The one similarity function for near-duplicates and for "similar to submissions already tagged with it".
"""

from __future__ import annotations

import re

from feedback.services.text import fold

# Letters and digits; an underscore or an apostrophe splits words ("don't" gives "don" and "t").
WORD = re.compile(r"[^\W_]+")
STOPWORDS = frozenset("""
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing don down during each even ever every few for from further
    get got had has have having he her here hers herself him himself his how i if in into is it its itself
    just let like ll me more most much must my myself no nor not now of off on once one only or other our
    ours ourselves out over own re really same she should so some still such than that the their theirs them
    themselves then there these they this those through to too under until up us very was we were what when
    where which while who whom why will with would you your yours yourself yourselves
""".split())
# Near-duplicates: most of what they say is the same.
DUPLICATE_AT = 0.5
# Worth suggesting a theme: a good part of what they say is shared with an already tagged one.
RELATED_AT = 0.3


def words(text: str) -> frozenset[str]:
    """The text's distinct words, folded (text.fold: "Discriminación" is "discriminacion"), without stopwords or
    single characters."""
    folded = fold(text)
    return frozenset(word for word in WORD.findall(folded) if len(word) > 1 and word not in STOPWORDS)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared words over all words: 1.0 for the same set, 0.0 when nothing is shared (or either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
