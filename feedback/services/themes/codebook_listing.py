"""The codebook as it is listed: the codebook page, the themes offered for tagging, parents and merge targets."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import orm

from feedback.models import Tagging, Theme
from feedback.services.themes.codebook_values import keyword_list


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


def by_name(themes: list[Theme]) -> list[Theme]:
    """Themes A to Z, whatever their case."""
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
    return [(t, by_name(children[t.id])) for t in by_name(tops)]


def codebook(session: orm.Session) -> Codebook:
    """Every theme with its tagging count: those in use grouped by parent, then the archived ones."""
    themes = list(session.scalars(sa.select(Theme)))
    counts = _counts(session)
    names: dict[int | None, str] = {t.id: t.name for t in themes}  # looked up by merged_into_id, often None
    in_use = [ThemeEntry(top, counts.get(top.id, 0), [ThemeEntry(c, counts.get(c.id, 0)) for c in children])
              for top, children in _grouped(themes)]
    archived = [ThemeEntry(t, counts.get(t.id, 0), merged_into=names.get(t.merged_into_id))
                for t in by_name([t for t in themes if t.archived])]
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
    return by_name([t for t in session.scalars(query) if t.id != theme_id])


def merge_targets(session: orm.Session, theme_id: int) -> list[Theme]:
    """The themes a theme could be merged into: any other theme in use."""
    query = sa.select(Theme).where(Theme.archived.is_(False), Theme.id != theme_id)
    return by_name(list(session.scalars(query)))
