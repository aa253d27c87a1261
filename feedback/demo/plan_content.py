"""Demo content: the action plan a medical school's office of equity wrote after the demo town halls.

Days are relative to the day the demo is loaded (negative: in the past). Owners are offices or roles, never
a person. Every theme of the codebook in use has a published action, so each theme a closed town hall's
response page shows has something being done (or a reason why not) under it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoUpdate:
    day: int  # when it was written and published (or, when later than 0, when it is scheduled to publish)
    text: str
    status: str | None = None  # None: no change
    progress: int | None = None  # None: no change (manual progress only)
    next_update_due: int | None = None  # moves the action's "next update due" to this day


@dataclass(frozen=True)
class DemoAction:
    title: str
    description: str
    owner: str
    created_day: int
    themes: tuple[str, ...]
    town_halls: tuple[int, ...]  # indexes into content.TOWN_HALLS
    updates: tuple[DemoUpdate, ...] = ()
    status: str = "planned"  # as drafted, before any update
    progress_from: str = "status"  # manual, status or sub-actions
    target_day: int | None = None
    next_update_due: int | None = None  # as drafted
    published: bool = True
    sub_actions: tuple[DemoAction, ...] = ()
    asks_did_it_help: bool = False  # the done action whose page asks "did this help?" in the demo
    # Its title and description in other languages ({"es": {"title": ..., "description": ...}}).
    versions: dict[str, dict[str, str]] = field(default_factory=dict)


CLINICAL, ADMISSIONS, ACCESSIBILITY, HARASSMENT = 0, 1, 2, 3

PLAN: tuple[DemoAction, ...] = (
    DemoAction(
        title="Publish clerkship grades by student group every term",
        description=(
            "Each term, the Office of Medical Education publishes the share of honors, high pass and pass in "
            "every clerkship by student group, wherever a group is large enough not to identify anyone, so "
            "differences in grading are visible and can be acted on rather than argued about."
        ),
        owner="Office of Medical Education", created_day=-28, themes=("Bias in evaluation", "Racism and bias"),
        town_halls=(CLINICAL,), target_day=120,
        updates=(
            DemoUpdate(-27, "Work has started. The first report will cover last academic year's clerkship "
                            "grades and will be published on the Office of Medical Education's pages.",
                       status="in-progress", next_update_due=-7),
            DemoUpdate(-9, "The first report is published. Honors rates differed by more than ten points "
                           "between groups in two clerkships; both clerkship directors are reviewing their "
                           "evaluation forms and rater guidance with the Office of Equity and Inclusion.",
                       next_update_due=21),
        ),
    ),
    DemoAction(
        title="Remove students' names from clinical evaluations",
        description=(
            "Several people asked that the faculty and residents who evaluate students on a clerkship not "
            "see who they are evaluating."
        ),
        owner="Office of Medical Education", created_day=-28, themes=("Bias in evaluation",),
        town_halls=(CLINICAL,),
        updates=(
            DemoUpdate(-20, "Clinical evaluations are written by the people who supervised the student in "
                            "person, so a name cannot be hidden from them, and an anonymous "
                            "evaluation could no longer be contested by the student it is about. Instead we "
                            "publish clerkship grades by student group every term, and rater guidance is "
                            "being rewritten where the grades differ.", status="wont-do"),
        ),
    ),
    DemoAction(
        title="Answer every report of mistreatment, in writing and on a timeline",
        description=(
            "People told us that reports of mistreatment disappear: nobody hears back, and nobody knows what "
            "happened. This action sets out what a person who reports can expect, and when."
        ),
        owner="Office of Learning Environment", created_day=-27,
        themes=("Reporting and accountability", "Fear of retaliation"), town_halls=(CLINICAL, HARASSMENT),
        status="in-progress", progress_from="sub-actions", target_day=150, next_update_due=14,
        updates=(
            DemoUpdate(-26, "Two steps to begin with: a written acknowledgement of every report, and a yearly "
                            "public account of what reports led to. Each has its own page below."),
            DemoUpdate(-10, "After the town hall on harassment, reporting and trust, we added a third step: a "
                            "named case navigator from the Ombuds Office for anyone who reports, who can also "
                            "speak for them if they fear retaliation.", next_update_due=14),
        ),
        sub_actions=(
            DemoAction(
                title="Acknowledge every report within five working days",
                description="Every report, however it arrives, gets a written acknowledgement saying who will "
                            "look at it and when the person will hear next.",
                owner="Office of Learning Environment", created_day=-27,
                themes=("Reporting and accountability",), town_halls=(CLINICAL,),
                updates=(
                    DemoUpdate(-20, "A shared inbox and a tracking checklist are in place.", status="in-progress"),
                    DemoUpdate(-6, "Every report received since the town hall has been acknowledged in writing "
                                   "within five working days; the usual time was two days.", status="done"),
                ),
            ),
            DemoAction(
                title="Publish a yearly account of what reports led to",
                description="Once a year, in numbers too large to identify anyone: how many reports, of what "
                            "kind, how long they took, and what changed as a result.",
                owner="Office of Learning Environment", created_day=-27,
                themes=("Reporting and accountability",), town_halls=(CLINICAL,), next_update_due=30,
                updates=(
                    DemoUpdate(-6, "The categories and the rule for small numbers are agreed with the student "
                                   "council; the first account covers this academic year.", status="in-progress"),
                ),
            ),
            DemoAction(
                title="Offer everyone who reports a named case navigator",
                description="A person in the Ombuds Office who explains the options, stays with the report "
                            "until it closes, and can speak for the person who reported.",
                owner="Ombuds Office", created_day=-10, themes=("Fear of retaliation",),
                town_halls=(HARASSMENT,), next_update_due=30,
            ),
        ),
    ),
    DemoAction(
        title="Upstander training for every clerkship team",
        description=(
            "A ninety-minute session, with role-play, on responding in the moment to a microaggression or a "
            "biased remark on the wards, and on checking in with the person it was aimed at afterwards."
        ),
        owner="Office of Equity and Inclusion", created_day=-28, themes=("Microaggressions", "Support and training"),
        town_halls=(CLINICAL,), asks_did_it_help=True,
        updates=(
            DemoUpdate(-27, "Sessions are scheduled with each of the eleven clerkship teams, residents and "
                            "attendings included.", status="in-progress", next_update_due=-10),
            DemoUpdate(-15, "Nine of the eleven teams have had their session.", next_update_due=0),
            DemoUpdate(-3, "All eleven clerkship teams have had the session, and it is now part of clerkship "
                           "orientation every block. Tell us on this page whether it made a difference.",
                       status="done"),
        ),
    ),
    DemoAction(
        title="A protocol for when a patient or family directs racism at a learner",
        description=(
            "What the attending does in the room, when a student or resident may step out of a patient's "
            "care without penalty, and how they are debriefed afterwards."
        ),
        owner="Office of Learning Environment and the Chief Medical Officer", created_day=-26,
        themes=("Racism and bias", "Learning environment", "Microaggressions"), town_halls=(CLINICAL,),
        target_day=60,
        updates=(
            DemoUpdate(-25, "Drafting has begun with nursing leadership, the clerkship directors and students.",
                       status="in-progress", next_update_due=-5),
            DemoUpdate(-8, "The draft protocol is with clerkship directors and the student council for comment "
                           "for two more weeks.", next_update_due=10),
        ),
    ),
    DemoAction(
        title="Review the cases and images of the preclinical curriculum",
        description=(
            "Every case vignette and lecture image of the first two years, checked for stereotypes and for "
            "whether conditions are shown on a range of skin tones; what fails is replaced."
        ),
        owner="Curriculum Committee", created_day=-28, themes=("Curriculum and materials",),
        town_halls=(CLINICAL,), target_day=90,
        updates=(
            DemoUpdate(-26, "The committee has started with the 140 case vignettes of the first year. Next "
                            "update in three weeks.", status="in-progress", next_update_due=-4),
        ),
    ),
    DemoAction(
        title="Count committee, mentoring and interview-panel work in promotion",
        description=(
            "The service asked of underrepresented faculty and staff (diversity committees, interview panels, "
            "mentoring) is recorded in annual review and weighed in promotion, instead of being done on top of "
            "everything else."
        ),
        owner="Office of Faculty Affairs", created_day=-6, themes=("Minority tax", "Workload and promotion"),
        town_halls=(ADMISSIONS,), target_day=180,
        versions={"es": {
            "title": "Contar el trabajo en comités, mentorías y paneles de entrevista para los ascensos",
            "description": (
                "El servicio que se pide al profesorado y al personal subrepresentados (comités de "
                "diversidad, paneles de entrevista, mentorías) se registra en la evaluación anual y se "
                "tiene en cuenta para los ascensos, en lugar de sumarse a todo lo demás."
            ),
        }},
        updates=(
            DemoUpdate(-5, "Faculty Affairs is drafting the change to the annual review form; the draft goes to "
                           "the faculty senate.", status="in-progress", next_update_due=25),
        ),
    ),
    DemoAction(
        title="An independent review of pay equity for faculty and staff",
        description=(
            "An outside review of salaries by gender and by race and ethnicity, within each rank and job "
            "family, with the results and any adjustments reported here."
        ),
        owner="Office of Faculty Affairs and Human Resources", created_day=-5, themes=("Promotion and pay",),
        town_halls=(ADMISSIONS,), target_day=200,
        updates=(
            DemoUpdate(-5, "The review has been commissioned; it starts once the data is ready.",
                       next_update_due=30),
            DemoUpdate(10, "The reviewers have the salary data and have begun their analysis.",
                       status="in-progress"),
        ),
    ),
    DemoAction(
        title="Step-free routes and lactation rooms at every clinical site",
        description=(
            "Walk every clinical site with students and staff who use wheelchairs, publish a map of step-free "
            "routes, elevators and lactation rooms, and fix what is missing."
        ),
        owner="Office of Disability Resources", created_day=-11, themes=("Accessibility",),
        town_halls=(HARASSMENT,), progress_from="manual", target_day=120,
        updates=(
            DemoUpdate(-10, "Site walks are booked at all six clinical sites.", status="in-progress", progress=10,
                       next_update_due=10),
            DemoUpdate(-2, "Four of six sites walked; the map of the main hospital is published.", progress=40,
                       next_update_due=20),
        ),
    ),
    DemoAction(
        title="Fee waivers and advising for first-generation applicants",
        description=(
            "Application fee waivers for first-generation and low-income applicants from the next cycle, and "
            "pre-application advising sessions open to anyone."
        ),
        owner="Office of Admissions", created_day=-5, themes=("Admissions and pathways",),
        town_halls=(ADMISSIONS,), target_day=240, next_update_due=40,
        updates=(
            DemoUpdate(-4, "Approved by the admissions committee; the waiver form opens with the next cycle."),
        ),
    ),
    DemoAction(
        title="Protected time for faculty who mentor students",
        description="A draft: protected time, or a stipend, for faculty who carry a large mentoring load.",
        owner="Office of Faculty Affairs", created_day=-4, themes=("Minority tax",), town_halls=(ADMISSIONS,),
        published=False,
    ),
    DemoAction(
        title="Caption every recorded lecture within two days",
        description="A draft: captions checked by a person for every recorded lecture within two working days.",
        owner="Office of Medical Education", created_day=-4, themes=("Accessibility",), town_halls=(HARASSMENT,),
        published=False,
    ),
)


def all_actions() -> list[DemoAction]:
    """Every demo action, each top-level one followed by its sub-actions."""
    return [a for top in PLAN for a in (top, *top.sub_actions)]


# "Did this help?" about the done action: (answer, comment). The first RECEIPT_ANSWERS come with the receipts
# of demo concerns on its themes (from their status pages), the rest from the action's page, without one.
RECEIPT_ANSWERS = 6
ANSWERS: tuple[tuple[str, str], ...] = (
    ("helped", "Our attending stopped a comment on rounds the week after the session. That had never happened."),
    ("helped", ""),
    ("helped", "The role-play felt awkward but I used the exact words a week later."),
    ("somewhat", "Good session, but the residents who most needed it were post-call and left early."),
    ("somewhat", ""),
    ("no", "Training is not accountability. Nothing happened to the person I reported."),
    ("too-early", "I start my clerkships next month, so ask me then."),
    ("too-early", ""),
    ("helped", ""),
    ("somewhat", "It helped me as a bystander. It does not change who gets marked down."),
)
