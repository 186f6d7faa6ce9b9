"""他行账户管理 (ACC-OTHERBANK): signing agreements at the other bank, 签约协议管理, 他行账户查询
and 操作记录. The other banks are behind ``ebank.otherbanks.adapters`` (docs/otherbanks.md).

* 他行账户查询签约: a POST names the other bank; we record an :class:`OtherBankSigning` (our
  ``state``) and send the customer to the other bank's signing page.
* 他行账户支付签约: first our 交易密码 and a security tool (X-CONFIRM kind
  ``transfers.otherbank_pay``, tool required); its executor opens the signing, and the 签约
  page then offers the link to the other bank (valid 15 minutes).
* Back from the other bank: the callback page verifies the signed result and shows it; its
  POST (完成签约) reads the agreement from the other bank and stores it — a GET writes nothing.
"""

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import Customer, SubAccount
from accounts.payers import payer_account_get
from accounts.pin import medium_online_check
from ebank.core.audit import audit_record
from ebank.core.crypto import decrypt_text
from ebank.core.errors import BusinessError
from ebank.core.masking import mask_account_number
from ebank.otherbanks.adapters import (
    REVOKED_MESSAGE,
    AgreementRevoked,
    BalanceInfo,
    BankInfo,
    HistoryRow,
    OtherBankRefused,
    OtherBankTimeout,
    SigningResult,
    get_otherbank_adapter,
    id_digest,
)
from security.confirm.registry import (
    OperationOutcome,
    OutcomeTone,
    operation_kind,
    operation_result,
)
from security.confirm.services import operation_start
from security.models import PendingOperation, User
from transfers.models import (
    OtherBankAgreement,
    OtherBankAgreementStatus,
    OtherBankKind,
    OtherBankLogKind,
    OtherBankOperationLog,
    OtherBankSigning,
)

from ..collect.schedule import plans_end_for_agreement

KIND_SIGN_PAY = "transfers.otherbank_pay"
SIGNING_TTL = timedelta(minutes=15)
EXPIRED_SIGNING = "签约请求已超过15分钟，已失效，请重新发起签约"


# --- reads --------------------------------------------------------------------------------------


def other_banks() -> list[BankInfo]:
    return get_otherbank_adapter().banks()


def bank_get(code: str) -> BankInfo:
    for bank in other_banks():
        if bank.code == code:
            return bank
    raise BusinessError("请选择他行名称")


def agreements_for_customer(*, customer: Customer, kind: str | None = None,
                            active_only: bool = False) -> list[OtherBankAgreement]:
    qs = OtherBankAgreement.objects.filter(customer=customer)
    if kind:
        qs = qs.filter(kind=kind)
    if active_only:
        qs = qs.filter(status=OtherBankAgreementStatus.ACTIVE,
                       valid_until__gte=timezone.localdate())
    return list(qs.order_by("-signed_at", "-id"))


def agreement_get_for_customer(*, customer: Customer, pk: int,
                               lock: bool = False) -> OtherBankAgreement:
    qs = OtherBankAgreement.objects.filter(customer=customer, pk=pk)
    if lock:
        qs = qs.select_for_update()
    agreement = qs.first()
    if agreement is None:
        raise Http404("协议不存在")
    return agreement


def agreement_label(agreement: OtherBankAgreement) -> str:
    return f"{agreement.bank_name} {mask_account_number(agreement.account_number)}"


def pending_pay_signings(*, customer: Customer) -> list[OtherBankSigning]:
    """支付签约s whose 交易密码 and tool were confirmed and that still wait for the other bank."""
    return list(OtherBankSigning.objects.filter(
        customer=customer, kind=OtherBankKind.PAY, done_at__isnull=True,
        expires_at__gt=timezone.now()).order_by("-created_at"))


def log_rows(*, customer: Customer, date_from: date, date_to: date,
             kind: str = "") -> list[OtherBankOperationLog]:
    qs = OtherBankOperationLog.objects.filter(customer=customer, at__date__gte=date_from,
                                              at__date__lte=date_to)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("-at", "-id")[:500])


# --- 操作记录 -------------------------------------------------------------------------------------


def log_write(*, customer: Customer, kind: str, what: str, succeeded: bool, detail: str = "",
              agreement: OtherBankAgreement | None = None, bank_name: str = "",
              amount: Decimal | None = None) -> OtherBankOperationLog:
    return OtherBankOperationLog.objects.create(
        customer=customer, kind=kind, action=what[:32], succeeded=succeeded,
        detail=detail[:200], amount=amount, at=timezone.now(),
        bank_name=agreement.bank_name if agreement else bank_name,
        account_masked=mask_account_number(agreement.account_number) if agreement else "")


