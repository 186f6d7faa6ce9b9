"""短信服务 balance alerts: one SMS per posted movement on a subscribed account.

Called after commit by whatever posts money (transfers, the counter's work), so it lives with
the tools (SMS), not with the 安全中心 pages where a customer subscribes (security/center).
"""

from django.conf import settings
from django.db import router
from django.utils import timezone

from accounts.models import Medium, SubAccount
from ebank.core.money import format_amount
from ebank.core.sql import columns, fetch_all, loaded, raw_sql_usable, width
from ebank.ledger.models import Posting
from security.models import SmsMessage, SmsSubscription

from .sms import sms_send

# The SmsMessage purpose of a balance alert (with the entry id: "balance_alert:<entry>").
PURPOSE_BALANCE_ALERT = "balance_alert"


def sms_balance_alert_text(*, medium_number: str, posting: Posting) -> str:
    """"【安徽农金】您尾号1234的账户于11月23日18:20转出人民币1,000.00元，余额79,000.00元。"."""
    account = posting.account
    direction = "转入" if posting.side == account.normal_side else "转出"
    at = timezone.localtime(posting.posted_at)
    return (f"【{settings.BANK_NAME}】您尾号{medium_number[-4:]}的账户于"
            f"{at.month}月{at.day}日{at:%H:%M}{direction}人民币{format_amount(posting.amount)}元，"
            f"余额{format_amount(posting.balance_after)}元。")


def _entry_subscriptions_queryset(entry_id: int):
    return (SmsSubscription.objects
            .filter(active=True,
                    sub_account__ledger_account_id__in=Posting.objects.filter(
                        entry_id=entry_id).values("account_id"))
            .select_related("sub_account__medium").order_by("pk"))


# Explicit SQL (ebank.core.sql): run after every posted movement, most often finding nothing
# (bench web_load, 行内转账 row: compiling the ORM's select_related with its subquery cost more
# than PostgreSQL answering it). It mirrors ``_entry_subscriptions_queryset``: the active
# subscriptions on the entry's accounts by id, every column, with the sub-account and its medium.
_ENTRY_SUBSCRIPTIONS_SQL = (
    f"SELECT {columns(SmsSubscription, 'ss')}, {columns(SubAccount, 's')},"
    f" {columns(Medium, 'm')}"
    ' FROM "security_smssubscription" ss'
    ' INNER JOIN "accounts_subaccount" s ON (ss."sub_account_id" = s."id")'
    ' INNER JOIN "accounts_medium" m ON (s."medium_id" = m."id")'
    ' WHERE ss."active" AND s."ledger_account_id" IN'
    ' (SELECT p."account_id" FROM "ledger_posting" p WHERE p."entry_id" = %s)'
    ' ORDER BY ss."id"'
)
_SUBSCRIPTION_WIDTH = width(SmsSubscription)
_SUB_ACCOUNT_END = _SUBSCRIPTION_WIDTH + width(SubAccount)


def _entry_subscriptions(entry_id: int) -> list[SmsSubscription]:
    """The entry's accounts' active subscriptions, each with its sub-account and medium."""
    using = router.db_for_read(SmsSubscription)
    if not raw_sql_usable(using):
        return list(_entry_subscriptions_queryset(entry_id).using(using))
    found = []
    for row in fetch_all(_ENTRY_SUBSCRIPTIONS_SQL, [entry_id], using=using):
        subscription = loaded(SmsSubscription, row[:_SUBSCRIPTION_WIDTH], using=using)
        sub_account = loaded(SubAccount, row[_SUBSCRIPTION_WIDTH:_SUB_ACCOUNT_END], using=using)
        sub_account.medium = loaded(Medium, row[_SUB_ACCOUNT_END:], using=using)
        subscription.sub_account = sub_account
        found.append(subscription)
    return found


def sms_balance_alerts_send(*, entry_id: int) -> int:
    """Balance-change messages for a posted entry; returns how many were sent.

    For every posting of the entry on a sub-account with an ACTIVE 短信服务 subscription whose
    起点金额 the amount reaches, one SMS to the subscribed phone. Callers run it after commit
    (``transaction.on_commit``): a rolled-back transfer must not text anyone. Safe to call twice
    for one entry (a retried task): a message already in the outbox for that entry and phone
    is not sent again.
    """
    purpose = f"{PURPOSE_BALANCE_ALERT}:{entry_id}"[:32]
    # One statement finds the subscriptions on the entry's accounts: for most movements there
    # is none, and nothing more is read.
    subscriptions = {s.sub_account.ledger_account_id: s for s in _entry_subscriptions(entry_id)}
    if not subscriptions:
        return 0
    postings = (Posting.objects.filter(entry_id=entry_id, account_id__in=list(subscriptions))
                .select_related("account").order_by("pk"))
    sent = 0
    for posting in postings:
        subscription = subscriptions[posting.account_id]
        if posting.amount < subscription.threshold:
            continue
        text = sms_balance_alert_text(medium_number=subscription.sub_account.medium.number,
                                      posting=posting)
        if SmsMessage.objects.filter(phone=subscription.phone, purpose=purpose,
                                     text=text).exists():
            continue
        sms_send(phone=subscription.phone, text=text, purpose=purpose)
        sent += 1
    return sent
