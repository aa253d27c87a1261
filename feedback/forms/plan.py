"""Forms of the action plan for staff: an action, an update of its timeline, and its links.

The forms read what was typed (dates, numbers, choices); what an action may be is the service's to say
(feedback.services.actions.plan), and the view puts its messages on these fields.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import LazyString, gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from feedback.forms.fields import strip
from feedback.i18n import explain
from feedback.models import Action, Theme, TownHall
from feedback.services import content_language
from feedback.services.actions.plan import SHORTEN_TITLE, TITLE_MAX, VERSIONED, ActionValues
from feedback.services.actions.progress import FROM_STATUS, FROM_SUB_ACTIONS, MANUAL, Status
from feedback.services.actions.updates import NewUpdate

PROGRESS_CHOICES = [SelectChoice(FROM_STATUS, lazy_gettext("From its status")),
                    SelectChoice(MANUAL, lazy_gettext("Set by hand")),
                    SelectChoice(FROM_SUB_ACTIONS, lazy_gettext("From its sub-actions (the mean of their progress)"))]
PROGRESS_MESSAGE = lazy_gettext("Enter the progress as a whole number from 0 to 100, like 40.")
CHOOSE = lazy_gettext("Choose one from the list.")
NEXT_UPDATE_DUE = lazy_gettext("Next update due")
NEXT_UPDATE_DUE_MESSAGE = lazy_gettext("Enter the day the next update is due as a date, like 2026-12-01, or leave "
                                       "it empty.")


def _optional_date(label: LazyString, message: LazyString) -> DateField:
    return DateField(label, validators=[Optional()], invalid_value_message=message)


def _progress(label: LazyString) -> IntegerField:
    return IntegerField(label, validators=[Optional()], invalid_value_message=PROGRESS_MESSAGE,
                        render_kw={"inputmode": "numeric", "min": 0, "max": 100})


def _in_choices(field) -> None:
    if field.data not in {choice.value for choice in field.choices}:
        raise ValidationError(CHOOSE)


def _status_choices(statuses: Mapping[str, Status]) -> list[SelectChoice]:
    """The configured statuses, their default labels in the reader's language (gettext: a label is data)."""
    return [SelectChoice(s.key, gettext(s.label)) for s in statuses.values()]


