"""The theme codebook: themes on two levels, created, edited, merged and archived by facilitators.

Every change is an audit event naming the themes, never holding a submission's text or an identity.
A theme's values and their limits are in feedback.services.themes.codebook_values, reading the codebook
in codebook_listing, and the CSV export and import in codebook_csv.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.db import AdvisoryLock, advisory_lock, writing
from feedback.models import SuggestionDecision, Tagging, Theme
from feedback.sanitize import normalise_text
from feedback.sentences import PluralSentence, Sentence
from feedback.services import content_language
from feedback.services.themes.codebook_listing import by_name
from feedback.services.themes.codebook_values import NAME_MAX, SHORTEN_NAME, ThemeValues, cleaned

FIELDS = ("name", "definition", "example", "colour", "keywords", "parent_id")
# The texts a theme may have in other languages ({"es": {"name": ...}}, content_language), each with the base
# field's limit; the form's field for one is named f"{name}_{language}" (name_es).
VERSIONED = {"name": NAME_MAX}


class CodebookError(ValueError):
    """A codebook change that cannot be made; its Sentence says why, in words for the facilitator (str() gives
    it in English).

    field names the form field the problem is about ("" when it is about the whole change).
    """

    def __init__(self, message: Sentence | PluralSentence, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class MergeResult:
    source: str
    target: str
    moved: int  # taggings that moved to the target
    already_tagged: int  # submissions that had both themes: their source tagging was dropped
    children_moved: int


def _valid(values: ThemeValues) -> ThemeValues:
    values, problems = cleaned(values)
    if problems:
        raise CodebookError(problems[0][1], problems[0][0])
    return values


def _cleaned_versions(versions: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """The versions normalised as the base name is (one line), blank ones left out; CodebookError
    names the first that does not fit, on its form field (name_es)."""
    cleaned_versions: dict[str, dict[str, str]] = {}
    for code, texts in versions.items():
        tidy = {name: normalise_text(text) for name, text in texts.items() if name in VERSIONED}
        for name, text in tidy.items():
            if "\n" in text:
                raise CodebookError(Sentence("Keep the name on one line."), f"{name}_{code}")
            if len(text) > VERSIONED[name]:
                raise CodebookError(SHORTEN_NAME, f"{name}_{code}")
        cleaned_versions = content_language.with_version(cleaned_versions, code, tidy)
    return cleaned_versions


def lock(session: orm.Session) -> None:
    """Serialise codebook changes, so that name and two-level checks cannot race (SQLite: BEGIN IMMEDIATE does)."""
    advisory_lock(session, AdvisoryLock.CODEBOOK)


def get(session: orm.Session, theme_id: int) -> Theme | None:
    return session.get(Theme, theme_id)


def _theme(session: orm.Session, theme_id: int) -> Theme:
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise CodebookError(Sentence("That theme is no longer in the codebook. Reload the page."))
    return theme


def _children(session: orm.Session, theme_id: int) -> list[Theme]:
    return by_name(list(session.scalars(sa.select(Theme).where(Theme.parent_id == theme_id))))


def _names(themes: list[Theme]) -> str:
    return ", ".join(f"“{t.name}”" for t in themes)


def _check_name_free(session: orm.Session, name: str, theme_id: int | None = None) -> None:
    # Compared in Python: SQLite's lower() folds ASCII letters only.
    for other_id, other in session.execute(sa.select(Theme.id, Theme.name)):
        if other_id != theme_id and other.casefold() == name.casefold():
            raise CodebookError(Sentence("There is already a theme called “%(name)s”. Choose another name, "
                                         "or merge the two themes.", name=other), "name")


def _check_parent(session: orm.Session, parent_id: int | None, theme: Theme | None) -> None:
    """A parent must be another top-level theme in use, and a theme with sub-themes cannot have one."""
    if parent_id is None:
        return
    parent = session.get(Theme, parent_id)
    if parent is None:
        raise CodebookError(Sentence("Choose a parent theme from the list."), "parent")
    if theme is not None and parent.id == theme.id:
        raise CodebookError(Sentence("A theme cannot be its own parent."), "parent")
    if parent.archived:
        raise CodebookError(Sentence("“%(parent)s” is archived: choose a parent theme that is in use.",
                                     parent=parent.name), "parent")
    if parent.parent is not None:
        raise CodebookError(Sentence("“%(parent)s” is itself under “%(grandparent)s”. The codebook has two "
                                     "levels, so choose a top-level theme as the parent.",
                                     parent=parent.name, grandparent=parent.parent.name), "parent")
    if theme is not None and (children := _children(session, theme.id)):
        raise CodebookError(Sentence("“%(theme)s” has sub-themes (%(children)s), so it cannot go under "
                                     "another theme: the codebook has two levels.",
                                     theme=theme.name, children=_names(children)), "parent")


def create(session: orm.Session, values: ThemeValues, *, by: audit.Actor, now: datetime,
           versions: Mapping[str, Mapping[str, str]] | None = None) -> Theme:
    """Add a theme to the codebook, with its name in other languages if given ({"es": {"name": ...}}).

    :raises CodebookError: a field that does not fit, a name already taken (in any case), or a parent
        that is not a top-level theme in use.
    """
    values = _valid(values)
    texts = _cleaned_versions(versions or {})
    with writing(session):
        lock(session)
        _check_name_free(session, values.name)
        _check_parent(session, values.parent_id, None)
        theme = Theme(**{name: getattr(values, name) for name in FIELDS}, versions=texts)
        session.add(theme)
        session.flush()
        audit.record(session, by, audit.Action.THEME_CREATE, now=now,
                     details={"theme_id": theme.id, "name": theme.name, "parent_id": theme.parent_id})
    return theme


def update(session: orm.Session, theme_id: int, values: ThemeValues, *, by: audit.Actor, now: datetime,
           versions: Mapping[str, Mapping[str, str]] | None = None) -> list[str]:
    """Rename or edit a theme (archived ones too); returns the fields that changed ("versions" among them when
    its texts in other languages did: given, they replace the stored ones; None keeps them).

    :raises CodebookError: as for create, or the theme is gone, or it has sub-themes and is given a parent.
    """
    values = _valid(values)
    texts = _cleaned_versions(versions) if versions is not None else None
    with writing(session):
        lock(session)
        theme = _theme(session, theme_id)
        _check_name_free(session, values.name, theme.id)
        if values.parent_id != theme.parent_id:
            _check_parent(session, values.parent_id, theme)
        changed = [name for name in FIELDS if getattr(theme, name) != getattr(values, name)]
        if texts is not None and texts != (theme.versions or {}):
            changed.append("versions")  # named, never the texts: the audit log keeps no content
        if not changed:
            return []
        details = {"theme_id": theme.id, "name": values.name, "changed": changed}
        if theme.name != values.name:
            details["renamed_from"] = theme.name
        for name in changed:
            setattr(theme, name, texts if name == "versions" else getattr(values, name))
        audit.record(session, by, audit.Action.THEME_UPDATE, now=now, details=details)
    return changed


def set_archived(session: orm.Session, theme_id: int, archived: bool, *, by: audit.Actor, now: datetime) -> bool:
    """Archive a theme (no longer offered for tagging; its taggings still count) or bring it back.

    :returns: False when it already was in that state.
    :raises CodebookError: archiving a theme whose sub-themes are in use; bringing back a merged theme,
        or one whose parent is archived.
    """
    with writing(session):
        lock(session)
        theme = _theme(session, theme_id)
        if theme.archived == archived:
            return False
        if archived:
            in_use = [c for c in _children(session, theme.id) if not c.archived]
            if in_use:
                raise CodebookError(Sentence("“%(theme)s” has sub-themes in use (%(children)s). Archive them, or "
                                             "move them under another theme, first.",
                                             theme=theme.name, children=_names(in_use)))
        elif theme.merged_into_id is not None:
            survivor = session.get_one(Theme, theme.merged_into_id)
            raise CodebookError(Sentence("“%(theme)s” was merged into “%(survivor)s”, which now holds its "
                                         "taggings: it stays archived.", theme=theme.name, survivor=survivor.name))
        elif theme.parent is not None and theme.parent.archived:
            raise CodebookError(Sentence("“%(theme)s” is under “%(parent)s”, which is archived. Bring "
                                         "“%(parent)s” back first, or move “%(theme)s” to the top level.",
                                         theme=theme.name, parent=theme.parent.name))
        theme.archived = archived
        audit.record(session, by, audit.Action.THEME_ARCHIVE if archived else audit.Action.THEME_UNARCHIVE, now=now,
                     details={"theme_id": theme.id, "name": theme.name})
    return True


def _check_merge(session: orm.Session, source: Theme, target: Theme) -> list[Theme]:
    """Refuse a merge that cannot be made; return the source's sub-themes, which move to the target."""
    if source.id == target.id:
        raise CodebookError(Sentence("Choose another theme to merge into."), "target")
    if source.merged_into_id is not None:
        raise CodebookError(Sentence("“%(theme)s” was already merged into another theme.", theme=source.name),
                            "target")
    if target.archived:
        raise CodebookError(Sentence("“%(theme)s” is archived: merge into a theme that is in use.",
                                     theme=target.name), "target")
    children = _children(session, source.id)
    if children and target.parent_id == source.id:
        raise CodebookError(Sentence("“%(target)s” is a sub-theme of “%(source)s”. Move “%(target)s” to the "
                                     "top level first, or merge into another theme.",
                                     target=target.name, source=source.name), "target")
    if children and target.parent is not None:
        raise CodebookError(Sentence("“%(source)s” has sub-themes (%(children)s), and “%(target)s” is itself "
                                     "under “%(parent)s”: moving them under “%(target)s” would make a third "
                                     "level. Merge into a top-level theme, or move the sub-themes first.",
                                     source=source.name, children=_names(children), target=target.name,
                                     parent=target.parent.name), "target")
    return children


