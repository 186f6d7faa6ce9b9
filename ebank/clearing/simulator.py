"""A simulated IBPS/HVPS and the other banks behind them: deterministic, and told what to do.

Default answers by the payee account's last four digits (so a demo needs no setup):

    …4444  FAILED    收款人账号与户名不符
    …6666  FAILED    收款行账户已销户
    …5555  ACCEPTED, then returned (退汇) with 收款人账户已冻结 at the next poll_returns()
    other  SUCCESS

``script(payee_account, outcome, reason)`` overrides the default for one account;
``set_maintenance(channel, True)`` closes a channel ("清算行已退出"). A closed IBPS still takes an
instruction that names a receiving branch (填写收款网点), as the manual allows.

The state lives in the database (see ``models``): the web process, the Celery workers and the
tests then see the same switches, and polling a return is part of the caller's transaction.
"""

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .adapters import (
    CHANNEL_CLOSED_MESSAGE,
    AnswerOutcome,
    ChannelStatus,
    ClearingAdapter,
    ClearingAnswer,
    ClearingTimeout,
    OutwardInstruction,
    ReturnNotice,
)
from .models import SimulatedChannel, SimulatedInstruction, SimulatedScript
from .routing import Channel


class SimOutcome(models.TextChoices):
    SUCCESS = "SUCCESS", "成功"
    FAILED = "FAILED", "失败"
    RETURNED = "RETURNED", "受理后退汇"
    TIMEOUT = "TIMEOUT", "超时"


DEFAULT_RULES: dict[str, tuple[SimOutcome, str]] = {
    "4444": (SimOutcome.FAILED, "收款人账号与户名不符"),
    "6666": (SimOutcome.FAILED, "收款行账户已销户"),
    "5555": (SimOutcome.RETURNED, "收款人账户已冻结"),
}
DEFAULT_REASONS = {
    SimOutcome.FAILED: "收款行拒绝入账",
    SimOutcome.RETURNED: "收款行退回",
}


