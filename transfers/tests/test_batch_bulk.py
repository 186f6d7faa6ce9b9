# ruff: noqa: F811 - pytest fixtures imported from the shared world
"""批量转账's bulk chunk path: each 跨行 answer applied as the single path applies it (FAILED →
money, limit back, 失败 with the reason; ACCEPTED → 处理中, later 退汇 by poll_returns; a timeout →
resent), receipts exactly when money moved, the 短信服务 balance alerts of the single path, a
statement count that does not grow by ~20 a row; ``send_many`` and ``receipt_issue_many``."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Receipt, ReceiptDirection
from ebank.clearing.adapters import AnswerOutcome, ClearingAdapter, get_clearing_adapter
from ebank.clearing.routing import Channel
from ebank.clearing.simulator import SimOutcome
from ebank.clearing.tests.test_simulator import instruction
from ebank.duework.models import DueWork
from ebank.ledger.selectors import ledger_violations
from security.models import SmsMessage, SmsSubscription
from security.tools.alerts import PURPOSE_BALANCE_ALERT
from transfers.batch import services
from transfers.models import BatchRowStatus, BatchStatus, TransferStatus
from transfers.services import clearing_answers

from .test_batch_services import _clock, create, run_all, submit_and_confirm  # noqa: F401
from .test_inter_support import (
    ICBC_HEFEI,
    World,
    balance,
    inter_fixture,  # noqa: F401 - the "inter" fixture
    usage,
    world,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db

OK = "6212261302001230001"
REFUSED = "6212261302001234444"  # the simulator: 收款人账号与户名不符
RETURNED = "6212261302001235555"  # ACCEPTED, then 退汇 收款人账户已冻结
SLOW = "6212261302001239999"  # scripted: a timeout


def test_inter_answers_in_bulk_as_the_single_path(inter, django_capture_on_commit_callbacks):
    get_clearing_adapter().script(SLOW, SimOutcome.TIMEOUT)
    SmsSubscription.objects.create(user=inter.zhang, sub_account=World.main(inter.zhang_card),
                                   phone=inter.zhang_customer.phone, threshold=Decimal("0.00"))
    rows = [[OK, "赵敏", ICBC_HEFEI, "100.00", "货款"],
            [REFUSED, "钱某", ICBC_HEFEI, "50.00", ""],
            [RETURNED, "孙某", ICBC_HEFEI, "20.00", ""],
            [SLOW, "周某", ICBC_HEFEI, "7.00", ""]]
    batch = create(inter, "inter", rows)
    zhang, used = balance(inter.zhang_card), usage(inter)
    submit_and_confirm(inter, batch)
    with django_capture_on_commit_callbacks(execute=True):
        run_all()
    batch.refresh_from_db()
    got = {r.line_no: r for r in batch.rows.select_related("transfer")}
    # 成功 only when the money arrived: the ACCEPTED row and the timed-out one are 处理中.
    assert (batch.status, batch.done_count, batch.failed_count) == (BatchStatus.DONE, 1, 1)
    assert services.batch_counts(batch) == {"pending": 0, "succeeded": 1, "processing": 2,
                                            "failed": 1, "returned": 0}
    labels = [row[7] for row in services.result_rows(batch)]
    assert labels == ["成功", "失败", "处理中", "处理中"]
    outcome = services.batch_outcome(operation=batch.operation)
    assert "处理中2笔" in outcome.headline and "处理中" in outcome.note
    assert "成功1笔，处理中2笔，失败1笔" in services.batch_failures_sms_text(batch=batch)
    assert "失败的明细未扣款或已退回" in services.batch_failures_sms_text(batch=batch)
    assert got[2].transfer.status == TransferStatus.SUCCEEDED
    assert got[3].status == BatchRowStatus.FAILED
    assert got[3].failure_reason == "收款人账号与户名不符"
    assert got[3].transfer.status == TransferStatus.FAILED
    assert got[3].transfer.failure_reason == "收款人账号与户名不符"
    assert got[4].status == BatchRowStatus.SUCCEEDED
    assert got[4].transfer.status == TransferStatus.PROCESSING
    assert got[5].transfer.status == TransferStatus.PROCESSING  # timed out: resent later
    assert DueWork.objects.filter(kind=clearing_answers.DUE_RESEND,
                                  key=f"transfer:{got[5].transfer.pk}").exists()
    assert DueWork.objects.filter(kind=clearing_answers.DUE_POLL_RETURNS).exists()
    # Money and limit: the refused row's came back, the others are gone.
    assert balance(inter.zhang_card) == zhang - Decimal("127.00")
    assert usage(inter) == used + Decimal("127.00")
    # Receipts exactly when money moved: a debit per posted row, a credit for the return.
    for line in (2, 3, 4, 5):
        t = got[line].transfer
        assert Receipt.objects.filter(entry_id=t.entry_id,
                                      direction=ReceiptDirection.DEBIT).count() == 1
    assert Receipt.objects.filter(entry_id=got[3].transfer.return_entry_id,
                                  direction=ReceiptDirection.CREDIT).count() == 1
    # 短信服务: one balance alert per entry on the account, as the single path sends.
    alerts = SmsMessage.objects.filter(purpose__startswith=PURPOSE_BALANCE_ALERT)
    assert alerts.count() == 5  # four debits and the return
    # The 退汇 of the accepted row arrives later through poll_returns.
    assert clearing_answers.returns_apply() == 1
    got[4].transfer.refresh_from_db()
    assert got[4].transfer.status == TransferStatus.RETURNED
    assert services.batch_counts(batch)["returned"] == 1
    assert [row[7] for row in services.result_rows(batch)][2] == "已退汇"
    assert balance(inter.zhang_card) == zhang - Decimal("107.00")
    assert not ledger_violations()


def test_an_inter_chunk_costs_about_one_statement_a_row(inter):
    rows = [[f"62122613020012{i:05d}", "赵敏", ICBC_HEFEI, "1.00", ""] for i in range(40)]
    batch = create(inter, "inter", rows)
    submit_and_confirm(inter, batch)
    with CaptureQueriesContext(connection) as queries:
        run_all()
    assert batch.rows.filter(status=BatchRowStatus.SUCCEEDED).count() == 40
    # Was ~21 a row through the single path's pieces; now two a row (funds_move and the limit
    # policies it reads) and a few per chunk.
    assert len(queries) <= 2 * 40 + 40, len(queries)


def test_intra_rows_get_both_receipts(world):
    batch = create(world, "intra", [[world.li_card.number, "李娜", f"{i + 1}.00", ""]
                                    for i in range(3)])
    submit_and_confirm(world, batch)
    run_all()
    for row in batch.rows.select_related("transfer"):
        directions = sorted(Receipt.objects.filter(entry_id=row.transfer.entry_id)
                            .values_list("direction", flat=True))
        assert directions == sorted([ReceiptDirection.DEBIT, ReceiptDirection.CREDIT])


def test_no_subscription_no_alert_lookups(world, django_capture_on_commit_callbacks):
    batch = create(world, "intra", [[world.li_card.number, "李娜", "1.00", ""]] * 1)
    submit_and_confirm(world, batch)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_all()
    alert_callbacks = [c for c in callbacks
                       if getattr(c, "func", None) is services._chunk_alerts_send]
    assert len(alert_callbacks) == 1  # one per chunk, not one per row
    with CaptureQueriesContext(connection) as queries:
        alert_callbacks[0]()
    assert len(queries) == 1


# --- send_many -----------------------------------------------------------------------------------


def test_send_many_answers_as_send_one_by_one(inter):
    sim = get_clearing_adapter()
    sim.script("6222000011119999", SimOutcome.TIMEOUT)
    first = sim.send(instruction("OLD", "6222000011114444"))
    batch = [instruction("A", "6222000011112222"), instruction("OLD", "6222000011112222"),
             instruction("B", "6222000011114444"), instruction("C", "6222000011115555"),
             instruction("D", "6222000011119999")]
    answers = sim.send_many(batch)
    assert [a.outcome if a else None for a in answers] == [
        AnswerOutcome.SUCCESS, first.outcome, AnswerOutcome.FAILED, AnswerOutcome.ACCEPTED,
        None]
    assert answers[2].reason == "收款人账号与户名不符"
    # Idempotent: the same references again, the same answers, nothing stored twice.
    assert sim.send_many(batch[:4]) == answers[:4]
    assert sim.sent("D") is None


def test_send_many_closed_channel_and_the_branch_bypass(inter):
    sim = get_clearing_adapter()
    sim.set_maintenance(Channel.IBPS, True)
    answers = sim.send_many([instruction("X"), instruction("Y", branch="102361000528")])
    assert answers[0].outcome == AnswerOutcome.FAILED and sim.sent("X") is None
    assert answers[1].outcome == AnswerOutcome.SUCCESS and sim.sent("Y") is not None


def test_the_default_send_many_loops_over_send():
    class Echo(ClearingAdapter):
        def status(self, channel):
            from ebank.clearing.adapters import ChannelStatus
            return ChannelStatus(channel, True)

        def send(self, instruction_):
            from ebank.clearing.adapters import ClearingAnswer, ClearingTimeout
            if instruction_.reference == "T":
                raise ClearingTimeout()
            return ClearingAnswer(instruction_.reference, AnswerOutcome.SUCCESS)

        def poll_returns(self):
            return []

    answers = Echo().send_many([instruction("A"), instruction("T")])
    assert answers[0].reference == "A" and answers[1] is None


# --- receipt_issue_many ---------------------------------------------------------------------------


def test_receipt_issue_many_answers_a_replay_with_the_first_receipt(inter):
    from accounts.receipts.services import receipt_issue_many

    batch = create(inter, "inter", [[OK, "赵敏", ICBC_HEFEI, "3.00", ""]])
    submit_and_confirm(inter, batch)
    run_all()
    transfer = batch.rows.get().transfer
    stored = Receipt.objects.get(entry_id=transfer.entry_id)
    again = receipt_issue_many([clearing_answers.debit_receipt_spec(transfer)])
    assert [r.pk for r in again] == [stored.pk]
    assert Receipt.objects.filter(entry_id=transfer.entry_id).count() == 1