def _move(session: orm.Session, model, source_id: int, target_id: int) -> tuple[int, int]:
    """Move a (submission, theme) table's rows from source to target; a submission with both keeps one."""
    both = sa.select(model.submission_id).where(model.theme_id == target_id).scalar_subquery()
    # Session.execute is typed as returning a Result; for a DELETE or UPDATE it is a CursorResult, which counts.
    dropped = cast(sa.CursorResult, session.execute(
        sa.delete(model).where(model.theme_id == source_id, model.submission_id.in_(both))
        .execution_options(synchronize_session=False))).rowcount
    moved = cast(sa.CursorResult, session.execute(
        sa.update(model).where(model.theme_id == source_id).values(theme_id=target_id)
        .execution_options(synchronize_session=False))).rowcount
    return moved, dropped


def merge(session: orm.Session, source_id: int, target_id: int, *, by: audit.Actor, now: datetime) -> MergeResult:
    """Merge one theme into another: its taggings, suggestion decisions and sub-themes move to the target,
    and it is archived, pointing at the target.

    :raises CodebookError: merging a theme into itself or into an archived one, or when moving its
        sub-themes would make a third level.
    """
    with writing(session):
        lock(session)
        source, target = _theme(session, source_id), _theme(session, target_id)
        children = _check_merge(session, source, target)
        moved, dropped = _move(session, Tagging, source.id, target.id)
        _move(session, SuggestionDecision, source.id, target.id)
        for child in children:
            child.parent_id = target.id
        # Themes merged into the source earlier now point at the survivor.
        session.execute(sa.update(Theme).where(Theme.merged_into_id == source.id)
                        .values(merged_into_id=target.id).execution_options(synchronize_session=False))
        source.archived, source.merged_into_id = True, target.id
        result = MergeResult(source.name, target.name, moved, dropped, len(children))
        audit.record(session, by, audit.Action.THEME_MERGE, now=now, details={
            "source": {"id": source.id, "name": source.name}, "target": {"id": target.id, "name": target.name},
            "taggings_moved": moved, "already_tagged": dropped, "children_moved": len(children)})
    return result
