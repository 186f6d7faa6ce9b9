"""The access matrix's factories for transfers' object URLs (tests/test_access_matrix.py).

Each makes the object for ``owner`` (a User) and returns the URL's kwargs.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import SubAccountKind
from security.models import PendingOperation


def _reserved_transfer(owner):
    from transfers.models import Transfer, TransferKind, TransferStatus
    from transfers.services.common import transfer_number_new

    sub_account = owner.customer.media.first().sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)
    operation = PendingOperation.objects.create(
        public_id=f"matrix-inter-{owner.pk}", user=owner, kind="transfers.inter",
        payload={"reserved": True, "amount": "60000.00"}, payload_digest="0" * 64,
        nonce="1" * 32, expires_at=timezone.now() + timedelta(minutes=5))
    transfer = Transfer.objects.create(
        number=transfer_number_new(), customer=owner.customer, user=owner,
        kind=TransferKind.INTER, channel="HVPS", status=TransferStatus.RESERVED,
        from_sub_account=sub_account, payee_account="6212261302001234567", payee_name="赵敏",
        payee_bank_code="102361000013", payee_bank_name="中国工商银行合肥市分行营业部",
        amount=Decimal("60000.00"), submitted_at=timezone.now(),
        execute_at=timezone.now() + timedelta(days=3), operation=operation)
    return {"pk": transfer.pk}


def _transfer(owner):
    from accounts.models import MediumKind
    from ebank.clearing.routing import ArrivalMode
    from transfers.models import Transfer, TransferKind, TransferStatus

    sub_account = owner.customer.media.get(kind=MediumKind.DEBIT_CARD).sub_accounts.get(
        kind=SubAccountKind.CURRENT_MAIN)
    now = timezone.now()
    transfer = Transfer.objects.create(
        number=f"TRMATRIX{owner.pk:010d}", customer=owner.customer, user=owner,
        kind=TransferKind.INTRA, mode=ArrivalMode.NORMAL, status=TransferStatus.SCHEDULED,
        from_sub_account=sub_account, to_sub_account=sub_account,
        payee_account=sub_account.medium.number, payee_name=owner.customer.name,
        amount=Decimal("1.00"), submitted_at=now, execute_at=now + timedelta(hours=2))
    return {"number": transfer.number}


def _payee(owner):
    from transfers.models import Payee, PayeeKind

    return {"pk": Payee.objects.create(customer=owner.customer, kind=PayeeKind.INTRA,
                                       account_number="6226790000000000099", name="测试").pk}


OBJECT_URLS = {
    "transfers:reserved_detail": _reserved_transfer,
    "transfers:reserved_delete": _reserved_transfer,
    "transfers:payee_delete": _payee,
    "transfers:scheduled_detail": _transfer,
    "transfers:scheduled_cancel": _transfer,
    "transfers:detail": _transfer,
}


# --- TRF-SCHED 定时转账 ---------------------------------------------------------------------------


def _periodic(owner):
    from accounts.models import MediumKind
    from transfers.models import PayeeKind, PeriodicFrequency, PeriodicTransfer

    sub_account = owner.customer.media.get(kind=MediumKind.DEBIT_CARD).sub_accounts.get(
        kind=SubAccountKind.CURRENT_MAIN)
    today = timezone.localdate()
    plan = PeriodicTransfer.objects.create(
        number=f"DS{today:%Y%m%d}{owner.pk:010d}", customer=owner.customer, user=owner,
        payer=sub_account, payer_medium=sub_account.medium, payee_kind=PayeeKind.INTRA,
        payee_sub_account=sub_account, payee_account=sub_account.medium.number,
        payee_name=owner.customer.name, amount=Decimal("1.00"),
        frequency=PeriodicFrequency.MONTHLY, day_of_month=31,
        start_date=today + timedelta(days=1), run_count=3,
        next_run_date=today + timedelta(days=1), created_at=timezone.now())
    return plan


def _periodic_plan(owner):
    return {"number": _periodic(owner).number}


def _periodic_run(owner):
    from transfers.models import PeriodicRunStatus, PeriodicTransferRun

    plan = _periodic(owner)
    run = PeriodicTransferRun.objects.create(
        plan=plan, sequence=1, scheduled_date=plan.start_date, status=PeriodicRunStatus.FAILED,
        failure_reason="账户余额不足", executed_at=timezone.now())
    return {"number": plan.number, "sequence": run.sequence}


OBJECT_URLS.update({
    "transfers:periodic_detail": _periodic_plan,
    "transfers:periodic_cancel": _periodic_plan,
    "transfers:periodic_run_detail": _periodic_run,
})
# --- end TRF-SCHED -------------------------------------------------------------------------------
