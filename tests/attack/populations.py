"""Small populations planted for the attacker, and the truth about them that a reader must never pin down.

A population is a few town halls (oldest first) and their submissions; between the reader's two
snapshots one published submission is hidden and one new submission arrives. Everything is made
through the app's own services (intake, tagging, the desk's status change), as the other tests do.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from feedback import audit, clock
from feedback.models import HIDDEN_REASONS, DuplicateLink, Tagging
from feedback.services.moderation import desk
from tests.factories import make_submission, make_theme, make_town_hall, today

SYSTEM = audit.Actor(audit.SYSTEM)
NOT_GIVEN = "not given"
STATUS_KEYS = ("published", "pending", "escalated", *(f"hidden:{r}" for r in HIDDEN_REASONS))


@dataclass(frozen=True)
class Planted:
    """One submission: its text is unique in the population, so a quote tells the test whose it is."""

    body: str
    hall: int  # index into Population.halls
    status: str = "published"
    reason: str | None = None  # the hidden reason, when status is "hidden"
    affiliation: str | None = "student"
    themes: tuple[str, ...] = ()
    duplicate_of: str | None = None  # the body of the representative it is grouped under

    @property
    def status_key(self) -> str:
        return f"hidden:{self.reason}" if self.status == "hidden" else self.status


@dataclass(frozen=True)
class Population:
    name: str
    halls: tuple[str, ...]  # titles, oldest first
    submissions: tuple[Planted, ...]
    hide: str | None  # the body of a published submission hidden between the two snapshots (None: no hide)
    arrival: Planted  # the submission that arrives between them
    hide_reason: str = "off-topic"
    groups: tuple[str, ...] = ()  # what the population is about, for the report


def many(n: int, prefix: str, hall: int = 0, **fields) -> list[Planted]:
    return [Planted(f"{prefix} {i + 1}", hall, **fields) for i in range(n)]


def _named() -> list[Population]:
    lone_faculty = Population(
        "lone faculty member", ("Nursing listening",),
        (*many(5, "Rota pressure on students", themes=("Workload",)),
         Planted("Nobody fixes the car park lighting", 0, affiliation="faculty", themes=("Parking",)),
         *many(8, "Still waiting", status="pending")),
        hide="Rota pressure on students 1",
        arrival=Planted("Late arrival about the rota", 0, status="pending"),
        groups=("14 received; faculty 1 with a theme of their own (Parking 1)",))
    two_halls = Population(
        "two halls", ("Autumn listening", "Spring listening"),
        (*many(10, "Autumn student", 0, themes=("Workload",)),
         *many(2, "Autumn faculty", 0, affiliation="faculty", themes=("Safety",)),
         *many(10, "Spring student", 1, themes=("Workload",)),
         *many(10, "Spring faculty", 1, affiliation="faculty", themes=("Safety",))),
        hide="Spring student 1",
        arrival=Planted("Spring newcomer", 1, affiliation="staff", themes=("Safety",)),
        groups=("faculty 2 at Autumn, hidden in its row; faculty 10 at Spring, hidden in the all-halls row",))
    three_halls = Population(
        "three consecutive halls", ("January listening", "February listening", "March listening"),
        (*many(10, "January voice", 0, themes=("Workload",)),
         Planted("The only February voice", 1, themes=("Workload",)),
         *many(12, "March voice", 2, themes=("Workload",))),
        hide="March voice 1",
        arrival=Planted("A later March voice", 2, themes=("Workload",)),
        groups=("the middle hall's single submission",))
    one_escalated = Population(
        "one escalated among 21", ("Estates listening",),
        (*many(10, "Estates student", themes=("Cleaning",)),
         *many(10, "Estates staff", affiliation="staff", themes=("Cleaning",)),
         Planted("Escalated about a named manager", 0, status="escalated", affiliation="staff")),
        hide="Estates student 1",
        arrival=Planted("Estates late student", 0, themes=("Cleaning",)),
        groups=("escalated 1 among 21 received",))
    near_duplicates = Population(
        "near-duplicate group of 2", ("Library listening",),
        (Planted("Opening hours are too short", 0, themes=("Hours",)),
         Planted("The opening hours are too short", 0, status="hidden", reason="duplicate", themes=("Hours",),
                 duplicate_of="Opening hours are too short"),
         *many(6, "Hours matter", themes=("Hours",)),
         *many(5, "Hours pending", status="pending", affiliation="staff")),
        hide="Hours matter 1",
        arrival=Planted("Hours matter, again", 0, themes=("Hours",)),
        groups=("a quote raised by 2 (one of them hidden)",))
    hide_and_arrival = Population(
        "one hide and one arrival between two views", ("Research listening",),
        (*many(12, "Research student", themes=("Funding",)),
         *many(6, "Research staff", affiliation="staff", themes=("Funding",)),
         Planted("Faculty bullying in the lab", 0, affiliation="faculty", themes=("Bullying",))),
        hide="Faculty bullying in the lab", hide_reason="identifying",
        arrival=Planted("A staff voice on bullying", 0, affiliation="staff", themes=("Bullying",)),
        groups=("the hidden faculty member and their theme; the arrival and theirs",))
    small_groups = Population(
        "groups of 2 to 4", ("Campus listening",),
        (*many(10, "Campus student", themes=("Workload",)),
         *many(2, "Campus faculty", affiliation="faculty", themes=("Workload", "Pay")),
         *many(3, "Campus staff", affiliation="staff", themes=("Pay",)),
         *many(4, "Campus other", affiliation="other", themes=("Belonging",)),
         *many(3, "Campus waiting", status="pending", affiliation="staff"),
         *many(2, "Campus abusive", status="hidden", reason="abusive", affiliation=None)),
        hide="Campus student 1",
        arrival=Planted("Campus late faculty", 0, affiliation="faculty", themes=("Pay",)),
        groups=("faculty 2, staff 3, other 4, Pay 5, Belonging 4, waiting 3, hidden 2",))
    return [lone_faculty, two_halls, three_halls, one_escalated, near_duplicates, hide_and_arrival, small_groups]


NAMED = _named()


@dataclass
class Planting:
    """A population planted in one app's database: its halls, themes and the state of every submission."""

    population: Population
    halls: list[tuple[str, str, int]]  # (slug, title, id), oldest first
    theme_ids: dict[str, int]
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    state: dict[str, Planted] = field(default_factory=dict)  # body -> the submission as it is now

    @property
    def slugs(self) -> list[str]:
        return [slug for slug, _, _ in self.halls]


