"""The theme codebook: themes on two levels, created, edited, merged and archived by facilitators.

Every change is an audit event naming the themes, never holding a submission's text or an identity.
The CSV export and import are in feedback.services.themes.codebook_csv.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.db import AdvisoryLock, advisory_lock, writing
from feedback.models import SuggestionDecision, Tagging, Theme
from feedback.sanitize import normalise_text

NAME_MAX = 80
DEFINITION_MAX = 200
EXAMPLE_MAX = 1000
KEYWORD_MAX = 60
KEYWORDS_MAX = 40
DEFAULT_COLOUR = "#4c6a92"
COLOUR = re.compile(r"#[0-9a-f]{6}")
FIELDS = ("name", "definition", "example", "colour", "keywords", "parent_id")


def safe_colour(value: str) -> str:
    """The theme's colour if it is "#rrggbb", else the default: it goes into SVG fill attributes."""
    return value if COLOUR.fullmatch((value or "").lower()) else DEFAULT_COLOUR


class CodebookError(ValueError):
    """A codebook change that cannot be made; the message says why, in words for the facilitator.

    field names the form field the problem is about ("" when it is about the whole change).
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ThemeValues:
    """What a facilitator typed for a theme. keywords: one word or phrase a line."""

    name: str
    definition: str = ""
    example: str = ""
    colour: str = DEFAULT_COLOUR
    keywords: str = ""
    parent_id: int | None = None


@dataclass(frozen=True)
class ThemeEntry:
    """A theme as the codebook page lists it: how many submissions carry it, and its sub-themes."""

    theme: Theme
    count: int
    children: list[ThemeEntry] = field(default_factory=list)
    merged_into: str | None = None  # the surviving theme's name, for a merged one

    @property
    def keywords(self) -> list[str]:
        return keyword_list(self.theme.keywords)


@dataclass(frozen=True)
class Codebook:
    themes: list[ThemeEntry]  # in use: top-level themes A to Z, each with its sub-themes
    archived: list[ThemeEntry]  # archived and merged themes, A to Z


@dataclass(frozen=True)
class Choice:
    """A theme offered for tagging, with its sub-themes."""

    id: int
    name: str
    colour: str
    definition: str
    children: list[Choice] = field(default_factory=list)


@dataclass(frozen=True)
class MergeResult:
    source: str
    target: str
    moved: int  # taggings that moved to the target
    already_tagged: int  # submissions that had both themes: their source tagging was dropped
    children_moved: int


def keyword_list(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


def _keywords(text: str, problems: list[tuple[str, str]]) -> str:
    """The keywords one a line, spaces tidied, repeats dropped; a problem for each that does not fit."""
    words: list[str] = []
    for line in normalise_text(text).split("\n"):
        word = " ".join(line.split())
        if not word or word.casefold() in {w.casefold() for w in words}:
            continue
        if ";" in word:
            problems.append(("keywords", "A keyword cannot contain “;”: the CSV export separates keywords with it."))
        elif len(word) > KEYWORD_MAX:
            problems.append(("keywords", f"Shorten the keyword “{word[:30]}…” to {KEYWORD_MAX} characters or fewer."))
        words.append(word)
    if len(words) > KEYWORDS_MAX:
        problems.append(("keywords", f"Keep to {KEYWORDS_MAX} keywords or fewer."))
    return "\n".join(words)


def cleaned(values: ThemeValues) -> tuple[ThemeValues, list[tuple[str, str]]]:
    """The values normalised as we store them, and every problem with them as (field, message)."""
    problems: list[tuple[str, str]] = []
    name, definition = normalise_text(values.name), normalise_text(values.definition)
    example, colour = normalise_text(values.example), normalise_text(values.colour).lower()
    if not name:
        problems.append(("name", "Enter a name for the theme."))
    elif "\n" in name:
        problems.append(("name", "Keep the name on one line."))
    elif len(name) > NAME_MAX:
        problems.append(("name", f"Shorten the name to {NAME_MAX} characters or fewer."))
    if "\n" in definition:
        problems.append(("definition", "Keep the definition on one line: it is shown as a hint beside the theme."))
    elif len(definition) > DEFINITION_MAX:
        problems.append(("definition", f"Shorten the definition to {DEFINITION_MAX} characters or fewer."))
    if len(example) > EXAMPLE_MAX:
        problems.append(("example", f"Shorten the example to {EXAMPLE_MAX:,} characters or fewer."))
    if not COLOUR.fullmatch(colour):
        problems.append(("colour", "Enter the colour as # and six hexadecimal digits, like #4c6a92."))
    keywords = _keywords(values.keywords, problems)
    return ThemeValues(name, definition, example, colour, keywords, values.parent_id), problems


def _valid(values: ThemeValues) -> ThemeValues:
    values, problems = cleaned(values)
    if problems:
        raise CodebookError(problems[0][1], problems[0][0])
    return values


def lock(session: orm.Session) -> None:
    """Serialise codebook changes, so that name and two-level checks cannot race (SQLite: BEGIN IMMEDIATE does)."""
    advisory_lock(session, AdvisoryLock.CODEBOOK)


def get(session: orm.Session, theme_id: int) -> Theme | None:
    return session.get(Theme, theme_id)


def _theme(session: orm.Session, theme_id: int) -> Theme:
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise CodebookError("That theme is no longer in the codebook. Reload the page.")
    return theme


def _by_name(themes: list[Theme]) -> list[Theme]:
    return sorted(themes, key=lambda t: (t.name.casefold(), t.name))


def _counts(session: orm.Session) -> dict[int, int]:
    query = sa.select(Tagging.theme_id, sa.func.count()).group_by(Tagging.theme_id)
    return dict(session.execute(query).all())


def _grouped(themes: list[Theme]) -> list[tuple[Theme, list[Theme]]]:
    """Themes in use, top-level A to Z, each with its sub-themes in use (one whose parent is archived stands alone)."""
    live = {t.id: t for t in themes if not t.archived}
    children: dict[int, list[Theme]] = defaultdict(list)
    for theme in live.values():
        if theme.parent_id in live:
            children[theme.parent_id].append(theme)
    tops = [t for t in live.values() if t.parent_id not in live]
    return [(t, _by_name(children[t.id])) for t in _by_name(tops)]


def codebook(session: orm.Session) -> Codebook:
    """Every theme with its tagging count: those in use grouped by parent, then the archived ones."""
    themes = list(session.scalars(sa.select(Theme)))
    counts = _counts(session)
    names: dict[int | None, str] = {t.id: t.name for t in themes}  # looked up by merged_into_id, often None
    in_use = [ThemeEntry(top, counts.get(top.id, 0), [ThemeEntry(c, counts.get(c.id, 0)) for c in children])
              for top, children in _grouped(themes)]
    archived = [ThemeEntry(t, counts.get(t.id, 0), merged_into=names.get(t.merged_into_id))
                for t in _by_name([t for t in themes if t.archived])]
    return Codebook(in_use, archived)


def choices(session: orm.Session) -> list[Choice]:
    """The themes offered for tagging, grouped parent -> sub-themes, A to Z; never an archived one."""
    themes = list(session.scalars(sa.select(Theme).where(Theme.archived.is_(False))))
    return [Choice(top.id, top.name, top.colour, top.definition,
                   [Choice(c.id, c.name, c.colour, c.definition) for c in children])
            for top, children in _grouped(themes)]


def parent_options(session: orm.Session, theme_id: int | None = None) -> list[Theme]:
    """The themes that could be a parent: top-level, in use, and not the theme itself."""
    query = sa.select(Theme).where(Theme.parent_id.is_(None), Theme.archived.is_(False))
    return _by_name([t for t in session.scalars(query) if t.id != theme_id])


def merge_targets(session: orm.Session, theme_id: int) -> list[Theme]:
    """The themes a theme could be merged into: any other theme in use."""
    query = sa.select(Theme).where(Theme.archived.is_(False), Theme.id != theme_id)
    return _by_name(list(session.scalars(query)))


def _children(session: orm.Session, theme_id: int) -> list[Theme]:
    return _by_name(list(session.scalars(sa.select(Theme).where(Theme.parent_id == theme_id))))


def _names(themes: list[Theme]) -> str:
    return ", ".join(f"“{t.name}”" for t in themes)


def _check_name_free(session: orm.Session, name: str, theme_id: int | None = None) -> None:
    # Compared in Python: SQLite's lower() folds ASCII letters only.
    for other_id, other in session.execute(sa.select(Theme.id, Theme.name)):
        if other_id != theme_id and other.casefold() == name.casefold():
            raise CodebookError(f"There is already a theme called “{other}”. Choose another name, "
                                "or merge the two themes.", "name")


def _check_parent(session: orm.Session, parent_id: int | None, theme: Theme | None) -> None:
    """A parent must be another top-level theme in use, and a theme with sub-themes cannot have one."""
    if parent_id is None:
        return
    parent = session.get(Theme, parent_id)
    if parent is None:
        raise CodebookError("Choose a parent theme from the list.", "parent")
    if theme is not None and parent.id == theme.id:
        raise CodebookError("A theme cannot be its own parent.", "parent")
    if parent.archived:
        raise CodebookError(f"“{parent.name}” is archived: choose a parent theme that is in use.", "parent")
    if parent.parent is not None:
        raise CodebookError(f"“{parent.name}” is itself under “{parent.parent.name}”. The codebook has two "
                            "levels, so choose a top-level theme as the parent.", "parent")
    if theme is not None and (children := _children(session, theme.id)):
        raise CodebookError(f"“{theme.name}” has sub-themes ({_names(children)}), so it cannot go under "
                            "another theme: the codebook has two levels.", "parent")


def create(session: orm.Session, values: ThemeValues, *, by: audit.Actor, now: datetime) -> Theme:
    """Add a theme to the codebook.

    :raises CodebookError: a field that does not fit, a name already taken (in any case), or a parent
        that is not a top-level theme in use.
    """
    values = _valid(values)
    with writing(session):
        lock(session)
        _check_name_free(session, values.name)
        _check_parent(session, values.parent_id, None)
        theme = Theme(**{name: getattr(values, name) for name in FIELDS})
        session.add(theme)
        session.flush()
        audit.record(session, by, "theme.create", now=now,
                     details={"theme_id": theme.id, "name": theme.name, "parent_id": theme.parent_id})
    return theme


def update(session: orm.Session, theme_id: int, values: ThemeValues, *, by: audit.Actor, now: datetime) -> list[str]:
    """Rename or edit a theme (archived ones too); returns the fields that changed.

    :raises CodebookError: as for create, or the theme is gone, or it has sub-themes and is given a parent.
    """
    values = _valid(values)
    with writing(session):
        lock(session)
        theme = _theme(session, theme_id)
        _check_name_free(session, values.name, theme.id)
        if values.parent_id != theme.parent_id:
            _check_parent(session, values.parent_id, theme)
        changed = [name for name in FIELDS if getattr(theme, name) != getattr(values, name)]
        if not changed:
            return []
        details = {"theme_id": theme.id, "name": values.name, "changed": changed}
        if theme.name != values.name:
            details["renamed_from"] = theme.name
        for name in changed:
            setattr(theme, name, getattr(values, name))
        audit.record(session, by, "theme.update", now=now, details=details)
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
                raise CodebookError(f"“{theme.name}” has sub-themes in use ({_names(in_use)}). Archive them, or "
                                    "move them under another theme, first.")
        elif theme.merged_into_id is not None:
            survivor = session.get_one(Theme, theme.merged_into_id)
            raise CodebookError(f"“{theme.name}” was merged into “{survivor.name}”, which now holds its taggings: "
                                "it stays archived.")
        elif theme.parent is not None and theme.parent.archived:
            raise CodebookError(f"“{theme.name}” is under “{theme.parent.name}”, which is archived. Bring "
                                f"“{theme.parent.name}” back first, or move “{theme.name}” to the top level.")
        theme.archived = archived
        audit.record(session, by, "theme.archive" if archived else "theme.unarchive", now=now,
                     details={"theme_id": theme.id, "name": theme.name})
    return True


def _check_merge(session: orm.Session, source: Theme, target: Theme) -> list[Theme]:
    """Refuse a merge that cannot be made; return the source's sub-themes, which move to the target."""
    if source.id == target.id:
        raise CodebookError("Choose another theme to merge into.", "target")
    if source.merged_into_id is not None:
        raise CodebookError(f"“{source.name}” was already merged into another theme.", "target")
    if target.archived:
        raise CodebookError(f"“{target.name}” is archived: merge into a theme that is in use.", "target")
    children = _children(session, source.id)
    if children and target.parent_id == source.id:
        raise CodebookError(f"“{target.name}” is a sub-theme of “{source.name}”. Move “{target.name}” to the "
                            "top level first, or merge into another theme.", "target")
    if children and target.parent is not None:
        raise CodebookError(f"“{source.name}” has sub-themes ({_names(children)}), and “{target.name}” is itself "
                            f"under “{target.parent.name}”: moving them under “{target.name}” would make a third "
                            "level. Merge into a top-level theme, or move the sub-themes first.", "target")
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
        audit.record(session, by, "theme.merge", now=now, details={
            "source": {"id": source.id, "name": source.name}, "target": {"id": target.id, "name": target.name},
            "taggings_moved": moved, "already_tagged": dropped, "children_moved": len(children)})
    return result
