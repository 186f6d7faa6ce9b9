"""The staff review of 个人贷款申请 (DOMAIN-RULES §4): 批准 or 拒绝 in the admin, maker-checker above
the setting, the customer told by SMS.

* 批准 (``application_approve``): 批准金额 at most the 申请金额 and within the product's limits,
  批准期限 one of the product's terms, 加点 (default the product's); 执行利率 = the LPR of that
  term today (``rules.lpr_on``) + 加点. A 复核 approves the price the teller set only while that
  LPR is still the one in force on the 复核's day; after an LPR change it fails (执行失败) and the
  application goes back to the teller, who prices it again. Up to ``loan_setting_on(today).dual_approval_above``
  the teller's 批准 is final: 已批准 with 发放截止日 = today + ``approval_valid_days``. Above it
  the teller files a 复核 (``approval_request(kind="loans.approve")``) and the application is
  待复核 until a 主管 or head office approves it (``approve_checked``, the kind's executor:
  已批准, 复核人/复核时间, the price the teller set). The checker is never the maker (the
  approvals service refuses that).
* A 复核 that does not end in 已批准 — refused (复核拒绝), withdrawn by the teller, lapsed, or
  failed at execution — sends the application back to 待审批: the teller decides again (a
  smaller amount, or 拒绝 with a reason the customer reads). The approvals service has no hook
  for those ends, so the application is put back the next time the loans code touches it
  (``checking_settle``: the review page, the customer's 撤销, the nightly step), and until then
  every list reads it as 待审批.
* 拒绝 (``application_reject``) needs a reason, which the customer sees.
Every decision writes an audit row (channel admin) and texts the customer's 预留手机号."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import format_cny
from security.models import ApprovalRequest, ApprovalStatus, User
from security.staff.approvals.registry import approval_kind
from security.staff.approvals.services import approval_request
from security.staff.roles import Role, has_role
from security.staff.scoping import head_office
from security.tools.sms import sms_send

from ..book import application_lock
from ..models import ApplicationStatus, LoanApplication, LoanProduct, LprTerm
from ..rules import loan_setting_on, lpr_on, lpr_term_for

APPROVE_KIND = "loans.approve"
REVIEW_PERMISSION = "loans.change_loanapplication"

APPROVE_ACTION = "loans.approve"
CHECK_ACTION = "loans.approve_check"
REJECT_ACTION = "loans.reject"
CHECK_RETURN_ACTION = "loans.check_return"
EXPIRE_ACTION = "loans.expire"
AUDIT_LABELS = {
    APPROVE_ACTION: "个人贷款审批批准",
    CHECK_ACTION: "个人贷款审批提交复核",
    REJECT_ACTION: "个人贷款审批拒绝",
    CHECK_RETURN_ACTION: "个人贷款复核退回待审批",
    EXPIRE_ACTION: "个人贷款批复过期",
}

SMS_PURPOSE = "loan_review"
SMS_PURPOSES = {SMS_PURPOSE: "个人贷款审批结果通知"}

# 加点 from 0 (no 减点: a product's spread is never negative) to 10 percentage points: above
# that is a typo (60 for 0.60), refused rather than priced at 63 %.
MAX_SPREAD = Decimal("10")
SPREAD_RANGE = f"加点须在0至{MAX_SPREAD}个百分点之间"
AUDIT_CHANNEL = "admin"


# --- the 复核 that did not end in 已批准 ------------------------------------------------------


def checking_lapsed_q(now=None) -> Q:
    """待复核 applications whose 复核 can no longer approve them (as a filter)."""
    now = now or timezone.now()
    return Q(status=ApplicationStatus.CHECKING) & (
        Q(approval_request__isnull=True)
        | ~Q(approval_request__status=ApprovalStatus.PENDING)
        | Q(approval_request__expires_at__lte=now))


def waiting_q(now=None) -> Q:
    """What a teller still has to decide: 待审批, and 待复核 whose 复核 ended without 批准."""
    return Q(status=ApplicationStatus.SUBMITTED) | checking_lapsed_q(now)


def checking_lapsed(application: LoanApplication, now=None) -> bool:
    if application.status != ApplicationStatus.CHECKING:
        return False
    request = application.approval_request
    return (request is None or request.status != ApprovalStatus.PENDING
            or request.expires_at <= (now or timezone.now()))


def checking_settle(application: LoanApplication, *, actor=None) -> bool:
    """Back to 待审批 when its 复核 ended without 批准 (the caller holds the row's lock)."""
    if not checking_lapsed(application):
        return False
    request = application.approval_request
    ended = ("已过期" if request is not None and request.status == ApprovalStatus.PENDING
             else request.get_status_display() if request is not None else "无复核申请")
    application.status = ApplicationStatus.SUBMITTED
    application.reviewed_by = application.reviewed_at = None
    application.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit_record(action=CHECK_RETURN_ACTION, actor=actor, customer_id=application.customer_id,
                 channel=AUDIT_CHANNEL if actor is not None else "system",
                 object_ref=f"loanapp:{application.number}",
                 detail={"approval": str(request.public_id) if request else "", "ended": ended,
                         "reason": request.reason if request else ""})
    return True


# --- who may decide, and the price ---------------------------------------------------------------


def reviewer_refusal(staff: User, application: LoanApplication) -> str | None:
    """Why ``staff`` may not review ``application`` (None: they may)."""
    if not (has_role(staff, Role.TELLER, Role.SUPERVISOR, Role.HEAD_OFFICE)
            and staff.has_perm(REVIEW_PERMISSION)):
        return "您没有审批贷款申请的权限"
    if not head_office(staff) and staff.branch_id != application.customer.branch_id:
        return "只能审批本行社客户的贷款申请"
    return None


@dataclass(frozen=True)
class Pricing:
    months: int
    lpr_term: str
    lpr: Decimal
    spread: Decimal

    @property
    def rate(self) -> Decimal:
        return self.lpr + self.spread

    @property
    def text(self) -> str:
        return (f"{LprTerm(self.lpr_term).label} {self.lpr:.2f}% + 加点 {self.spread:.2f}% = "
                f"{self.rate:.2f}%")


def pricing(*, months: int, spread: Decimal, day: date) -> Pricing:
    """执行利率 of a ``months`` term on ``day``: its LPR + ``spread`` (refused without an LPR)."""
    return Pricing(months=months, lpr_term=lpr_term_for(months), lpr=lpr_on(months, day),
                   spread=spread)


def approve_check(*, application: LoanApplication, product: LoanProduct, amount: Decimal,
                  months: int, spread: Decimal) -> None:
    """The 批准's rules, each refusal in the staff's words (``code`` names the field)."""
    if amount <= 0:
        raise BusinessError("请输入批准金额", code="amount")
    if amount > application.amount:
        raise BusinessError(f"批准金额不能超过申请金额{format_cny(application.amount)}",
                            code="amount")
    if amount < product.min_amount or amount > product.max_amount:
        raise BusinessError(f"批准金额须在产品额度{format_cny(product.min_amount)}至"
                            f"{format_cny(product.max_amount)}之间", code="amount")
    if months not in product.term_list:
        terms = "、".join(str(m) for m in product.term_list)
        raise BusinessError(f"批准期限须为产品可选期限（{terms}个月）之一", code="months")
    if spread < 0 or spread > MAX_SPREAD:
        raise BusinessError(SPREAD_RANGE, code="spread")


def _locked_for(staff: User, application_id: int) -> LoanApplication:
    try:
        application = application_lock(application_id)
    except LoanApplication.DoesNotExist as exc:
        raise BusinessError("贷款申请不存在") from exc
    refusal = reviewer_refusal(staff, application)
    if refusal is not None:
        raise PermissionDenied(refusal)
    checking_settle(application, actor=staff)
    if application.status != ApplicationStatus.SUBMITTED:
        raise BusinessError(f"该申请{application.get_status_display()}，不能再审批")
    return application


# --- the decisions ------------------------------------------------------------------------------


def _approved(application: LoanApplication, *, amount: Decimal, price: Pricing,
              today: date) -> None:
    """Write the approval (the caller sets who approved and saves)."""
    setting = loan_setting_on(today)
    application.status = ApplicationStatus.APPROVED
    application.approved_amount = amount
    application.approved_months = price.months
    application.lpr_term, application.lpr = price.lpr_term, price.lpr
    application.spread, application.annual_rate = price.spread, price.rate
    application.valid_until = today + timedelta(days=setting.approval_valid_days)
    application.reject_reason = ""


APPROVED_FIELDS = ["status", "approved_amount", "approved_months", "lpr_term", "lpr", "spread",
                   "annual_rate", "valid_until", "reject_reason", "reviewed_by", "reviewed_at",
                   "checked_by", "checked_at"]


@transaction.atomic
def application_approve(*, staff: User, application_id: int, amount: Decimal, months: int,
                        spread: Decimal, ip: str | None = None) -> LoanApplication:
    """批准: final up to the setting's 双人审批起点; above it, a 复核 is filed (待复核)."""
    application = _locked_for(staff, application_id)
    product = application.product
    approve_check(application=application, product=product, amount=amount, months=months,
                  spread=spread)
    today, now = business_day(), timezone.now()
    price = pricing(months=months, spread=spread, day=today)
    threshold = loan_setting_on(today).dual_approval_above
    detail = {"amount": str(amount), "months": months, "lpr": str(price.lpr),
              "spread": str(spread), "rate": str(price.rate)}
    if amount > threshold:
        request = approval_request(
            kind=APPROVE_KIND, maker=staff, customer=application.customer,
            payload={"application": application.pk, "number": application.number,
                     "amount": str(amount), "months": months, "lpr_term": price.lpr_term,
                     "lpr": str(price.lpr), "spread": str(spread)},
            summary=[["复核事项", "个人贷款审批"],
                     ["申请编号", application.number],
                     ["贷款产品", f"{product.name}（{product.code}）"],
                     ["申请金额", format_cny(application.amount)],
                     ["申请期限", f"{application.months}个月"],
                     ["贷款用途", application.purpose],
                     ["批准金额", format_cny(amount)],
                     ["批准期限", f"{months}个月"],
                     ["执行年利率", price.text],
                     ["还款方式", application.get_method_display()],
                     ["复核原因", f"批准金额超过双人审批起点{format_cny(threshold)}"]])
        application.status = ApplicationStatus.CHECKING
        application.approval_request = request
        application.reviewed_by, application.reviewed_at = staff, now
        application.save(update_fields=["status", "approval_request", "reviewed_by",
                                        "reviewed_at"])
        audit_record(action=CHECK_ACTION, actor=staff, customer_id=application.customer_id,
                     channel=AUDIT_CHANNEL, ip_address=ip,
                     object_ref=f"loanapp:{application.number}",
                     detail={**detail, "approval": str(request.public_id)})
        return application
    _approved(application, amount=amount, price=price, today=today)
    application.reviewed_by, application.reviewed_at = staff, now
    application.checked_by = application.checked_at = None
    application.save(update_fields=APPROVED_FIELDS)
    audit_record(action=APPROVE_ACTION, actor=staff, customer_id=application.customer_id,
                 channel=AUDIT_CHANNEL, ip_address=ip, object_ref=f"loanapp:{application.number}",
                 detail={**detail, "valid_until": application.valid_until.isoformat()})
    result_sms_send(application)
    return application


@approval_kind(APPROVE_KIND, label="个人贷款审批", approver_roles=(Role.SUPERVISOR, Role.HEAD_OFFICE))
def approve_checked(*, request: ApprovalRequest, checker: User) -> dict:
    """复核通过: the teller's 批准 as filed (its amount, term and price), checked again."""
    data = request.payload
    try:
        application = application_lock(data["application"])
    except LoanApplication.DoesNotExist as exc:
        raise BusinessError("贷款申请不存在") from exc
    if (application.status != ApplicationStatus.CHECKING
            or application.approval_request_id != request.pk):
        raise BusinessError(f"该申请{application.get_status_display()}，不在本次复核中")
    amount, months = Decimal(data["amount"]), int(data["months"])
    approve_check(application=application, product=application.product, amount=amount,
                  months=months, spread=Decimal(data["spread"]))
    price = Pricing(months=months, lpr_term=data["lpr_term"], lpr=Decimal(data["lpr"]),
                    spread=Decimal(data["spread"]))
    today, now = business_day(), timezone.now()
    quoted = lpr_on(months, today)
    if quoted != price.lpr:
        # The LPR changed since the teller priced it (a 复核 may run past midnight): the
        # checker approves only the price shown, so the teller prices it again.
        raise BusinessError(f"{LprTerm(price.lpr_term).label}已调整为{quoted:.2f}%，"
                            f"请经办人按新利率重新审批")
    _approved(application, amount=amount, price=price, today=today)
    application.checked_by, application.checked_at = checker, now
    application.save(update_fields=APPROVED_FIELDS)
    audit_record(action=APPROVE_ACTION, actor=checker, customer_id=application.customer_id,
                 channel=AUDIT_CHANNEL, object_ref=f"loanapp:{application.number}",
                 detail={"amount": str(amount), "months": months, "rate": str(price.rate),
                         "maker": request.requested_by.username,
                         "approval": str(request.public_id),
                         "valid_until": application.valid_until.isoformat()})
    result_sms_send(application)
    return {"application": application.number}


@transaction.atomic
def application_reject(*, staff: User, application_id: int, reason: str,
                       ip: str | None = None) -> LoanApplication:
    """拒绝 with the reason the customer reads."""
    reason = (reason or "").strip()
    if not reason:
        raise BusinessError("请填写拒绝原因", code="reason")
    application = _locked_for(staff, application_id)
    application.status = ApplicationStatus.REJECTED
    application.reject_reason = reason[:200]
    application.reviewed_by, application.reviewed_at = staff, timezone.now()
    application.save(update_fields=["status", "reject_reason", "reviewed_by", "reviewed_at"])
    audit_record(action=REJECT_ACTION, actor=staff, customer_id=application.customer_id,
                 channel=AUDIT_CHANNEL, ip_address=ip, object_ref=f"loanapp:{application.number}",
                 detail={"reason": application.reject_reason})
    result_sms_send(application)
    return application


def result_sms_text(application: LoanApplication) -> str:
    head = f"尊敬的{application.customer.name}：您的个人贷款申请（编号{application.number}）"
    if application.status == ApplicationStatus.APPROVED:
        return (f"{head}已获批准，批准金额{format_cny(application.approved_amount)}，期限"
                f"{application.approved_months}个月，执行年利率{application.annual_rate:.2f}%，"
                f"请于{application.valid_until:%Y-%m-%d}（含）前登录网上银行申请发放。")
    reason = application.reject_reason.rstrip("。.；;，, ")   # the text adds its own 。
    return f"{head}未获批准，原因：{reason}。如有疑问请咨询我行网点。"


def result_sms_send(application: LoanApplication) -> None:
    """The outbox row is written with the decision (sms_send hands it on after commit)."""
    phone = application.customer.phone
    if phone:
        sms_send(phone=phone, text=result_sms_text(application), purpose=SMS_PURPOSE)


# --- the nightly step ---------------------------------------------------------------------------


def approvals_expire(business_date: date) -> int:
    """已批准 applications whose 发放截止日 was ``business_date`` or before and something left to
    draw → 已过期 (drawn in part or not at all, what is left can no longer be drawn; one drawn
    in full stays 已批准: nothing of it lapsed); and 待复核 ones whose 复核 ended without 批准
    back to 待审批. Returns how many changed; a second run changes nothing."""
    from ebank.core.audit import audit_record_many

    stale = list(LoanApplication.objects.select_for_update(skip_locked=True)
                 .filter(status=ApplicationStatus.APPROVED, valid_until__lte=business_date,
                         approved_amount__gt=F("drawn_amount"))
                 .values_list("pk", "number", "customer_id", "valid_until", "drawn_amount"))
    if stale:
        LoanApplication.objects.filter(pk__in=[row[0] for row in stale]).update(
            status=ApplicationStatus.EXPIRED)
        audit_record_many([{
            "action": EXPIRE_ACTION, "actor": None, "channel": "system",
            "customer_id": customer_id, "object_ref": f"loanapp:{number}",
            "detail": {"valid_until": valid_until.isoformat(), "drawn": str(drawn)}}
            for _pk, number, customer_id, valid_until, drawn in stale])
    returned = 0
    lapsed = (LoanApplication.objects.select_for_update(of=("self",), skip_locked=True)
              .select_related("approval_request").filter(checking_lapsed_q()))
    for application in lapsed:
        returned += checking_settle(application)
    return len(stale) + returned
