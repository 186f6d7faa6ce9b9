"""Forms of 悠悦宝购买, 悠悦宝支取 and 利先得支取: shape only, as 整存整取's (deposits.forms) which
they extend; the services check the notes, so a crafted POST meets the same rules."""

from django import forms

from ebank.core.money import format_cny

from ..forms import FixedOpenForm, FixedWithdrawForm, IdChoiceField


class GreyableSelect(forms.Select):
    """A select whose options in ``greyed`` are shown but cannot be chosen (note 1)."""

    def __init__(self, *args, greyed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.greyed = set(greyed)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.greyed:
            option["attrs"]["disabled"] = True
        return option


class YouyuebaoOpenForm(FixedOpenForm):
    """悠悦宝购买: 整存整取开户's form without the term (one year)."""

    def __init__(self, *args, minimum_note: str, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["term_months"]
        self.fields["amount"].label = "购买金额"
        self.fields["amount"].help_text = minimum_note
        self.fields["amount"].error_messages["required"] = "请输入购买金额"
        self.fields["fixed_book"].help_text = "借记卡可存入本卡；活期存折、活期一本通只能转入定期一本通"
        self.fields["fixed_book"].choices = [("", "本卡")] + self.fields["fixed_book"].choices[1:]


def _deposit_label(row, greyed: bool) -> str:
    text = (f"{row.number} {format_cny(row.balance)}"
            f"（{row.deposit.matures_on:%Y-%m-%d}到期）")
    return f"{text}（请至柜台办理）" if greyed else text


class YouyuebaoWithdrawForm(FixedWithdrawForm):
    to_sub_account = IdChoiceField(label="转入账户", error_messages={
        "required": "请选择转入账户"}, help_text="任一绑定银行卡、普通存折内开立的活期账户")

    def __init__(self, *args, deposits, greyed, targets, **kwargs):
        super().__init__(*args, deposits=deposits, **kwargs)
        greyed = {str(pk) for pk in greyed}
        self.fields["deposit"].label = "悠悦宝账户"
        self.fields["deposit"].error_messages["required"] = "请选择悠悦宝账户"
        self.fields["deposit"].widget = GreyableSelect(attrs={"class": "account-select"},
                                                       greyed=greyed)
        self.fields["deposit"].choices = [("", "请选择")] + [
            (str(row.pk), _deposit_label(row, str(row.pk) in greyed)) for row in deposits]
        self.fields["to_sub_account"].choices = [("", "请选择")] + [
            (str(sub.pk), f"{sub.medium.get_kind_display()} {sub.medium.masked_number}")
            for sub in targets]


class LixiandeWithdrawForm(forms.Form):
    deposit = IdChoiceField(label="利先得账户", error_messages={"required": "请选择利先得账户"})

    def __init__(self, *args, deposits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deposit"].choices = [("", "请选择")] + [
            (str(row.pk), f"{row.number} {format_cny(row.balance)}"
                          f"（{row.deposit.matures_on:%Y-%m-%d}到期）") for row in deposits]
