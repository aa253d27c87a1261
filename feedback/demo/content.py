"""Demo content: four town halls, a theme codebook, and a few hundred realistic submissions."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoTownHall:
    title: str
    description: str
    held_days_from_today: int  # negative = in the past
    opens_days_from_today: int  # intake window start, relative to today
    closes_days_from_today: int  # intake window end (inclusive), relative to today
    prompt: str = ""  # the question asked, above the form
    # Its texts in other languages ({"es": {"title": ..., "prompt": ...}}; see services/content_language).
    versions: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoSubmission:
    town_hall: int  # index into TOWN_HALLS
    affiliation: str | None  # "student", "faculty", "staff", "other", "prefer not to say", or None
    body: str
    name: str | None = None  # set for named submissions only (fictional people)
    email: str | None = None  # fictional, example.org addresses
    contact_ok: bool = False
    days_ago: int = 0  # how many days before today it was received (date only)
    # What the facilitators did with it (the demo publishes everything else, once it is two days old).
    hidden: str | None = None  # the reason, one of models.HiddenReason
    escalated: str | None = None  # the note for the audit log
    redacted: str | None = None  # the text everyone but facilitators and admins sees
    language: str = "en"  # the language of the page it was written on


TOWN_HALLS: tuple[DemoTownHall, ...] = (
    DemoTownHall(
        title="Racism and Bias in Clinical Teaching",
        description=(
            "A community town hall of the Northfield School of Medicine on experiences "
            "of racism and bias on the wards, in clinics and in clinical evaluation. "
            "Feedback gathered here informs the clerkship review and the work of the "
            "Office of Learning Environment."
        ),
        held_days_from_today=-60,
        opens_days_from_today=-60,
        closes_days_from_today=-30,
    ),
    DemoTownHall(
        title="Equity in Admissions, Promotion and Workload",
        description=(
            "A town hall on how admissions decisions, faculty and staff promotion, and "
            "the distribution of service, teaching and call are experienced across our "
            "community. Submissions are reviewed by the facilitation team and summarized "
            "for school leadership."
        ),
        held_days_from_today=-7,
        opens_days_from_today=-10,
        closes_days_from_today=21,
        prompt="What would make admissions, promotion and the share of work fairer here?",
        versions={"es": {
            "title": "Equidad en la admisión, los ascensos y la carga de trabajo",
            "description": (
                "Un foro sobre cómo vive nuestra comunidad las decisiones de admisión, los ascensos "
                "del profesorado y del personal, y el reparto del servicio, la docencia y las "
                "guardias. El equipo de facilitación revisa las inquietudes y prepara un resumen "
                "para la dirección de la escuela."
            ),
            "prompt": "¿Qué haría más justos aquí la admisión, los ascensos y el reparto del trabajo?",
        }},
    ),
    DemoTownHall(
        title="Accessibility and Inclusion in the Learning Environment",
        description=(
            "An upcoming town hall on physical, digital and academic accessibility, and "
            "on making classrooms, clinical sites and study spaces inclusive for everyone. "
            "Intake for written feedback opens one week before the session."
        ),
        held_days_from_today=14,
        opens_days_from_today=7,
        closes_days_from_today=42,
    ),
    DemoTownHall(
        title="Harassment, Reporting and Trust",
        description=(
            "A town hall on mistreatment and harassment in training and at work: what "
            "happens when someone reports it, what keeps people from reporting, and what "
            "would make the school's processes worth trusting. The ombuds office and the "
            "Office of Learning Environment attended."
        ),
        held_days_from_today=-24,
        opens_days_from_today=-24,
        closes_days_from_today=-12,
    ),
)


SUBMISSIONS: tuple[DemoSubmission, ...] = (
    # ------------------------------------------------------------------
    # Town hall 0: Racism and Bias in Clinical Teaching (intake closed)
    # ------------------------------------------------------------------
    DemoSubmission(
        town_hall=0,
        affiliation="student",
        body=(
            "On my medicine rotation the attending asked me where I was 'really from' "
            "in front of the patient, twice. I was born two hours from here. It was "
            "small, but it set the tone for the whole week, and I didn't feel I could "
            "say anything because he was writing my evaluation."
        ),
        days_ago=59,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="student",
        body=(
            "I was mistaken for a transporter twice in one week on surgery, badge and "
            "white coat on. A nurse told me to take a patient down to CT, and when I "
            "explained I was the student on the team she laughed it off. I'd like to see "
            "badge reels that say MEDICAL STUDENT in large print, and some acknowledgement "
            "from clerkship leadership that this happens to some of us far more often "
            "than to others."
        ),
        name="Amara Okafor",
        email="amara.okafor@example.org",
        contact_ok=True,
        days_ago=58,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="faculty",
        body=(
            "Case vignettes in the pre-clinical curriculum still list race in the first "
            "line of almost every case with no clinical reason given. Several of us "
            "flagged this two years ago. I'd like a concrete timeline for the case "
            "review, not another working group."
        ),
        days_ago=57,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="staff",
        body=(
            "Thank you for holding this. I coordinate a clerkship and students come to "
            "my office after rough days on the wards. I'm not trained for that, and "
            "there is no clear place to send them."
        ),
        name="Linda Park",
        email="linda.park@example.org",
        contact_ok=True,
        days_ago=56,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="student",
        body=(
            "Class of 2027 here. During our OB/GYN rotation Dr. Hallworth said in front "
            "of the whole team that 'certain populations just don't follow up' while "
            "looking straight at me. I reported it through the online form the same day "
            "and never heard anything back, not even an automatic acknowledgement."
        ),
        days_ago=55,
        redacted=(
            "During our OB/GYN rotation [name removed] said in front of the whole team that "
            "'certain populations just don't follow up' while looking straight at me. I "
            "reported it through the online form the same day and never heard anything "
            "back, not even an automatic acknowledgement."
        ),
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="prefer not to say",
        body=(
            "I don't trust the reporting form. It asks for your rotation, site and "
            "dates, which on a small service basically identifies you. Please create a "
            "truly anonymous option, or an ombudsperson who sits outside the department."
        ),
        days_ago=55,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="faculty",
        body=(
            "I teach in the clinical skills course. This year we replaced our "
            "dermatology images with a set that includes a full range of skin tones, "
            "and students noticed immediately. It cost very little. I'd encourage other "
            "courses to do the same; our image list is at "
            "https://example.org/clinical-skills/skin-tone-atlas and we're happy to share."
        ),
        name="Miriam Castellanos",
        email="m.castellanos@example.org",
        contact_ok=True,
        days_ago=54,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="student",
        body=(
            "Rounds were fine most days. The issue is that pimping lands harder on some "
            "people than others. I kept count for two weeks: I was asked about twice as "
            "many questions as my white co-student, and mine were more basic, as if the "
            "attending assumed I wouldn't know the answer."
        ),
        days_ago=52,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation=None,
        body="Por favor, graben el foro la próxima vez. Yo estaba de turno de noche y no pude asistir.",
        language="es",
        days_ago=51,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="student",
        body=(
            "A patient asked for 'a real doctor' after I introduced myself in Spanish. "
            "My resident backed me up right away, which I really appreciated, and I want "
            "that to be the norm rather than luck. A short script for how supervisors "
            "should respond when a patient refuses a trainee because of their background "
            "would help everyone."
        ),
        name="José Ramírez",
        email="jose.ramirez@example.org",
        contact_ok=False,
        days_ago=50,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="staff",
        body=(
            "Front desk staff get comments from patients too, and we are never included "
            "in these conversations. Most of us at the clinic desk are women of color. "
            "When a patient says something, the expectation is that we smile and move on."
        ),
        days_ago=49,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="faculty",
        body=(
            "As an attending I want to do better, but I honestly don't know what to say "
            "in the moment when a patient comments on a student's accent or name. "
            "Practical bystander training with role-play would be far more useful than "
            "another online module."
        ),
        name="Daniel Horvath",
        email="dhorvath@example.org",
        contact_ok=False,
        days_ago=48,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="other",
        body=(
            "I'm a PGY-2 and the only Black woman in my residency cohort. Whenever there "
            "is a 'difficult conversation' with a Black family, I get paged to help with "
            "communication, even when I'm not on that service. I'm glad to help, but it "
            "isn't my job, it isn't counted anywhere, and it happens several times a month."
        ),
        days_ago=47,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="student",
        body=(
            "Why does the clerkship evaluation still have a 'professional demeanor' "
            "section with no definition? I was marked down for being 'too quiet' while a "
            "classmate was marked down for being 'too assertive.' We are both women of "
            "color. It feels like there is no right way to be."
        ),
        days_ago=46,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="other",
        body=(
            "I'm a chaplain on the inpatient units. I often see learners absorb comments "
            "from patients or staff with nobody checking on them afterward. A five-minute "
            "debrief at the end of the day would go a long way."
        ),
        days_ago=45,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="student",
        body=(
            "I want to say something positive first: the anonymous mid-rotation survey on "
            "pediatrics works. Our team got feedback in week two, the attending addressed "
            "it openly at the next teaching session, and the second half of the rotation "
            "felt different.\n\n"
            "That's the model. What doesn't work is the end-of-rotation survey that goes "
            "to the department after grades are final, when nothing can change for us "
            "and everyone knows the evaluations have already been written. Please expand "
            "the mid-rotation check-in to every clerkship."
        ),
        name="Priya Natarajan",
        email="priya.natarajan@example.org",
        contact_ok=True,
        days_ago=44,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="faculty",
        body=(
            "I'd like clarity on what happens after a report is filed. Who sees it? Is "
            "the faculty member told who complained? Is there a time frame? Until that is "
            "answered in writing, people will keep staying silent."
        ),
        days_ago=42,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="student",
        body=(
            "Not exactly about bias, but the parking situation at the south campus means "
            "students on early surgery rotations walk alone through the garage at 4:30am. "
            "Could the security escort be easier to request, ideally by text?"
        ),
        days_ago=41,
        hidden="off-topic",
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="student",
        body=(
            "The reporting form needs a real anonymous option. If you have to choose your "
            "site and your week, everyone on the team knows it was you."
        ),
        days_ago=40,
        hidden="duplicate",
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="prefer not to say",
        body=(
            "I watched a senior resident mock a patient's name during sign-out. People "
            "laughed. I didn't say anything and I've regretted it since. I still don't "
            "know what, if anything, would have protected me if I had spoken up."
        ),
        days_ago=38,
        escalated="A witnessed incident on a named service: passed to the clerkship director.",
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="staff",
        body=(
            "I run the simulation center. We'd be glad to host bystander-intervention "
            "scenarios for clerkship students and faculty; several of our standardized "
            "patients have done this kind of work before. Please reach out if a "
            "department wants to pilot it."
        ),
        name="Denise Whitfield",
        email="d.whitfield@example.org",
        contact_ok=True,
        days_ago=37,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="faculty",
        body="Gracias por escuchar. Por favor, publiquen lo que oyeron, aunque sea incómodo.",
        days_ago=35,
        language="es",
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="student",
        body=(
            "Publish the clerkship honors distribution by race and ethnicity. Other "
            "schools do. If there is no gap, great. If there is one, we need to know "
            "before it shows up in residency applications."
        ),
        name="Kwame Mensah",
        email="kwame.mensah@example.org",
        contact_ok=False,
        days_ago=34,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation=None,
        body=(
            "Some comments from faculty at the town hall itself were dismissive ('we've "
            "always treated everyone the same'). Please set ground rules next time so "
            "people who share hard experiences aren't rebutted on the spot."
        ),
        days_ago=33,
    ),
    DemoSubmission(
        town_hall=0,
        affiliation="student",
        body=(
            "I want to recognize Dr. Liang on night float, who stopped a patient "
            "mid-sentence and said 'She is your doctor tonight, and she's excellent.' It "
            "took ten seconds and I still think about it."
        ),
        days_ago=31,
    ),
    # ------------------------------------------------------------------
    # Town hall 1: Equity in Admissions, Promotion and Workload (open)
    # ------------------------------------------------------------------
    DemoSubmission(
        town_hall=1,
        affiliation="faculty",
        body=(
            "I currently sit on five committees, three of them DEI-related, and I'm asked "
            "to join every interview panel 'for representation.' None of this counts "
            "toward promotion under the current criteria. Colleagues who declined all of "
            "it have more publications than I do. This is the minority tax, and it needs "
            "to be written into the promotion guidelines as service with real weight, "
            "not a line at the bottom of the CV."
        ),
        name="Rebecca Osei",
        email="rebecca.osei@example.org",
        contact_ok=True,
        days_ago=9,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="faculty",
        body=(
            "The promotion criteria for the clinician-educator track are vague. What does "
            "'regional reputation' mean, exactly? Please publish redacted examples of "
            "successful dossiers and the actual rubric the committee uses."
        ),
        days_ago=9,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="student",
        body=(
            "Call schedules on the medicine sub-internship were uneven. Two of us got every "
            "holiday weekend while others got none. When we asked, the chief said the "
            "schedule was 'random.' It was not."
        ),
        name="Ethan Brooks",
        email="ethan.brooks@example.org",
        contact_ok=False,
        days_ago=8,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="staff",
        body=(
            "Staff are expected to plan heritage month events and DEI workshops on top of "
            "our regular duties, with no change in workload or title. I love this work, "
            "but I'm doing it at 8pm from my kitchen table."
        ),
        days_ago=8,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="faculty",
        body=(
            "Specific request: a workload audit by department, broken down by gender and "
            "race, covering clinical hours, teaching, committee service and mentoring. We "
            "track RVUs to the decimal but have no idea who is doing the invisible work."
        ),
        name="Anil Mehta",
        email="anil.mehta@example.org",
        contact_ok=True,
        days_ago=8,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="student",
        body=(
            "I served on the student admissions interview committee, and our training on "
            "holistic review was a 20-minute slideshow. We need more than that if we're "
            "going to evaluate applicants fairly."
        ),
        days_ago=7,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="student",
        body=(
            "As a first-generation student, the hidden curriculum around research is huge. "
            "Some classmates had a parent who could call a PI on their behalf. Research "
            "placements should go through a structured matching process, not who you know."
        ),
        days_ago=7,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="prefer not to say",
        body=(
            "I won't name my department because there are only three of us at my rank. "
            "Last cycle I was told I wasn't ready for promotion 'yet,' with no written "
            "feedback. A colleague with a similar record went up a year early. I'm not "
            "going to file a complaint, because I need letters from the same people."
        ),
        days_ago=7,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="other",
        body=(
            "I'm a postdoc. Postdocs aren't counted anywhere in these discussions, "
            "including the climate survey, yet we teach in the labs and mentor students "
            "every day."
        ),
        name="Jonas Müller",
        email="jonas.muller@example.org",
        contact_ok=False,
        days_ago=7,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="student",
        body=(
            "Thank you for the town hall. Concrete request: pay students who serve on DEI "
            "committees and admissions panels, the way the school already pays tour "
            "guides. It's a few hundred dollars a year and it would signal that this work "
            "matters. The student council proposal is here: "
            "https://example.org/nsom-student-council/paid-service-proposal"
        ),
        name="Lucía Fernández",
        email="lucia.fernandez@example.org",
        contact_ok=True,
        days_ago=6,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="faculty",
        body=(
            "Parental leave is officially protected, but extending the promotion clock "
            "requires a separate application most people don't know exists. Make the "
            "extension automatic, with an opt-out."
        ),
        days_ago=6,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="staff",
        body=(
            "There is no career ladder for research coordinators. I've been here nine "
            "years at the same title and pay band."
        ),
        days_ago=6,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="student",
        body=(
            "The interview station about 'a time you overcame adversity' feels like it "
            "asks applicants to perform their trauma. Several of us who volunteered as "
            "raters talked about this afterward. Is it scored in a way that rewards the "
            "most dramatic story?"
        ),
        days_ago=6,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation=None,
        body="Please share the slides from last week's session.",
        days_ago=5,
        hidden="off-topic",
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="faculty",
        body=(
            "This town hall was better than I expected. The dean staying for the full two "
            "hours and answering follow-up questions was noticed. Please keep that format."
        ),
        days_ago=5,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="student",
        body=(
            "Same experience as others about the sub-I call schedule: a few of us got "
            "every holiday weekend. Please make the way schedules are generated transparent."
        ),
        days_ago=5,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="faculty",
        body=(
            "In the Department of Surgery I am the only woman at associate professor who "
            "has been at that rank for more than eight years. I have asked my chair three "
            "times what I need to do to go up for full professor and have received three "
            "different answers.\n\n"
            "I don't think anyone intends this. But when the criteria live in people's "
            "heads, the people who get clear answers are the ones who already look like "
            "the committee. Please require chairs to give written, criteria-based feedback "
            "every year to everyone eligible."
        ),
        days_ago=5,
        redacted=(
            "In [department removed] I am [detail removed] who has been at that rank for "
            "more than eight years. I have asked my chair three times what I need to do to "
            "go up for full professor and have received three different answers.\n\n"
            "I don't think anyone intends this. But when the criteria live in people's "
            "heads, the people who get clear answers are the ones who already look like "
            "the committee. Please require chairs to give written, criteria-based feedback "
            "every year to everyone eligible."
        ),
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="staff",
        body=(
            "Para contratar personal seguimos publicando en las mismas dos bolsas de empleo "
            "y recibimos siempre a los mismos candidatos. Recursos Humanos podría colaborar "
            "con el colegio comunitario y los programas locales de empleo; la gente de este "
            "barrio se postularía."
        ),
        name="Tom Brennan",
        email="tom.brennan@example.org",
        contact_ok=False,
        days_ago=4,
        language="es",
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="student",
        body=(
            "Residency application support is uneven. Students whose advisors are in "
            "competitive specialties get mock interviews and a letter strategy; the rest "
            "of us get a generic handout."
        ),
        name="Sofia Rossi",
        email="sofia.rossi@example.org",
        contact_ok=False,
        days_ago=4,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="faculty",
        body=(
            "I'm asked to mentor nearly every underrepresented student in my department "
            "because I'm one of two Latina faculty. I say yes because I remember what it "
            "was like without a mentor. But it means my grant resubmission has slipped "
            "twice. Protected time, even five percent, would change that."
        ),
        name="Marisol Vega",
        email="marisol.vega@example.org",
        contact_ok=True,
        days_ago=4,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="other",
        body=(
            "I'm a community member on the patient advisory board. The admissions "
            "committee should include people from the neighborhoods the hospital serves, "
            "with a real vote."
        ),
        days_ago=4,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="student",
        body=(
            "Debt is an equity issue. Students from lower-income families get steered away "
            "from pediatrics and family medicine because of what we owe. Please expand the "
            "service-commitment scholarships."
        ),
        days_ago=3,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="prefer not to say",
        body=(
            "Retaliation is real. I won't give details. Please tell us, in writing, what "
            "concrete protections exist for someone who raises a concern about their own "
            "division chief."
        ),
        days_ago=3,
        escalated="Possible retaliation: offered the ombuds office through the receipt.",
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="faculty",
        body=(
            "A positive note: last year our department started rotating committee service "
            "with a published roster, so the same five people aren't asked every time. It "
            "has already made things feel fairer. Happy to share how we set it up."
        ),
        name="Claire Dubois",
        email="claire.dubois@example.org",
        contact_ok=True,
        days_ago=3,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="student",
        body=(
            "Slightly off-topic, but the lactation room in the education building has "
            "been 'temporarily closed' since August."
        ),
        days_ago=3,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="staff",
        body=(
            "Overtime for evening events is approved inconsistently. Some managers approve "
            "it; others promise comp time that never gets scheduled."
        ),
        days_ago=2,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="student",
        body=(
            "The board prep resources that 'everyone uses' cost well over $1,000. The "
            "school covers one of them. That gap shows up in scores, and scores show up in "
            "residency applications."
        ),
        name="Nadia Haddad",
        email="nadia.haddad@example.org",
        contact_ok=True,
        days_ago=2,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="faculty",
        body=(
            "Please publish admissions outcomes by first-generation status and by whether "
            "applicants received a fee waiver, not only by race and ethnicity."
        ),
        days_ago=2,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="student",
        body=(
            "I was asked to speak on an admissions open house panel as a 'diverse voice' "
            "with one day's notice. I did it. Nobody asked my classmates who aren't "
            "visibly diverse. Please ask more broadly and give more notice."
        ),
        name="Hannah Kim",
        email="hannah.kim@example.org",
        contact_ok=False,
        days_ago=2,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="other",
        body=(
            "I'm a nurse practitioner who precepts students. Advanced practice providers "
            "aren't mentioned in the promotion conversation at all, but we do a lot of "
            "the teaching."
        ),
        days_ago=1,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="student",
        body=(
            "Grateful for the new student emergency fund. I used it when my car broke "
            "down in the middle of a rotation two hours away. It took three days and "
            "didn't require a long essay. Please keep it that way."
        ),
        days_ago=1,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="faculty",
        body=(
            "Two points about the promotion committee itself.\n\n"
            "First, its membership isn't published. Candidates can't tell whether anyone "
            "on it works in education, community health or other areas where scholarship "
            "looks different from grant-funded research.\n\n"
            "Second, there is no appeal process beyond the same committee reconsidering "
            "its own decision. An independent review step, even a small one, would build "
            "a lot of trust."
        ),
        days_ago=1,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation=None,
        body=(
            "¿Se compartirán respuestas por escrito a estas inquietudes? El resumen "
            "«ustedes dijeron, nosotros hicimos» del último foro fue útil: "
            "https://example.org/town-halls/you-said-we-did"
        ),
        days_ago=1,
        language="es",
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="student",
        body=(
            "Students pay the minority tax too. I've been on four panels and two "
            "committees this semester and it all comes out of study time."
        ),
        days_ago=0,
    ),
    DemoSubmission(
        town_hall=1,
        affiliation="staff",
        body=(
            "I'm a student affairs coordinator. A lot of the DEI programming students see "
            "is run by staff who are never credited, and when a faculty lead rotates off, "
            "the knowledge leaves with the staff member who burns out next. Please budget "
            "for at least one dedicated position instead of relying on volunteers."
        ),
        name="Grace Adeyemi",
        email="grace.adeyemi@example.org",
        contact_ok=True,
        days_ago=0,
    ),
)


# ----------------------------------------------------------------------
# The codebook: two levels, with the keywords that suggest each theme
# ----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoTheme:
    name: str
    definition: str
    colour: str
    keywords: tuple[str, ...]
    parent: str | None = None
    example: str = ""
    archived: bool = False


# Spanish names of a few themes (stored in Theme.versions): the rest show in English, marked lang="en".
THEME_NAMES_ES = {
    "Racism and bias": "Racismo y sesgo",
    "Workload and promotion": "Carga de trabajo y ascensos",
    "Minority tax": "Carga de diversidad no reconocida",
    "Promotion and pay": "Ascensos y salario",
    "Admissions and pathways": "Admisión y trayectorias",
}

THEMES: tuple[DemoTheme, ...] = (
    DemoTheme("Racism and bias", "Racism, bias or discrimination by anyone: faculty, staff, peers or patients.",
              "#8c2d19", ("racism", "racist", "bias", "discrimination", "of color")),
    DemoTheme("Microaggressions", "Everyday remarks or assumptions that single someone out by who they are.",
              "#c0562f", ("really from", "mistaken for", "accent", "real doctor", "mock", "comments", "assumed"),
              parent="Racism and bias",
              example="A nurse assumed I was the interpreter, not the student on the team."),
    DemoTheme("Bias in evaluation", "Grades, evaluations, honors or questioning on rounds that differ by group.",
              "#b5651d", ("evaluation", "evaluations", "marked down", "honors", "grading", "professional demeanor",
                          "pimping"),
              parent="Racism and bias"),
    DemoTheme("Reporting and accountability", "What happens after a report, and whether anyone answers for it.",
              "#2f5d8a", ("report", "reported", "reporting", "reports", "ombuds", "heard back", "heard anything",
                          "accountability", "in writing", "follow-up")),
    DemoTheme("Fear of retaliation", "Staying silent because speaking up could cost a grade, a letter or a job.",
              "#4a7bb0", ("retaliation", "retaliate", "afraid", "speak up", "spoken up", "identifies you",
                          "knows it was you", "writing my evaluation"),
              parent="Reporting and accountability"),
    DemoTheme("Workload and promotion", "How teaching, service, call and advancement are shared out.",
              "#5b6b2e", ("workload", "call schedule", "holiday weekend", "overtime", "committee")),
    DemoTheme("Minority tax", "Unpaid, uncounted diversity work that falls on the few who are underrepresented.",
              "#7d8f3c", ("minority tax", "diverse voice", "interview panel", "asked to mentor", "isn't counted",
                          "not counted", "on top of our regular duties", "DEI committee"),
              parent="Workload and promotion"),
    DemoTheme("Promotion and pay", "Criteria, timelines and pay for promotion and career ladders.",
              "#55612a", ("promotion", "promoted", "associate professor", "full professor", "career ladder",
                          "pay band", "salary"),
              parent="Workload and promotion"),
    DemoTheme("Admissions and pathways", "Who gets in and who gets support on the way: admissions, advising, cost.",
              "#6b3f7a", ("admissions", "applicants", "first-generation", "fee waiver", "holistic", "debt",
                          "residency application", "residency applications")),
    DemoTheme("Learning environment", "The wards, clinics and classrooms as places to learn.",
              "#2e7d6b", ("learning environment", "on the wards", "in clinic")),
    DemoTheme("Curriculum and materials", "What is taught and the cases, images and resources used to teach it.",
              "#246a5a", ("curriculum", "vignettes", "images", "slides", "skin tones", "board prep", "lecture"),
              parent="Learning environment"),
    DemoTheme("Accessibility", "Physical, digital and academic access, and accommodations.",
              "#3a9c88", ("accessible", "accessibility", "accommodation", "wheelchair", "captions", "elevator",
                          "lactation room", "disability"),
              parent="Learning environment"),
    DemoTheme("Support and training", "Someone to turn to, and the skills to respond well in the moment.",
              "#8a5a00", ("support", "debrief", "mentor", "bystander", "training", "role-play", "emergency fund",
                          "no clear place")),
    DemoTheme("Parking and transport", "Parking, shuttles and getting to clinical sites.", "#6f6f6f",
              ("parking", "shuttle", "garage"), archived=True),
)


# ----------------------------------------------------------------------
# Generated submissions: sentences by theme, put together reproducibly
# ----------------------------------------------------------------------

# Each sentence raises its theme in words that the theme's keywords find.
SENTENCES: dict[str, tuple[str, ...]] = {
    "Racism and bias": (
        "I have seen racism on the wards that nobody names as racism.",
        "The bias is rarely loud; it is who gets the benefit of the doubt.",
        "Colleagues of color are held to a different standard, and everyone on the team can see it.",
        "When I raised a concern about bias I was told I was being sensitive.",
        "Please stop treating racist remarks as a matter of personality.",
    ),
    "Microaggressions": (
        "Patients ask where I am really from at least once a week.",
        "I am regularly mistaken for a medical assistant even with my badge showing.",
        "An attending commented on my accent in front of the patient and the team laughed.",
        "A patient asked for a real doctor, and nobody on the team said anything.",
        "People mock names they find hard to say, and it is treated as a joke.",
        "The small comments add up over a rotation.",
        "I was assumed to be the interpreter rather than the student on the team.",
    ),
    "Bias in evaluation": (
        "My evaluation said I needed more confidence; a classmate with the same feedback was called assertive.",
        "I was marked down for professional demeanor with no example given.",
        "Honors seem to go to the students who remind attendings of themselves.",
        "The pimping on rounds is not evenly shared, and the harder questions go to some of us only.",
        "Please publish honors and grading outcomes by group so we can see whether there is a gap.",
    ),
    "Reporting and accountability": (
        "I made a report months ago and never heard back.",
        "Nobody knows what happens after a report is filed, so nobody files one.",
        "Please tell us in writing who reads reports and how long a follow-up takes.",
        "The ombuds office was kind, but nothing changed on the service.",
        "There is no accountability when the same person is reported year after year.",
        "A short yearly report of what was raised and what was done would build trust.",
    ),
    "Fear of retaliation": (
        "I did not speak up because the attending was writing my evaluation.",
        "On a small team the reporting form identifies you, so people stay quiet.",
        "Everyone knows it was you the moment a complaint comes back to the service.",
        "I am afraid that raising this would follow me into my residency applications.",
        "Retaliation does not have to be dramatic; it can be a weaker letter.",
        "The people who have spoken up before were quietly moved off the schedule.",
    ),
    "Workload and promotion": (
        "The call schedule is built by whoever asks first, and it shows.",
        "The same few people get every holiday weekend.",
        "My workload has doubled since two positions were left unfilled.",
        "Overtime for evening events is approved by some managers and not others.",
        "Every committee wants one more volunteer, and the volunteers are always the same people.",
    ),
    "Minority tax": (
        "I am asked to mentor every underrepresented student in the department, and it isn't counted anywhere.",
        "I have been asked to sit on an interview panel as the diverse voice four times this year.",
        "Heritage events are planned by staff on top of our regular duties.",
        "The DEI committee runs on unpaid hours from the people with the least power.",
        "Students pay the minority tax too: panels, committees and tours, none of it recognised.",
    ),
    "Promotion and pay": (
        "The promotion criteria are vague enough that anyone can be told they are not ready.",
        "I have been an associate professor for nine years and nobody can tell me what full professor needs.",
        "There is no career ladder for coordinators; we stay in the same pay band for a decade.",
        "Salary differences between people doing the same work are never explained.",
        "People who get promoted are the ones with sponsors, not only the ones with results.",
    ),
    "Admissions and pathways": (
        "The admissions interview rewards applicants who have been coached.",
        "Holistic review training was a twenty-minute slideshow.",
        "First-generation students have no one to explain the unwritten rules.",
        "Please publish how many applicants received a fee waiver and how many were admitted.",
        "Debt pushes students away from primary care before they have even started.",
        "Residency application advising depends on whether your advisor happens to know the specialty.",
    ),
    "Learning environment": (
        "The learning environment on some services is simply better than on others.",
        "On the wards the tone is set by the attending, for better or worse.",
        "In clinic there is rarely time to talk about what just happened with a patient.",
    ),
    "Curriculum and materials": (
        "The case vignettes still open with race for no clinical reason.",
        "Dermatology lecture images show almost no darker skin tones.",
        "The curriculum teaches race as biology in places and as a social construct in others.",
        "The board prep resources everyone uses cost far more than the school covers.",
        "The slides from the health equity session were never shared with those on nights.",
    ),
    "Accessibility": (
        "The lecture hall elevator has been broken for weeks and there is no notice about it.",
        "Recorded lectures have no captions, which leaves out deaf and hard-of-hearing students.",
        "Getting an accommodation for exams takes so long that it arrives after the exam.",
        "The clinical skills centre is not wheelchair accessible on the second floor.",
        "Students with a disability should not have to explain it again to every clerkship.",
        "The lactation room is closed more often than it is open.",
    ),
    "Support and training": (
        "There is no clear place to send a student after a hard day.",
        "A five-minute debrief at the end of the day would help more than another module.",
        "Bystander training with role-play would give us words to use in the moment.",
        "Having a mentor who had been through the same thing kept me in medicine.",
        "Staff need support too when patients direct comments at them.",
        "The emergency fund helped me finish my rotation; please keep it.",
    ),
}

OPENINGS = (
    "", "", "", "Thank you for holding this. ", "I'll keep this short. ", "This has been on my mind all year. ",
    "I wasn't able to speak at the session. ", "Adding my voice to what others said. ",
)
CLOSINGS = (
    "", "", "", " Please act on this.", " I hope this is shared with leadership.",
    " I would like to see a timeline, not another working group.", " Thank you for listening.",
)
# Affiliations as the demo hands them out (None: the person did not say).
AFFILIATIONS = (("student", 40), ("faculty", 20), ("staff", 22), ("other", 7), ("prefer not to say", 4), (None, 7))
NAMED = (("Grace Mensah", "grace.mensah@example.org"), ("Tomás Silva", "tomas.silva@example.org"),
         ("Hannah Cohen", "hannah.cohen@example.org"), ("Kwame Boateng", "kwame.boateng@example.org"),
         ("Mei Tanaka", "mei.tanaka@example.org"), ("Fatima Rahman", "fatima.rahman@example.org"),
         ("Luis Herrera", "luis.herrera@example.org"), ("Ruth Adeyemi", "ruth.adeyemi@example.org"))


@dataclass(frozen=True)
class GeneratedHall:
    town_hall: int  # index into TOWN_HALLS
    count: int
    days_ago: tuple[int, int]  # received between these many days ago (inclusive), inside the intake window
    weights: tuple[tuple[str, int], ...]  # which themes people raise there, and how often


GENERATED: tuple[GeneratedHall, ...] = (
    GeneratedHall(0, 60, (31, 59), (("Microaggressions", 5), ("Bias in evaluation", 4), ("Racism and bias", 3),
                                    ("Reporting and accountability", 2), ("Fear of retaliation", 1),
                                    ("Support and training", 3), ("Curriculum and materials", 2),
                                    ("Learning environment", 1))),
    GeneratedHall(1, 55, (0, 9), (("Minority tax", 4), ("Promotion and pay", 4), ("Workload and promotion", 3),
                                  ("Admissions and pathways", 4), ("Bias in evaluation", 1),
                                  ("Support and training", 1), ("Racism and bias", 1))),
    GeneratedHall(3, 75, (12, 24), (("Reporting and accountability", 5), ("Fear of retaliation", 5),
                                    ("Support and training", 3), ("Microaggressions", 2), ("Accessibility", 2),
                                    ("Racism and bias", 1), ("Learning environment", 1))),
)
SEED = 20240917  # the same demo every time

# Written out for the fourth town hall: what facilitators hide.
HIDDEN_EXAMPLES: tuple[DemoSubmission, ...] = (
    DemoSubmission(town_hall=3, affiliation=None, days_ago=20, hidden="spam",
                   body="Earn $500 a week from home!! Message me for details, limited places."),
    DemoSubmission(town_hall=3, affiliation=None, days_ago=18, hidden="abusive",
                   body="Whoever organised this is an idiot, and so is everyone who bothered to turn up."),
    DemoSubmission(town_hall=3, affiliation="student", days_ago=15, hidden="identifying",
                   body=("I'm the only student on the Tuesday clinic at the east site this month, and the "
                         "preceptor there keeps commenting on my hijab. I want this on record but I know "
                         "exactly who will be able to tell it was me.")),
)


def generated_submissions() -> tuple[DemoSubmission, ...]:
    """Submissions put together from SENTENCES: one theme each, sometimes a second; the same every time."""
    rng = random.Random(SEED)
    affiliations, affiliation_weights = zip(*AFFILIATIONS, strict=True)
    made = []
    for hall in GENERATED:
        themes, weights = zip(*hall.weights, strict=True)
        for _ in range(hall.count):
            raised = [rng.choices(themes, weights)[0]]
            if rng.random() < 0.35:
                raised.append(rng.choice([t for t in SENTENCES if t not in raised]))
            body = (rng.choice(OPENINGS) + " ".join(rng.choice(SENTENCES[t]) for t in raised)
                    + rng.choice(CLOSINGS))
            name, email = rng.choice(NAMED) if rng.random() < 0.12 else (None, None)
            made.append(DemoSubmission(town_hall=hall.town_hall, body=body,
                                       affiliation=rng.choices(affiliations, affiliation_weights)[0],
                                       name=name, email=email, contact_ok=bool(name) and rng.random() < 0.5,
                                       days_ago=rng.randint(*hall.days_ago)))
    return tuple(made)
