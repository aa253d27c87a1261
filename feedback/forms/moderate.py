"""The submission page's one "Moderate" form: themes, redacted text, status and note, saved in one POST.

It is the themes, redaction and status forms together (their fields and checks, by inheritance, so a
rule lives in one place), plus the button pressed: save and stay, or save and open the next pending one.
"""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import ValidationError

from feedback.forms.desk import RedactionForm, StatusForm
from feedback.forms.tagging import ThemesForm
from feedback.services.moderation.one_step import Decision

STAY, NEXT = "stay", "next"


class ModerateForm(ThemesForm, RedactionForm, StatusForm):
    """Everything a facilitator decides about one submission; `then` is the button pressed."""

    then = StringField("Then", default=STAY)

    @property
    def decision(self) -> Decision:
        return Decision(theme_ids=self.theme_ids, redacted=self.redacted.data or "", status=self.status.data,
                        hidden_reason=self.hidden_reason.data or None, note=self.note.data or "")

    @property
    def goes_next(self) -> bool:
        return self.then.data == NEXT

    def validate_then(self, field) -> None:
        if field.data not in (STAY, NEXT):
            raise ValidationError("Press “Save” or “Save and next”.")