class SimulatedClearing(ClearingAdapter):
    _OUTCOMES = {
        SimOutcome.SUCCESS: AnswerOutcome.SUCCESS,
        SimOutcome.FAILED: AnswerOutcome.FAILED,
        SimOutcome.RETURNED: AnswerOutcome.ACCEPTED,
    }

    # --- the adapter interface --------------------------------------------------------------------

    def status(self, channel: Channel) -> ChannelStatus:
        channel = Channel(channel)
        closed = SimulatedChannel.objects.filter(channel=channel, in_maintenance=True).exists()
        return ChannelStatus(channel, open=not closed, message=CHANNEL_CLOSED_MESSAGE if closed else "")

    def send(self, instruction: OutwardInstruction) -> ClearingAnswer:
        first = SimulatedInstruction.objects.filter(reference=instruction.reference).first()
        if first is not None:
            return ClearingAnswer(first.reference, AnswerOutcome(first.outcome), first.reason)

        channel = Channel(instruction.channel)
        bypass = channel == Channel.IBPS and bool(instruction.payee_branch_code.strip())
        if not self.status(channel).open and not bypass:
            # Not recorded: the instruction never entered the system, so the same reference may
            # be sent again once the channel is back.
            return ClearingAnswer(instruction.reference, AnswerOutcome.FAILED, CHANNEL_CLOSED_MESSAGE)

        outcome, reason = self._rule_for(instruction.payee_account)
        if outcome == SimOutcome.TIMEOUT:
            raise ClearingTimeout()
        answer_outcome = self._OUTCOMES[outcome]
        answer_reason = reason if outcome == SimOutcome.FAILED else ""
        try:
            with transaction.atomic():
                SimulatedInstruction.objects.create(
                    reference=instruction.reference,
                    channel=channel,
                    payee_account=instruction.payee_account,
                    amount=instruction.amount,
                    outcome=answer_outcome,
                    reason=answer_reason,
                    return_reason=reason if outcome == SimOutcome.RETURNED else "",
                )
        except IntegrityError:
            # A concurrent send of the same reference won: answer what it was answered.
            first = SimulatedInstruction.objects.get(reference=instruction.reference)
            return ClearingAnswer(first.reference, AnswerOutcome(first.outcome), first.reason)
        return ClearingAnswer(instruction.reference, answer_outcome, answer_reason)

    def send_many(self, instructions: list[OutwardInstruction]) -> list[ClearingAnswer | None]:
        """``send`` for many in a few statements: the instructions already received, the closed
        channels and the scripts read once each, the new instructions inserted in one statement
        (ON CONFLICT DO NOTHING) and read back, so a concurrent sender's first answer wins as
        in ``send``. Same answers as ``send`` one by one."""
        if not instructions:
            return []
        references = [i.reference for i in instructions]
        stored = {i.reference: i for i in SimulatedInstruction.objects.filter(reference__in=references)}
        closed = set(SimulatedChannel.objects.filter(in_maintenance=True)
                     .values_list("channel", flat=True))
        scripts = {s.payee_account: (SimOutcome(s.outcome), s.reason)
                   for s in SimulatedScript.objects.filter(
                       payee_account__in={i.payee_account for i in instructions})}
        answers: dict[str, ClearingAnswer | None] = {}
        new = {}
        for instruction in instructions:
            reference = instruction.reference
            if reference in stored or reference in answers or reference in new:
                continue
            channel = Channel(instruction.channel)
            bypass = channel == Channel.IBPS and bool(instruction.payee_branch_code.strip())
            if channel in closed and not bypass:
                answers[reference] = ClearingAnswer(reference, AnswerOutcome.FAILED,
                                                    CHANNEL_CLOSED_MESSAGE)
                continue
            outcome, reason = scripts.get(instruction.payee_account) or self._default_rule(
                instruction.payee_account)
            if outcome == SimOutcome.TIMEOUT:
                answers[reference] = None
                continue
            new[reference] = SimulatedInstruction(
                reference=reference, channel=channel, payee_account=instruction.payee_account,
                amount=instruction.amount, outcome=self._OUTCOMES[outcome],
                reason=reason if outcome == SimOutcome.FAILED else "",
                return_reason=reason if outcome == SimOutcome.RETURNED else "")
        if new:
            SimulatedInstruction.objects.bulk_create(new.values(), ignore_conflicts=True)
            # Read back: where a concurrent send of a reference won, its answer is the answer.
            stored.update({i.reference: i for i in
                           SimulatedInstruction.objects.filter(reference__in=list(new))})
        for reference, first in stored.items():
            answers.setdefault(reference, ClearingAnswer(first.reference,
                                                         AnswerOutcome(first.outcome),
                                                         first.reason))
        return [answers[reference] for reference in references]

    def poll_returns(self) -> list[ReturnNotice]:
        with transaction.atomic():
            # skip_locked: two pollers never deliver the same return (PostgreSQL; SQLite
            # serialises writers anyway).
            pending = list(
                SimulatedInstruction.objects.select_for_update(skip_locked=True)
                .filter(returned_at__isnull=True)
                .exclude(return_reason="")
                .order_by("id")
            )
            if pending:
                SimulatedInstruction.objects.filter(pk__in=[i.pk for i in pending]).update(
                    returned_at=timezone.now()
                )
        return [ReturnNotice(i.reference, i.return_reason) for i in pending]

    # --- what tests, demos and staff tell the simulator ------------------------------------------

    def set_maintenance(self, channel: Channel, on: bool = True) -> None:
        SimulatedChannel.objects.update_or_create(
            channel=Channel(channel), defaults={"in_maintenance": on}
        )

    def script(self, payee_account: str, outcome: SimOutcome | str, reason: str = "") -> None:
        outcome = SimOutcome(outcome)
        reason = reason or DEFAULT_REASONS.get(outcome, "")
        SimulatedScript.objects.update_or_create(
            payee_account=payee_account, defaults={"outcome": outcome, "reason": reason}
        )

    def unscript(self, payee_account: str) -> None:
        SimulatedScript.objects.filter(payee_account=payee_account).delete()

    def reset(self) -> None:
        """Forget every switch, script and instruction."""
        SimulatedChannel.objects.all().delete()
        SimulatedScript.objects.all().delete()
        SimulatedInstruction.objects.all().delete()

    def sent(self, reference: str) -> SimulatedInstruction | None:
        """What the simulator received under ``reference`` (for tests and the demo)."""
        return SimulatedInstruction.objects.filter(reference=reference).first()

    def _rule_for(self, payee_account: str) -> tuple[SimOutcome, str]:
        scripted = SimulatedScript.objects.filter(payee_account=payee_account).first()
        if scripted is not None:
            return SimOutcome(scripted.outcome), scripted.reason
        return self._default_rule(payee_account)

    @staticmethod
    def _default_rule(payee_account: str) -> tuple[SimOutcome, str]:
        return DEFAULT_RULES.get(payee_account[-4:], (SimOutcome.SUCCESS, ""))
