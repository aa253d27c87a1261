"""The codebook as CSV: exported for a spreadsheet, imported back all or nothing, every line checked.

An import adds the themes it does not know and updates those it does, matched by name (in any case).
A parent may be named before or after its sub-themes. If any line has a problem, nothing changes and
every problem is reported with its line number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit, spreadsheet
from feedback.db import writing
from feedback.models import Theme
from feedback.sanitize import normalise_text
from feedback.sentences import PluralSentence, Sentence
from feedback.services.themes import codebook, codebook_values
from feedback.services.themes.codebook import CodebookError
from feedback.services.themes.codebook_values import ThemeValues

COLUMNS = ("name", "definition", "example", "colour", "parent", "keywords", "archived")
KEYWORD_SEPARATOR = "; "
IMPORT_BYTES_MAX = 200 * 1024
IMPORT_LINES_MAX = 1000
YES, NO = ("yes", "y", "true", "1"), ("no", "n", "false", "0", "")


@dataclass(frozen=True)
class LineError:
    line: int | None  # None: about the file as a whole
    message: Sentence


def _nothing_imported(lines: int) -> Sentence | PluralSentence:
    """Why nothing was imported, naming how many lines have problems (or the file, when none is a line's)."""
    if not lines:
        return Sentence("Nothing was imported: fix the problems with the file (listed below) and try again.")
    return PluralSentence("Nothing was imported: fix the problems with %(num)s line of the file (listed below) and "
                          "try again.",
                          "Nothing was imported: fix the problems with %(num)s lines of the file (listed below) and "
                          "try again.", lines)


class ImportRefused(CodebookError):
    """The file had problems; nothing was imported."""

    def __init__(self, errors: list[LineError]) -> None:
        lines = {e.line for e in errors if e.line is not None}
        super().__init__(_nothing_imported(len(lines)), "file")
        self.errors = sorted(errors, key=lambda e: (e.line or 0))


@dataclass(frozen=True)
class ImportResult:
    created: list[str]
    updated: list[str]
    unchanged: int


def _ordered(all_themes: list[Theme]) -> list[Theme]:
    """Top-level themes A to Z, each followed by its sub-themes: a file a person can read."""
    key = lambda t: (t.name.casefold(), t.name)  # noqa: E731
    children = {t.id: sorted((c for c in all_themes if c.parent_id == t.id), key=key) for t in all_themes}
    ordered = []
    for top in sorted((t for t in all_themes if t.parent_id is None), key=key):
        ordered += [top, *children[top.id]]
    return ordered


def export_csv(session: orm.Session, *, by: audit.Actor, now: datetime) -> str:
    """The whole codebook (archived themes too) as CSV text, cells safe for spreadsheets; recorded."""
    with writing(session):
        all_themes = list(session.scalars(sa.select(Theme)))
        names: dict[int | None, str] = {t.id: t.name for t in all_themes}  # looked up by parent_id, often None
        rows = [[t.name, t.definition, t.example, t.colour, names.get(t.parent_id, ""),
                 KEYWORD_SEPARATOR.join(codebook_values.keyword_list(t.keywords)), "yes" if t.archived else "no"]
                for t in _ordered(all_themes)]
        audit.record(session, by, audit.Action.THEME_EXPORT, now=now, details={"themes": len(rows)})
    return "".join(spreadsheet.csv_lines([COLUMNS, *rows]))


def _from_spreadsheet(cell: str) -> str:
    """Undo spreadsheet.safe_cell: drop the apostrophe it put before a formula character."""
    if cell.startswith("'") and cell[1:].startswith(spreadsheet.FORMULA_STARTS):
        return cell[1:]
    return cell


def _read(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[LineError]]:
    """The file's lines as (line number, cells by column); blank lines skipped.

    :raises ImportRefused: the file is too big, not UTF-8, not CSV, or its first line is not the header.
    """
    if len(data) > IMPORT_BYTES_MAX:
        raise ImportRefused([LineError(None, Sentence("The file is too big: a codebook file can be at most "
                                                      "%(kb)s KB.", kb=IMPORT_BYTES_MAX // 1024))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([LineError(None, Sentence("The file is not UTF-8 text. In your spreadsheet, save it "
                                                      "as “CSV UTF-8” and try again."))]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [normalise_text(cell).lower() for cell in next(reader, [])]
        if sorted(header) != sorted(COLUMNS):
            raise ImportRefused([LineError(1, Sentence("The first line must name the columns %(columns)s (in any "
                                                       "order), as in an exported codebook.",
                                                       columns=", ".join(COLUMNS)))])
        rows, errors, start = [], [], reader.line_num + 1
        for cells in reader:
            while len(cells) > len(header) and not cells[-1].strip():
                cells.pop()  # spreadsheets pad lines with empty cells
            if len(cells) != len(header) and any(c.strip() for c in cells):
                errors.append(LineError(start, Sentence("This line has %(cells)s cells; it needs %(columns)s, "
                                                        "one for each column.", cells=len(cells),
                                                        columns=len(header))))
            elif any(c.strip() for c in cells):
                rows.append((start, {name: _from_spreadsheet(cell) for name, cell in zip(header, cells, strict=True)}))
            start = reader.line_num + 1
    except csv.Error:
        raise ImportRefused([LineError(reader.line_num,
                                       Sentence("This line is not valid CSV: is a quote left open?"))]) from None
    if len(rows) > IMPORT_LINES_MAX:
        raise ImportRefused([LineError(None, Sentence("The file has more than %(max)s themes.",
                                                      max=IMPORT_LINES_MAX))])
    return rows, errors


@dataclass
class _Planned:
    """One theme as it will be after the import: from a line of the file or, untouched, from the database."""

    name: str
    parent: str  # the parent's name, "" for none
    archived: bool
    line: int | None = None  # None: not in the file
    values: ThemeValues | None = None
    existing: Theme | None = None

    @property
    def parent_key(self) -> str:
        return _key(self.parent)


def _key(name: str) -> str:
    """Names match in any case."""
    return normalise_text(name).casefold()


def _planned_line(line: int, cells: dict[str, str], existing: Theme | None,
                  errors: list[LineError]) -> _Planned:
    colour = cells["colour"].strip() or (existing.colour if existing else codebook_values.DEFAULT_COLOUR)
    keywords = "\n".join(cells["keywords"].split(";"))
    values, problems = codebook_values.cleaned(ThemeValues(cells["name"], cells["definition"], cells["example"],
                                                  colour, keywords))
    errors += [LineError(line, message) for _field, message in problems]
    archived = cells["archived"].strip().lower()
    if archived not in YES + NO:
        errors.append(LineError(line, Sentence("Write yes or no in the archived column, not “%(value)s”.",
                                               value=archived[:20])))
    return _Planned(values.name, normalise_text(cells["parent"]), archived in YES, line, values, existing)


def _plan(session: orm.Session, rows: list[tuple[int, dict[str, str]]],
          errors: list[LineError]) -> dict[str, _Planned]:
    """The codebook as it would be after the import, by name in any case; problems go into errors."""
    stored = list(session.scalars(sa.select(Theme)))
    names: dict[int | None, str] = {t.id: t.name for t in stored}  # looked up by parent_id, often None
    plan = {_key(t.name): _Planned(t.name, names.get(t.parent_id, ""), t.archived, existing=t) for t in stored}
    seen: dict[str, int] = {}
    for line, cells in rows:
        key = _key(cells["name"])
        if key in seen:
            errors.append(LineError(line, Sentence("“%(theme)s” is also on line %(line)s: put each theme on one "
                                                   "line only.", theme=cells["name"].strip(), line=seen[key])))
            continue
        planned = _planned_line(line, cells, plan[key].existing if key in plan else None, errors)
        if key:  # a line without a name has its error already
            seen[key], plan[key] = line, planned
    return plan


def _check_line(key: str, theme: _Planned, plan: dict[str, _Planned]) -> Sentence | None:
    """What is wrong with where this line puts its theme, if anything."""
    parent = plan.get(theme.parent_key)
    children = [t for t in plan.values() if t.parent_key == key and t is not theme]
    existing = theme.existing
    if theme.parent and parent is None:
        return Sentence("The parent “%(parent)s” is neither in the codebook nor in this file.", parent=theme.parent)
    if parent is theme:
        return Sentence("A theme cannot be its own parent.")
    if parent is not None and parent.archived:
        return Sentence("The parent “%(parent)s” is archived: choose a parent theme that is in use.",
                        parent=parent.name)
    if parent is not None and parent.parent:
        return Sentence("The parent “%(parent)s” is itself under “%(grandparent)s”. The codebook has two levels, "
                        "so choose a top-level theme as the parent.", parent=parent.name, grandparent=parent.parent)
    if parent is not None and children:
        return Sentence("“%(theme)s” has sub-themes (%(children)s), so it cannot go under another theme.",
                        theme=theme.name, children=", ".join(c.name for c in children))
    if theme.archived and any(not c.archived for c in children):
        return Sentence("“%(theme)s” has sub-themes in use: archive them too, or move them, before archiving it.",
                        theme=theme.name)
    if existing is not None and existing.merged_into_id is not None and not theme.archived:
        return Sentence("“%(theme)s” was merged into another theme, which holds its taggings: it stays archived.",
                        theme=theme.name)
    return None


def _apply(session: orm.Session, plan: dict[str, _Planned]) -> ImportResult:
    lines = [t for t in plan.values() if t.line is not None]
    created, updated = [], []
    for planned in lines:
        values, theme = planned.values, planned.existing
        assert values is not None  # _planned_line gives every line of the file its values
        wanted = {"name": values.name, "definition": values.definition, "example": values.example,
                  "colour": values.colour, "keywords": values.keywords, "archived": planned.archived}
        if theme is None:
            theme = planned.existing = Theme(**wanted)
            session.add(theme)
            created.append(values.name)
            continue
        current_parent = _key(theme.parent.name) if theme.parent is not None else ""
        if current_parent != planned.parent_key or any(getattr(theme, n) != v for n, v in wanted.items()):
            updated.append(values.name)
            for name, value in wanted.items():
                setattr(theme, name, value)
    session.flush()  # new themes get their ids
    for planned in lines:
        parent = plan.get(planned.parent_key)
        parent_theme = parent.existing if parent is not None else None
        # Every planned theme has a row by now: a stored one from the start, a new line's from the loop above.
        assert planned.existing is not None and (parent is None or parent_theme is not None)
        planned.existing.parent_id = parent_theme.id if parent_theme is not None else None
    return ImportResult(created, updated, len(lines) - len(created) - len(updated))


def import_csv(session: orm.Session, data: bytes, *, by: audit.Actor, now: datetime) -> ImportResult:
    """Create and update themes from a codebook CSV file, all or nothing.

    :raises ImportRefused: with every problem found, by line number; nothing was changed.
    """
    rows, errors = _read(data)
    with writing(session):
        codebook.lock(session)
        plan = _plan(session, rows, errors)
        for key, theme in plan.items():
            problem = _check_line(key, theme, plan) if theme.line is not None else None
            if problem:
                errors.append(LineError(theme.line, problem))
        if errors:
            raise ImportRefused(errors)
        result = _apply(session, plan)
        audit.record(session, by, audit.Action.THEME_IMPORT, now=now, details={
            "created": result.created, "updated": result.updated, "unchanged": result.unchanged})
    return result