def agreement_mark_revoked(*, agreement: OtherBankAgreement) -> None:
    """The other bank ended the agreement: ours ends too, with its 自动归集 plans."""
    if agreement.status != OtherBankAgreementStatus.ACTIVE:
        return
    agreement.status = OtherBankAgreementStatus.REVOKED
    agreement.cancelled_at = timezone.now()
    agreement.cancel_reason = REVOKED_MESSAGE
    agreement.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    plans_end_for_agreement(agreement_id=agreement.pk, reason=REVOKED_MESSAGE)
    log_write(customer=agreement.customer, kind=OtherBankLogKind.AGREEMENT, what="他行解约",
              succeeded=True, agreement=agreement, detail=REVOKED_MESSAGE)
    audit_record(action="otherbank.revoked", customer_id=agreement.customer_id,
                 channel="system", object_ref=f"otherbank_agreement:{agreement.external_id}",
                 detail={"kind": agreement.kind})


# --- signing ------------------------------------------------------------------------------------


def _signing_open(*, customer: Customer, kind: str, bank: BankInfo, return_url: str,
                  operation: PendingOperation | None = None) -> OtherBankSigning:
    state = secrets.token_urlsafe(24)
    try:
        sign_url = get_otherbank_adapter().signing_start(
            kind=kind, bank_code=bank.code, holder_name=customer.name,
            id_number=decrypt_text(customer.id_number_encrypted), state=state,
            return_url=return_url)
    except (OtherBankTimeout, OtherBankRefused) as exc:
        raise BusinessError(f"{bank.name}：{exc.message}") from exc
    now = timezone.now()
    return OtherBankSigning.objects.create(
        state=state, customer=customer, kind=kind, bank_code=bank.code, bank_name=bank.name,
        sign_url=sign_url, operation=operation, created_at=now, expires_at=now + SIGNING_TTL)


@transaction.atomic(durable=True)
def query_signing_start(*, user: User, bank_code: str, return_url: str) -> OtherBankSigning:
    """他行账户查询签约: to the other bank's page (no 交易密码: the manual asks none)."""
    bank = bank_get(bank_code)
    return _signing_open(customer=user.customer, kind=OtherBankKind.QUERY, bank=bank,
                         return_url=return_url)


def pay_signing_start(*, user: User, bank_code: str, sub_account_id: int, return_url: str,
                      back_url: str) -> PendingOperation:
    """他行账户支付签约's 提交: our 交易密码 and security tool first (X-CONFIRM)."""
    customer = user.customer
    bank = bank_get(bank_code)
    account = payer_account_get(customer=customer, sub_account_id=sub_account_id)
    medium_online_check(medium=account.medium)
    payload = {"bank_code": bank.code, "bank_name": bank.name, "return_url": return_url,
               "sub_account_id": account.pk}
    summary = [("他行名称", bank.name), ("协议类型", OtherBankKind.PAY.label),
               ("验密账户", account.medium.masked_number),
               ("说明", "验证通过后跳转他行，输入他行银行卡号、密码并确认协议限额及有效期完成签约")]
    return operation_start(user=user, kind=KIND_SIGN_PAY, payload=payload, summary=summary,
                           medium=account.medium, back_url=back_url)


@operation_kind(KIND_SIGN_PAY, title="他行账户支付签约", requires_pin=True, requires_tool=True,
                allow_sms=False)
def pay_signing_execute(*, operation: PendingOperation) -> dict:
    customer = operation.user.customer
    bank = bank_get(operation.payload["bank_code"])
    signing = _signing_open(customer=customer, kind=OtherBankKind.PAY, bank=bank,
                            return_url=operation.payload["return_url"], operation=operation)
    log_write(customer=customer, kind=OtherBankLogKind.AGREEMENT, what="支付签约验证",
              succeeded=True, bank_name=bank.name, detail="我行交易密码及安全认证已验证")
    return {"message": f"我行验证已通过。请点击“返回”，在15分钟内点击“{bank.name}”跳转他行完成签约",
            "lines": [["他行名称", bank.name],
                      ["他行签约期限", signing_deadline_text(signing)]]}


def signing_deadline_text(signing: OtherBankSigning) -> str:
    return f"请于{timezone.localtime(signing.expires_at):%H:%M}前完成他行签约"