def _add(session, ring, planting: Planting, item: Planted) -> None:
    slug, _, _ = planting.halls[item.hall]
    hall = _HallRef(slug)
    submission_id = make_submission(session, ring, hall, item.body, affiliation=item.affiliation).submission_id
    if item.themes:  # tagged as tests.factories.tag does, by the themes' ids
        session.add_all(Tagging(submission_id=submission_id, theme_id=planting.theme_ids[t]) for t in item.themes)
        session.commit()
    if item.status != "pending":
        desk.change_status(session, [submission_id], item.status, hidden_reason=item.reason,
                           note="Needs HR." if item.status == "escalated" else "", by=SYSTEM, now=clock.now())
    if item.duplicate_of is not None:
        session.add(DuplicateLink(submission_id=submission_id, representative_id=planting.ids[item.duplicate_of]))
        session.commit()
    planting.ids[item.body] = submission_id
    planting.state[item.body] = item


@dataclass(frozen=True)
class _HallRef:
    slug: str


def plant(session, ring, population: Population) -> Planting:
    """Make the population's halls (held 60 days apart, the last one three days ago), themes and submissions."""
    halls = []
    count = len(population.halls)
    for i, title in enumerate(population.halls):
        made = make_town_hall(session, title, held_on=today() - timedelta(days=3 + 60 * (count - 1 - i)))
        halls.append((made.slug, made.title, made.id))
    names = sorted({t for s in (*population.submissions, population.arrival) for t in s.themes})
    theme_ids = {name: make_theme(session, name).id for name in names}
    planting = Planting(population, halls, theme_ids)
    for item in population.submissions:
        _add(session, ring, planting, item)
    return planting