class ActionForm(FlaskForm):
    # maxlength is left off the inputs: a long entry gets a message, never a silent cut.
    title = StringField(lazy_gettext("Title"), filters=[strip], render_kw={"maxlength": False})
    description = TextAreaField(lazy_gettext("Description"), filters=[strip], render_kw={"rows": 5})
    # The Spanish version (optional), shown to readers of Spanish pages; lang tells a screen reader its language.
    title_es = StringField(lazy_gettext("Title in Spanish"), filters=[strip],
                           render_kw={"maxlength": False, "lang": "es"},
                           validators=[Length(max=TITLE_MAX, message=LazyString(lambda: explain(SHORTEN_TITLE)))])
    description_es = TextAreaField(lazy_gettext("Description in Spanish"), filters=[strip],
                                   render_kw={"rows": 5, "lang": "es"})
    owner = StringField(lazy_gettext("Responsible (shown publicly)"), filters=[strip], render_kw={"maxlength": False})
    status = SelectField(lazy_gettext("Status"), validate_choice=False)
    wont_do_reason = TextAreaField(lazy_gettext("Why it will not be done (shown publicly)"), filters=[strip],
                                   render_kw={"rows": 3})
    progress_from = RadioField(lazy_gettext("Progress"), choices=PROGRESS_CHOICES, default=FROM_STATUS,
                               validate_choice=False)
    progress = _progress(lazy_gettext("Progress set by hand (0 to 100)"))
    parent = SelectField(lazy_gettext("Part of"), default="", validate_choice=False)
    target_on = _optional_date(lazy_gettext("Target date"),
                               lazy_gettext("Enter the target date as a date, like 2026-12-01, or leave it empty."))
    next_update_due = _optional_date(NEXT_UPDATE_DUE, NEXT_UPDATE_DUE_MESSAGE)

    def __init__(self, *args, statuses: Mapping[str, Status], parents: list[Action], fixed_state: bool = False,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.parent.choices = [SelectChoice("", gettext("Nothing: a top-level action"))] + [
            SelectChoice(str(a.id), a.title) for a in parents]
        if fixed_state:  # the timeline owns them: the page says to post an update instead
            del self.status, self.progress, self.wont_do_reason
        else:
            self.status.choices = _status_choices(statuses)

    def validate_status(self, field) -> None:
        _in_choices(field)

    def validate_progress_from(self, field) -> None:
        _in_choices(field)

    def validate_parent(self, field) -> None:
        _in_choices(field)

    @classmethod
    def for_action(cls, action: Action, statuses: Mapping[str, Status], parents: list[Action],
                   fixed_state: bool) -> ActionForm:
        """The form filled in with an action as stored."""
        form = cls(formdata=None, obj=action, statuses=statuses, parents=parents, fixed_state=fixed_state,
                   parent=str(action.parent_id or ""))
        for name in VERSIONED:
            form[f"{name}_es"].data = content_language.version(action.versions, "es", name)
        return form

    def values(self, stored: Action | None = None) -> ActionValues:
        """What was typed; the fields left off the form (fixed_state) keep their stored values."""
        state = {name: getattr(self, name).data if name in self else getattr(stored, name, None)
                 for name in ("status", "progress", "wont_do_reason")}
        return ActionValues(
            title=self.title.data or "", description=self.description.data or "", owner=self.owner.data or "",
            status=state["status"] or "", progress=state["progress"] or 0, wont_do_reason=state["wont_do_reason"] or "",
            progress_from=self.progress_from.data or "", parent_id=int(self.parent.data) if self.parent.data else None,
            target_on=self.target_on.data, next_update_due=self.next_update_due.data,
            versions={"es": {name: self[f"{name}_es"].data or "" for name in VERSIONED}})


class UpdateForm(FlaskForm):
    text = TextAreaField(lazy_gettext("Update (shown publicly)"), filters=[strip], render_kw={"rows": 5})
    status = SelectField(lazy_gettext("New status"), default="", validate_choice=False)
    progress = _progress(lazy_gettext("New progress (0 to 100)"))
    publish_on = DateField(lazy_gettext("Publish on"),
                           validators=[InputRequired(lazy_gettext("Enter the day to publish it, like 2026-12-01."))],
                           invalid_value_message=lazy_gettext("Enter the day to publish it as a date, like "
                                                              "2026-12-01."))
    next_update_due = _optional_date(NEXT_UPDATE_DUE, NEXT_UPDATE_DUE_MESSAGE)

    def __init__(self, *args, statuses: Mapping[str, Status], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice("", gettext("No change")), *_status_choices(statuses)]

    def validate_status(self, field) -> None:
        _in_choices(field)

    def new_update(self) -> NewUpdate:
        return NewUpdate(text=self.text.data or "", status=self.status.data or None, progress=self.progress.data,
                         publish_on=self.publish_on.data, next_update_due=self.next_update_due.data)


# The three link forms share one page, so each target has an id of its own.
class ThemeLinkForm(FlaskForm):
    target = SelectField(lazy_gettext("Theme"), id="theme-target", default="", validate_choice=False)

    def __init__(self, *args, themes: list[Theme], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.target.choices = [SelectChoice("", gettext("Choose a theme"))] + [
            SelectChoice(str(t.id), t.name) for t in themes]


class TownHallLinkForm(FlaskForm):
    target = SelectField(lazy_gettext("Town hall"), id="town-hall-target", default="", validate_choice=False)

    def __init__(self, *args, town_halls: list[TownHall], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.target.choices = [SelectChoice("", gettext("Choose a town hall"))] + [
            SelectChoice(str(h.id), h.title) for h in town_halls]


class SubmissionLinkForm(FlaskForm):
    target = StringField(lazy_gettext("Submission id (internal: never shown publicly)"), id="submission-target",
                         filters=[strip], render_kw={"autocomplete": "off", "spellcheck": "false"})
