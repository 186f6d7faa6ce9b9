from decimal import Decimal

from django import forms


class SimBindForm(forms.Form):
    card_number = forms.CharField(label="银行卡号", max_length=23,
                                  error_messages={"required": "请输入银行卡号"})
    name = forms.CharField(label="姓名", max_length=64, error_messages={"required": "请输入姓名"})
    id_number = forms.CharField(label="身份证号码", max_length=32,
                                error_messages={"required": "请输入身份证号码"})
    phone = forms.CharField(label="银行预留手机号", max_length=11,
                            error_messages={"required": "请输入银行预留手机号"})
    sms_code = forms.CharField(label="短信验证码", max_length=6, required=False,
                               widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                             "inputmode": "numeric"}))


class SimPayForm(forms.Form):
    agreement_no = forms.CharField(widget=forms.HiddenInput)
    amount = forms.DecimalField(label="支付金额（元）", max_digits=18, decimal_places=2,
                                min_value=Decimal("0.01"),
                                error_messages={"required": "请输入支付金额",
                                                "invalid": "请输入正确的金额",
                                                "min_value": "支付金额必须大于0"})
    order_no = forms.CharField(label="订单号", max_length=32, required=False,
                               help_text="不填则自动生成")
