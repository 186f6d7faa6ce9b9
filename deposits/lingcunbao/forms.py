"""Forms of 零存宝开户/续存 and 零存宝支取: shape only; the services check the notes and answer in
the manual's words, so a crafted POST meets the same rules."""

from django import forms

from ebank.core.money import format_cny

from ..forms import AmountField, IdChoiceField, source_label


class LcbDepositForm(forms.Form):
    """开户 (零存宝账户 left at 新开立) or 续存 into one of the customer's open 零存宝."""

    deposit = IdChoiceField(label="零存宝账户", required=False, empty_value=None,
                            help_text="选择已有的零存宝账户为续存，选择“新开立零存宝账户”为开户")
    from_sub_account = IdChoiceField(label="转出账户", error_messages={
        "required": "请选择转出账户"}, help_text="借记卡的活期主账号")
    amount = AmountField(label="存入金额", error_messages={"required": "请输入存入金额"},
                         help_text="1元（含）到20000元（含）")

    def __init__(self, *args, sources, deposits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_sub_account"].choices = [("", "请选择")] + [
            (str(s.pk), source_label(s)) for s in sources]
        self.fields["deposit"].choices = [("", "新开立零存宝账户")] + [
            (str(row.pk), f"{row.number} 余额{format_cny(row.balance)}"
                          f"（{row.deposit.matures_on:%Y-%m-%d}到期）") for row in deposits]


class LcbWithdrawForm(forms.Form):
    deposit = IdChoiceField(label="零存宝账户", error_messages={"required": "请选择零存宝账户"})

    def __init__(self, *args, deposits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deposit"].choices = [("", "请选择")] + [
            (str(row.pk), f"{row.number} 余额{format_cny(row.balance)}"
                          f"（{row.deposit.matures_on:%Y-%m-%d}到期）") for row in deposits]
