"""Fill a fresh database with a big instance for the summary benchmark (bench/summary_bench.py).

100 town halls (three of them sized for the export's memory test), 40 themes with a few parents,
submissions with realistic text, statuses, affiliations and dates, one to three taggings per published
submission, and a few near-duplicate groups. PostgreSQL is filled through COPY, SQLite through
executemany in large transactions; both through the schema the migrations build.

Named submissions are marked is_named but get no Identity row: sealing costs nothing in a summary,
which never reads identities, and would only slow the fill down.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from feedback.config import Defaults
from feedback.db import upgrade_schema
from feedback.models import HiddenReason, SubmissionStatus

TOWN_HALLS = 100
FIRST_HELD_ON = date(2023, 1, 10)
# Shares of each status, out of 20 (75% published, 10% pending, 10% hidden, 5% escalated).
STATUS_TWENTIETHS = {SubmissionStatus.PENDING: 2, SubmissionStatus.HIDDEN: 2, SubmissionStatus.ESCALATED: 1}
# The configured affiliations and None (not given), weighted.
AFFILIATION_WEIGHTS = dict(zip([*Defaults.AFFILIATIONS, None], [40, 15, 20, 6, 5, 14], strict=True))
PARENT_THEMES = ["Workload and pay", "Safety", "Leadership", "Inclusion", "Facilities"]
CHILD_THEMES = {
    "Workload and pay": ["Overtime", "Salary bands", "Staffing levels", "Contract renewals", "Scheduling",
                         "Promotion criteria", "Benefits"],
    "Safety": ["Harassment", "Night-time lighting", "Lab safety", "Reporting channels", "Security staff",
               "Mental health support", "Emergency drills"],
    "Leadership": ["Communication", "Transparency", "Decision making", "Accountability", "Budget priorities",
                   "Follow-through", "Consultation"],
    "Inclusion": ["Racism", "Accessibility", "Gender bias", "Religious observance", "First-generation students",
                  "Language barriers", "Disability support"],
    "Facilities": ["Parking", "Heating and cooling", "Cafeteria", "Library hours"],
}
WORDS = ("the a our this every team department office students staff faculty managers leadership meeting "
         "schedule budget policy process concern problem issue change decision feedback workload pay salary "
         "overtime safety harassment report reporting channel support training lighting parking building "
         "heating cafeteria library access accessibility ramp elevator racism bias comment remark respect "
         "trust transparency communication email announcement survey committee review promise plan week month "
         "year semester again still never always often rarely nobody everyone someone people colleagues "
         "supervisor director dean chair union contract hours shift night evening weekend deadline grade "
         "course exam lab equipment funding hiring promotion retention is was were has have had feels felt "
         "seems seemed keeps kept ignores ignored asks asked needs needed wants wanted fails failed makes made "
         "unfair unsafe slow late unclear confusing exhausting stressful frustrating dismissive hostile "
         "broken missing cold crowded expensive better worse fair clear open honest quick new old same more "
         "less about for with without after before during because when while but and or not").split()


@dataclass(frozen=True)
class Hall:
    id: int
    slug: str
    title: str
    held_on: date
    submissions: int
    published: int


@dataclass(frozen=True)
class Filled:
    halls: list[Hall]
    export_halls: list[Hall]  # the halls sized for the export's memory test, smallest first
    taggings: int
    seconds: float

    @property
    def typical(self) -> Hall:
        """The regular town hall of median size: the one-town-hall page is timed on it."""
        regular = sorted((h for h in self.halls if h not in self.export_halls), key=lambda h: h.submissions)
        return regular[len(regular) // 2]


def status_counts(total: int) -> dict[str, int]:
    counts = {status.value: total * share // 20 for status, share in STATUS_TWENTIETHS.items()}
    counts[SubmissionStatus.PUBLISHED.value] = total - sum(counts.values())
    return counts


def total_for_published(published: int) -> int:
    """The smallest number of submissions whose status mix has at least this many published."""
    total = published * 20 // 15
    while status_counts(total)["published"] < published:
        total += 1
    return total


def plan_halls(submissions: int, export_published: list[int], rng: random.Random) -> list[tuple[str, str, int]]:
    """(slug, title, submissions) for every town hall, oldest first; the export halls are spread among them."""
    export_totals = [total_for_published(n) for n in export_published]
    regular = TOWN_HALLS - len(export_totals)
    left = submissions - sum(export_totals)
    if left < regular * 100:
        raise SystemExit(f"{submissions} submissions leave too few for {regular} regular town halls "
                         f"after the export halls ({export_totals}): lower --export-sizes")
    weights = [rng.uniform(0.3, 1.7) for _ in range(regular)]
    sizes = [int(left * w / sum(weights)) for w in weights]
    sizes[0] += left - sum(sizes)
    plan = [(f"hall-{i + 1:03d}", f"Town hall {i + 1}", size) for i, size in enumerate(sizes)]
    for j, (published, total) in enumerate(zip(export_published, export_totals, strict=True)):
        plan.insert((j + 1) * TOWN_HALLS // (len(export_totals) + 1),
                    (f"export-{published}", f"Town hall with {published} published", total))
    return plan


class Text:
    """Bodies of a few sentences, drawn from a pool of sentences made from a small word list."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sentences = []
        for _ in range(5000):
            words = rng.choices(WORDS, k=rng.randint(7, 18))
            self.sentences.append(" ".join(words).capitalize() + ".")

    def body(self) -> str:
        return " ".join(self.rng.choices(self.sentences, k=self.rng.randint(1, 6)))


