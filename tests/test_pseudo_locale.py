"""Issue 16: a pseudo-locale crawl of every page, as each role, finds no visible English that was never marked.

The app reads a pseudo catalog built here from the committed template (tests/pseudo_locale.py), on the demo
instance, so every page has real content. Each role browses by following links from its start pages; routes no
link reaches are fetched with arguments taken from the data. On each HTML page, what is neither pseudo text nor
data is English nobody marked: the test lists it, page by page. SQLite only: the crawl reads pages, not storage.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
import sqlalchemy as sa

from feedback import audit, clock, create_app, i18n
from feedback.demo import content, loader
from feedback.demo.live import QUESTIONS
from feedback.models import Action, Base, Identity, LiveSession, RevealRequest, Submission, Theme, TownHall
from feedback.services.live import sessions
from tests.conftest import base_config
from tests.pseudo_locale import CLOSE, LOCALE, OPEN, Data, data_values, pseudo, visible_pieces, write_catalog
from tests.site_crawl import Crawl, Visit
from tests.staff import log_in

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "feedback/translations/messages.pot"
PRODUCT = "Town Hall Feedback"
# Shown as they are in every language: abbreviations Spanish writes the same way.
AS_WRITTEN = ["CSV", "QR", "URL", "SVG"]
# Codes the app stores and shows through a label (a status, a role, a reason): a page must show the label, so
# they are not data. The same word as a label of its own must be marked.
LABELLED = {("action", "status"), ("action", "progress_from"), ("action_update", "status"),
            ("staff_user", "role"), ("staff_user", "language"), ("town_hall", "status"),
            ("bulk_change", "kind"), ("bulk_change_item", "status_before"),
            ("bulk_change_item", "hidden_reason_before"),
            ("help_answer", "answer"), ("released_answer", "answer"), ("live_session", "state"),
            ("live_question", "state"), ("submission", "status"), ("submission", "hidden_reason"),
            ("submission", "affiliation"), ("submission", "language"), ("outgoing_mail", "kind"),
            ("outgoing_mail", "status"), ("released_count", "kind"), ("released_count", "key"),
            ("reply", "author"), ("reveal_request", "status"), ("suggestion_decision", "decision"),
            ("staff_user", "password_hash")}
ROLES = {"anonymous": None, "admin": "admin@example.org", "facilitator": "facilitator@example.org",
         "leader": "leader@example.org"}
PUBLIC_START = ["/", "/plan", "/live", "/receipt", "/login"]
STAFF_START = ["/staff", *PUBLIC_START[:-1]]
PER_KIND = 3
# GET routes the crawl does not read as pages, and why.
NOT_PAGES = {
    "static": "stylesheets, scripts and icons: files, not text",
    "language.switch": "a redirect that sets the language cookie: following it would leave the pseudo locale",
}
# Answers read another way than as HTML pages: files a program reads (CSV, whose headers are column names an
# import reads back), a feed for feed readers, an image.
NOT_HTML = {"text/csv", "application/atom+xml", "image/svg+xml"}


def in_pseudo_locale(patch: pytest.MonkeyPatch) -> None:
    """Let a browser ask for the pseudo locale with the language cookie, as for one of the app's languages."""
    patch.setattr(i18n, "LANGUAGES", (*i18n.LANGUAGES, LOCALE))
    patch.setattr(i18n, "NAMES", {**i18n.NAMES, LOCALE: "Ελληνικά"})


def pseudo_app(tmp_path: Path, left_out: Iterable[str] = ()):
    """An app on SQLite that reads the pseudo catalog (and not the app's own catalogs)."""
    write_catalog(TEMPLATE, tmp_path / "translations", left_out=left_out)
    app = create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'feedback.sqlite3'}",
                                 BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations")))
    Base.metadata.create_all(app.extensions["feedback_engine"])
    return app


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo instance, read in the pseudo locale."""
    with pytest.MonkeyPatch.context() as patch:
        in_pseudo_locale(patch)
        app = pseudo_app(tmp_path_factory.mktemp("pseudo"))
        session = app.extensions["feedback_db"]()
        loader.load(session, app.extensions["feedback_keyring"], app.extensions["feedback_password_hasher"],
                    today=clock.today(), now=clock.now())
        session.commit()
        session.close()
        yield app
        app.extensions["feedback_engine"].dispose()


def strings_in(held: object) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(held, str):
        return [held]
    if isinstance(held, dict):
        return [text for value in held.values() for text in strings_in(value)]
    if isinstance(held, list):
        return [text for value in held for text in strings_in(value)]
    return []


def demo_data(app) -> Data:
    """Every text the demo stored (its labelled codes aside), and the demo's people, whose names are encrypted."""
    session = app.extensions["feedback_db"]()
    try:
        rows = []
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns
                       if isinstance(c.type, sa.String) and (table.name, c.name) not in LABELLED]
            if columns:
                rows += session.execute(sa.select(*columns)).all()
            # Organisation text's versions in other languages ({"es": {"title": ...}}): data too.
            for column in (c for c in table.columns if isinstance(c.type, sa.JSON)):
                rows += [tuple(strings_in(held)) for held in session.scalars(sa.select(column))]
    finally:
        session.close()
    written = (*content.SUBMISSIONS, *content.generated_submissions())
    people: list[tuple[str | None, ...]] = [(s.name, s.email) for s in written]
    people += [*content.NAMED, *((name, email) for email, name, _role in loader.DEMO_STAFF)]
    people += [(q.name, None) for q in QUESTIONS]
    # Each language by its name in itself, and by its code on staff pages' compact switch ("ES", its name as title).
    languages = [*i18n.NAMES.values(), *(code.upper() for code in i18n.NAMES)]
    return Data(data_values([*rows, *people]), allowed=[PRODUCT, *languages, *AS_WRITTEN])


