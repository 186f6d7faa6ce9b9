"""What every counter action shares: who may act on whom, the identity check, the 业务受理单,
the tool fee through the ledger, the issue register, and ending a customer's sessions.

Inner helpers: plain ``atomic`` or none; the durable transaction is the action's (services.py).
"""

from decimal import Decimal
from functools import partial
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import (
    Branch,
    Customer,
    IdType,
    Medium,
    MediumStatus,
    ReceiptDirection,
    SubAccount,
)
from accounts.receipts.services import (
    FEE_INCOME_PAYEE,
    ReceiptBusiness,
    ReceiptChannel,
    receipt_issue,
)
from accounts.selectors import current_main_account
from ebank.core.audit import audit_record
from ebank.core.crypto import keyed_digest
from ebank.core.errors import BusinessError, InsufficientFunds
from ebank.core.masking import mask_account_number
from ebank.core.models import AuditOutcome
from ebank.core.money import chinese_capitals, format_cny
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import BusinessType, Entry
from ebank.ledger.services import Leg, entry_post
from security.models import (
    CounterReceipt,
    SecurityTool,
    ToolKind,
    ToolRegisterEntry,
    User,
)
from security.tools.services import sms_balance_alerts_send

from .numbers import receipt_number_next

AUDIT_CHANNEL = "counter"

TOOL_FEE_SETTING = {ToolKind.USBKEY: "TOOL_FEE_USBKEY", ToolKind.TOKEN: "TOOL_FEE_TOKEN"}
TOOL_FEE_MEMO = {ToolKind.USBKEY: "USBKey证书工本费", ToolKind.TOKEN: "数字令牌工本费"}


# --- who may act on whom ----------------------------------------------------------------------


def staff_may_act_on(*, staff: User, customer: Customer) -> bool:
    """Head office acts on every customer; a branch teller only on the branch's own customers."""
    if not (staff.is_active and staff.is_staff) or staff.is_customer:
        return False
    return staff.is_head_office or (staff.branch_id is not None
                                    and staff.branch_id == customer.branch_id)


def staff_scope_check(*, staff: User, customer: Customer) -> None:
    if not (staff.is_active and staff.is_staff) or staff.is_customer:
        raise PermissionDenied("非柜面工作人员，不能办理柜面业务")
    if not staff_may_act_on(staff=staff, customer=customer):
        raise PermissionDenied("只能办理本行社客户的业务")


def staff_branch(*, staff: User) -> Branch:
    """The branch a staff member acts for: their own; a superuser without one acts for head office."""
    if staff.branch_id is not None:
        return staff.branch
    head_office = Branch.objects.filter(is_head_office=True).first()
    if head_office is None:
        raise BusinessError("未设置总行，不能办理柜面业务")
    return head_office


# --- the customer in front of the teller ---------------------------------------------------------


def identity_check(*, customer: Customer, id_type: str, id_number: str,
                   id_copy_received: bool) -> None:
    """Procedures §6–§19: the original ID shown must be the customer's; its copy is kept."""
    if id_type not in IdType.values:
        raise BusinessError("证件类型无效")
    if keyed_digest(id_type, (id_number or "").strip().upper()) != customer.id_number_digest:
        raise BusinessError("证件类型或证件号码与客户信息不符")
    if not id_copy_received:
        raise BusinessError("请收取客户身份证件复印件后再办理")


def identity_checked_row(customer: Customer) -> list[str]:
    """The row a 复核 request shows for the ID the maker checked (masked)."""
    return ["证件", f"{customer.get_id_type_display()} {customer.id_number_masked}（经办人已核验原件）"]


def customer_lock(*, customer: Customer) -> Customer:
    """Lock the customer row: two tellers acting on one customer queue instead of crossing."""
    return Customer.objects.select_for_update().select_related("branch").get(pk=customer.pk)


def user_of(*, customer: Customer, lock: bool = True) -> User | None:
    users = User.objects.select_for_update() if lock else User.objects
    return users.filter(customer=customer).first()


def user_sessions_end(*, user: User) -> None:
    """End the user's live session (SEC-SESSION keeps one), so a change takes effect at once."""
    if user.live_session_key:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        store(session_key=user.live_session_key).delete()
        user.live_session_key = ""
        user.save(update_fields=["live_session_key"])


# --- fee and register ---------------------------------------------------------------------------


def tool_fee(kind: str) -> Decimal:
    return Decimal(getattr(settings, TOOL_FEE_SETTING[ToolKind(kind)]))


def fee_medium_check(*, customer: Customer, medium: Medium) -> None:
    if medium.customer_id != customer.pk:
        raise BusinessError("扣费账户不属于该客户")
    if medium.status != MediumStatus.NORMAL:
        raise BusinessError(f"扣费账户状态为{medium.get_status_display()}，不能扣收手续费")


