"""The forms of the questionnaire builder. A question's form asks its kind what it needs (a
list of options when the kind has options; the answers a condition may name)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired

from feedback.accounts.forms import CheckboxesField
from feedback.questionnaires import kinds, topics
from feedback.questionnaires.authoring import QuestionSpec
from feedback.questionnaires.models import Question
from feedback.staff_forms import strip

#: Blank option rows offered under the filled ones.
BLANK_OPTIONS = 2
#: The optional wordings a question may have, by channel or medium, with their labels.
WORDINGS = {
    "sms": (_l("SMS wording in English"), _l("SMS wording in French")),
    "voice": (_l("Phone wording in English"), _l("Phone wording in French")),
}


def _text(label: Any, lang: str, area: bool = False) -> StringField:
    field = TextAreaField if area else StringField
    return field(
        label, filters=[strip], render_kw={"lang": lang, "rows": 3} if area else {"lang": lang}
    )


class NewQuestionnaireForm(FlaskForm):
    program = SelectField(_l("Program"), validators=[InputRequired(_l("Choose a program."))])
    start = RadioField(_l("Start from"), default="")
    code = StringField(
        _l("Code"),
        validators=[InputRequired(_l("Enter a code for the questionnaire."))],
        filters=[strip],
        render_kw={"spellcheck": "false"},
    )
    title_en = _text(_l("Title in English"), "en")
    title_fr = _text(_l("Title in French"), "fr")


class TextsForm(FlaskForm):
    title_en = _text(_l("Title in English"), "en")
    title_fr = _text(_l("Title in French"), "fr")
    intro_en = _text(_l("Introduction in English"), "en", area=True)
    intro_fr = _text(_l("Introduction in French"), "fr", area=True)


class OptionForm(Form):
    value = StringField(_l("Value"), filters=[strip], render_kw={"spellcheck": "false"})
    en = StringField(_l("Label in English"), filters=[strip], render_kw={"lang": "en"})
    fr = StringField(_l("Label in French"), filters=[strip], render_kw={"lang": "fr"})


def kind_choices() -> list[tuple[str, str]]:
    return [(name, kind.label()) for name, kind in kinds.KINDS.items()]


def topic_choices() -> list[tuple[str, str]]:
    return [("", str(_l("None")))] + [(code, str(t.label)) for code, t in topics.TOPICS.items()]


class QuestionForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[InputRequired(_l("Enter a code for the question."))],
        filters=[strip],
        render_kw={"spellcheck": "false"},
    )
    kind = SelectField(_l("Kind of question"))
    required = BooleanField(_l("An answer is required"))
    text_en = _text(_l("Question in English"), "en", area=True)
    text_fr = _text(_l("Question in French"), "fr", area=True)
    options = FieldList(FormField(OptionForm))
    sms_en = _text(WORDINGS["sms"][0], "en", area=True)
    sms_fr = _text(WORDINGS["sms"][1], "fr", area=True)
    voice_en = _text(WORDINGS["voice"][0], "en", area=True)
    voice_fr = _text(WORDINGS["voice"][1], "fr", area=True)
    show_if_question = SelectField(_l("Ask this question"))
    show_if_values = CheckboxesField(_l("Only when the answer is one of"))
    topic = SelectField(_l("Topic for reporting"))

    def prepare(self, earlier: list[Question], language: str) -> None:
        """Choices from the registries and the questions before this one; enough option rows."""
        self.kind.choices = kind_choices()
        self.topic.choices = topic_choices()
        asked = [(q, kinds.of(q).condition_choices(q.options or [], language)) for q in earlier]
        #: The earlier questions a condition may name, with their text, for grouping the answers.
        self.condition_questions = [(q.code, q.text(language)) for q, choices in asked if choices]
        self.show_if_question.choices = [("", str(_l("Always")))] + [
            (code, str(_l("Only after an answer to %(code)s", code=code)))
            for code, _question_text in self.condition_questions
        ]
        self.show_if_values.choices = [
            (f"{q.code}:{key}", label) for q, choices in asked for key, label in choices
        ]
        filled = len(self.filled_options())
        wanted = max(filled + BLANK_OPTIONS, self.chosen_kind().min_options)
        while len(self.options) < wanted:
            self.options.append_entry()

    def chosen_kind(self) -> kinds.QuestionKind:
        return kinds.KINDS.get(self.kind.data or "") or next(iter(kinds.KINDS.values()))

    def filled_options(self) -> list[dict[str, str]]:
        return [
            {key: row.get(key) or "" for key in ("value", "en", "fr")}
            for row in self.options.data
            if any(row.get(key) for key in ("value", "en", "fr"))
        ]

    def show_if(self) -> dict[str, Any] | None:
        code = self.show_if_question.data
        if not code:
            return None
        prefix = f"{code}:"
        values = [
            v.removeprefix(prefix) for v in self.show_if_values.data or [] if v.startswith(prefix)
        ]
        return {"question": code, "values": values}

    def spec(self) -> QuestionSpec:
        wordings = {
            channel: {
                "en": getattr(self, f"{channel}_en").data or "",
                "fr": getattr(self, f"{channel}_fr").data or "",
            }
            for channel in WORDINGS
        }
        return QuestionSpec(
            code=self.code.data or "",
            kind=self.kind.data or "",
            text={"en": self.text_en.data or "", "fr": self.text_fr.data or ""},
            required=bool(self.required.data),
            options=self.filled_options() if self.chosen_kind().has_options else (),
            wordings={c: texts for c, texts in wordings.items() if any(texts.values())},
            show_if=self.show_if(),
            topic=self.topic.data or None,
        )

    @staticmethod
    def data_of(question: Question) -> dict[str, Any]:
        """The form's data for a stored question."""
        wordings = question.wordings or {}
        show_if = question.show_if or {}
        return {
            "code": question.code,
            "kind": question.kind,
            "required": question.required,
            "text_en": question.text_en,
            "text_fr": question.text_fr,
            "options": list(question.options or []),
            **{
                f"{channel}_{lang}": wordings.get(channel, {}).get(lang, "")
                for channel in WORDINGS
                for lang in ("en", "fr")
            },
            "show_if_question": show_if.get("question", ""),
            "show_if_values": [f"{show_if.get('question')}:{v}" for v in show_if.get("values", [])],
            "topic": question.topic or "",
        }
