"""The 风险测评 questionnaire as a form: one group of radio buttons per active question."""

from django import forms

from .services import UNANSWERED, Questionnaire

FIELD_PREFIX = "q"


class RiskForm(forms.Form):
    def __init__(self, *args, questionnaire: Questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        for question in questionnaire.questions:
            self.fields[f"{FIELD_PREFIX}{question.pk}"] = forms.TypedChoiceField(
                label=f"{question.order}. {question.text}", coerce=int,
                choices=[(choice.pk, choice.text) for choice in question.choices.all()],
                widget=forms.RadioSelect,
                error_messages={"required": "请选择本题的答案",
                                "invalid_choice": "所选答案无效，请重新选择"})

    def clean(self):
        cleaned = super().clean()
        unanswered = sum(1 for name in self.fields if not self.data.get(self.add_prefix(name)))
        if unanswered:
            raise forms.ValidationError(UNANSWERED.format(count=unanswered))
        return cleaned

    def answers(self) -> dict[int, int]:
        """{question id: choice id} of the valid form."""
        return {int(name[len(FIELD_PREFIX):]): value for name, value in self.cleaned_data.items()}
