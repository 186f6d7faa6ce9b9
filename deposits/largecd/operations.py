"""X-CONFIRM kinds of 大额存单: 开户 and 支取 (交易密码 + security tool, no SMS). The executor
checks again and, for 开户, takes the 额度 in the confirmation's transaction."""

from decimal import Decimal

from django.db import transaction
from django.urls import reverse

from accounts.payers import receipt_url
from ebank.core.clock import business_day
from ebank.core.money import as_money, format_cny
from security.confirm.registry import operation_kind
from security.confirm.services import operation_start
from security.models import PendingOperation

from ..fixed import balance_of, masked_number, requested_amount
from ..interest_account import account_label, deposit_of_customer
from ..models import Product
from ..operations import account_text, confirmed_amount, withdraw_lines
from ..rates import term_text
from . import services

KIND_CD_OPEN = "deposits.cd_open"
KIND_CD_WITHDRAW = "deposits.cd_withdraw"


@transaction.atomic(durable=True)
def cd_open_start(*, user, product_id, from_sub_account_id, amount) -> PendingOperation:
    plan = services.cd_open_check(customer=user.customer, product_id=product_id,
                                  from_sub_account_id=from_sub_account_id, amount=amount,
                                  on=business_day())
    product = plan.product
    summary = [("转出账户", account_text(plan.source)),
               ("产品", f"{product.code} {product.name}"), ("存期", term_text(product.term_months)),
               ("年利率", f"{product.annual_rate:.2f}%"),
               ("剩余额度", format_cny(product.remaining)),
               ("到期处理", "到期本金转回本卡活期主账户，利息转入利息账户")]
    return operation_start(
        user=user, kind=KIND_CD_OPEN,
        payload={"product": product.pk, "from_sub_account": plan.source.pk,
                 "amount": f"{plan.amount:.2f}"},
        summary=summary, medium=plan.source.medium,
        back_url=reverse("deposits:cd_open") + f"?product={product.pk}")


@operation_kind(KIND_CD_OPEN, title="大额存单开户", requires_pin=True, requires_tool=True,
                allow_sms=False)
def cd_open_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    on = business_day()
    plan = services.cd_open_check(customer=operation.user.customer, product_id=payload["product"],
                                  from_sub_account_id=payload["from_sub_account"],
                                  amount=as_money(payload["amount"]), on=on)
    deposit, receipt = services.cd_open_post(user=operation.user, plan=plan,
                                             idempotency_key=operation.idempotency_key, on=on)
    return {
        "message": f"大额存单开户成功，{format_cny(deposit.principal)}已存入大额存单账户",
        "receipt_url": receipt_url(receipt),
        "lines": [["大额存单账号", masked_number(deposit.sub_account)],
                  ["产品", f"{deposit.cd_product.code} {deposit.cd_product.name}"],
                  ["存期", term_text(deposit.term_months)],
                  ["年利率", f"{deposit.annual_rate:.2f}%"],
                  ["起息日", f"{deposit.value_date:%Y-%m-%d}"],
                  ["到期日", f"{deposit.matures_on:%Y-%m-%d}"],
                  ["利息账户", account_label(deposit.interest_account)]],
    }


@transaction.atomic(durable=True)
def cd_withdraw_start(*, user, deposit_id, full: bool, amount: Decimal | None
                      ) -> PendingOperation:
    deposit = deposit_of_customer(customer=user.customer, product=Product.LARGE_CD,
                                  pk=deposit_id)
    balance = balance_of(deposit.sub_account)
    take = requested_amount(balance=balance, full=full, amount=amount)
    quote = services.cd_quote(deposit=deposit, balance=balance, amount=take, on=business_day())
    summary = [("大额存单账号", masked_number(deposit.sub_account)),
               ("存期", term_text(deposit.term_months)),
               ("年利率", f"{deposit.annual_rate:.2f}%"),
               ("到期日", f"{deposit.matures_on:%Y-%m-%d}"),
               ("支取方式", quote.kind_label), ("预计利息", format_cny(quote.interest)),
               ("本金转入", "本卡活期主账户"),
               ("利息转入", account_label(deposit.interest_account))]
    if not quote.matured:
        summary.append(("提示", services.EARLY_NOTE))
    return operation_start(
        user=user, kind=KIND_CD_WITHDRAW,
        payload={"deposit": deposit.pk, "amount": f"{quote.amount:.2f}", "full": quote.full},
        summary=summary, medium=deposit.sub_account.medium,
        back_url=reverse("deposits:cd_withdraw", args=[deposit.pk]))


@operation_kind(KIND_CD_WITHDRAW, title="大额存单支取", requires_pin=True, requires_tool=True,
                allow_sms=False)
def cd_withdraw_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    deposit = deposit_of_customer(customer=operation.user.customer, product=Product.LARGE_CD,
                                  pk=payload["deposit"], lock=True)
    balance = balance_of(deposit.sub_account)
    amount = confirmed_amount(payload, balance=balance)
    done = services.cd_withdraw_post(user=operation.user, deposit=deposit, amount=amount,
                                     idempotency_key=operation.idempotency_key,
                                     on=business_day())
    quote, receipt, interest_receipt = done.quote, done.receipt, done.interest_receipt
    lines = withdraw_lines(quote, interest_receipt,
                           remaining=None if quote.full else balance - quote.amount)
    return {"message": f"大额存单{quote.kind_label}成功", "receipt_url": receipt_url(receipt),
            "lines": lines}
