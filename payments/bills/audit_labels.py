"""The Chinese labels of the bills area's audit actions (registered by PaymentsConfig.ready())."""

LABELS = {
    "payments.bill_submit": "缴费提交",
    "payments.bill_paid": "缴费成功",
    "payments.bill_reversed": "缴费冲正",
    "payments.bill_unknown": "缴费结果待人工核查",
}
