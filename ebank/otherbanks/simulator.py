"""The simulated other banks: deterministic, and told what to do.

Each simulated bank (:class:`SimBank`) and each of its accounts (:class:`SimAccount`) has a
behaviour (the account's, when set, wins over the bank's), settable in the admin (模拟他行,
模拟他行账户) and in tests with :meth:`SimulatedOtherBanks.behave`:

    normal   answers as a bank would (balance checks, the agreement's limits and validity)
    refuse   refuses every query and debit, with the row's reason (default 他行系统拒绝交易)
    timeout  answers nothing: the call raises OtherBankTimeout and nothing is recorded
    late     a debit is made, but the answer is lost (OtherBankTimeout); debit_status then
             says it succeeded. Queries time out.
    revoke   the other bank ends the agreement the call names (status 他行已解约) and
             answers AgreementRevoked; a debit is refused with ``revoked=True``
    silent   a debit is made, then every call about it (the debit again, debit_status)
             times out while the behaviour stays: the result is unknown to the caller

Balance and history are read only through an 账户信息查询协议 (a 授权支付协议 is refused). Five
wrong card passwords in a row at the signing page lock the card.

The signing page refuses a card whose behaviour is refuse (with its reason) or timeout/late
("系统繁忙，请稍后再试"); revoke lets the signing through (the agreement ends at its first use).

The signing page (views.py, namespace ``otherbank_sim``) completes a signing with
:func:`signing_complete`; its result goes back signed with django.core.signing.
"""

import secrets
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from ebank.core.errors import BusinessError

from .adapters import (
    REVOKED_MESSAGE,
    AgreementInfo,
    AgreementRevoked,
    BalanceInfo,
    BankInfo,
    DebitAnswer,
    HistoryRow,
    OtherBankAdapter,
    OtherBankRefused,
    OtherBankTimeout,
    SigningResult,
    SigningResultInvalid,
    id_digest,
)
from .models import (
    AgreementKind,
    SimAccount,
    SimAgreement,
    SimAgreementStatus,
    SimBank,
    SimBehaviour,
    SimDebit,
    SimHistory,
    SimSigning,
    SimSigningStatus,
)

SIGNING_SALT = "ebank.otherbanks.signing"
RESULT_SALT = "ebank.otherbanks.result"
SIGNING_MAX_AGE = 15 * 60  # seconds a signing page / its result stays valid
DEFAULT_REFUSAL = "他行系统拒绝交易"
REVOKED_REASON = REVOKED_MESSAGE
PASSWORD_TRIES = 5
CARD_LOCKED = "密码错误次数超限，该卡已被锁定，请持卡及本人有效身份证件到我行网点办理解锁"
MAX_VALIDITY_YEARS = 5


def _behaviour(account: SimAccount) -> tuple[str, str]:
    behaviour = account.behaviour or account.bank.behaviour
    reason = account.reason or account.bank.reason or DEFAULT_REFUSAL
    return behaviour, reason


