"""收款人管理 (TRF-PAYEES) and 加入收款人登记簿.

An intra-bank payee must be one of our current accounts that can receive a transfer (manual
行内转账 note 2) and its name must be the account holder's, exactly what a transfer to it would
check, so a payee picked from the book never fails on that. An inter-bank payee needs its bank
from the 联行号 table (TRF-CNAPS).
"""

from dataclasses import dataclass

from django.db import router, transaction

from accounts.models import (
    Branch,
    Customer,
    Medium,
    MediumKind,
    MediumStatus,
    SubAccount,
    SubAccountKind,
    SubAccountStatus,
)
from ebank.clearing.selectors import bank_code_get, bank_code_search
from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from ebank.core.masking import mask_account_number
from ebank.core.sql import columns, fetch_one, loaded, raw_sql_usable
from security.models import User
from transfers.models import Payee, PayeeKind
from transfers.selectors import payee_get_for_customer

ACCOUNT_NUMBER_MAX = 32
PAYEE_NAME_MAX = 64

# Manual 行内转账 note 2, in its words.
INTRA_PAYEE_KIND_MESSAGE = "转入账户须为我行借记卡、活期存折或活期一本通"
INTRA_PAYEE_SETTLEMENT_MESSAGE = "活期存折或活期一本通须为结算户才能转入，该账户不是结算户"
PAYEE_UNKNOWN_MESSAGE = "收款人账号不存在，请核对后重新输入"
PAYEE_NAME_MISMATCH_MESSAGE = "收款人名称与收款人账号不符，请核对后重新输入"
RECEIVING_KINDS = (MediumKind.DEBIT_CARD, MediumKind.CURRENT_PASSBOOK, MediumKind.CURRENT_ONEBOOK)
_STATUS_WORDS = {
    MediumStatus.ORAL_LOSS: "已挂失",
    MediumStatus.WRITTEN_LOSS: "已挂失",
    MediumStatus.FROZEN: "已冻结",
    MediumStatus.CLOSED: "已销户",
}


def account_number_normalise(text: str) -> str:
    """What the customer typed as an account number: digits only, spaces and dashes dropped."""
    number = "".join((text or "").split()).replace("-", "")
    if not number:
        raise BusinessError("请输入收款人账号")
    if not number.isascii() or not number.isdigit() or len(number) > ACCOUNT_NUMBER_MAX:
        raise BusinessError("收款人账号格式不正确，请输入数字账号")
    return number


def payee_name_normalise(text: str) -> str:
    name = (text or "").strip()
    if not name:
        raise BusinessError("请输入收款人名称")
    if len(name) > PAYEE_NAME_MAX:
        raise BusinessError(f"收款人名称不能超过{PAYEE_NAME_MAX}个字符")
    return name


# What the payee checks, the confirmation summary and the receipts read: never the payee's
# ID columns (encrypted, wide) or PIN hash.
_MEDIUM_FIELDS = ("number", "kind", "customer_id", "branch_id", "status", "is_settlement")
_BRANCH_FIELDS = ("branch__name", "branch__code")


def intra_payee_medium(*, account_number: str, name: str) -> Medium:
    """The medium a 行内转账 to (account_number, name) would credit, or a BusinessError saying why
    not (note 2: our 借记卡/活期存折/活期一本通, passbooks only as 结算户; the name must match)."""
    medium = (Medium.objects.select_related("customer", "branch")
              .only(*_MEDIUM_FIELDS, "customer__name", *_BRANCH_FIELDS)
              .filter(number=account_number).first())
    if medium is None:
        raise BusinessError(PAYEE_UNKNOWN_MESSAGE, code="payee_unknown")
    _intra_payee_medium_check(medium, name=name)
    return medium


# What intra_payee_account reads of the payee's 活期主账户 and its medium, holder and branch.
_PAYEE_ACCOUNT_FIELDS = ("medium_id", "seq", "kind", "ledger_account_id", "status",
                         *(f"medium__{field}" for field in _MEDIUM_FIELDS),
                         "medium__customer__name",
                         *(f"medium__{field}" for field in _BRANCH_FIELDS))


