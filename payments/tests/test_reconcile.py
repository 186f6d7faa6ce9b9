"""缴费对账: our bill payments of a business date against the biller's 对账文件 — each kind of
difference, what is no difference, reruns (resolved rows kept), a file that cannot be had, the
command's output and the admin's 标记已处理."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from ebank.billers.models import SimBehaviour
from ebank.billers.simulator import (
    SimulatedBillers,
    sim_bill_put,
    sim_mode_set,
    sim_payment_plant,
)
from ebank.core.models import AuditEvent
from payments.models import (
    BillPaymentStatus,
    DifferenceKind,
    DifferenceStatus,
    ReconcileDifference,
    ReconcileRun,
    ReconcileRunStatus,
)
from payments.reconcile.services import difference_resolve, reconcile_run
from payments.services import biller_register
from tests.customer_world import world  # noqa: F401 — the fixture

from .reconcile_world import DAY, at, bill_payment

pytestmark = pytest.mark.django_db

PAID, PROCESSING, REVERSED = (BillPaymentStatus.PAID, BillPaymentStatus.PROCESSING,
                              BillPaymentStatus.REVERSED)


@pytest.fixture(autouse=True)
def files(settings, tmp_path):
    settings.BILLER_FILES_DIR = tmp_path / "biller-files"


@pytest.fixture
def water(world):  # noqa: F811
    biller = biller_register(code="WATER01", kind="water", name="合肥供水集团")
    sim_bill_put("WATER01", "1001234501", name="张伟", amount_owed="500.00")
    return biller


def written_off(number: str, amount: str) -> None:
    """The biller writes ``number`` off on DAY (as our pay flow would have asked it)."""
    with time_machine.travel(at(DAY, 10, 1), tick=False):
        SimulatedBillers().pay("WATER01", "1001234501", Decimal(amount), number)


@pytest.fixture
def planted(world, water):  # noqa: F811
    """One of each: a match, 我方有对方无, 对方有我方无, 金额不符, 状态不符 (冲正'd and 处理中), and
    a 处理中 and a 冲正'd one the biller does not have (no difference)."""
    bill_payment(world, water, "BP-OK", "10.00")
    written_off("BP-OK", "10.00")
    bill_payment(world, water, "BP-OURS", "20.00")
    sim_payment_plant("WATER01", "XX-THEIRS", customer_no="1001234599", amount="5.00",
                      paid_at=at(DAY, 11))
    bill_payment(world, water, "BP-AMT", "30.00")
    sim_payment_plant("WATER01", "BP-AMT", customer_no="1001234501", amount="31.00",
                      paid_at=at(DAY, 12))
    bill_payment(world, water, "BP-REV", "40.00", status=REVERSED)
    written_off("BP-REV", "40.00")
    bill_payment(world, water, "BP-PROC", "50.00", status=PROCESSING)
    written_off("BP-PROC", "50.00")
    bill_payment(world, water, "BP-PROC2", "60.00", status=PROCESSING)
    bill_payment(world, water, "BP-REV2", "70.00", status=REVERSED)
    return water


def found(run) -> dict[str, tuple]:
    return {d.reference: (d.kind, d.our_amount, d.our_status, d.their_amount)
            for d in run.differences.all()}


def test_each_kind_of_difference_is_found(planted):
    run = reconcile_run(biller=planted, day=DAY)
    assert run.status == ReconcileRunStatus.DONE
    assert found(run) == {
        "BP-OURS": (DifferenceKind.OURS_ONLY, Decimal("20.00"), PAID, None),
        "XX-THEIRS": (DifferenceKind.THEIRS_ONLY, None, "", Decimal("5.00")),
        "BP-AMT": (DifferenceKind.AMOUNT, Decimal("30.00"), PAID, Decimal("31.00")),
        "BP-REV": (DifferenceKind.STATUS, Decimal("40.00"), REVERSED, Decimal("40.00")),
        "BP-PROC": (DifferenceKind.STATUS, Decimal("50.00"), PROCESSING, Decimal("50.00")),
    }
    assert (run.our_count, run.our_amount) == (3, Decimal("60.00"))
    assert (run.their_count, run.their_amount) == (5, Decimal("136.00"))
    assert (run.matched_count, run.difference_count) == (1, 5)
    theirs = run.differences.get(reference="XX-THEIRS")
    assert theirs.customer_no == "1001234599" and theirs.payment is None
    assert theirs.their_reference.startswith("WATER0120260610")
    assert run.differences.get(reference="BP-AMT").payment.number == "BP-AMT"
    assert set(run.differences.values_list("status", flat=True)) == {DifferenceStatus.OPEN}


def test_a_day_that_agrees_has_no_difference(world, water):  # noqa: F811
    bill_payment(world, water, "BP1", "10.00")
    written_off("BP1", "10.00")
    bill_payment(world, water, "BP2", "60.00", status=PROCESSING)
    run = reconcile_run(biller=water, day=DAY)
    assert (run.matched_count, run.difference_count) == (1, 0)
    assert not run.differences.exists()


def test_a_payment_of_another_date_written_off_after_midnight_is_no_unknown(world, water):  # noqa: F811
    from datetime import timedelta

    bill_payment(world, water, "BP-LATE", "10.00", day=DAY - timedelta(days=1))
    written_off("BP-LATE", "10.00")  # on DAY's file
    run = reconcile_run(biller=water, day=DAY)
    assert run.difference_count == 0 and run.matched_count == 1


def test_a_rerun_replaces_open_differences_and_keeps_resolved_ones(planted, admin_user):
    first = reconcile_run(biller=planted, day=DAY)
    resolved = first.differences.get(reference="BP-AMT")
    assert difference_resolve(difference_ids=[resolved.pk], user=admin_user,
                              note="缴费单位更正金额") == 1
    again = reconcile_run(biller=planted, day=DAY)
    assert again.pk == first.pk and again.runs == 2
    assert ReconcileRun.objects.count() == 1
    assert found(again) == found(first)
    assert ReconcileDifference.objects.filter(reference="BP-AMT").count() == 1
    kept = again.differences.get(reference="BP-AMT")
    assert (kept.pk, kept.status, kept.note, kept.resolved_by) == \
        (resolved.pk, DifferenceStatus.RESOLVED, "缴费单位更正金额", admin_user)
    # the biller sends the missing one: it is no longer a difference on the next run
    sim_payment_plant("WATER01", "BP-OURS", customer_no="1001234501", amount="20.00",
                      paid_at=at(DAY, 15))
    third = reconcile_run(biller=planted, day=DAY)
    assert "BP-OURS" not in found(third) and third.matched_count == 2


def test_a_file_that_cannot_be_had_keeps_what_was_found(planted):
    reconcile_run(biller=planted, day=DAY)
    sim_mode_set("WATER01", SimBehaviour.UNAVAILABLE)
    run = reconcile_run(biller=planted, day=DAY)
    assert run.status == ReconcileRunStatus.FAILED
    assert run.error == "缴费单位系统暂停服务，请稍后再试"
    assert run.differences.count() == 5


def test_resolving_needs_a_note_and_is_audited(planted, admin_user):
    run = reconcile_run(biller=planted, day=DAY)
    ids = list(run.differences.values_list("pk", flat=True))
    from ebank.core.errors import BusinessError

    with pytest.raises(BusinessError, match="请输入处理说明"):
        difference_resolve(difference_ids=ids, user=admin_user, note="  ")
    assert difference_resolve(difference_ids=ids, user=admin_user, note="已核实") == 5
    assert difference_resolve(difference_ids=ids, user=admin_user, note="再次") == 0
    assert AuditEvent.objects.filter(action="payments.reconcile_resolve").count() == 5


def test_the_command_prints_each_difference_and_a_summary(planted):
    out = StringIO()
    call_command("reconcile_billers", "--date", "2026-06-10", stdout=out)
    text = out.getvalue()
    assert "WATER01 合肥供水集团 2026-06-10: 我方成功 3 笔 ¥60.00，对方 5 笔 ¥136.00" in text
    for label in ("我方有、对方无 BP-OURS", "对方有、我方无 XX-THEIRS", "金额不符 BP-AMT",
                  "状态不符 BP-REV", "状态不符 BP-PROC"):
        assert label in text
    assert "我方 ¥40.00 已冲正 / 对方 ¥40.00 WATER0120260610" in text
    assert "对方有、我方无 XX-THEIRS 缴费号码 1001234599 我方 无 / 对方 ¥5.00" in text
    assert "我方有、对方无 BP-OURS 缴费号码 1001234501 我方 ¥20.00 缴费成功 / 对方 无 [待处理]" in text
    assert "对账完成：2026-06-10 缴费单位 1 个，差异 5 笔（待处理 5 笔），对账文件未取得 0 个" in text
    # again: the same differences, not twice as many
    out = StringIO()
    call_command("reconcile_billers", "--date", "2026-06-10", "--biller", "WATER01", stdout=out)
    assert "差异 5 笔（待处理 5 笔）" in out.getvalue()
    assert ReconcileDifference.objects.count() == 5


def test_the_command_refuses_bad_arguments_and_reports_an_unreadable_file(planted):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("reconcile_billers", "--date", "10/06/2026")
    with pytest.raises(CommandError, match="没有缴费单位"):
        call_command("reconcile_billers", "--date", "2026-06-10", "--biller", "NOPE")
    sim_mode_set("WATER01", SimBehaviour.UNAVAILABLE)
    err = StringIO()
    with pytest.raises(CommandError, match="对账文件未取得：WATER01"):
        call_command("reconcile_billers", "--date", "2026-06-10", stdout=StringIO(), stderr=err)
    assert "暂停服务" in err.getvalue()


def test_a_broken_file_is_reported_not_taken_as_empty(planted, monkeypatch):
    from ebank.billers import simulator

    def broken(biller, day):
        path = simulator.statement_path(biller.code, day)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("garbage\n", encoding="utf-8")
        return path

    monkeypatch.setattr(simulator, "statement_file_write", broken)
    run = reconcile_run(biller=planted, day=DAY)
    assert run.status == ReconcileRunStatus.FAILED and "表头" in run.error
    assert not run.differences.exists()


# --- the admin ---------------------------------------------------------------------------------


def test_the_admin_lists_and_resolves_differences(planted, admin_client, admin_user):
    run = reconcile_run(biller=planted, day=DAY)
    url = reverse("admin:payments_reconciledifference_changelist")
    page = admin_client.get(url, {"status__exact": "open", "kind__exact": "amount"})
    assert page.status_code == 200
    assert "BP-AMT" in page.text and "BP-OURS" not in page.text
    assert "¥31.00" in page.text and "标记已处理" in page.text
    pk = run.differences.get(reference="BP-AMT").pk
    # no note: refused, still open
    response = admin_client.post(url, {"action": "resolve", "_selected_action": [pk],
                                       "note": ""}, follow=True)
    assert "请输入处理说明" in response.text
    assert ReconcileDifference.objects.get(pk=pk).status == DifferenceStatus.OPEN
    response = admin_client.post(url, {"action": "resolve", "_selected_action": [pk],
                                       "note": "缴费单位已更正"}, follow=True)
    assert "已处理 1 笔差异" in response.text
    row = ReconcileDifference.objects.get(pk=pk)
    assert (row.status, row.note, row.resolved_by) == \
        (DifferenceStatus.RESOLVED, "缴费单位已更正", admin_user)


def test_runs_and_settlements_are_read_only(planted, admin_client):
    run = reconcile_run(biller=planted, day=DAY)
    assert admin_client.get(reverse("admin:payments_reconcilerun_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:payments_reconcilerun_add")).status_code == 403
    assert admin_client.get(
        reverse("admin:payments_billersettlement_changelist")).status_code == 200
    change = admin_client.get(reverse("admin:payments_reconcilerun_change", args=[run.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.text


# --- review: midnight Asia/Shanghai ------------------------------------------------------------


def test_a_payment_written_off_just_after_midnight_is_no_difference_of_its_own_date(world, water):  # noqa: F811
    """Paid on DAY (23:59:50), written off by the biller at 00:00:20 of the next day: it is on
    the next day's file. Neither date reports it (it was 我方有、对方无 on DAY)."""
    from datetime import datetime, time, timedelta

    from ebank.core.clock import SHANGHAI

    bill_payment(world, water, "BP-MIDNIGHT", "10.00")
    next_day = DAY + timedelta(days=1)
    with time_machine.travel(datetime.combine(next_day, time(0, 0, 20), tzinfo=SHANGHAI),
                             tick=False):
        SimulatedBillers().pay("WATER01", "1001234501", Decimal("10.00"), "BP-MIDNIGHT")
    run = reconcile_run(biller=water, day=DAY)
    assert (run.matched_count, run.difference_count) == (1, 0)
    assert not run.differences.exists()
    later = reconcile_run(biller=water, day=next_day)
    assert (later.matched_count, later.difference_count) == (1, 0)


def test_a_payment_on_the_next_days_file_with_another_amount_is_an_amount_difference(world, water):  # noqa: F811
    from datetime import timedelta

    bill_payment(world, water, "BP-NEXT", "10.00")
    sim_payment_plant("WATER01", "BP-NEXT", customer_no="1001234501", amount="11.00",
                      paid_at=at(DAY + timedelta(days=1), 0, 1))
    run = reconcile_run(biller=water, day=DAY)
    assert found(run) == {"BP-NEXT": (DifferenceKind.AMOUNT, Decimal("10.00"), PAID,
                                      Decimal("11.00"))}


def test_a_resolved_difference_whose_figures_change_is_open_again(planted, admin_user):
    """Staff resolved BP-OURS (missing from the file); the biller then lists it with another
    amount: that is a new 金额不符, not hidden behind the old resolution."""
    first = reconcile_run(biller=planted, day=DAY)
    ours = first.differences.get(reference="BP-OURS")
    difference_resolve(difference_ids=[ours.pk], user=admin_user, note="待缴费单位补录")
    sim_payment_plant("WATER01", "BP-OURS", customer_no="1001234501", amount="21.00",
                      paid_at=at(DAY, 15))
    again = reconcile_run(biller=planted, day=DAY)
    row = again.differences.get(reference="BP-OURS")
    assert (row.pk, row.kind, row.our_amount, row.their_amount, row.status) == \
        (ours.pk, DifferenceKind.AMOUNT, Decimal("20.00"), Decimal("21.00"), DifferenceStatus.OPEN)
    assert row.note == "（曾处理：待缴费单位补录）" and row.resolved_by is None
    # the same figures again: a resolution holds
    difference_resolve(difference_ids=[row.pk], user=admin_user, note="已核实")
    third = reconcile_run(biller=planted, day=DAY)
    assert third.differences.get(reference="BP-OURS").status == DifferenceStatus.RESOLVED


def test_differences_cannot_be_deleted_or_edited_in_the_admin(planted, admin_client):
    run = reconcile_run(biller=planted, day=DAY)
    pk = run.differences.get(reference="BP-AMT").pk
    assert admin_client.get(
        reverse("admin:payments_reconciledifference_delete", args=[pk])).status_code == 403
    page = admin_client.get(reverse("admin:payments_reconciledifference_changelist"))
    assert "delete_selected" not in page.text
    admin_client.post(reverse("admin:payments_reconciledifference_change", args=[pk]),
                      {"status": "resolved", "note": "x"})
    assert ReconcileDifference.objects.get(pk=pk).status == DifferenceStatus.OPEN
    admin_client.post(reverse("admin:payments_reconciledifference_changelist"),
                      {"action": "delete_selected", "_selected_action": [pk], "post": "yes"})
    assert ReconcileDifference.objects.filter(pk=pk).exists()


def test_the_nightly_step_reconciles_the_day_before_its_business_date(planted):
    """biller_reconcile (620): the batch of DAY + 1 reconciles DAY (T+1), every active biller,
    and counts the differences; a rerun of the batch date is skipped by the batch itself."""
    from ebank.duework.nightly import registered_steps
    from payments.nightly import biller_reconcile_step

    steps = {step.name: step.order for step in registered_steps()}
    assert steps["biller_settlement"] < steps["biller_reconcile"] == 620
    assert biller_reconcile_step(DAY + timedelta(days=1)) == 5
    run = ReconcileRun.objects.get(biller=planted, business_date=DAY)
    assert run.status == ReconcileRunStatus.DONE and run.difference_count == 5
    assert not ReconcileRun.objects.filter(business_date=DAY + timedelta(days=1)).exists()