@operation_result(KIND_SIGN_PAY)
def pay_signing_outcome(*, operation: PendingOperation) -> OperationOutcome | None:
    """他行账户支付签约's result page: only our side has verified; the agreement is signed at
    the other bank (until the signing's deadline), so the page says so — never 签约成功."""
    signing = OtherBankSigning.objects.filter(operation=operation).first()
    if signing is None:
        return None
    lines = [("他行名称", signing.bank_name), ("协议类型", OtherBankKind.PAY.label)]
    if operation.medium_id is not None:
        lines.append(("验密账户", operation.medium.masked_number))
    if signing.done_at is not None:
        return OperationOutcome(
            headline="已从他行返回签约结果", tone=OutcomeTone.NEUTRAL, status_label="已处理",
            lines=lines, note="签约结果请在“签约协议管理”中查看")
    if signing.expires_at <= timezone.now():
        return OperationOutcome(headline=EXPIRED_SIGNING, tone=OutcomeTone.FAILURE,
                                status_label="已失效", lines=lines)
    lines.append(("他行签约期限", signing_deadline_text(signing)))
    return OperationOutcome(
        headline="我行验证已通过，请前往他行完成签约", tone=OutcomeTone.PENDING,
        status_label="待他行签约", lines=lines,
        note=f"请点击“返回”，再点击“{signing.bank_name}”跳转他行，输入他行银行卡号、密码并确认"
             "协议限额及有效期完成签约")


@dataclass(frozen=True)
class CallbackView:
    signing: OtherBankSigning
    result: SigningResult


def signing_callback_read(*, customer: Customer, result_text: str) -> CallbackView:
    """The verified result the other bank sent back (GET: nothing written). Another customer's
    signing → 404; a bad or stale signature → SigningResultInvalid."""
    result = get_otherbank_adapter().signing_result(result_text)
    signing = OtherBankSigning.objects.filter(state=result.state, customer=customer).first()
    if signing is None:
        raise Http404("签约请求不存在")
    if signing.done_at is None and signing.expires_at <= timezone.now():
        raise BusinessError(EXPIRED_SIGNING, code="otherbank_signing_expired")
    return CallbackView(signing=signing, result=result)


@transaction.atomic(durable=True)
def signing_finish(*, user: User, result_text: str, ip_address: str | None = None
                   ) -> OtherBankAgreement | None:
    """完成签约: store the agreement the other bank confirms (once; a repeat returns it).

    None when the customer cancelled at the other bank.
    """
    customer = user.customer
    view = signing_callback_read(customer=customer, result_text=result_text)
    signing = OtherBankSigning.objects.select_for_update().get(pk=view.signing.pk)
    result = view.result
    if result.signed:
        existing = OtherBankAgreement.objects.filter(external_id=result.external_id,
                                                     customer=customer).first()
        if existing is not None:
            return existing
    if signing.done_at is not None:
        if result.signed:
            raise BusinessError("该签约已处理")
        return None
    signing.done_at = timezone.now()
    signing.save(update_fields=["done_at"])
    kind = OtherBankKind(signing.kind)
    if not result.signed:
        log_write(customer=customer, kind=OtherBankLogKind.AGREEMENT,
                  what=f"{kind.label}签约", succeeded=False, bank_name=signing.bank_name,
                  detail="客户在他行取消签约")
        return None
    try:
        info = get_otherbank_adapter().agreement_read(result.external_id)
    except (OtherBankTimeout, OtherBankRefused, AgreementRevoked) as exc:
        raise BusinessError(f"{signing.bank_name}：{exc.message}") from exc
    if signing.expires_at <= timezone.now():
        raise BusinessError(EXPIRED_SIGNING, code="otherbank_signing_expired")
    if (info.kind != signing.kind or info.bank_code != signing.bank_code
            or info.holder_name != customer.name
            or info.id_digest != id_digest(decrypt_text(customer.id_number_encrypted))
            or not info.active):
        raise BusinessError("他行返回的协议与签约请求不一致，请重新签约")
    agreement = OtherBankAgreement.objects.create(
        customer=customer, kind=kind, bank_code=info.bank_code, bank_name=info.bank_name,
        account_number=info.account_number, holder_name=info.holder_name,
        single_limit=info.single_limit, daily_limit=info.daily_limit,
        valid_until=info.valid_until, external_id=info.external_id,
        signed_at=timezone.now())
    log_write(customer=customer, kind=OtherBankLogKind.AGREEMENT, what=f"{kind.label}签约",
              succeeded=True, agreement=agreement, detail=f"协议有效期至{info.valid_until:%Y-%m-%d}")
    audit_record(action="otherbank.sign", actor=user, customer_id=customer.pk,
                 ip_address=ip_address,
                 object_ref=f"otherbank_agreement:{agreement.external_id}",
                 detail={"kind": kind.value, "bank": info.bank_code,
                         "single_limit": str(info.single_limit or ""),
                         "daily_limit": str(info.daily_limit or ""),
                         "valid_until": info.valid_until.isoformat()})
    return agreement


