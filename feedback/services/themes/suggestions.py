"""Suggested themes for a submission, each with its reason in words; a person accepts or dismisses each one.

Nothing here tags on its own: a suggestion is only a hint on the facilitator's page until they press
Accept. A theme already tagged, already accepted or dismissed for the submission, or archived is never
suggested.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.db import writing
from feedback.models import Submission, SuggestionDecision, Tagging, Theme
from feedback.sentences import PluralSentence, Sentence
from feedback.services.text import whole_words
from feedback.services.themes import similarity, similarity_index, tagging
from feedback.services.themes.codebook_values import safe_colour

ACCEPTED = "accepted"
DISMISSED = "dismissed"
MOST = 8  # suggestions shown at once


@dataclass(frozen=True)
class Suggestion:
    theme: tagging.ThemeChip
    reason: Sentence | PluralSentence  # "keyword 'harass' matched", "similar to 3 submissions already tagged with it",
    # or both


def matched_keyword(keywords: str, text: str) -> str | None:
    """The first of the theme's keywords (one per line) that occurs in the text, as written in the codebook."""
    for line in keywords.splitlines():
        phrase = " ".join(line.split())
        pattern = whole_words([phrase])
        if pattern is not None and pattern.search(text):
            return phrase
    return None


def _similar_counts(session: orm.Session, submission: Submission, candidates: set[int]) -> Counter[int]:
    """For each candidate theme: how many similar submissions of the same town hall are tagged with it.

    Only the index's candidates are read, with their themes (similarity_index.look_up); those carrying one
    of these themes are checked with the exact similarity.
    """
    if not candidates:
        return Counter()
    found = similarity_index.look_up(session, submission.town_hall_id, submission.body,
                                     at_least=similarity_index.RELATED_BANDS,
                                     untagged_at_least=similarity_index.DUPLICATE_BANDS, leaving_out=submission.id)
    mine = similarity.words(submission.body)
    counts: Counter[int] = Counter()
    for body, themes in found.tagged.values():
        wanted = themes & candidates
        if wanted and similarity.jaccard(mine, similarity.words(body)) >= similarity.RELATED_AT:
            counts.update(wanted)
    return counts


def _reasons(keyword: str | None, similar: int) -> Sentence | PluralSentence:
    """Why a theme is suggested, as one whole sentence (a keyword, similar tagged submissions, or both)."""
    if keyword and similar:
        return PluralSentence("keyword '%(keyword)s' matched and similar to %(num)s submission already tagged with it",
                              "keyword '%(keyword)s' matched and similar to %(num)s submissions already tagged with it",
                              similar, keyword=keyword)
    if keyword:
        return Sentence("keyword '%(keyword)s' matched", keyword=keyword)
    return PluralSentence("similar to %(num)s submission already tagged with it",
                          "similar to %(num)s submissions already tagged with it", similar)


def for_submission(session: orm.Session, submission: Submission) -> list[Suggestion]:
    """Themes worth suggesting for this submission, the best supported first."""
    settled = sa.union(sa.select(Tagging.theme_id).where(Tagging.submission_id == submission.id),
                       sa.select(SuggestionDecision.theme_id).where(SuggestionDecision.submission_id == submission.id))
    themes = list(session.scalars(sa.select(Theme).where(Theme.archived.is_(False), Theme.id.not_in(settled))))
    similar = _similar_counts(session, submission, {theme.id for theme in themes})
    found = []
    for theme in themes:
        keyword = matched_keyword(theme.keywords, submission.body)
        if keyword or similar[theme.id]:
            chip = tagging.ThemeChip(theme.id, theme.name, safe_colour(theme.colour))
            found.append((-(bool(keyword) + bool(similar[theme.id])), -similar[theme.id], theme.name,
                          Suggestion(chip, _reasons(keyword, similar[theme.id]))))
    return [suggestion for *_, suggestion in sorted(found, key=lambda item: item[:3])][:MOST]


def _decide(session: orm.Session, submission_id: uuid.UUID, theme_id: int, decision: str) -> str:
    """Record the decision inside the caller's write; the theme's name.

    :raises InvalidTagging: the submission or the theme is gone, or it was already decided.
    """
    name = tagging.live_themes(session, [theme_id])[theme_id]
    if session.get(Submission, submission_id, with_for_update=True) is None:
        raise tagging.InvalidTagging(Sentence("This submission is no longer here."))
    if session.get(SuggestionDecision, (submission_id, theme_id)) is not None:
        raise tagging.InvalidTagging(Sentence("The suggestion “%(name)s” was already accepted or dismissed.",
                                              name=name))
    session.add(SuggestionDecision(submission_id=submission_id, theme_id=theme_id, decision=decision))
    return name


def accept(session: orm.Session, submission_id: uuid.UUID, theme_id: int, *, by: audit.Actor, now: datetime) -> str:
    """Tag the submission with the suggested theme (its near-duplicates too, if it leads a group).

    :returns: the theme's name.
    :raises InvalidTagging: see _decide.
    """
    with writing(session):
        name = _decide(session, submission_id, theme_id, ACCEPTED)
        themes = {theme_id: name}
        tagging.add(session, [submission_id], themes, by=by, now=now, details={"suggestion": ACCEPTED})
        tagging.carry_to_members(session, [submission_id], themes, by=by, now=now)
    return name


def dismiss(session: orm.Session, submission_id: uuid.UUID, theme_id: int, *, by: audit.Actor, now: datetime) -> str:
    """Never suggest this theme for this submission again; the submission is not tagged.

    :returns: the theme's name.
    :raises InvalidTagging: see _decide.
    """
    with writing(session):
        name = _decide(session, submission_id, theme_id, DISMISSED)
        audit.record(session, by, audit.Action.SUGGESTION_DISMISSED, now=now, submission_id=submission_id,
                     details={"theme": name})
    return name