class SimulatedOtherBanks(OtherBankAdapter):
    # --- the adapter interface --------------------------------------------------------------------

    def banks(self) -> list[BankInfo]:
        return [BankInfo(b.code, b.name) for b in SimBank.objects.order_by("code")]

    def signing_start(self, *, kind: str, bank_code: str, holder_name: str, id_number: str,
                      state: str, return_url: str) -> str:
        bank = SimBank.objects.filter(code=bank_code).first()
        if bank is None:
            raise OtherBankRefused("暂不支持该银行")
        signing_row = SimSigning.objects.create(
            token=secrets.token_urlsafe(24), bank=bank, kind=AgreementKind(kind),
            holder_name=holder_name, id_digest=id_digest(id_number), state=state,
            return_url=return_url)
        ticket = signing.dumps(signing_row.token, salt=SIGNING_SALT)
        return f"{reverse('otherbank_sim:sign')}?{urlencode({'ticket': ticket})}"

    def signing_result(self, signed_text: str) -> SigningResult:
        try:
            data = signing.loads(signed_text or "", salt=RESULT_SALT, max_age=SIGNING_MAX_AGE)
        except signing.BadSignature as exc:  # SignatureExpired is one
            raise SigningResultInvalid() from exc
        if not isinstance(data, dict) or not isinstance(data.get("state"), str):
            raise SigningResultInvalid()
        return SigningResult(state=data["state"], signed=bool(data.get("signed")),
                             external_id=str(data.get("external_id") or ""))

    def agreement_read(self, external_id: str) -> AgreementInfo:
        agreement = self._agreement(external_id, for_query=False)
        return _info(agreement)

    def agreement_cancel(self, external_id: str) -> None:
        agreement = self._agreement(external_id, for_query=False, lock=True)
        behaviour, reason = _behaviour(agreement.account)
        if behaviour in (SimBehaviour.TIMEOUT, SimBehaviour.LATE):
            raise OtherBankTimeout()
        if behaviour == SimBehaviour.REFUSE:
            raise OtherBankRefused(reason)
        if agreement.status == SimAgreementStatus.ACTIVE:
            agreement.status = SimAgreementStatus.CANCELLED
            agreement.ended_at = timezone.now()
            agreement.save(update_fields=["status", "ended_at"])

    def balance(self, external_id: str) -> BalanceInfo:
        agreement = self._agreement(external_id, for_query=True)
        account = agreement.account
        return BalanceInfo(account.number, account.balance, account.balance)

    def history(self, external_id: str, date_from: date, date_to: date) -> list[HistoryRow]:
        agreement = self._agreement(external_id, for_query=True)
        rows = (SimHistory.objects.filter(account=agreement.account,
                                          at__date__gte=date_from, at__date__lte=date_to)
                .order_by("-at", "-id")[:200])
        return [HistoryRow(r.at, r.amount, r.balance_after, r.summary, r.counterparty)
                for r in rows]

    def debit(self, *, external_id: str, reference: str, amount: Decimal,
              memo: str) -> DebitAnswer:
        first = SimDebit.objects.select_related("agreement__account__bank").filter(
            reference=reference).first()
        if first is not None:
            if _behaviour(first.agreement.account)[0] == SimBehaviour.SILENT:
                raise OtherBankTimeout()
            return _answer(first)
        agreement = SimAgreement.objects.select_related("account__bank").filter(
            external_id=external_id).first()
        if agreement is None:
            return DebitAnswer(reference, False, "协议不存在")
        behaviour, reason = _behaviour(agreement.account)
        if behaviour == SimBehaviour.TIMEOUT:
            raise OtherBankTimeout()
        if behaviour == SimBehaviour.REVOKE:
            self._revoke(agreement)
            return DebitAnswer(reference, False, REVOKED_REASON, revoked=True)
        if agreement.status == SimAgreementStatus.REVOKED:
            return DebitAnswer(reference, False, REVOKED_REASON, revoked=True)
        try:
            with transaction.atomic():
                # The account lock first, then the day's total: two debits of one card count
                # each other's amounts.
                account = SimAccount.objects.select_for_update().get(pk=agreement.account_id)
                refusal = reason if behaviour == SimBehaviour.REFUSE else \
                    self._debit_refusal(agreement, amount)
                if not refusal and account.balance < amount:
                    refusal = "付款账户余额不足"
                debit = SimDebit.objects.create(
                    reference=reference, agreement=agreement, amount=amount,
                    succeeded=not refusal, reason=refusal, day=timezone.localdate())
                if not refusal:
                    account.balance -= amount
                    account.save(update_fields=["balance"])
                    SimHistory.objects.create(account=account, at=timezone.now(),
                                              amount=-amount, balance_after=account.balance,
                                              summary="跨行资金归集", counterparty=memo[:64])
        except IntegrityError:
            # A concurrent debit of the same reference won: answer what it was answered.
            return _answer(SimDebit.objects.get(reference=reference))
        if behaviour in (SimBehaviour.LATE, SimBehaviour.SILENT):
            raise OtherBankTimeout()
        return _answer(debit)

    def debit_status(self, reference: str) -> DebitAnswer | None:
        debit = SimDebit.objects.select_related("agreement__account__bank").filter(
            reference=reference).first()
        if debit is None:
            return None
        if _behaviour(debit.agreement.account)[0] == SimBehaviour.SILENT:
            raise OtherBankTimeout()
        return _answer(debit)

    # --- inside the simulated bank --------------------------------------------------------------

    def _agreement(self, external_id: str, *, for_query: bool, lock: bool = False) -> SimAgreement:
        qs = SimAgreement.objects.select_related("account__bank")
        if lock:
            qs = qs.select_for_update(of=("self",))
        agreement = qs.filter(external_id=external_id).first()
        if agreement is None:
            raise OtherBankRefused("协议不存在")
        behaviour, reason = _behaviour(agreement.account)
        if behaviour in (SimBehaviour.TIMEOUT, SimBehaviour.LATE, SimBehaviour.SILENT):
            raise OtherBankTimeout()
        if behaviour == SimBehaviour.REVOKE:
            self._revoke(agreement)
            raise AgreementRevoked()
        if agreement.status == SimAgreementStatus.REVOKED:
            raise AgreementRevoked()
        if behaviour == SimBehaviour.REFUSE:
            raise OtherBankRefused(reason)
        if for_query:
            if agreement.kind != AgreementKind.QUERY:
                raise OtherBankRefused("非账户信息查询协议，不能查询账户信息")
            if agreement.status != SimAgreementStatus.ACTIVE:
                raise OtherBankRefused("协议已解约")
            if agreement.valid_until < timezone.localdate():
                raise OtherBankRefused("协议已过期")
        return agreement

    @staticmethod
    def _revoke(agreement: SimAgreement) -> None:
        if agreement.status == SimAgreementStatus.ACTIVE:
            SimAgreement.objects.filter(pk=agreement.pk).update(
                status=SimAgreementStatus.REVOKED, ended_at=timezone.now())
            agreement.status = SimAgreementStatus.REVOKED

    @staticmethod
    def _debit_refusal(agreement: SimAgreement, amount: Decimal) -> str:
        today = timezone.localdate()
        if agreement.kind != AgreementKind.PAY:
            return "非授权支付协议，不能扣款"
        if agreement.status != SimAgreementStatus.ACTIVE:
            return "协议已解约"
        if agreement.valid_until < today:
            return "协议已过期"
        if amount <= 0:
            return "扣款金额无效"
        if agreement.single_limit is not None and amount > agreement.single_limit:
            return "超过协议单笔限额"
        if agreement.daily_limit is not None:
            used = (SimDebit.objects.filter(agreement=agreement, day=today, succeeded=True)
                    .aggregate(s=Sum("amount"))["s"] or Decimal("0"))
            if used + amount > agreement.daily_limit:
                return "超过协议日累计限额"
        return ""

    # --- what tests, demos and staff tell the simulator ------------------------------------------

    def bank_open(self, code: str, name: str) -> SimBank:
        bank, _ = SimBank.objects.get_or_create(code=code, defaults={"name": name})
        return bank

    def account_open(self, *, bank_code: str, number: str, holder_name: str, id_number: str,
                     password: str, balance: Decimal,
                     history: tuple[tuple, ...] = ()) -> SimAccount:
        """An account at the simulated bank (idempotent per number); ``history``: (at, amount,
        summary, counterparty) rows ending at ``balance``."""
        bank = SimBank.objects.get(code=bank_code)
        account, created = SimAccount.objects.get_or_create(number=number, defaults={
            "bank": bank, "holder_name": holder_name, "id_digest": id_digest(id_number),
            "password_hash": make_password(password), "balance": balance})
        if created and history:
            running = balance - sum((Decimal(row[1]) for row in history), Decimal("0"))
            for at, amount, summary, counterparty in sorted(history, key=lambda r: r[0]):
                running += Decimal(amount)
                SimHistory.objects.create(account=account, at=at, amount=Decimal(amount),
                                          balance_after=running, summary=summary,
                                          counterparty=counterparty)
        return account

    def behave(self, target: str, behaviour: SimBehaviour | str, reason: str = "") -> None:
        """Set the behaviour of a bank (its code) or an account (its number)."""
        behaviour = SimBehaviour(behaviour)
        if SimBank.objects.filter(code=target).update(behaviour=behaviour, reason=reason):
            return
        if not SimAccount.objects.filter(number=target).update(behaviour=behaviour, reason=reason):
            raise ValueError(f"no simulated bank or account {target!r}")

    def reset(self) -> None:
        """Everything back to normal (accounts and agreements stay)."""
        SimBank.objects.update(behaviour=SimBehaviour.NORMAL, reason="")
        SimAccount.objects.update(behaviour="", reason="", password_failures=0)


