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
# --- 他行账户管理 and 资金归集 (docs/otherbanks.md) ---


def _otherbank_agreement(owner):
    from transfers.models import OtherBankAgreement, OtherBankKind

    return OtherBankAgreement.objects.create(
        customer=owner.customer, kind=OtherBankKind.PAY, bank_code="102", bank_name="中国工商银行",
        account_number=f"62220202{owner.pk:011d}", holder_name=owner.customer.name,
        single_limit=Decimal("50000.00"), daily_limit=Decimal("100000.00"),
        valid_until=timezone.localdate() + timedelta(days=365),
        external_id=f"SAMATRIX{owner.pk:010d}", signed_at=timezone.now())


def _otherbank_agreement_kwargs(owner):
    return {"pk": _otherbank_agreement(owner).pk}


def _collection_plan(owner):
    from transfers.models import CollectionFrequency, CollectionMode, CollectionPlan

    sub_account = owner.customer.media.first().sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)
    plan = CollectionPlan.objects.create(
        number=f"ACMATRIX{owner.pk:010d}", customer=owner.customer,
        agreement=_otherbank_agreement(owner), to_sub_account=sub_account,
        frequency=CollectionFrequency.DAILY, mode=CollectionMode.FIXED,
        amount=Decimal("1000.00"), minimum=Decimal("1000.00"), created_at=timezone.now(),
        next_run_on=timezone.localdate() + timedelta(days=1))
    return {"pk": plan.pk}


OBJECT_URLS.update({
    "transfers:otherbank_agreement_cancel": _otherbank_agreement_kwargs,
    "transfers:collect_detail": _collection_plan,
    "transfers:collect_runs": _collection_plan,
    "transfers:collect_cancel": _collection_plan,
})
# --- TRF-BATCH: 批量转账 (named by 批次号) ---


def _batch(owner):
    from accounts.models import MediumKind
    from transfers.models import BatchKind, BatchSource, TransferBatch, TransferBatchRow

    payer = owner.customer.media.get(kind=MediumKind.DEBIT_CARD).sub_accounts.get(
        kind=SubAccountKind.CURRENT_MAIN)
    batch = TransferBatch.objects.create(
        number=f"TRBATCH{owner.pk:010d}", customer=owner.customer, user=owner,
        kind=BatchKind.INTRA, source=BatchSource.MANUAL, payer=payer, count=1,
        total=Decimal("1.00"), invalid_count=1, created_at=timezone.now())
    TransferBatchRow.objects.create(batch=batch, line_no=2, payee_account="6200000000000000000",
                                    payee_name="测试", amount=Decimal("1.00"), amount_text="1.00",
                                    error="收款人账号不存在，请核对后重新输入")
    return {"number": batch.number}


def _batch_result(owner):
    return {**_batch(owner), "fmt": "xlsx"}


def _batch_draft(owner):
    return {**_batch(owner), "kind": "intra"}


OBJECT_URLS.update({
    "transfers:batch_draft": _batch_draft,
    "transfers:batch_report_file": _batch_draft,
    "transfers:batch_remove_invalid": _batch_draft,
    "transfers:batch_submit": _batch_draft,
    "transfers:batch_detail": _batch,
    "transfers:batch_progress": _batch,
    "transfers:batch_result_file": _batch_result,
})
# --- end TRF-BATCH
