"""The share book (份额账): shares as a second unit beside the ledger, with the ledger's rules.

* Every change of shares is a :class:`~wealth.models.ShareEntry` whose legs
  (:class:`~wealth.models.SharePosting`) sum to zero: a customer's shares come from (or go back
  to) the product's issuance account. An idempotency key makes each entry happen once; a replay
  with the same key returns the first entry.
* A customer's shares never go below zero nor below what is frozen for a pending 赎回/转出
  (the database refuses it too: ``wealth_share_account_not_negative``).
* Shares are kept to 4 decimals; callers round (half-up) before posting.

Lock order (docs/wealth.md): the ``Order`` row, then the customer's daily limit usage, then the
ledger accounts (``entry_post``), then the share accounts in primary-key order. Every service
that touches both books keeps it, so two of them queue instead of deadlocking.
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction

from ebank.core.errors import BusinessError

from .models import Product, ShareAccount, ShareEntry, SharePosting

SHARE_QUANTUM = Decimal("0.0001")
CENT = Decimal("0.01")


class SharesInsufficient(BusinessError):
    code = "shares_insufficient"
    default_message = "可用份额不足"


class ShareBookError(BusinessError):
    code = "share_book_error"
    default_message = "份额记账失败"


def shares_round(value: Decimal) -> Decimal:
    """Shares to 4 decimals, half-up."""
    return value.quantize(SHARE_QUANTUM, rounding=ROUND_HALF_UP)


def money_round(value: Decimal) -> Decimal:
    """Money to the fen, half-up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _account_open(product: Product, customer) -> ShareAccount:
    """The share account of (product, customer) — customer None: the issuance account —
    opened on first use; two openings at once meet on the unique constraint."""
    account = ShareAccount.objects.filter(product=product, customer=customer).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return ShareAccount.objects.create(product=product, customer=customer)
    except IntegrityError:
        return ShareAccount.objects.get(product=product, customer=customer)


def issuance_account(product: Product) -> ShareAccount:
    """The product's issuance account (customer NULL), opened on first use."""
    return _account_open(product, None)


def share_account_for(*, product: Product, customer) -> ShareAccount:
    """The customer's share account of ``product``, opened on first use."""
    return _account_open(product, customer)


def _lock(account_ids: Sequence[int]) -> dict[int, ShareAccount]:
    accounts = ShareAccount.objects.select_for_update().filter(
        pk__in=sorted(set(account_ids))).order_by("pk")
    return {account.pk: account for account in accounts}


def share_post(*, idempotency_key: str, business_type: str, reference: str,
               moves: Sequence[tuple[ShareAccount, Decimal]], unfreeze: Decimal | None = None,
               ledger_entry_id: int | None = None) -> ShareEntry:
    """Post one share entry once per ``idempotency_key``.

    ``moves``: (account, signed shares) legs of one product, summing to zero, none zero.
    ``unfreeze``: shares released from the frozen part of the (only) customer account that
    goes down, in the same step (a confirmed 赎回 takes the shares it froze). Raises
    SharesInsufficient (nothing written) when a customer account would go below its frozen
    shares or zero. Joins the caller's transaction.
    """
    if not idempotency_key or len(idempotency_key) > 128:
        raise ShareBookError("幂等键无效")
    legs = [(account, shares_round(Decimal(shares))) for account, shares in moves]
    if not legs or any(shares == 0 for _, shares in legs):
        raise ShareBookError("份额分录不能为空或为零")
    if sum(shares for _, shares in legs) != 0:
        raise ShareBookError("份额分录借贷不平")
    if len({account.product_id for account, _ in legs}) != 1:
        raise ShareBookError("一笔份额分录只能涉及一个产品")
    with transaction.atomic(savepoint=False):
        existing = ShareEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        entry = ShareEntry.objects.create(idempotency_key=idempotency_key,
                                          business_type=business_type, reference=reference[:128],
                                          ledger_entry_id=ledger_entry_id)
        locked = _lock([account.pk for account, _ in legs])
        postings = []
        for account, shares in legs:
            row = locked[account.pk]
            row.shares += shares
            if unfreeze is not None and shares < 0 and row.customer_id is not None:
                if row.frozen < unfreeze:
                    raise ShareBookError("冻结份额不足")
                row.frozen -= unfreeze
            if row.customer_id is not None and (row.shares < 0 or row.shares < row.frozen):
                raise SharesInsufficient()
            postings.append(SharePosting(entry=entry, account_id=row.pk, shares=shares,
                                         balance_after=row.shares))
        for row in locked.values():
            row.save(update_fields=["shares", "frozen"])
        SharePosting.objects.bulk_create(postings)
        for account, _ in legs:  # the callers' objects see the new figures
            account.shares, account.frozen = locked[account.pk].shares, locked[account.pk].frozen
    return entry


def share_freeze(*, account: ShareAccount, shares: Decimal) -> ShareAccount:
    """Freeze ``shares`` of a customer account for a pending 赎回/转出 (SharesInsufficient if
    fewer are available). Joins the caller's transaction."""
    shares = shares_round(shares)
    if shares <= 0:
        raise ShareBookError("冻结份额须大于零")
    with transaction.atomic(savepoint=False):
        row = ShareAccount.objects.select_for_update().get(pk=account.pk)
        if row.customer_id is None:
            raise ShareBookError("发行账户不能冻结")
        if row.shares - row.frozen < shares:
            raise SharesInsufficient()
        row.frozen += shares
        row.save(update_fields=["frozen"])
    account.shares, account.frozen = row.shares, row.frozen
    return row


def share_unfreeze(*, account: ShareAccount, shares: Decimal) -> ShareAccount:
    """Give frozen shares back (a 撤单, a failed order). Joins the caller's transaction."""
    shares = shares_round(shares)
    with transaction.atomic(savepoint=False):
        row = ShareAccount.objects.select_for_update().get(pk=account.pk)
        if shares <= 0 or row.frozen < shares:
            raise ShareBookError("解冻份额无效")
        row.frozen -= shares
        row.save(update_fields=["frozen"])
    account.shares, account.frozen = row.shares, row.frozen
    return row


def share_book_check(product: Product | None = None) -> list[str]:
    """What does not add up (``manage.py verify_wealth``): each account's shares against its
    postings, each product's accounts summing to zero, each entry's legs summing to zero."""
    from django.db.models import Sum

    problems: list[str] = []
    accounts = ShareAccount.objects.all()
    entries = ShareEntry.objects.all()
    if product is not None:
        accounts = accounts.filter(product=product)
        entries = entries.filter(postings__account__product=product).distinct()
    posted = dict(SharePosting.objects.filter(account__in=accounts).values_list(
        "account_id").annotate(total=Sum("shares")))
    totals: dict[int, Decimal] = {}
    for account in accounts:
        expected = posted.get(account.pk, Decimal("0"))
        if account.shares != expected:
            problems.append(f"份额账户 {account.pk}: 余额 {account.shares} ≠ 明细合计 {expected}")
        if account.customer_id is not None and not (0 <= account.frozen <= account.shares):
            problems.append(f"份额账户 {account.pk}: 冻结份额 {account.frozen} 超出持有份额")
        totals[account.product_id] = totals.get(account.product_id, Decimal("0")) + account.shares
    for product_id, total in totals.items():
        if total != 0:
            problems.append(f"产品 {product_id}: 份额合计 {total} ≠ 0")
    unbalanced = entries.annotate(total=Sum("postings__shares")).exclude(total=0)
    for entry in unbalanced:
        problems.append(f"份额分录 {entry.pk}: 合计 {entry.total} ≠ 0")
    return problems