def hall_rows(hall_id: int, held_on: date, total: int, theme_ids: list[int], theme_weights: list[float],
              text: Text, rng: random.Random):
    """(submission rows, tagging rows, duplicate-link rows) for one town hall, in column order."""
    statuses = [s for s, n in status_counts(total).items() for _ in range(n)]
    rng.shuffle(statuses)
    affiliations, weights = list(AFFILIATION_WEIGHTS), list(AFFILIATION_WEIGHTS.values())
    reasons = [r.value for r in HiddenReason]
    submissions, taggings, published = [], [], []
    for status, affiliation in zip(statuses, rng.choices(affiliations, weights, k=total), strict=True):
        sid = uuid.uuid4()
        body = text.body()
        redacted = None
        if status == "published":
            published.append(sid)
            if rng.random() < 0.05:
                redacted = body.replace(" the ", " [redacted] ", 1)
            for theme_id in set(rng.choices(theme_ids, theme_weights, k=rng.choice((1, 1, 2, 2, 3)))):
                taggings.append((sid, theme_id))
        submissions.append((sid, hall_id, body, redacted, held_on + timedelta(days=rng.randint(-7, 14)), status,
                            rng.choice(reasons) if status == "hidden" else None, affiliation,
                            rng.random() < 1 / 3, os.urandom(32), os.urandom(32)))
    # About 1% of published submissions are near-duplicates grouped under one of a few representatives.
    representatives, rest = published[:20], published[20:]
    links = [(sid, rng.choice(representatives)) for sid in rest if rng.random() < 0.01]
    return submissions, taggings, links


SUBMISSION_COLUMNS = ("id", "town_hall_id", "body", "redacted_body", "received_on", "status", "hidden_reason",
                      "affiliation", "is_named", "receipt_hash", "form_token_hash")
HALL_COLUMNS = ("id", "slug", "title", "description", "held_on", "intake_opens_on", "intake_closes_on", "status")
THEME_COLUMNS = ("id", "name", "definition", "example", "colour", "keywords", "parent_id", "archived",
                 "merged_into_id")


def theme_rows(rng: random.Random) -> tuple[list[tuple], list[float]]:
    """40 themes (5 parents, 35 children) and skewed weights, so that some cells are small."""
    rows, next_id = [], 1
    for parent in PARENT_THEMES:
        parent_id = next_id
        rows.append((parent_id, parent, f"Anything about {parent.lower()}", "", "#4c6a92", "", None, False, None))
        next_id += 1
        for child in CHILD_THEMES[parent]:
            rows.append((next_id, child, f"Concerns about {child.lower()}", "", "#2f7d5b",
                         child.lower(), parent_id, False, None))
            next_id += 1
    ranks = list(range(1, len(rows) + 1))
    rng.shuffle(ranks)
    return rows, [1 / rank ** 1.1 for rank in ranks]


