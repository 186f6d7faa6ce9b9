"""Result pages tell what really happened (issue 11 §2): a table over 到账方式 × route × outcome.

Each row drives the real flow — 提交 (the start service), 确认 (``operation_confirm``), the
due-work dispatcher where the case needs it — and then reads the result page as the customer
sees it: one headline, one 交易状态, no row twice, 到账方式 as booked. Before the fix a ¥60,000
跨行 transfer reserved to Monday showed "跨行转账成功", "实时到账", "已执行" and "预约" at once.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from ebank.clearing.adapters import get_clearing_adapter
from ebank.clearing.routing import ArrivalMode
from ebank.clearing.simulator import SimOutcome
from ebank.core.errors import BusinessError
from ebank.duework.services import dispatch_due
from security.models import OperationStatus
from transfers.models import Transfer
from transfers.services.own_intra import intra_transfer_start, own_transfer_start

from .test_inter_support import (
    PAYEE_ACCOUNT,
    World,
    at,
    confirm,
    inter_fixture,  # noqa: F401 - the "inter" fixture
    start,
    travel,
    world,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db

TUESDAY_NOON = at(2026, 11, 24, 12, 0)
FRIDAY_1730 = at(2026, 11, 27, 17, 30)
MONDAY_0900 = at(2026, 11, 30, 9, 0)

REAL, NORMAL, NEXT = ArrivalMode.REAL_TIME, ArrivalMode.NORMAL, ArrivalMode.NEXT_DAY


@dataclass(frozen=True)
class Case:
    route: str  # own / intra / ibps / hvps
    mode: str
    outcome: str  # what happens after 确认 (see ``_run``)
    headline: str
    status: str
    arrival: str
    when: object = TUESDAY_NOON
    amount: str = "1000.00"
    absent: tuple[str, ...] = field(default_factory=tuple)
    note: str = ""


CASES = [
    Case("own", REAL, "done", "转账成功", "成功", "实时到账"),
    Case("intra", REAL, "done", "转账成功", "成功", "实时到账"),
    Case("intra", REAL, "refused", "转账失败：账户余额不足", "失败", "实时到账",
         amount="50000.00", note="转出账户当前可用余额¥30,000.00"),
    Case("intra", NORMAL, "accepted", "已受理，预计2026年11月24日14:00到账", "待执行", "普通到账"),
    Case("intra", NORMAL, "ran", "转账成功", "成功", "普通到账"),
    Case("intra", NORMAL, "ran_short", "转账失败：账户余额不足", "失败", "普通到账",
         note="转出账户当前可用余额¥500.00"),
    Case("intra", NEXT, "accepted", "已受理，预计2026年11月25日09:00到账", "待执行", "次日到账"),
    Case("ibps", REAL, "done", "转账成功", "成功", "实时到账（网银互联）"),
    Case("ibps", REAL, "bank_failed", "转账失败：收款人账号与户名不符", "失败",
         "实时到账（网银互联）"),
    Case("ibps", REAL, "no_answer", "处理中", "处理中", "实时到账（网银互联）"),
    Case("ibps", NORMAL, "accepted", "已受理，预计2026年11月24日14:00到账", "待执行",
         "普通到账（网银互联）"),
    Case("ibps", NEXT, "accepted", "已受理，预计2026年11月25日09:00到账", "待执行",
         "次日到账（网银互联）"),
    Case("hvps", REAL, "done", "转账成功", "成功", "实时到账（大额支付）", amount="60000.00"),
    # The page: ¥60,000 on a Friday at 17:30, reserved to Monday 09:00.
    Case("hvps", REAL, "accepted", "预约成功，将于2026年11月30日09:00后汇出", "预约",
         "预约汇出（大额支付）", when=FRIDAY_1730, amount="60000.00",
         absent=("实时到账", "已执行", "跨行转账成功")),
    Case("hvps", REAL, "ran_monday", "转账成功", "成功", "预约汇出（大额支付）",
         when=FRIDAY_1730, amount="60000.00"),
]


def _start(bank: World, case: Case):
    zhang = bank.zhang
    amount = Decimal(case.amount)
    if case.route == "own":
        return own_transfer_start(user=zhang, from_sub_account_id=World.main(bank.zhang_card).pk,
                                  to_sub_account_id=World.main(bank.zhang_passbook).pk,
                                  amount=amount, purpose="零用")
    if case.route == "intra":
        return intra_transfer_start(user=zhang, from_sub_account_id=World.main(bank.zhang_card).pk,
                                    mode=case.mode, amount=amount,
                                    payee_account=bank.li_card.number, payee_name="李娜",
                                    purpose="还款")
    payee = {"bank_failed": "6222000000004444", "no_answer": "6222000000007777"}.get(
        case.outcome, PAYEE_ACCOUNT)
    if case.outcome == "no_answer":
        get_clearing_adapter().script(payee, SimOutcome.TIMEOUT)
    return start(bank, amount=case.amount, mode=case.mode, payee_account=payee)


def _drain(bank: World, amount: str) -> None:
    """Spend from 张伟's card by another confirmed transfer, so that less is left than needed."""
    other = intra_transfer_start(user=bank.zhang, from_sub_account_id=World.main(bank.zhang_card).pk,
                                 mode=REAL, amount=Decimal(amount),
                                 payee_account=bank.li_card.number, payee_name="李娜")
    assert confirm(other, user=bank.zhang).status == OperationStatus.EXECUTED