def intra_payee_account(*, account_number: str, name: str) -> SubAccount:
    """The 活期主账户 a 行内转账 to (account_number, name) credits, with its medium, the holder's
    name and the branch, in one query; refused as :func:`intra_payee_medium` refuses, and with
    code "payee_no_current" when the medium has no open 活期主账户."""
    payee = _payee_account_found(str(account_number))
    if payee is None:
        # Say why, in the order a medium is judged: unknown, kind, 结算户, name, status.
        intra_payee_medium(account_number=account_number, name=name)
        raise BusinessError("收款账户没有可入账的活期账户", code="payee_no_current") from None
    _intra_payee_medium_check(payee.medium, name=name)
    return payee


def _payee_account_queryset(account_number: str):
    return (SubAccount.objects
            .select_related("medium", "medium__customer", "medium__branch")
            .only(*_PAYEE_ACCOUNT_FIELDS)
            .filter(medium__number=account_number, kind=SubAccountKind.CURRENT_MAIN,
                    status=SubAccountStatus.OPEN))


# Explicit SQL (ebank.core.sql): every 行内转账's form POST and 确认 read the payee's account
# (bench web_load, 行内转账 row: compiling this select_related cost more than the round trip).
# It mirrors ``_payee_account_queryset``: the columns of _PAYEE_ACCOUNT_FIELDS (with each
# table's id) of the open 活期主账户, its medium, the holder and the branch.
_PAYEE_SUB = ("id", "medium_id", "seq", "kind", "ledger_account_id", "status")
_PAYEE_MEDIUM = ("id", *_MEDIUM_FIELDS)
_PAYEE_CUSTOMER = ("id", "name")
_PAYEE_BRANCH = ("id", *(field.removeprefix("branch__") for field in _BRANCH_FIELDS))
_PAYEE_ACCOUNT_SQL = (
    f"SELECT {columns(SubAccount, 's', _PAYEE_SUB)}, {columns(Medium, 'm', _PAYEE_MEDIUM)},"
    f" {columns(Customer, 'c', _PAYEE_CUSTOMER)}, {columns(Branch, 'b', _PAYEE_BRANCH)}"
    ' FROM "accounts_subaccount" s'
    ' INNER JOIN "accounts_medium" m ON (s."medium_id" = m."id")'
    ' INNER JOIN "accounts_customer" c ON (m."customer_id" = c."id")'
    ' INNER JOIN "accounts_branch" b ON (m."branch_id" = b."id")'
    ' WHERE m."number" = %s AND s."kind" = %s AND s."status" = %s'
)


def _payee_account_found(account_number: str) -> SubAccount | None:
    """The open 活期主账户 of the medium with this number (one at most: a constraint), with its
    medium, holder and branch; None when there is none."""
    using = router.db_for_read(SubAccount)
    if not raw_sql_usable(using):
        # .get(): no ORDER BY for the planner to sort by, as .first() would add.
        try:
            return _payee_account_queryset(account_number).using(using).get()
        except SubAccount.DoesNotExist:
            return None
    row = fetch_one(_PAYEE_ACCOUNT_SQL, [account_number, SubAccountKind.CURRENT_MAIN.value,
                                         SubAccountStatus.OPEN.value], using=using)
    if row is None:
        return None
    values = iter(row)
    parts = {}
    for key, model, names in (("sub", SubAccount, _PAYEE_SUB), ("medium", Medium, _PAYEE_MEDIUM),
                              ("customer", Customer, _PAYEE_CUSTOMER),
                              ("branch", Branch, _PAYEE_BRANCH)):
        parts[key] = loaded(model, [next(values) for _ in names], using=using, names=names)
    medium = parts["medium"]
    medium.customer = parts["customer"]
    medium.branch = parts["branch"]
    parts["sub"].medium = medium
    return parts["sub"]