class Writer:
    """Bulk rows into one database's tables."""

    def rows(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        raise NotImplementedError

    def done(self) -> None:
        raise NotImplementedError


class PostgresWriter(Writer):
    def __init__(self, engine: sa.Engine) -> None:
        self.raw = engine.raw_connection()
        self.connection = self.raw.driver_connection  # psycopg.Connection

    def rows(self, table, columns, rows):
        with self.connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def done(self):
        self.connection.commit()
        self.connection.autocommit = True
        self.connection.execute("VACUUM ANALYZE")  # as autovacuum would have, on a live instance
        self.raw.close()


class SqliteWriter(Writer):
    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)
        self.connection.execute("PRAGMA synchronous=OFF")  # a fill, not a workload: durability is not measured
        self.connection.execute("BEGIN")

    @staticmethod
    def _value(value):
        if isinstance(value, uuid.UUID):
            return value.hex  # how SQLAlchemy's Uuid stores it on SQLite
        if isinstance(value, date):
            return value.isoformat()
        return value

    def rows(self, table, columns, rows):
        marks = ", ".join("?" * len(columns))
        self.connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                                    ([self._value(v) for v in row] for row in rows))

    def done(self):
        self.connection.execute("COMMIT")
        self.connection.execute("ANALYZE")
        self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.connection.close()


def fill(engine: sa.Engine, submissions: int, export_published: list[int], seed: int = 4,
         progress=print) -> Filled:
    """Build the schema on an empty database and fill it; returns what was made."""
    started = time.perf_counter()
    upgrade_schema(engine)
    rng = random.Random(seed)
    if engine.dialect.name == "postgresql":
        writer: Writer = PostgresWriter(engine)
    else:
        writer = SqliteWriter(engine.url.database)
    themes, theme_weights = theme_rows(rng)
    writer.rows("theme", THEME_COLUMNS, themes)
    theme_ids = [row[0] for row in themes]
    text = Text(rng)
    halls, tagged = [], 0
    for i, (slug, title, total) in enumerate(plan_halls(submissions, sorted(export_published), rng)):
        held_on = FIRST_HELD_ON + timedelta(days=7 * i)
        writer.rows("town_hall", HALL_COLUMNS, [(i + 1, slug, title, "", held_on, held_on - timedelta(days=7),
                                                 held_on + timedelta(days=14), "active")])
        rows, taggings, links = hall_rows(i + 1, held_on, total, theme_ids, theme_weights, text, rng)
        writer.rows("submission", SUBMISSION_COLUMNS, rows)
        writer.rows("tagging", ("submission_id", "theme_id"), taggings)
        writer.rows("duplicate_link", ("submission_id", "representative_id"), links)
        halls.append(Hall(i + 1, slug, title, held_on, total, status_counts(total)["published"]))
        tagged += len(taggings)
        if (i + 1) % 20 == 0:
            progress(f"  filled {i + 1} town halls, {sum(h.submissions for h in halls)} submissions "
                     f"({time.perf_counter() - started:.0f} s)")
    writer.done()
    if engine.dialect.name == "postgresql":
        # COPY gave the ids; move the sequences past them, as inserts through the app would have.
        with engine.begin() as connection:
            for table in ("town_hall", "theme"):
                connection.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                           f"(SELECT max(id) FROM {table}))")
    export = sorted((h for h in halls if h.slug.startswith("export-")), key=lambda h: h.published)
    return Filled(halls, export, tagged, time.perf_counter() - started)


def read_filled(engine: sa.Engine) -> Filled:
    """What an earlier fill made (for --reuse)."""
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT h.id, h.slug, h.title, h.held_on, count(s.id), "
            "sum(CASE WHEN s.status = 'published' THEN 1 ELSE 0 END) "
            "FROM town_hall h LEFT JOIN submission s ON s.town_hall_id = h.id "
            "GROUP BY h.id, h.slug, h.title, h.held_on ORDER BY h.held_on")).all()
        taggings = connection.execute(sa.text("SELECT count(*) FROM tagging")).scalar_one()
    halls = [Hall(r[0], r[1], r[2], r[3] if isinstance(r[3], date) else date.fromisoformat(r[3]), r[4], r[5] or 0)
             for r in rows]
    export = sorted((h for h in halls if h.slug.startswith("export-")), key=lambda h: h.published)
    return Filled(halls, export, taggings, 0.0)