def _run(bank: World, case: Case):
    with travel(case.when):
        operation = _start(bank, case)
        if case.outcome == "refused":
            _drain(bank, "50000.00")  # ¥80,000 − ¥50,000 leaves ¥30,000 for the ¥50,000 one
            with pytest.raises(BusinessError, match="账户余额不足"):
                confirm(operation, user=bank.zhang)
            operation.refresh_from_db()
            return operation
        done = confirm(operation, user=bank.zhang)
    if case.outcome == "ran":
        with travel(TUESDAY_NOON + timedelta(hours=2, minutes=1)):
            assert dispatch_due() == 1
    elif case.outcome == "ran_short":
        with travel(TUESDAY_NOON + timedelta(minutes=5)):
            _drain(bank, "79500.00")
        with travel(TUESDAY_NOON + timedelta(hours=2, minutes=1)):
            assert dispatch_due() == 1
    elif case.outcome == "ran_monday":
        with travel(MONDAY_0900):
            assert dispatch_due() == 1
    return done


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _one(pattern: str, body: str) -> str:
    found = re.findall(pattern, body, flags=re.S)
    assert len(found) == 1, (pattern, found)
    return _text(found[0])


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.route}-{c.mode}-{c.outcome}")
def test_the_result_page_says_what_happened(client, inter, case):
    done = _run(inter, case)
    client.force_login(inter.zhang)
    response = client.get(reverse("security:confirm_result", args=[done.public_id]))
    assert response.status_code == 200
    body = response.content.decode()

    assert _one(r'class="result-title">(.*?)</p>', body) == case.headline
    assert _one(r'class="result-status">(.*?)</td>', body) == case.status
    if case.note:  # 余额不足 says what is available
        assert _one(r'class="result-note">(.*?)</p>', body) == case.note
    labels = [_text(label) for label in re.findall(r"<th>(.*?)</th>", body)]
    assert labels.count("交易状态") == 1
    assert len(labels) == len(set(labels)), f"a row shown twice: {labels}"
    rows = dict(zip(labels, (_text(v) for v in re.findall(r"</th><td[^>]*>(.*?)</td>", body)),
                    strict=True))
    assert rows["到账方式"] == case.arrival
    assert rows["金额"] == f"¥{Decimal(case.amount):,.2f}"
    for word in case.absent:
        assert word not in _text(body), word
    transfer = Transfer.objects.filter(operation=done).first()
    if transfer is not None:
        assert rows["交易流水号"] == transfer.number
        # One time row: done (完成时间) or, while it waits, accepted (受理时间); never both.
        assert ("完成时间" in rows) != ("受理时间" in rows), labels
        assert ("完成时间" in rows) == (transfer.executed_at is not None)
        assert transfer.get_status_display() == case.status
    else:  # refused at 确认: nothing was booked
        assert case.outcome == "refused" and done.status == OperationStatus.FAILED