def _intra_payee_medium_check(medium: Medium, *, name: str) -> None:
    if medium.kind not in RECEIVING_KINDS:
        raise BusinessError(INTRA_PAYEE_KIND_MESSAGE, code="payee_kind")
    if medium.kind != MediumKind.DEBIT_CARD and not medium.is_settlement:
        raise BusinessError(INTRA_PAYEE_SETTLEMENT_MESSAGE, code="payee_not_settlement")
    if medium.customer.name != name:
        raise BusinessError(PAYEE_NAME_MISMATCH_MESSAGE, code="payee_name_mismatch")
    if medium.status != MediumStatus.NORMAL:
        raise BusinessError(f"收款账户{_STATUS_WORDS.get(medium.status, '状态异常')}，不能转入",
                            code="payee_status")


@dataclass(frozen=True)
class BankChoice:
    code: str
    name: str


def payee_bank_resolve(*, bank_code: str = "", bank_query: str = "") -> BankChoice:
    """The payee's bank from a picked 联行号, or from a query that finds exactly one bank.

    Several matches raise a BusinessError with code "bank_ambiguous" (the page then lists them).
    """
    if bank_code:
        row = bank_code_get(bank_code)
        if row is None:
            raise BusinessError("请从联行号查询结果中选择收款行", code="bank_unknown")
        return BankChoice(row.code, row.name)
    rows = bank_code_search(bank_query) if bank_query.strip() else []
    if not bank_query.strip():
        raise BusinessError("请输入收款行名称或联行号", code="bank_required")
    if not rows:
        raise BusinessError("未找到该收款行，请核对行名或联行号", code="bank_unknown")
    if len(rows) > 1:
        raise BusinessError("找到多个收款行，请从下列结果中选择", code="bank_ambiguous")
    return BankChoice(rows[0].code, rows[0].name)


def payee_save(*, customer: Customer, account_number: str, name: str,
               kind: str = PayeeKind.INTRA, bank_code: str = "", bank_name: str = "") -> Payee:
    """加入收款人登记簿 after a transfer succeeded: add it, or refresh the name of the entry.

    Plain atomic: it runs inside the transfer's transaction (the confirmation or the
    dispatcher), so the payee is saved exactly when the transfer commits.
    """
    with transaction.atomic():
        payee, _created = Payee.objects.update_or_create(
            customer=customer, account_number=account_number,
            defaults={"kind": kind, "name": name, "bank_code": bank_code,
                      "bank_name": bank_name},
        )
    return payee


@transaction.atomic(durable=True)
def payee_add(*, user: User, kind: str, account_number: str, name: str, bank_code: str = "",
              bank_query: str = "", ip: str | None = None) -> Payee:
    """收款人管理 › 新增: validated like a transfer to it would be; audited."""
    customer = user.customer
    if kind not in PayeeKind.values:
        raise BusinessError("请选择收款人类型")
    account_number = account_number_normalise(account_number)
    name = payee_name_normalise(name)
    bank = BankChoice("", "")
    if kind == PayeeKind.INTRA:
        intra_payee_medium(account_number=account_number, name=name)
    else:
        bank = payee_bank_resolve(bank_code=bank_code, bank_query=bank_query)
    if Payee.objects.filter(customer=customer, account_number=account_number).exists():
        raise BusinessError("该收款人账号已在收款人登记簿中", code="payee_exists")
    payee = Payee.objects.create(customer=customer, kind=kind, account_number=account_number,
                                 name=name, bank_code=bank.code, bank_name=bank.name)
    audit_record(action="payee.add", actor=user, customer_id=customer.pk,
                 object_ref=f"payee:{payee.pk}", ip_address=ip,
                 detail={"kind": kind, "account": mask_account_number(account_number),
                         "name": name, "bank_code": bank.code})
    return payee


@transaction.atomic(durable=True)
def payee_delete(*, user: User, payee_id: int, ip: str | None = None) -> None:
    """收款人管理 › 删除; another customer's payee is a 404 and nothing is written."""
    payee = payee_get_for_customer(customer=user.customer, pk=payee_id)
    detail = {"kind": payee.kind, "account": mask_account_number(payee.account_number),
              "name": payee.name}
    pk = payee.pk
    payee.delete()
    audit_record(action="payee.delete", actor=user, customer_id=user.customer_id,
                 object_ref=f"payee:{pk}", ip_address=ip, detail=detail)
