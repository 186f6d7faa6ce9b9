"""The simulated billers: the adapter's contract (query, idempotent pay, status after a
time-out, the statement file), fixed and variable bills, each behaviour, the demo data."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from ebank.billers.adapter import (
    BillerRefused,
    BillerTimeout,
    BillerUnavailable,
    PayStatus,
    biller_adapter,
)
from ebank.billers.models import SimBehaviour, SimPayment, SimPaymentStatus
from ebank.billers.simulator import (
    SimulatedBillers,
    biller_name_mask,
    sim_bill,
    sim_bill_put,
    sim_mode_set,
    sim_payment_plant,
    statement_path,
)
from ebank.core.clock import SHANGHAI

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=SHANGHAI)
TAX_LINES = (("个人所得税", "1200.00"), ("城市维护建设税", "84.00"), ("教育费附加", "36.00"))


@pytest.fixture(autouse=True)
def files(settings, tmp_path):
    settings.BILLER_FILES_DIR = tmp_path / "biller-files"
    return settings.BILLER_FILES_DIR


@pytest.fixture
def sim():
    with time_machine.travel(NOW, tick=False):
        sim_bill_put("WATER01", "1001234501", name="张伟", amount_owed="86.40",
                     period="2026年5月", address="合肥市蜀山区长江西路88号")
        sim_bill_put("HEAT01", "5100200301", name="李小娜", amount_owed="1860.00", fixed=True,
                     period="2026-2027采暖季")
        sim_bill_put("TAX01", "334010026110000001", name="张伟", fixed=True,
                     treasury_serial="3401002611000001", tax_lines=TAX_LINES)
        sim_bill_put("CMCC01", "13805510001", name="张伟", amount_owed="0.00", balance="12.50")
        yield SimulatedBillers()


def test_the_setting_names_the_simulator():
    assert isinstance(biller_adapter(), SimulatedBillers)


def test_names_are_masked_the_billers_way():
    assert biller_name_mask("张伟") == "张*"
    assert biller_name_mask("李小娜") == "李*娜"
    assert biller_name_mask("欧阳小明") == "欧**明"
    assert biller_name_mask("") == ""


def test_query_answers_the_bill_masked(sim):
    info = sim.query("WATER01", "1001234501")
    assert (info.name_masked, info.amount_owed, info.amount_fixed, info.period) == \
        ("张*", Decimal("86.40"), False, "2026年5月")
    assert info.address == "合肥市蜀山区****"
    assert info.balance is None and info.tax_detail_count is None
    assert sim.query("HEAT01", "5100200301").name_masked == "李*娜"


def test_query_of_a_tax_voucher_gives_the_tips_fields(sim):
    info = sim.query("TAX01", "334010026110000001")
    assert info.amount_fixed and info.amount_owed == Decimal("1320.00")
    assert info.tax_detail_count == 3
    assert info.treasury_serial == "3401002611000001"
    assert info.tax_lines[0] == ("个人所得税", Decimal("1200.00"))


def test_query_of_an_unknown_number_is_refused_in_the_billers_words(sim):
    with pytest.raises(BillerRefused) as exc:
        sim.query("WATER01", "999")
    assert "缴费号码不存在" in str(exc.value.message)


def test_a_variable_bill_drops_never_below_zero(sim):
    with time_machine.travel(NOW, tick=False):
        answer = sim.pay("WATER01", "1001234501", Decimal("50.00"), "BP1")
        assert answer.status == PayStatus.PAID and answer.biller_reference
        assert answer.paid_at == NOW
        assert sim_bill("WATER01", "1001234501").amount_owed == Decimal("36.40")
        assert sim.pay("WATER01", "1001234501", Decimal("100.00"), "BP2").status == PayStatus.PAID
    assert sim_bill("WATER01", "1001234501").amount_owed == Decimal("0.00")


def test_a_telco_balance_grows(sim):
    sim.pay("CMCC01", "13805510001", Decimal("30.00"), "BP1")
    bill = sim_bill("CMCC01", "13805510001")
    assert (bill.amount_owed, bill.balance) == (Decimal("0.00"), Decimal("42.50"))
    assert sim.query("CMCC01", "13805510001").balance == Decimal("42.50")


def test_pay_is_idempotent_per_reference(sim):
    first = sim.pay("WATER01", "1001234501", Decimal("10.00"), "BP1")
    again = sim.pay("WATER01", "1001234501", Decimal("10.00"), "BP1")
    assert again == first
    assert sim_bill("WATER01", "1001234501").amount_owed == Decimal("76.40")
    assert SimPayment.objects.filter(reference="BP1").count() == 1


def test_a_fixed_bill_is_paid_exactly_and_once(sim):
    with pytest.raises(BillerRefused) as exc:
        sim.pay("HEAT01", "5100200301", Decimal("1000.00"), "BP1")
    assert exc.value.message == "缴费金额与应缴金额不符"
    assert sim.pay("HEAT01", "5100200301", Decimal("1860.00"), "BP2").status == PayStatus.PAID
    assert sim.query("HEAT01", "5100200301").amount_owed == Decimal("0.00")
    with pytest.raises(BillerRefused) as exc:
        sim.pay("HEAT01", "5100200301", Decimal("1860.00"), "BP3")
    assert exc.value.message == "该缴费已缴清"
    assert not SimPayment.objects.filter(reference__in=("BP1", "BP3")).exists()


def test_a_tax_voucher_once_paid_is_paid_off(sim):
    sim.pay("TAX01", "334010026110000001", Decimal("1320.00"), "BP1")
    assert sim.query("TAX01", "334010026110000001").amount_owed == Decimal("0.00")
    with pytest.raises(BillerRefused, match="该缴费已缴清"):
        sim.pay("TAX01", "334010026110000001", Decimal("1320.00"), "BP2")


def test_pay_of_an_unknown_number_or_no_amount_is_refused(sim):
    with pytest.raises(BillerRefused, match="缴费号码不存在"):
        sim.pay("WATER01", "999", Decimal("1.00"), "BP1")
    with pytest.raises(BillerRefused, match="缴费金额无效"):
        sim.pay("WATER01", "1001234501", Decimal("0.00"), "BP2")
    assert not SimPayment.objects.exists()


def test_refuse_gives_the_billers_reason_and_writes_nothing_off(sim):
    sim_mode_set("WATER01", SimBehaviour.REFUSE, "该户已销户")
    with pytest.raises(BillerRefused) as exc:
        sim.pay("WATER01", "1001234501", Decimal("10.00"), "BP1")
    assert exc.value.message == "该户已销户"
    assert sim_bill("WATER01", "1001234501").amount_owed == Decimal("86.40")
    assert sim.status("WATER01", "BP1").status == PayStatus.NOT_FOUND
    # query still answers
    assert sim.query("WATER01", "1001234501").amount_owed == Decimal("86.40")


def test_fail_after_debit_answers_failed_and_keeps_answering_so(sim):
    sim_mode_set("WATER01", SimBehaviour.FAIL_AFTER_DEBIT, "销账系统异常")
    answer = sim.pay("WATER01", "1001234501", Decimal("10.00"), "BP1")
    assert (answer.status, answer.message) == (PayStatus.FAILED, "销账系统异常")
    assert sim_bill("WATER01", "1001234501").amount_owed == Decimal("86.40")
    sim_mode_set("WATER01", SimBehaviour.NORMAL)
    assert sim.pay("WATER01", "1001234501", Decimal("10.00"), "BP1").status == PayStatus.FAILED
    assert sim.status("WATER01", "BP1").status == PayStatus.FAILED


def test_timeout_lost_records_nothing_and_a_retry_pays(sim):
    sim_mode_set("WATER01", SimBehaviour.TIMEOUT_LOST)
    with pytest.raises(BillerTimeout):
        sim.pay("WATER01", "1001234501", Decimal("10.00"), "BP1")
    assert sim.status("WATER01", "BP1").status == PayStatus.NOT_FOUND
    assert sim_bill("WATER01", "1001234501").amount_owed == Decimal("86.40")
    sim_mode_set("WATER01", SimBehaviour.NORMAL)
    assert sim.pay("WATER01", "1001234501", Decimal("10.00"), "BP1").status == PayStatus.PAID


def test_timeout_done_writes_off_and_status_says_paid(sim):
    sim_mode_set("WATER01", SimBehaviour.TIMEOUT_DONE)
    with pytest.raises(BillerTimeout):
        sim.pay("WATER01", "1001234501", Decimal("10.00"), "BP1")
    answer = sim.status("WATER01", "BP1")
    assert answer.status == PayStatus.PAID and answer.biller_reference
    assert sim_bill("WATER01", "1001234501").amount_owed == Decimal("76.40")
    # the same reference again: the first write-off's answer, nothing written off twice
    assert sim.pay("WATER01", "1001234501", Decimal("10.00"), "BP1") == answer
    assert sim_bill("WATER01", "1001234501").amount_owed == Decimal("76.40")


def test_a_write_off_the_caller_rolls_back_is_gone_at_the_biller_too(sim):
    sim_mode_set("WATER01", SimBehaviour.TIMEOUT_DONE)
    with pytest.raises(BillerTimeout), transaction.atomic():
        sim.pay("WATER01", "1001234501", Decimal("10.00"), "BP1")
    assert sim.status("WATER01", "BP1").status == PayStatus.NOT_FOUND


def test_unavailable_answers_nothing(sim):
    sim_mode_set("WATER01", SimBehaviour.UNAVAILABLE)
    for call in (lambda: sim.query("WATER01", "1001234501"),
                 lambda: sim.pay("WATER01", "1001234501", Decimal("1.00"), "BP1"),
                 lambda: sim.status("WATER01", "BP1"),
                 lambda: sim.statement("WATER01", NOW.date())):
        with pytest.raises(BillerUnavailable):
            call()
    with pytest.raises(BillerUnavailable):
        sim.query("NOSUCH", "1")
    assert sim_bill("WATER01", "1001234501").amount_owed == Decimal("86.40")


def test_the_mode_of_an_unknown_biller_cannot_be_set():
    with pytest.raises(ValueError):
        sim_mode_set("NOSUCH", "refuse")


def test_the_statement_is_the_days_file_of_paid_payments(sim, files):
    with time_machine.travel(NOW, tick=False):
        sim.pay("WATER01", "1001234501", Decimal("10.00"), "BP1")
    sim_mode_set("WATER01", SimBehaviour.FAIL_AFTER_DEBIT)
    with time_machine.travel(NOW, tick=False):
        sim.pay("WATER01", "1001234501", Decimal("5.00"), "BP2")  # failed: not listed
    with time_machine.travel(datetime(2026, 6, 11, 9, 0, tzinfo=SHANGHAI), tick=False):
        sim_mode_set("WATER01", SimBehaviour.NORMAL)
        sim.pay("WATER01", "1001234501", Decimal("7.00"), "BP3")  # the next day's file
    sim_payment_plant("WATER01", "XX9", customer_no="1001234599", amount="3.30",
                      paid_at=datetime(2026, 6, 10, 23, 59, tzinfo=SHANGHAI))
    lines = sim.statement("WATER01", date(2026, 6, 10))
    assert [(line.reference, line.amount) for line in lines] == \
        [("BP1", Decimal("10.00")), ("XX9", Decimal("3.30"))]
    assert lines[0].paid_at == NOW and lines[0].customer_no == "1001234501"
    path = statement_path("WATER01", date(2026, 6, 10))
    assert path == files / "WATER01" / "20260610.csv"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "缴费流水号,缴费号码,金额,销账流水号,销账时间"
    assert "BP3" not in text and "BP2" not in text


def test_the_statement_is_read_from_the_file_not_the_table(sim, monkeypatch):
    """What the file says is what reconciliation gets (a file edited between write and read)."""
    from ebank.billers import simulator

    sim.pay("WATER01", "1001234501", Decimal("10.00"), "BP1")
    write = simulator.statement_file_write

    def write_then_edit(biller, day):
        path = write(biller, day)
        path.write_text(path.read_text(encoding="utf-8").replace(",10.00,", ",11.00,"),
                        encoding="utf-8")
        return path

    monkeypatch.setattr(simulator, "statement_file_write", write_then_edit)
    today = SimPayment.objects.get(reference="BP1").day
    assert [line.amount for line in sim.statement("WATER01", today)] == [Decimal("11.00")]


def test_a_broken_file_is_an_error_not_an_empty_statement(tmp_path):
    from ebank.billers.simulator import statement_file_read

    path = tmp_path / "x.csv"
    path.write_text("缴费流水号,缴费号码,金额,销账流水号,销账时间\nBP1,1,abc,R,2026-06-10\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match=":2:"):
        statement_file_read(path)
    path.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="表头"):
        statement_file_read(path)


def test_a_planted_payment_is_the_billers_only(sim):
    planted = sim_payment_plant("WATER01", "XX1", customer_no="1001234501", amount="8.00")
    assert planted.status == SimPaymentStatus.PAID and planted.planted
    assert sim_bill("WATER01", "1001234501").amount_owed == Decimal("86.40")
    assert sim.status("WATER01", "XX1").status == PayStatus.PAID


def test_biller_references_are_numbered_per_biller(sim):
    with time_machine.travel(NOW, tick=False):
        first = sim.pay("WATER01", "1001234501", Decimal("1.00"), "BP1")
        second = sim.pay("WATER01", "1001234501", Decimal("1.00"), "BP2")
    assert first.biller_reference.startswith("WATER0120260610")
    assert int(second.biller_reference[-8:]) == int(first.biller_reference[-8:]) + 1


def test_the_demo_seeds_every_biller_once():
    from ebank.billers.demo import DEMO_BILLS, demo_seed
    from ebank.billers.models import SimBill, SimBiller
    from ebank.billers.simulator import KNOWN_BILLERS

    class Out:
        def __init__(self):
            self.lines = []

        def line(self, text):
            self.lines.append(text)

        def success(self, text):
            self.lines.append(text)

    out = Out()
    demo_seed(out)
    demo_seed(Out())
    assert set(SimBiller.objects.values_list("code", flat=True)) == set(KNOWN_BILLERS)
    assert SimBill.objects.count() == len(DEMO_BILLS)
    assert {code for code, *_ in DEMO_BILLS} == set(KNOWN_BILLERS)
    assert any("1001234501" in line for line in out.lines)
    assert SimulatedBillers().query("TAX01", "334010026110000001").tax_detail_count == 3


# --- review: money in fen, file paths, robust 对账文件 ----------------------------------------


def test_an_amount_with_a_third_decimal_or_not_a_number_is_refused(sim):
    """1.005 would be stored as 1.00 (or 1.01) while the bill moved by 1.005: a fen wrong."""
    for bad in (Decimal("10.005"), Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(BillerRefused, match="缴费金额无效"):
            sim.pay("WATER01", "1001234501", bad, f"BP-{bad}")
    with pytest.raises(BillerRefused, match="缴费金额无效"):
        sim.pay("CMCC01", "13805510001", Decimal("0.001"), "BP-TEL")
    assert sim_bill("WATER01", "1001234501").amount_owed == Decimal("86.40")
    assert sim_bill("CMCC01", "13805510001").balance == Decimal("12.50")
    assert not SimPayment.objects.exists()


def test_a_biller_code_never_leads_outside_the_files_dir(sim, files):
    from ebank.billers.simulator import sim_biller_open

    for code in ("../evil", "..", "a/b", "WATER01/../../x", ""):
        with pytest.raises(ValueError, match="文件名"):
            statement_path(code, NOW.date())
    sim_biller_open("../evil")
    with pytest.raises(ValueError):
        sim.statement("../evil", NOW.date())
    assert not (files.parent / "evil").exists()
    assert statement_path("WATER01", NOW.date()) == files / "WATER01" / "20260610.csv"


@pytest.mark.parametrize("line", [
    "BP1,1001234501,NaN,R1,2026-06-10T10:00:00+08:00",
    "BP1,1001234501,10.005,R1,2026-06-10T10:00:00+08:00",
    "BP1,1001234501,-5.00,R1,2026-06-10T10:00:00+08:00",
    "BP1,1001234501,1E+20,R1,2026-06-10T10:00:00+08:00",
    "BP1,1001234501,10.00,R1,2026-06-10T10:00:00",          # no zone
    "BP1,1001234501,10.00,R1",                                # four fields
    ",1001234501,10.00,R1,2026-06-10T10:00:00+08:00",         # no reference
    "B" * 65 + ",1001234501,10.00,R1,2026-06-10T10:00:00+08:00",
    "BP1,1001234501,10.00," + "R" * 41 + ",2026-06-10T10:00:00+08:00",
])
def test_a_line_that_cannot_be_stored_as_read_is_an_error(tmp_path, line):
    from ebank.billers.simulator import statement_file_read

    path = tmp_path / "x.csv"
    path.write_text("缴费流水号,缴费号码,金额,销账流水号,销账时间\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":2: 对账文件格式错误"):
        statement_file_read(path)


def test_a_file_with_a_bom_is_read(tmp_path):
    from ebank.billers.simulator import statement_file_read

    path = tmp_path / "x.csv"
    path.write_text("\ufeff缴费流水号,缴费号码,金额,销账流水号,销账时间\n"
                    "BP1,1001234501,10.00,R1,2026-06-10T10:00:00+08:00\n", encoding="utf-8")
    assert [(x.reference, x.amount) for x in statement_file_read(path)] == \
        [("BP1", Decimal("10.00"))]


def test_two_writers_of_one_file_in_one_process_do_not_collide(sim, files, monkeypatch):
    """Two threads writing the same day's file: each its own temporary name (a shared one made
    the second rename fail, or renamed the other's half-written file)."""
    import os
    import threading

    from ebank.billers import simulator
    from ebank.billers.models import SimBiller

    sim.pay("WATER01", "1001234501", Decimal("10.00"), "BP1")
    biller = SimBiller.objects.get(code="WATER01")
    day = SimPayment.objects.get(reference="BP1").day
    statement_path("WATER01", day).parent.mkdir(parents=True, exist_ok=True)
    both_written = threading.Barrier(2, timeout=10)
    real_replace = os.replace

    def replace_when_both_wrote(src, dst):
        both_written.wait()
        return real_replace(src, dst)

    monkeypatch.setattr(simulator.os, "replace", replace_when_both_wrote)
    rows = list(SimPayment.objects.filter(biller=biller, day=day))
    monkeypatch.setattr(simulator.SimPayment.objects, "filter",
                        lambda **kw: type("Q", (), {"order_by": lambda self, *a: rows})())
    errors = []

    def write():
        try:
            simulator.statement_file_write(biller, day)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert errors == []
    assert [x.reference for x in simulator.statement_file_read(statement_path("WATER01", day))] \
        == ["BP1"]
    assert [p.name for p in statement_path("WATER01", day).parent.iterdir()] == ["20260610.csv"]
