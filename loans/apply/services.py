"""个人贷款申请 (LN-APPLY): the checks of a customer's application, its start (X-CONFIRM kind
``loans.apply``: 交易密码 + USBKey/数字令牌, no SMS), the executor's core that files it, and the
customer's 撤销 of one still waiting (待审批).

The application is written only when the customer confirms: the executor runs every check again
(the product may have left the shelf, the account may have been reported lost) and files it 待审批
with its 申请编号 (SQ…). Staff then approve or reject it in the admin (loans/review)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Customer, SubAccount
from accounts.payers import account_label, payer_account_usable
from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import format_cny
from security.confirm.services import operation_start
from security.models import PendingOperation

from ..models import ApplicationStatus, LoanApplication, LoanProduct, MethodChoices
from ..review.services import checking_settle
from ..rules import lpr_on, number_new

KIND_APPLY = "loans.apply"
APPLY_ACTION = "loans.apply"
WITHDRAW_ACTION = "loans.withdraw"
AUDIT_LABELS = {APPLY_ACTION: "个人贷款申请", WITHDRAW_ACTION: "个人贷款申请撤销"}

SUBMITTED_MESSAGE = "申请已提交，等待银行审批"
PRODUCT_GONE = "该贷款产品暂不受理网银申请，请重新选择"


def months_text(months: list[int]) -> str:
    return "、".join(str(m) for m in months) + "个月"


@dataclass(frozen=True)
class ApplyTerms:
    """What the customer asks for, checked."""

    product: LoanProduct
    amount: Decimal
    months: int
    purpose: str
    method: str
    repayment_day: int
    account: SubAccount

    def summary(self) -> list[tuple[str, str]]:
        """The confirmation page's lines (the amount is the page's own, in ¥ and capitals)."""
        lines = [("贷款产品", f"{self.product.name}（{self.product.code}）"),
                 ("申请期限", f"{self.months}个月"),
                 ("贷款用途", self.purpose),
                 ("还款方式", MethodChoices(self.method).label),
                 ("每月还款日", f"每月{self.repayment_day}日"),
                 ("还款账户", account_label(self.account))]
        rate = reference_rate(self.product, self.months)
        if rate:
            lines.append(("参考年利率", rate))
        lines.append(("提示", "提交后由银行审批，批准金额、期限和执行利率以审批结果为准，"
                             "审批结果将以短信通知"))
        return lines

    def payload(self) -> dict:
        return {"product": self.product.pk, "amount": f"{self.amount:.2f}", "months": self.months,
                "purpose": self.purpose, "method": self.method,
                "repayment_day": self.repayment_day, "account": self.account.pk}


def reference_rate(product: LoanProduct, months: int, day=None) -> str:
    """"LPR 3.00% + 加点 0.60% = 3.60%" for ``months`` today; "" while no LPR is quoted."""
    try:
        lpr = lpr_on(months, day or business_day())
    except BusinessError:
        return ""
    return f"LPR {lpr:.2f}% + 加点 {product.spread:.2f}% = {lpr + product.spread:.2f}%（以审批为准）"


def apply_check(*, customer: Customer, product_id, amount: Decimal, months, purpose: str,
                method: str, repayment_day, account_id) -> ApplyTerms:
    """Every rule of an application, each refusal in the customer's words (``code`` names the
    field: product, amount, months, purpose, method, repayment_day, account)."""
    try:
        product = LoanProduct.objects.filter(pk=int(product_id), on_sale=True).first()
    except (TypeError, ValueError):
        product = None
    if product is None:
        raise BusinessError(PRODUCT_GONE, code="product")
    if amount < product.min_amount:
        raise BusinessError(f"申请金额不能低于{format_cny(product.min_amount)}", code="amount")
    if amount > product.max_amount:
        raise BusinessError(f"申请金额不能超过{format_cny(product.max_amount)}", code="amount")
    try:
        months = int(months)
    except (TypeError, ValueError):
        months = 0
    if months not in product.term_list:
        raise BusinessError(f"{product.name}可选期限为{months_text(product.term_list)}",
                            code="months")
    if purpose not in product.purpose_list:
        raise BusinessError(f"{product.name}的贷款用途为{'、'.join(product.purpose_list)}",
                            code="purpose")
    if method not in MethodChoices.values:
        raise BusinessError("请选择还款方式", code="method")
    try:
        repayment_day = int(repayment_day)
    except (TypeError, ValueError):
        repayment_day = 0
    if not 1 <= repayment_day <= 31:
        raise BusinessError("每月还款日须为1日至31日", code="repayment_day")
    account = payer_account_usable(customer=customer, sub_account_id=account_id,
                                   role="还款账户")
    return ApplyTerms(product=product, amount=amount, months=months, purpose=purpose,
                      method=method, repayment_day=repayment_day, account=account)


@transaction.atomic(durable=True)
def apply_start(*, user, terms: ApplyTerms) -> PendingOperation:
    """The confirmation of an application checked by :func:`apply_check` (nothing is filed
    before the customer confirms)."""
    return operation_start(user=user, kind=KIND_APPLY, payload=terms.payload(),
                           summary=terms.summary(), medium=terms.account.medium,
                           back_url=reverse("loans:apply"))


def application_file(*, operation: PendingOperation) -> LoanApplication:
    """The executor's core: check everything again, then file the application 待审批."""
    data = operation.payload
    user = operation.user
    terms = apply_check(customer=user.customer, product_id=data["product"],
                        amount=Decimal(data["amount"]), months=data["months"],
                        purpose=data["purpose"], method=data["method"],
                        repayment_day=data["repayment_day"], account_id=data["account"])
    now = timezone.now()
    application = LoanApplication.objects.create(
        number=number_new("SQ", business_day()), customer=user.customer, user=user,
        product=terms.product, amount=terms.amount, months=terms.months, purpose=terms.purpose,
        method=terms.method, repayment_day=terms.repayment_day, repayment_account=terms.account,
        status=ApplicationStatus.SUBMITTED, applied_at=now)
    audit_record(action=APPLY_ACTION, actor=user, customer_id=user.customer_id,
                 object_ref=f"loanapp:{application.number}",
                 detail={"product": terms.product.code, "amount": str(terms.amount),
                         "months": terms.months, "purpose": terms.purpose,
                         "method": terms.method, "repayment_day": terms.repayment_day,
                         "operation": operation.public_id})
    return application