# --- 解约 -----------------------------------------------------------------------------------------


def agreement_cancel(*, user: User, pk: int, ip_address: str | None = None) -> OtherBankAgreement:
    """解约 at both banks; the agreement's 自动归集 plans end with it. The other bank's refusal or
    silence leaves everything as it was (the log keeps the attempt)."""
    customer = user.customer
    with transaction.atomic(durable=True):
        agreement = agreement_get_for_customer(customer=customer, pk=pk, lock=True)
        if agreement.status != OtherBankAgreementStatus.ACTIVE:
            raise BusinessError(f"该协议{agreement.get_status_display()}")
        failure = ""
        try:
            get_otherbank_adapter().agreement_cancel(agreement.external_id)
        except AgreementRevoked:
            agreement_mark_revoked(agreement=agreement)
            return agreement
        except (OtherBankTimeout, OtherBankRefused) as exc:
            failure = exc.message
        if not failure:
            agreement.status = OtherBankAgreementStatus.CANCELLED
            agreement.cancelled_at = timezone.now()
            agreement.cancel_reason = "客户解约"
            agreement.save(update_fields=["status", "cancelled_at", "cancel_reason"])
            plans_end_for_agreement(agreement_id=agreement.pk, reason="付款协议已解约")
            audit_record(action="otherbank.cancel", actor=user, customer_id=customer.pk,
                         ip_address=ip_address,
                         object_ref=f"otherbank_agreement:{agreement.external_id}",
                         detail={"kind": agreement.kind})
        log_write(customer=customer, kind=OtherBankLogKind.AGREEMENT,
                  what=f"{agreement.get_kind_display()}解约", succeeded=not failure,
                  agreement=agreement, detail=failure)
    if failure:
        raise BusinessError(f"解约失败：{failure}")
    return agreement


# --- 他行账户查询 ---------------------------------------------------------------------------------


@dataclass
class QueryAnswer:
    agreement: OtherBankAgreement
    balance: BalanceInfo | None = None
    rows: list[HistoryRow] = field(default_factory=list)
    error: str = ""


def balance_query(*, user: User, pk: int, date_from: date, date_to: date) -> QueryAnswer:
    """Balance and history through a query agreement; the 跨行查询 is logged either way.

    The other bank is asked with no row of ours locked (its answer may take seconds); what it
    answers is written afterwards in a transaction of its own.
    """
    customer = user.customer
    agreement = agreement_get_for_customer(customer=customer, pk=pk)
    answer = QueryAnswer(agreement=agreement)
    if agreement.kind != OtherBankKind.QUERY:
        raise Http404("协议不存在")
    revoked = False
    if agreement.status != OtherBankAgreementStatus.ACTIVE:
        answer.error = f"该协议{agreement.get_status_display()}，不能查询"
    elif agreement.valid_until < timezone.localdate():
        answer.error = "该协议已过有效期，请重新签约"
    else:
        adapter = get_otherbank_adapter()
        try:
            answer.balance = adapter.balance(agreement.external_id)
            answer.rows = adapter.history(agreement.external_id, date_from, date_to)
        except AgreementRevoked:
            answer.error, revoked = REVOKED_MESSAGE, True
        except (OtherBankTimeout, OtherBankRefused) as exc:
            answer.error = exc.message
    if answer.error:
        answer.balance, answer.rows = None, []
    with transaction.atomic(durable=True):
        if revoked:
            agreement = agreement_get_for_customer(customer=customer, pk=pk, lock=True)
            agreement_mark_revoked(agreement=agreement)
            answer.agreement = agreement
        log_write(customer=customer, kind=OtherBankLogKind.QUERY, what="余额及明细查询",
                  succeeded=not answer.error, agreement=agreement, detail=answer.error)
    return answer


def receiving_account_get(*, customer: Customer, sub_account_id: int) -> SubAccount:
    return payer_account_get(customer=customer, sub_account_id=sub_account_id)