def _info(agreement: SimAgreement) -> AgreementInfo:
    account = agreement.account
    return AgreementInfo(
        external_id=agreement.external_id, kind=agreement.kind, bank_code=account.bank.code,
        bank_name=account.bank.name, account_number=account.number,
        holder_name=account.holder_name, id_digest=account.id_digest,
        single_limit=agreement.single_limit,
        daily_limit=agreement.daily_limit, valid_until=agreement.valid_until,
        active=(agreement.status == SimAgreementStatus.ACTIVE
                and agreement.valid_until >= timezone.localdate()))


def _answer(debit: SimDebit) -> DebitAnswer:
    return DebitAnswer(debit.reference, debit.succeeded, debit.reason,
                       revoked=debit.reason == REVOKED_REASON)


# --- the signing page's service ----------------------------------------------------------------


def signing_for_ticket(ticket: str) -> SimSigning | None:
    """The pending signing a page ticket names, or None (bad, expired or already used)."""
    try:
        token = signing.loads(ticket or "", salt=SIGNING_SALT, max_age=SIGNING_MAX_AGE)
    except signing.BadSignature:
        return None
    return (SimSigning.objects.select_related("bank")
            .filter(token=token, status=SimSigningStatus.PENDING).first())


def _return(signing_row: SimSigning, *, signed: bool, external_id: str = "") -> str:
    result = signing.dumps({"state": signing_row.state, "signed": signed,
                            "external_id": external_id}, salt=RESULT_SALT)
    separator = "&" if "?" in signing_row.return_url else "?"
    return f"{signing_row.return_url}{separator}{urlencode({'result': result})}"


