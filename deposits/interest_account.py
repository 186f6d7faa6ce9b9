"""利息账户变更/查询 of 大额存单 and 存本取息 (DEP-CD, DEP-CBQX): the account a deposit's interest
is paid to, changed by the customer to another linked 活期 of theirs, with its history.

One service, one X-CONFIRM kind (``deposits.interest_account_change``, 交易密码 + security tool)
and one page (deposits/interest_account_views.py) serve both products; the product is a
parameter. Each change is an :class:`~deposits.models.InterestAccountChange` row (from, to,
when, channel) and an audit row.
"""

from django.db import transaction

from accounts.models import MediumStatus, SubAccount, SubAccountStatus
from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from security.confirm.registry import operation_kind

from .fixed import int_or_none, medium_linked
from .models import Deposit, DepositStatus, InterestAccountChange, Product
from .selectors import open_sources

PRODUCTS = (Product.LARGE_CD, Product.INTEREST_PAYOUT)
SAME_ACCOUNT = "新利息账户与原利息账户相同，无需变更"
TARGET_UNKNOWN = "请选择已关联的活期账户作为利息账户"
DEPOSIT_UNKNOWN = "存款不存在或已销户"
CHANNEL_WEB = "网上银行"
CHANNEL_COUNTER = "柜面"


def deposit_of_customer(*, customer, product: str, pk, lock: bool = False,
                        open_only: bool = True) -> Deposit:
    """A 大额存单 / 存本取息 of the customer's, on a linked medium; else BusinessError."""
    pk = int_or_none(pk)
    query = Deposit.objects.select_related(
        "sub_account__medium__customer", "sub_account__medium__branch",
        "sub_account__ledger_account", "interest_account__medium__customer",
        "interest_account__medium__branch", "cd_product")
    if lock:
        query = query.select_for_update(of=("self",))
    query = query.filter(pk=pk, product=product, sub_account__medium__customer=customer)
    if open_only:
        query = query.filter(status=DepositStatus.OPEN)
    deposit = query.first() if pk else None
    if deposit is None or not medium_linked(customer, deposit.sub_account.medium):
        raise BusinessError(DEPOSIT_UNKNOWN, code="deposit_unknown")
    return deposit


def interest_targets(*, customer) -> list[SubAccount]:
    """利息账户 the customer may choose: the 活期主账户 of each linked card or passbook."""
    return open_sources(customer=customer)


def interest_target(*, customer, sub_account_id) -> SubAccount:
    pk = int_or_none(sub_account_id)
    target = next((s for s in interest_targets(customer=customer) if s.pk == pk), None)
    if (target is None or target.status != SubAccountStatus.OPEN
            or target.medium.status != MediumStatus.NORMAL):
        raise BusinessError(TARGET_UNKNOWN, code="target_unknown")
    return target


def interest_account_check(*, customer, product: str, deposit_id, to_id,
                           lock: bool = False) -> tuple[Deposit, SubAccount]:
    deposit = deposit_of_customer(customer=customer, product=product, pk=deposit_id, lock=lock)
    target = interest_target(customer=customer, sub_account_id=to_id)
    if target.pk == deposit.interest_account_id:
        raise BusinessError(SAME_ACCOUNT, code="same")
    return deposit, target


def interest_account_change_post(*, actor, deposit: Deposit, to: SubAccount,
                                 channel: str = CHANNEL_WEB) -> InterestAccountChange:
    """Inside the caller's transaction, ``deposit`` locked by the caller."""
    change = InterestAccountChange.objects.create(
        deposit=deposit, from_account=deposit.interest_account, to_account=to, channel=channel)
    previous = deposit.interest_account
    deposit.interest_account = to
    deposit.save(update_fields=["interest_account"])
    audit_record(action="deposits.interest_account_change", actor=actor,
                 customer_id=deposit.sub_account.medium.customer_id,
                 channel="counter" if channel == CHANNEL_COUNTER else "web",
                 object_ref=f"deposit:{deposit.pk}",
                 detail={"product": deposit.product,
                         "from": previous.number if previous else "", "to": to.number})
    return change


@transaction.atomic(durable=True)
def interest_account_change(*, user, product: str, deposit_id, to_id) -> InterestAccountChange:
    """Without the confirmation page (tests); the site goes through X-CONFIRM."""
    deposit, target = interest_account_check(customer=user.customer, product=product,
                                             deposit_id=deposit_id, to_id=to_id, lock=True)
    return interest_account_change_post(actor=user, deposit=deposit, to=target)


def interest_account_history(*, deposit: Deposit) -> list[InterestAccountChange]:
    return list(deposit.interest_account_changes.select_related(
        "from_account__medium", "to_account__medium").order_by("-changed_at", "-id"))


# --- X-CONFIRM (交易密码 + security tool) ---------------------------------------------------------

KIND_INTEREST_ACCOUNT_CHANGE = "deposits.interest_account_change"
PAGE_NAMES = {Product.LARGE_CD: "deposits:cd_interest_account",
              Product.INTEREST_PAYOUT: "deposits:payout_interest_account"}


def account_label(sub_account: SubAccount | None) -> str:
    if sub_account is None:
        return "—"
    return f"{sub_account.medium.get_kind_display()} {sub_account.medium.masked_number}"


@transaction.atomic(durable=True)
def interest_account_change_start(*, user, product: str, deposit_id, to_id):
    from django.urls import reverse

    from security.confirm.services import operation_start

    from .fixed import masked_number

    deposit, target = interest_account_check(customer=user.customer, product=product,
                                             deposit_id=deposit_id, to_id=to_id)
    summary = [("存款", f"{Product(product).label} {masked_number(deposit.sub_account)}"),
               ("原利息账户", account_label(deposit.interest_account)),
               ("新利息账户", account_label(target))]
    return operation_start(
        user=user, kind=KIND_INTEREST_ACCOUNT_CHANGE,
        payload={"product": product, "deposit": deposit.pk, "to": target.pk},
        summary=summary, medium=deposit.sub_account.medium,
        back_url=reverse(PAGE_NAMES[product], args=[deposit.pk]))


@operation_kind(KIND_INTEREST_ACCOUNT_CHANGE, title="利息账户变更", requires_pin=True,
                requires_tool=True, allow_sms=False)
def interest_account_change_execute(*, operation) -> dict:
    payload = operation.payload
    deposit, target = interest_account_check(
        customer=operation.user.customer, product=payload["product"],
        deposit_id=payload["deposit"], to_id=payload["to"], lock=True)
    previous = account_label(deposit.interest_account)
    interest_account_change_post(actor=operation.user, deposit=deposit, to=target)
    return {"message": "利息账户变更成功，此后利息将转入新利息账户", "receipt_url": "",
            "lines": [["存款", Product(payload["product"]).label],
                      ["原利息账户", previous], ["新利息账户", account_label(target)]]}
