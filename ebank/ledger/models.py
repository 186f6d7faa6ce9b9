"""The double-entry ledger: the one book of record for every balance (X-LEDGER).

How the pieces relate
---------------------
* A :class:`LedgerAccount` is one line of the books: a customer's sub-account (活期, 定期, card,
  loan …) or one of the bank's own accounts (清算往来, 手续费收入, 利息支出 …). Each has a
  *normal side*: customer deposits are liabilities of the bank and grow with credits; the bank's
  clearing and cash accounts are assets and grow with debits. ``balance`` is kept in the
  account's normal direction, so a customer's 活期 balance reads as the customer expects.
* An :class:`Entry` is one business event (a transfer, a fee, a bill payment). It carries an
  idempotency key (unique: a replay returns the first entry and posts nothing), a business type
  and a reference to the business record that caused it.
* A :class:`Posting` is one leg of an entry: an account, a side (借/贷) and a positive amount.
  The debits and credits of an entry are equal. Postings are never changed or deleted; a mistake
  is corrected by a new entry.
* A :class:`Hold` reserves part of a balance for work in flight (冻结/预授权). It is captured
  (turned into an entry) or released; ``LedgerAccount.held`` caches the sum of active holds, and
  available balance = balance − held.

``balance`` and ``held`` are caches kept by the services in the same transaction as the postings
and holds they summarise; ``manage.py verify_ledger`` recomputes them from the postings and
holds. The database guards the invariants too (see the migrations): amounts are positive, a
deferred constraint trigger refuses an entry whose postings do not sum to zero at commit, and
triggers refuse any UPDATE or DELETE of a posting.

Concurrency: services lock the touched ledger accounts with SELECT … FOR UPDATE in primary-key
order (after the per-customer limit-usage row, see ebank.limits), so two movements over the same
accounts queue instead of deadlocking.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from .business_types import CODE_MAX_LENGTH, business_type_choices

MONEY = {"max_digits": 18, "decimal_places": 2}


class Side(models.TextChoices):
    DEBIT = "D", "借"
    CREDIT = "C", "贷"


class AccountOwner(models.TextChoices):
    CUSTOMER = "customer", "客户账户"
    BANK = "bank", "本行账户"


class BusinessType(models.TextChoices):
    """The ledger's own business types; each app registers its own (ebank.ledger.business_types)."""

    OPENING_BALANCE = "opening_balance", "开户存入"
    CASH_DEPOSIT = "cash_deposit", "现金存入"
    CASH_WITHDRAWAL = "cash_withdrawal", "现金支取"
    FEE = "fee", "手续费"
    INTEREST = "interest", "利息"
    ADJUSTMENT = "adjustment", "调账"


class HoldStatus(models.TextChoices):
    ACTIVE = "active", "冻结中"
    CAPTURED = "captured", "已扣划"
    RELEASED = "released", "已解冻"


class LedgerAccount(models.Model):
    code = models.CharField("账户代码", max_length=64, unique=True)
    name = models.CharField("账户名称", max_length=128)
    owner = models.CharField("归属", max_length=16, choices=AccountOwner.choices)
    normal_side = models.CharField("余额方向", max_length=1, choices=Side.choices)
    # Customer money may never go below zero; some bank books (clearing) legitimately do.
    allow_negative = models.BooleanField("允许透支", default=False)
    balance = models.DecimalField("账面余额", default=Decimal("0.00"), **MONEY)
    held = models.DecimalField("冻结金额", default=Decimal("0.00"), **MONEY)
    created_at = models.DateTimeField("开立时间", auto_now_add=True)

    class Meta:
        verbose_name = "总账账户"
        verbose_name_plural = "总账账户"
        constraints = [
            models.CheckConstraint(condition=Q(held__gte=0), name="ledger_account_held_nonneg"),
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(balance__gte=models.F("held")),
                name="ledger_account_available_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def available(self) -> Decimal:
        return self.balance - self.held


class Entry(models.Model):
    # Unique through Meta.constraints, not unique=True: that would add a second, LIKE-pattern
    # index on PostgreSQL that no query uses but every posting pays for.
    idempotency_key = models.CharField("幂等键", max_length=128)
    # A digest of what was asked, so a replay with different content is refused, not merged.
    fingerprint = models.CharField("请求摘要", max_length=64)
    # Choices from the registry (a callable: a new app's types need no migration of the ledger).
    business_type = models.CharField("业务类型", max_length=CODE_MAX_LENGTH,
                                     choices=business_type_choices)
    reference = models.CharField("业务编号", max_length=128)
    memo = models.CharField("摘要", max_length=128, blank=True)
    posted_at = models.DateTimeField("记账时间", auto_now_add=True)

    class Meta:
        verbose_name = "会计分录"
        verbose_name_plural = "会计分录"
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="ledger_entry_key_unique"),
        ]
        indexes = [models.Index(fields=["reference"], name="ledger_entry_reference")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_business_type_display()} {self.reference}"


class Posting(models.Model):
    entry = models.ForeignKey(Entry, verbose_name="分录", on_delete=models.PROTECT,
                              related_name="postings")
    # Indexed by (account, -id) below, which also serves every lookup by account alone.
    account = models.ForeignKey(LedgerAccount, verbose_name="账户", on_delete=models.PROTECT,
                                related_name="postings", db_index=False)
    side = models.CharField("借贷", max_length=1, choices=Side.choices)
    amount = models.DecimalField("金额", **MONEY)
    # Balance of the account right after this posting (in its normal direction): statements and
    # 交易明细 read it without summing history, and keyset pagination stays cheap.
    balance_after = models.DecimalField("发生后余额", **MONEY)
    posted_at = models.DateTimeField("记账时间")

    class Meta:
        verbose_name = "记账明细"
        verbose_name_plural = "记账明细"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_posting_amount_positive"),
        ]
        indexes = [models.Index(fields=["account", "-id"], name="ledger_post_acct_id_desc")]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.account_id} {self.amount}"


class Hold(models.Model):
    account = models.ForeignKey(LedgerAccount, verbose_name="账户", on_delete=models.PROTECT,
                                related_name="holds")
    amount = models.DecimalField("冻结金额", **MONEY)
    status = models.CharField("状态", max_length=16, choices=HoldStatus.choices,
                              default=HoldStatus.ACTIVE)
    idempotency_key = models.CharField("幂等键", max_length=128, unique=True)
    reference = models.CharField("业务编号", max_length=128, db_index=True)
    reason = models.CharField("冻结原因", max_length=128, blank=True)
    created_at = models.DateTimeField("冻结时间", auto_now_add=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    entry = models.ForeignKey(Entry, verbose_name="扣划分录", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "资金冻结"
        verbose_name_plural = "资金冻结"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_hold_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount} {self.get_status_display()}"
