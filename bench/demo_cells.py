"""How many of the leadership summary's numbers a leader can read, on the demo: cells shown vs hidden.

Loads the demo into a throwaway instance, logs in as the demo's leader, and reads every count cell of
every leadership view (all town halls, each town hall, each brief) and of the theme-counts CSV. A cell
is shown when it holds a number ("42" or "about 42"), hidden when it reads "fewer than k", "not shown"
or "not released yet". Also: how many held town halls show both their received and published counts,
and how many themes with 10 or more published submissions in a held town hall show their count there.
Written to run on the code before issue 11 too (same pages, older wording):

    .venv/bin/python -m bench.demo_cells
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import tempfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import sqlalchemy as sa

from feedback import clock, create_app, crypto, keyfile
from feedback.demo import loader
from feedback.models import Base

NUMBER = re.compile(r"^(about )?\d+$")
HIDDEN = re.compile(r"^(fewer than \d+|not shown|not released yet)$")
COUNT_CAPTIONS = ("Submissions by status", "Published submissions per theme", "Published submissions by")
PASSWORD = "town-hall-demo"


class _Rows(HTMLParser):
    """Each row of the tables captioned "Submissions by status" or "Published submissions per theme"."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[list[str]]] = {}
        self._caption: list[str] | None = None
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "caption":
            self._caption = []
        elif tag == "tr" and self._table:
            self.rows[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            caption = " ".join("".join(self._caption).split())
            self._table = caption if caption in ("Submissions by status", "Published submissions per theme") else None
            if self._table:
                self.rows[self._table] = []
            self._caption = None
        elif tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None and self._table:
            self.rows[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        for found in (self._caption, self._cell):
            if found is not None:
                found.append(data)


class _Cells(HTMLParser):
    """The text of every td under a counting table's caption, and of every dd of the brief's headline."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._caption: list[str] | None = None
        self._counting = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "caption":
            self._caption = []
        elif tag in ("td", "dd") and (self._counting or tag == "dd"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            self._counting = " ".join("".join(self._caption).split()).startswith(COUNT_CAPTIONS)
            self._caption = None
        elif tag == "table":
            self._counting = False
        elif tag in ("td", "dd") and self._cell is not None:
            self.cells.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        for found in (self._caption, self._cell):
            if found is not None:
                found.append(data)


def _tally(cells: list[str], into: Counter) -> None:
    for text in cells:
        if NUMBER.match(text):
            into["shown"] += 1
        elif HIDDEN.match(text):
            into["hidden"] += 1


def _csv_cells(body: str, held_by: str | None = None) -> list[str]:
    """The count column; with held_by, only rows of town halls held by that day (and of all town halls)."""
    rows = list(csv.reader(io.StringIO(body)))
    column = next(i for i, name in enumerate(rows[0]) if name.startswith("published submissions"))
    held = rows[0].index("held on")
    return [row[column] for row in rows[1:] if held_by is None or row[held] <= held_by]


def _truth(session, hall_slug: str) -> dict[str, int]:
    """Published submissions per theme name in one town hall, counted exactly."""
    rows = session.execute(sa.text(
        "SELECT theme.name, count(*) FROM tagging JOIN theme ON theme.id = tagging.theme_id "
        "JOIN submission ON submission.id = tagging.submission_id JOIN town_hall ON town_hall.id = "
        "submission.town_hall_id WHERE submission.status = 'published' AND town_hall.slug = :slug "
        "GROUP BY theme.name"), {"slug": hall_slug})
    return dict(rows.all())


def _readable(client, session, slugs: list[str], today: str) -> tuple[int, int, int, int]:
    """Held town halls whose Received and Published both show a number; themes of 10 or more shown."""
    held = [slug for slug, held_on in slugs if held_on <= today]
    headline = themes_big = themes_big_shown = 0
    for slug in held:
        parser = _Rows()
        parser.feed(client.get(f"/leadership/{slug}").get_data(as_text=True))
        status = {row[0]: row[1] for row in parser.rows.get("Submissions by status", []) if len(row) > 1}
        headline += all(NUMBER.match(status.get(name, "")) for name in ("Received", "Published"))
        # A row's header is the theme's name, followed by its parent's in brackets for a sub-theme.
        shown = {re.sub(r" \(.*\)$", "", row[0]): row[1]
                 for row in parser.rows.get("Published submissions per theme", []) if len(row) > 1}
        for name, n in _truth(session, slug).items():
            if n >= 10:
                themes_big += 1
                themes_big_shown += bool(NUMBER.match(shown.get(name, "")))
    return headline, len(held), themes_big_shown, themes_big


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    keyfile.save(crypto.generate_keyring(), folder / "keyring.json")
    app = create_app({"TESTING": True, "SECRET_KEY": secrets.token_urlsafe(40),
                      "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
                      "KEYRING_PATH": str(folder / "keyring.json"),
                      "WTF_CSRF_ENABLED": False, "STAFF_LOGIN_RATE_LIMIT": "1000 per minute"})
    Base.metadata.create_all(app.extensions["feedback_engine"])
    session = app.extensions["feedback_db"]()
    loader.load(session, app.extensions["feedback_keyring"], app.extensions["feedback_password_hasher"],
                today=clock.today(), now=clock.now())
    halls = session.execute(sa.text("SELECT slug, held_on FROM town_hall")).all()
    dated = [(slug, str(held_on)) for slug, held_on in halls]
    slugs = [slug for slug, _ in dated]
    client = app.test_client()
    client.post("/login", data={"email": "leader@example.org", "password": PASSWORD})
    headline, held, big_shown, big = _readable(client, session, dated, clock.today().isoformat())
    session.close()
    pages, csv_tally, csv_held = Counter(), Counter(), Counter()
    for path in ["/leadership", *(f"/leadership/{s}" for s in slugs), *(f"/leadership/{s}/brief" for s in slugs)]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        parser = _Cells()
        parser.feed(response.get_data(as_text=True))
        _tally(parser.cells, pages)
    themes_csv = client.get("/leadership/themes.csv").get_data(as_text=True)
    _tally(_csv_cells(themes_csv), csv_tally)
    _tally(_csv_cells(themes_csv, clock.today().isoformat()), csv_held)
    for name, tally in (("pages", pages), ("themes.csv", csv_tally), ("themes.csv, held town halls", csv_held)):
        total = tally["shown"] + tally["hidden"]
        print(f"{name}: {tally['shown']} of {total} count cells shown ({tally['shown'] / max(total, 1):.0%})")
    print(f"held town halls whose received and published both show a number: {headline} of {held}")
    print(f"themes with 10 or more published submissions in a held town hall, shown there: {big_shown} of {big}")


if __name__ == "__main__":
    main()
