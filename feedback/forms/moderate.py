"""The submission page's one "Moderate" form: themes, redacted text, status and note, saved in one POST.

It is the themes, redaction and status forms together (their fields and checks, by inheritance, so a
rule lives in one place), plus the button pressed: save and stay, or save and open the next pending one.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

from feedback.forms.desk import RedactionForm, StatusForm
from feedback.forms.tagging import ThemesForm
from feedback.services.moderation.desk import STATUSES
from feedback.services.moderation.one_step import Decision, Shown

STAY, NEXT = "stay", "next"
OUT_OF_DATE = lazy_gettext("This form is out of date. Reload the page and moderate the submission again.")
_HASH = re.compile(r"[0-9a-f]{32}")
_THEME_IDS = re.compile(r"(\d{1,10}(,\d{1,10})*)?")


class ModerateForm(ThemesForm, RedactionForm, StatusForm):
    """Everything a facilitator decides about one submission; `then` is the button pressed."""

    then = StringField(lazy_gettext("Then"), default=STAY, id="save-and-next")  # its error links to the button
    # What the page showed when it was opened, so that only the parts this person changed are saved.
    shown_status = HiddenField()
    shown_hidden_reason = HiddenField()
    shown_redacted = HiddenField()
    shown_themes = HiddenField()

    def show(self, now: Shown) -> None:
        """Say in the hidden fields that the page shows the submission as it is now."""
        self.shown_status.data, self.shown_hidden_reason.data = now.status, now.hidden_reason or ""
        self.shown_redacted.data = now.redacted_hash
        self.shown_themes.data = ",".join(str(i) for i in sorted(now.theme_ids))

    @property
    def shown(self) -> Shown:
        themes = self.shown_themes.data or ""
        return Shown(self.shown_status.data, self.shown_hidden_reason.data or None, self.shown_redacted.data,
                     frozenset(int(i) for i in themes.split(",") if i))

    @property
    def decision(self) -> Decision:
        return Decision(theme_ids=self.theme_ids, redacted=self.redacted.data or "", status=self.status.data,
                        hidden_reason=self.hidden_reason.data or None, note=self.note.data or "", shown=self.shown)

    @property
    def goes_next(self) -> bool:
        return self.then.data == NEXT

    def validate_then(self, field) -> None:
        if field.data not in (STAY, NEXT):
            raise ValidationError(lazy_gettext("Press “Save” or “Save and next”."))
        # What the page showed, missing or malformed: a page from before it was kept, or a hand-made post.
        if (self.shown_status.data not in STATUSES or not _HASH.fullmatch(self.shown_redacted.data or "")
                or not _THEME_IDS.fullmatch(self.shown_themes.data or "")):
            raise ValidationError(OUT_OF_DATE)