def client_as(app, email: str | None):
    """A browser that asks for the pseudo locale, logged in as the demo account with this e-mail (if any)."""
    client = app.test_client()
    client.set_cookie(i18n.COOKIE, LOCALE)
    if email:
        assert log_in(client, email, loader.DEMO_PASSWORD).status_code == 302
    return client


def one_submission_of_each_kind(session) -> list[uuid.UUID]:
    """A submission in each status (and hidden reason), a redacted one, a named one and one with a reveal
    request: their pages read differently."""
    kinds: dict[tuple, uuid.UUID] = {}
    for row in session.execute(sa.select(Submission.id, Submission.status, Submission.hidden_reason,
                                         Submission.redacted_body.is_not(None)).order_by(Submission.id)):
        kinds.setdefault(tuple(row[1:]), row[0])
    chosen = list(kinds.values())
    chosen += session.scalars(sa.select(Identity.submission_id).limit(1))
    chosen += session.scalars(sa.select(RevealRequest.submission_id).limit(1))
    return chosen


def arguments(app) -> dict[str, list[object]]:
    """Values for the routes' arguments, from the demo data (and a presenter link made for the live session)."""
    session = app.extensions["feedback_db"]()
    try:
        live = session.scalars(sa.select(LiveSession).where(LiveSession.state == "running")).first()
        assert live is not None, "the demo runs a live session"
        token = sessions.new_presenter_link(session, live.id, by=audit.Actor(audit.SYSTEM), now=clock.now())
        return {
            "slug": list(session.scalars(sa.select(TownHall.slug).order_by(TownHall.id))),
            "live_id": [live.id],
            "code": [live.code],
            "token": [token],
            "theme_id": list(session.scalars(sa.select(Theme.id).order_by(Theme.id).limit(2))),
            "town_hall_id": list(session.scalars(sa.select(TownHall.id).order_by(TownHall.id).limit(2))),
            "action_id": list(session.scalars(sa.select(Action.id).order_by(Action.id).limit(3))),
            "submission_id": one_submission_of_each_kind(session),
        }
    finally:
        session.close()


def data_urls(app, values: dict[str, list[object]]) -> list[str]:
    """A URL of every GET route for each value of its argument that the data has (routes no link may reach)."""
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        names = sorted(rule.arguments)
        if not names:
            urls.append(adapter.build(rule.endpoint, {}))
        elif len(names) == 1 and values.get(names[0]):
            urls += [adapter.build(rule.endpoint, {names[0]: v}) for v in values[names[0]]]
    return urls


@dataclass(frozen=True)
class Crawled:
    visits: dict[str, dict[str, Visit]]  # role -> url -> what it answered
    data: Data
    expected_endpoints: set[str]


@pytest.fixture(scope="module")
def crawled(demo) -> Crawled:
    forced = data_urls(demo, arguments(demo))
    visits = {}
    for role, email in ROLES.items():
        start = STAFF_START if email else PUBLIC_START
        visits[role] = Crawl(demo, client_as(demo, email), PER_KIND).run(start, forced)
    expected = {r.endpoint for r in demo.url_map.iter_rules() if "GET" in r.methods} - set(NOT_PAGES)
    return Crawled(visits, demo_data(demo), expected)


def html_pages(crawled: Crawled):
    for role, visits in crawled.visits.items():
        for visit in visits.values():
            if visit.content_type == "text/html" and not 300 <= visit.status < 400:
                yield role, visit