@transaction.atomic
def tool_fee_post(*, kind: str, medium: Medium, receipt_number: str) -> tuple[Decimal, int | None]:
    """Debit the tool fee from the medium's 活期主账户 and credit 手续费收入, through the ledger.

    The idempotency key is the receipt number: one slip, one fee (and one 电子回单). Returns
    (fee, entry id); a fee set to zero posts nothing.
    """
    fee = tool_fee(kind)
    if fee <= 0:
        return Decimal("0.00"), None
    try:
        main = current_main_account(medium_number=medium.number)
    except SubAccount.DoesNotExist as exc:
        raise BusinessError("扣费账户没有活期主账户，请选择借记卡或活期账户") from exc
    try:
        posted = entry_post(
            idempotency_key=f"counter_fee:{receipt_number}",
            business_type=BusinessType.FEE,
            reference=f"counter_receipt:{receipt_number}",
            memo=TOOL_FEE_MEMO[ToolKind(kind)],
            legs=[Leg.debit(main.ledger_account_id, fee),
                  Leg.credit(bank_book_id(BankBook.FEE_INCOME), fee)],
        )
    except InsufficientFunds as exc:
        raise BusinessError(f"扣费账户可用余额不足，手续费{format_cny(fee)}") from exc
    # X-RECEIPT: the fee's 电子回单, in the same transaction as the posting (idempotent on replay).
    receipt_issue(
        entry_id=posted.entry_id, sub_account=main, direction=ReceiptDirection.DEBIT, amount=fee,
        payer_name=medium.customer.name, payer_account=medium.number,
        payer_bank=medium.branch.name, payee_name=FEE_INCOME_PAYEE, payee_account="",
        payee_bank=medium.branch.name, purpose=TOOL_FEE_MEMO[ToolKind(kind)],
        business=ReceiptBusiness.FEE, channel=ReceiptChannel.COUNTER,
        posted_at=Entry.objects.values_list("posted_at", flat=True).get(pk=posted.entry_id),
    )
    # SVC-SMS: the customer's balance-change message, once the fee is really booked.
    transaction.on_commit(partial(sms_balance_alerts_send, entry_id=posted.entry_id))
    return fee, posted.entry_id


def register_entry_add(*, tool: SecurityTool, action: str, staff: User, branch: Branch,
                       reason: str = "", fee: Decimal = Decimal("0.00"),
                       fee_entry_id: int | None = None) -> ToolRegisterEntry:
    """One line of the 《网上银行 USB-Key 及密码信封领取登记簿》."""
    return ToolRegisterEntry.objects.create(tool=tool, action=action, reason=reason, fee=fee,
                                            fee_entry_id=fee_entry_id, staff=staff, branch=branch)


def amount_text(amount: Decimal) -> str:
    """How a slip prints money: ``¥1,234.56（大写：壹仟贰佰叁拾肆元伍角陆分）``."""
    return f"{format_cny(amount)}（大写：{chinese_capitals(amount)}）"


def fee_text(fee: Decimal) -> str:
    return "免收" if fee <= 0 else amount_text(fee)


def fee_items(fee: Decimal) -> list[list[str]]:
    return [["手续费", fee_text(fee)]]


def tool_label(tool: SecurityTool) -> str:
    return f"{tool.get_kind_display()}（序列号 {tool.serial}）"


# --- the slip and the audit row -------------------------------------------------------------------


def counter_record(*, action: str, customer: Customer, staff: User, branch: Branch,
                   number: str | None = None, card_number: str = "",
                   items: list[list[str]] | None = None,
                   audit_detail: dict[str, Any] | None = None) -> CounterReceipt:
    """Close a counter action: its 业务受理单 and its audit row, in the action's transaction.

    The slip's ``detail`` holds what it prints (masked numbers only)."""
    detail: dict[str, Any] = {
        "customer_name": customer.name,
        "id_type": customer.get_id_type_display(),
        "id_number_masked": customer.id_number_masked,
        "card_number_masked": mask_account_number(card_number) if card_number else "",
        "items": items or [],
    }
    receipt = CounterReceipt.objects.create(
        number=number or receipt_number_next(), action=action, customer=customer, staff=staff,
        branch=branch, detail=detail,
    )
    audit_record(action=f"counter_{action}", actor=staff, customer_id=customer.pk,
                 object_ref=f"counter_receipt:{receipt.number}", channel=AUDIT_CHANNEL,
                 detail={"receipt": receipt.number, "branch": receipt.branch.code,
                         **(audit_detail or {})})
    return receipt


def counter_refusal_record(*, acting_user: User, customer: Customer | None, action: str,
                           reason: str) -> None:
    """A refused counter action, in a transaction of its own (the action's rolled back)."""
    with transaction.atomic():
        audit_record(action=f"counter_{action}", actor=acting_user,
                     outcome=AuditOutcome.FAILURE,
                     customer_id=customer.pk if customer is not None else None,
                     channel=AUDIT_CHANNEL, detail={"reason": reason[:200]})