def signing_complete(*, token: str, card_number: str, password: str,
                     single_limit: Decimal | None, daily_limit: Decimal | None,
                     valid_until: date) -> str:
    """The customer's 签约 at the simulated bank; returns the URL back to the calling bank.

    Refuses (BusinessError, shown on the page) an unknown card, a wrong password (five in a
    row lock the card), a card whose
    holder is not the customer our bank sent (same name and ID number at both banks), limits
    that make no sense, a validity in the past or beyond five years, a second active agreement
    of the same kind on the card.
    """
    with transaction.atomic():
        refusal = _card_password_check(token=token, card_number=card_number, password=password)
    if refusal:
        # Outside the signing's transaction: the count of wrong passwords stays.
        raise BusinessError(refusal)
    return _signing_complete(token=token, card_number=card_number,
                             single_limit=single_limit, daily_limit=daily_limit,
                             valid_until=valid_until)


def _card_password_check(*, token: str, card_number: str, password: str) -> str:
    """"" when the card's password is right; else the bank's words (wrong, or locked after
    PASSWORD_TRIES wrong ones in a row). The count is written in the caller's transaction."""
    signing_row = SimSigning.objects.filter(token=token, status=SimSigningStatus.PENDING).first()
    if signing_row is None:
        return "签约请求已失效，请返回网上银行重新发起"
    account = (SimAccount.objects.select_for_update()
               .filter(number=card_number, bank_id=signing_row.bank_id).first())
    if account is None:
        return "卡号或密码错误"
    if account.password_failures >= PASSWORD_TRIES:
        return CARD_LOCKED
    if not check_password(password, account.password_hash):
        account.password_failures += 1
        account.save(update_fields=["password_failures"])
        left = PASSWORD_TRIES - account.password_failures
        return CARD_LOCKED if left <= 0 else f"卡号或密码错误，您还可以尝试{left}次"
    if account.password_failures:
        account.password_failures = 0
        account.save(update_fields=["password_failures"])
    return ""


