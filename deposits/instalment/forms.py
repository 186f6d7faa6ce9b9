"""Forms of 零存整取: shape only; the services check the rules and answer in Chinese."""

from django import forms

from ..forms import AmountField, IdChoiceField, source_label
from ..rates import term_text
from .services import TERMS


def _choices(rows) -> list[tuple[str, str]]:
    return [("", "请选择")] + [(str(row.pk), row.label) for row in rows]


class InstalmentForm(forms.Form):
    """卡内活期转定期, 储种 零存整取: 开户 or 续存 of a 零存整取 on the same card (note 2)."""

    MODES = (("open", "开户"), ("top_up", "续存"))

    mode = forms.ChoiceField(label="操作类型", choices=MODES, initial="open",
                             widget=forms.RadioSelect,
                             error_messages={"required": "请选择操作类型",
                                             "invalid_choice": "请选择操作类型"})
    from_sub_account = IdChoiceField(label="转出账号（借记卡活期主账号）",
                                     error_messages={"required": "请选择转出账号"})
    term_months = forms.TypedChoiceField(
        label="存期", coerce=int, required=False, empty_value=None,
        choices=[("", "请选择")] + [(m, term_text(m)) for m in TERMS],
        help_text="开户时选择", error_messages={"invalid_choice": "请选择存期"})
    deposit = IdChoiceField(label="零存整取账号", required=False, empty_value=None,
                            help_text="续存时选择本卡下已开立的零存整取账号")
    amount = AmountField(label="存入金额", error_messages={"required": "请输入存入金额"},
                         help_text="开户为每月存额（起存金额5元）；续存金额须与每月存额相同")

    def __init__(self, *args, sources, deposits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_sub_account"].choices = [("", "请选择")] + [
            (str(s.pk), source_label(s)) for s in sources]
        self.fields["deposit"].choices = _choices(deposits)

    def clean(self):
        data = super().clean()
        if data.get("mode") == "open" and data.get("term_months") is None \
                and "term_months" not in self.errors:
            self.add_error("term_months", "请选择存期")
        if data.get("mode") == "top_up" and data.get("deposit") is None:
            self.add_error("deposit", "请选择零存整取账号")
        return data


class BookTopUpForm(forms.Form):
    """零存整取存折续存."""

    deposit = IdChoiceField(label="零存整取账号", error_messages={
        "required": "请选择零存整取账号"})
    from_sub_account = IdChoiceField(label="转出账户", error_messages={
        "required": "请选择转出账户"})
    amount = AmountField(label="续存金额", error_messages={"required": "请输入续存金额"},
                         help_text="须与每月存额相同")

    def __init__(self, *args, sources, deposits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_sub_account"].choices = [("", "请选择")] + [
            (str(s.pk), source_label(s)) for s in sources]
        self.fields["deposit"].choices = _choices(deposits)


class WithdrawForm(forms.Form):
    deposit = IdChoiceField(label="零存整取账号", error_messages={
        "required": "请选择零存整取账号"})

    def __init__(self, *args, deposits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deposit"].choices = _choices(deposits)
