"""The interface to the clearing systems (IBPS 网银互联, HVPS 大额支付) and the other banks behind them.

A transfer service asks ``status(channel)`` before offering the channel, ``send(instruction)``
when the transfer executes, and a periodic job calls ``poll_returns()`` to learn of transfers
the receiving bank sent back (退汇). ``get_clearing_adapter()`` returns the adapter the settings
name; in development and tests that is ``simulator.SimulatedClearing``.

Answers to ``send``:

* ``SUCCESS`` — the receiving bank credited the payee.
* ``FAILED`` — refused; the money never left (release the hold) and ``reason`` is shown to the
  customer as it is ("收款人账号与户名不符").
* ``ACCEPTED`` — the clearing system took the instruction and the money is gone, but the
  receiving bank has not credited it yet; treat it as sent. It may still come back: a
  ``ReturnNotice`` with the same reference then arrives through ``poll_returns()``.

``send`` is idempotent per ``reference``: sending the same reference again returns the first
answer and moves nothing twice, so a worker that crashed after sending may simply resend.
"""

import abc
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from ebank.core.errors import BusinessError

from .routing import Channel

CHANNEL_CLOSED_MESSAGE = "清算行已退出"


class AnswerOutcome(models.TextChoices):
    SUCCESS = "SUCCESS", "汇款成功"
    FAILED = "FAILED", "汇款失败"
    ACCEPTED = "ACCEPTED", "已汇出"


class ClearingTimeout(BusinessError):
    """No answer in time. The instruction may or may not have gone: resend the same reference."""

    code = "clearing_timeout"
    default_message = "清算系统响应超时，请稍后查询交易结果"


@dataclass(frozen=True)
class ChannelStatus:
    channel: Channel
    open: bool
    message: str = ""  # for the customer when closed, e.g. "清算行已退出"


@dataclass(frozen=True)
class OutwardInstruction:
    reference: str  # unique per transfer: the idempotency key of the send
    channel: Channel
    amount: Decimal
    payer_account: str
    payer_name: str
    payee_account: str
    payee_name: str
    payee_bank_code: str  # 12-digit 联行号 of the payee's bank
    # 收款网点 the customer filled in (填写收款网点) so IBPS maintenance can be bypassed.
    payee_branch_code: str = ""
    purpose: str = ""


@dataclass(frozen=True)
class ClearingAnswer:
    reference: str
    outcome: AnswerOutcome
    reason: str = ""


@dataclass(frozen=True)
class ReturnNotice:
    reference: str
    reason: str  # for the customer, e.g. "收款人账户已冻结"


class ClearingAdapter(abc.ABC):
    @abc.abstractmethod
    def status(self, channel: Channel) -> ChannelStatus: ...

    @abc.abstractmethod
    def send(self, instruction: OutwardInstruction) -> ClearingAnswer: ...

    def send_many(self, instructions: list[OutwardInstruction]) -> list[ClearingAnswer | None]:
        """Send several instructions; their answers in the same order (批量跨行转账 sends a
        chunk's this way). ``None`` for one that timed out (:class:`ClearingTimeout` from
        ``send``): nobody knows whether it went, resend the same reference later. Idempotent
        per reference as ``send``. The default sends one by one; an adapter may do better.
        """
        answers: list[ClearingAnswer | None] = []
        for instruction in instructions:
            try:
                answers.append(self.send(instruction))
            except ClearingTimeout:
                answers.append(None)
        return answers

    @abc.abstractmethod
    def poll_returns(self) -> list[ReturnNotice]:
        """Returns not yet delivered; each is delivered once (in the caller's transaction)."""


def get_clearing_adapter() -> ClearingAdapter:
    """The adapter ``settings.CLEARING_ADAPTER`` names, among the known ones.

    A fixed table rather than import_string: a typo fails loudly here, and go-to-definition
    finds the class.
    """
    from .simulator import SimulatedClearing  # the simulator imports this module

    known: dict[str, type[ClearingAdapter]] = {
        "ebank.clearing.simulator.SimulatedClearing": SimulatedClearing,
    }
    path = settings.CLEARING_ADAPTER
    try:
        adapter_class = known[path]
    except KeyError:
        raise ImproperlyConfigured(
            f"CLEARING_ADAPTER={path!r} is not a known clearing adapter ({', '.join(known)})"
        ) from None
    return adapter_class()