@transaction.atomic
def _signing_complete(*, token: str, card_number: str, single_limit: Decimal | None,
                      daily_limit: Decimal | None, valid_until: date) -> str:
    signing_row = (SimSigning.objects.select_for_update().select_related("bank")
                   .filter(token=token, status=SimSigningStatus.PENDING).first())
    if signing_row is None:
        raise BusinessError("签约请求已失效，请返回网上银行重新发起")
    account = (SimAccount.objects.select_for_update()
               .filter(number=card_number, bank=signing_row.bank).first())
    if account is None:
        raise BusinessError("卡号或密码错误")
    if account.holder_name != signing_row.holder_name or account.id_digest != signing_row.id_digest:
        raise BusinessError("该卡户名、证件号码与网上银行客户信息不一致，不能签约")
    behaviour, reason = _behaviour(account)
    if behaviour == SimBehaviour.REFUSE:
        raise BusinessError(reason)
    if behaviour in (SimBehaviour.TIMEOUT, SimBehaviour.LATE):
        raise BusinessError("系统繁忙，请稍后再试")
    today = timezone.localdate()
    if valid_until <= today:
        raise BusinessError("协议有效期须晚于今日")
    if valid_until > today + timedelta(days=366 * MAX_VALIDITY_YEARS):
        raise BusinessError(f"协议有效期最长{MAX_VALIDITY_YEARS}年")
    if signing_row.kind == AgreementKind.PAY:
        if single_limit is None or daily_limit is None:
            raise BusinessError("请输入单笔限额和日累计限额")
        if single_limit > daily_limit:
            raise BusinessError("单笔限额不能大于日累计限额")
    else:
        single_limit = daily_limit = None
    if SimAgreement.objects.filter(account=account, kind=signing_row.kind,
                                   status=SimAgreementStatus.ACTIVE).exists():
        raise BusinessError(f"该卡已签署{AgreementKind(signing_row.kind).label}，请勿重复签约")
    agreement = SimAgreement.objects.create(
        external_id=f"SA{today:%Y%m%d}{secrets.randbelow(10**10):010d}", account=account,
        kind=signing_row.kind, single_limit=single_limit, daily_limit=daily_limit,
        valid_until=valid_until)
    signing_row.status = SimSigningStatus.SIGNED
    signing_row.agreement = agreement
    signing_row.save(update_fields=["status", "agreement"])
    return _return(signing_row, signed=True, external_id=agreement.external_id)


@transaction.atomic
def signing_abandon(*, token: str) -> str | None:
    """取消签约 at the simulated bank: back to the calling bank with signed=False."""
    signing_row = (SimSigning.objects.select_for_update()
                   .filter(token=token, status=SimSigningStatus.PENDING).first())
    if signing_row is None:
        return None
    signing_row.status = SimSigningStatus.CANCELLED
    signing_row.save(update_fields=["status"])
    return _return(signing_row, signed=False)