def hide_and_arrive(session, ring, planting: Planting) -> None:
    """Between the two snapshots: hide one published submission, then let one new submission arrive."""
    population = planting.population
    if population.hide is not None:
        hidden = planting.state[population.hide]
        assert hidden.status == "published", "the population hides a published submission"
        desk.change_status(session, [planting.ids[population.hide]], "hidden", hidden_reason=population.hide_reason,
                           note="", by=SYSTEM, now=clock.now())
        planting.state[population.hide] = dataclasses.replace(hidden, status="hidden", reason=population.hide_reason)
    _add(session, ring, planting, population.arrival)


def truth(planting: Planting, state: dict[str, Planted], *, affiliations: list[str], theme_cap: int | None,
          published_members_only: bool) -> dict[tuple, int]:
    """The true size of every group a reader's variable stands for, in one state of the submissions.

    Keys (without the snapshot): ("S", slug, status), ("A", slug, affiliation), ("T", slug, theme),
    ("X", slug, theme, affiliation) and ("Q", slug, theme) (not grouped under another: quotable) for
    published submissions, and ("G", body) for a near-duplicate
    group's size as the pages count it (1 + every member on the old code; 1 + published members, of a
    published representative, on the new one). theme_cap: a submission counts towards its first C
    themes by theme id (None: all of them).
    """
    values: Counter = Counter()
    configured = [a.casefold() for a in affiliations]
    for slug, _, _ in planting.halls:
        for key in STATUS_KEYS:
            values[("S", slug, key)] += 0
    for item in state.values():
        slug = planting.halls[item.hall][0]
        values[("S", slug, item.status_key)] += 1
        if item.status != "published":
            continue
        affiliation = item.affiliation.casefold() if item.affiliation else NOT_GIVEN
        affiliation = affiliation if affiliation in configured else NOT_GIVEN
        values[("A", slug, affiliation)] += 1
        themes = sorted(item.themes, key=lambda t: planting.theme_ids[t])
        if item.duplicate_of is None:  # quotable: a grouped member is never quoted (its representative speaks)
            for theme in themes:
                values[("Q", slug, theme)] += 1
        for theme in themes[:theme_cap] if theme_cap is not None else themes:
            values[("T", slug, theme)] += 1
            values[("X", slug, theme, affiliation)] += 1
    for item in state.values():
        if item.duplicate_of is None:
            members = [m for m in state.values() if m.duplicate_of == item.body]
            if published_members_only:
                members = [m for m in members if m.status == "published"] if item.status == "published" else []
            values[("G", item.body)] = 1 + len(members)
    return dict(values)


def random_population(halls: list[list[tuple[str, str | None, str | None, tuple[str, ...]]]],
                      hide_hall: int, arrival: tuple[str, str | None, tuple[str, ...]]) -> Population:
    """A population from hypothesis's draws: per hall, (status, reason, affiliation, themes) per submission.

    Between the snapshots a published submission of hall hide_hall (or of any hall) is hidden, when there is
    one, and the arrival comes to that hall.
    """
    submissions = []
    for h, drawn in enumerate(halls):
        for i, (status, reason, affiliation, themes) in enumerate(drawn):
            submissions.append(Planted(f"hall {h} submission {i}", h, status, reason, affiliation, themes))
    published = [s for s in submissions if s.status == "published"]
    hall = hide_hall if hide_hall < len(halls) else 0
    hidden = next((s for s in published if s.hall == hall), published[0] if published else None)
    status, affiliation, themes = arrival
    return Population("random", tuple(f"Random hall {h + 1}" for h in range(len(halls))), tuple(submissions),
                      hide=hidden.body if hidden else None,
                      arrival=Planted("the arrival", hall, status, None, affiliation, themes))
