"""Reads of the deposits pages, every one scoped to the logged-in customer (another customer's
deposit is a 404); and the facts 账户总览 shows beside a deposit's sub-account."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import router
from django.http import Http404

from accounts.models import LinkedMedium, MediumKind, MediumStatus, SubAccount, SubAccountKind
from accounts.pages.facts import SubAccountFacts
from ebank.core.money import format_cny
from ebank.core.sql import columns, fetch_all, loaded, raw_sql_usable

from .fixed import masked_number
from .models import Deposit, DepositStatus, Product
from .product_facts import interest_today, product_lines, product_prefetch, withdraw_href
from .rates import term_text


@dataclass(frozen=True)
class DepositRow:
    deposit: Deposit
    balance: Decimal
    interest: Decimal

    @property
    def pk(self) -> int:
        return self.deposit.pk

    @property
    def number(self) -> str:
        return masked_number(self.deposit.sub_account)

    @property
    def medium_label(self) -> str:
        medium = self.deposit.sub_account.medium
        return f"{medium.get_kind_display()} {medium.masked_number}"

    @property
    def term(self) -> str:
        return term_text(self.deposit.term_months)

    @property
    def withdraw_href(self) -> str:
        return withdraw_href(self.deposit.product, self.deposit.pk)

    @property
    def lines(self) -> list[tuple[str, str]]:
        """The product's own lines (每月存额, 已付息, 支取通知 …)."""
        return product_lines(self.deposit)

    @property
    def is_open(self) -> bool:
        return self.deposit.status == DepositStatus.OPEN


def deposit_rows(query, on: date) -> list[DepositRow]:
    """A row (balance, 利息（至今日）) for each deposit of ``query``, in its order."""
    deposits = list(query)
    product_prefetch(deposits)
    rows = []
    for deposit in deposits:
        balance = deposit.sub_account.ledger_account.balance
        rows.append(DepositRow(deposit, balance,
                               interest_today(deposit=deposit, balance=balance, on=on)))
    return rows


# What 我的定期存款 lists: every time deposit of 定期存款 and 智能存款 — but 活期宝's swept
# 七天通知存款, which belong to its agreement (活期宝 查询) and come back through it.
LISTED_PRODUCTS = tuple(product for product in Product if product != Product.CURRENT)


def _customer_deposits(customer, products=LISTED_PRODUCTS):
    linked = LinkedMedium.objects.filter(customer=customer).values("medium_id")
    return (Deposit.objects.filter(sub_account__medium__customer=customer,
                                   sub_account__medium_id__in=linked, product__in=products,
                                   sweep__isnull=True)
            .select_related("sub_account__medium", "sub_account__ledger_account",
                            "interest_account__medium"))


def deposits_for_customer(*, customer, on: date, open_only: bool = False,
                          products=LISTED_PRODUCTS) -> list[DepositRow]:
    query = _customer_deposits(customer, products)
    if open_only:
        query = query.filter(status=DepositStatus.OPEN)
    return deposit_rows(query.order_by("status", "-opened_on", "-pk"), on)


def deposit_get(*, customer, pk, on: date) -> DepositRow:
    """One of the customer's deposits (on a linked medium); anything else → 404."""
    try:
        rows = deposit_rows(_customer_deposits(customer).filter(pk=int(pk)), on)
    except (TypeError, ValueError):
        rows = []
    if not rows:
        raise Http404("定期存款不存在")
    return rows[0]


def open_sources(*, customer) -> list[SubAccount]:
    """转出账户: the 活期主账户 of each linked 借记卡 / 活期存折 / 活期一本通 in 正常 state."""
    return list(SubAccount.objects.filter(
        medium__customer=customer, medium__link__customer=customer,
        kind=SubAccountKind.CURRENT_MAIN, medium__status=MediumStatus.NORMAL,
        medium__kind__in=[MediumKind.DEBIT_CARD, MediumKind.CURRENT_PASSBOOK,
                          MediumKind.CURRENT_ONEBOOK])
        .select_related("medium", "ledger_account").order_by("medium__link__position", "pk"))


def fixed_books(*, customer) -> list:
    """The linked 定期一本通 (活期转定期一本通's 转入账号)."""
    from accounts.models import Medium
    return list(Medium.objects.filter(customer=customer, link__customer=customer,
                                      kind=MediumKind.FIXED_ONEBOOK,
                                      status=MediumStatus.NORMAL).order_by("link__position"))


# Explicit SQL (ebank.core.sql) on PostgreSQL: 账户总览 asks this on every view of a customer
# holding a 定期 (bench web_load, 账户总览 row). It mirrors ``_facts_queryset``: the deposits
# of the given sub-accounts with their ledger balance.
_FACTS_SQL = (f'SELECT {columns(Deposit, "d")}, a."balance" FROM "deposits_deposit" d'
              ' JOIN "accounts_subaccount" s ON s."id" = d."sub_account_id"'
              ' JOIN "ledger_ledgeraccount" a ON a."id" = s."ledger_account_id"'
              ' WHERE d."sub_account_id" = ANY(%s)')


def _facts_queryset(ids: list[int]):
    return (Deposit.objects.filter(sub_account_id__in=ids)
            .select_related("sub_account__ledger_account"))


def _with_balances(ids: list[int]) -> list[tuple[Deposit, Decimal]]:
    using = router.db_for_read(Deposit)
    if not raw_sql_usable(using):
        return [(deposit, deposit.sub_account.ledger_account.balance)
                for deposit in _facts_queryset(ids).using(using)]
    return [(loaded(Deposit, row[:-1], using=using), row[-1])
            for row in fetch_all(_FACTS_SQL, [ids], using=using)]


def deposit_facts(*, sub_account_ids, on: date) -> dict[int, SubAccountFacts]:
    """账户总览 / 账户详情 (accounts.pages.facts): product, term, rate, dates and interest to
    date of each deposit among ``sub_account_ids`` — one query."""
    found = {}
    pairs = _with_balances(list(sub_account_ids))
    product_prefetch([deposit for deposit, _balance in pairs])
    for deposit, balance in pairs:
        lines = [("存期", term_text(deposit.term_months))] if deposit.term_months else []
        lines += [("年利率", f"{deposit.annual_rate:.2f}%"),
                  ("开户日", f"{deposit.opened_on:%Y-%m-%d}"),
                  ("起息日", f"{deposit.value_date:%Y-%m-%d}")]
        if deposit.matures_on:
            lines.append(("到期日", f"{deposit.matures_on:%Y-%m-%d}"))
        lines += product_lines(deposit)
        if deposit.status == DepositStatus.OPEN:
            lines.append(("利息（至今日）",
                          format_cny(interest_today(deposit=deposit, balance=balance, on=on))))
            if deposit.maturity_option:
                lines.append(("到期处理", deposit.get_maturity_option_display()))
            if deposit.rollovers:
                lines.append(("已转存", f"{deposit.rollovers}次"))
        else:
            lines.append(("状态", deposit.get_status_display()))
        found[deposit.sub_account_id] = SubAccountFacts(deposit.get_product_display(),
                                                        tuple(lines))
    return found


def linked_cards(*, customer) -> list:
    """The customer's linked debit cards in 正常 state (the 选择卡号 of 大额存单支取 / 存本取息,
    卡内预约转存's cards)."""
    return [link.medium for link in LinkedMedium.objects.select_related("medium").filter(
        customer=customer, medium__customer=customer, medium__kind=MediumKind.DEBIT_CARD,
        medium__status=MediumStatus.NORMAL).order_by("position", "pk")]