def application_lines(application: LoanApplication) -> list[list[str]]:
    return [["申请编号", application.number],
            ["贷款产品", f"{application.product.name}（{application.product.code}）"],
            ["申请金额", format_cny(application.amount)],
            ["申请期限", f"{application.months}个月"],
            ["贷款用途", application.purpose],
            ["还款方式", application.get_method_display()],
            ["每月还款日", f"每月{application.repayment_day}日"],
            ["还款账户", account_label(application.repayment_account)]]


@transaction.atomic(durable=True)
def application_withdraw(*, user, number: str, ip: str | None = None) -> LoanApplication:
    """撤销: the customer's own application, only while 待审批 (a teller has not sent it to
    复核 nor decided it)."""
    application = (LoanApplication.objects.select_for_update(of=("self",))
                   .filter(customer_id=user.customer_id, number=number).first())
    if application is None:
        raise BusinessError("贷款申请不存在")
    checking_settle(application)   # a 复核 that lapsed or was refused: 待审批 again
    if application.status != ApplicationStatus.SUBMITTED:
        raise BusinessError(f"该申请{application.get_status_display()}，不能撤销")
    application.status = ApplicationStatus.WITHDRAWN
    application.save(update_fields=["status"])
    audit_record(action=WITHDRAW_ACTION, actor=user, customer_id=user.customer_id,
                 object_ref=f"loanapp:{application.number}", ip_address=ip,
                 detail={"amount": str(application.amount)})
    return application