def findings(crawled: Crawled) -> dict[str, dict[str, set[str]]]:
    """Unmarked text (its data and numbers written "…") -> endpoint -> roles that saw it there."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for role, visit in html_pages(crawled):
        pieces, balanced = visible_pieces(visit.body)
        if not balanced:
            found[f"(unbalanced {OPEN} {CLOSE}: the rest of {visit.url} went unchecked)"][visit.endpoint].add(role)
        for piece, in_people_text in pieces:
            if crawled.data.unmarked(piece, in_people_text):
                found[crawled.data.shape(piece)][visit.endpoint].add(role)
    return found


def sources() -> dict[str, str]:
    """The templates and Python modules (the demo's data aside), whitespace collapsed and none around tags, to say
    where an unmarked text is written."""
    files = [*sorted((ROOT / "templates").rglob("*.html")),
             *sorted(f for f in (ROOT / "feedback").rglob("*.py")
                     if not {"demo", "migrations"} & set(f.parts) and f.name != "cli.py")]
    return {str(f.relative_to(ROOT)): re.sub(r"\s*([<>])\s*", r"\1", " ".join(f.read_text(encoding="utf-8").split()))
            for f in files}


def written_in(text: str, files: dict[str, str]) -> tuple[str, str]:
    """The file that writes the text's longest literal stretch (what lies between its "…"): as a string literal,
    else as an element's text, else anywhere ("?": a guess)."""
    stretch = max((part.strip(" ·:,.()") for part in text.split("…")), key=len)
    words = stretch.split()
    if not stretch:
        return "?", ""
    for candidates, guess in (([f'"{stretch}"', f"'{stretch}'"], ""), ([f">{stretch}<"], ""),
                              ([f'"{stretch}', f"'{stretch}", f">{stretch}"], ""),
                              ([stretch, " ".join(words[:4]), " ".join(words[-4:])], " ?")):
        hits = [path for path, source in files.items() if any(c and c in source for c in candidates)]
        if hits:
            return hits[0], guess
    return "(not found in templates/ or feedback/)", ""


def readable(found: dict[str, dict[str, set[str]]]) -> str:
    """Grouped by the file that writes each text, so each list goes to whoever marks that area."""
    files = sources()
    by_file: dict[str, list[str]] = defaultdict(list)
    for text, where in found.items():
        roles = sorted(set().union(*where.values()))
        pages = sorted(where)
        shown = ", ".join(pages[:3]) + (f" and {len(pages) - 3} more" if len(pages) > 3 else "")
        path, guess = written_in(text, files)
        by_file[path].append(f"  {text!r}{guess}  [{', '.join(roles)}: {shown}]")
    return "\n".join(f"{path}:\n" + "\n".join(sorted(lines)) for path, lines in sorted(by_file.items()))


def test_the_pseudo_locale_keeps_placeholders_tags_and_entities():
    assert pseudo("Check a receipt") == "⟦Çĥéçķ á ŕéçéîþţ⟧"
    assert pseudo('And %(count)s more on <a href="%(url)s">the plan</a> &amp; %s, 100%%') == (
        '⟦Áñđ %(count)s ɱöŕé öñ <a href="%(url)s">ţĥé þļáñ</a> &amp; %s, 100%%⟧')


def test_the_pseudo_catalog_translates_every_message_of_the_template(tmp_path):
    compiled = polib.mofile(str(write_catalog(TEMPLATE, tmp_path)))
    template = polib.pofile(str(TEMPLATE))
    assert {e.msgid for e in compiled if e.msgid} == {e.msgid for e in template}
    assert all(e.msgstr.startswith(OPEN) or e.msgstr_plural[1].startswith(OPEN) for e in compiled if e.msgid)


def test_visible_text_leaves_out_pseudo_text_scripts_and_unread_attributes():
    page = ('<title>⟦Ţîţļé⟧</title><p>⟦Ŝéé <a href="/x" class="Plain">ţĥé þļáñ</a>⟧ Unmarked</p>'
            '<script>var english = "x";</script><input type="submit" value="Send"><img alt="⟦Ļöĝö⟧">')
    pieces, balanced = visible_pieces(page)
    assert [p for p, _people in pieces] == ["Unmarked", "Send"] and balanced


def test_a_message_missing_from_the_catalog_is_found_as_unmarked_text(tmp_path, monkeypatch):
    """What an unmarked string looks like to the crawl: English in a page of the pseudo locale."""
    in_pseudo_locale(monkeypatch)
    app = pseudo_app(tmp_path, left_out=["Check a receipt"])
    data = Data([], allowed=[PRODUCT, *i18n.NAMES.values()])
    try:
        visits = Crawl(app, client_as(app, None), 1).run(["/"]).values()
    finally:
        app.extensions["feedback_engine"].dispose()
    pieces = [piece for visit in visits for piece, people in visible_pieces(visit.body)[0]
              if data.unmarked(piece, people)]
    assert pieces and {piece.removesuffix(" ·") for piece in pieces} == {"Check a receipt"}  # the link, the title


def test_every_page_as_each_role_shows_only_text_marked_for_translation(crawled):
    found = findings(crawled)
    assert not found, f"{len(found)} texts never marked for translation:\n{readable(found)}"


def test_the_crawl_reaches_every_page_of_the_app(crawled):
    reached = {v.endpoint for visits in crawled.visits.values() for v in visits.values() if v.status == 200}
    assert sorted(crawled.expected_endpoints - reached) == []


def test_no_page_of_the_crawl_fails(crawled):
    failed = [(role, v.url, v.status, v.body[:200]) for role, visits in crawled.visits.items() for v in visits.values()
              if v.status >= 500]
    assert failed == []
