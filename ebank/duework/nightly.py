"""The nightly batch (日终): the steps every app registers, and the loop that runs them in order.

An app keeps its steps in ``<app>/nightly.py`` and registers each with its place in the batch::

    # accounts/nightly.py
    from ebank.duework.nightly import nightly_step

    @nightly_step("loss_report_release", order=500, label="口头挂失五日自动解挂")
    def loss_release_step(business_date: date) -> int:
        ...
        return released          # the count the batch log and the admin page show

and imports that module from its ``AppConfig.ready()``, so every process (the command, the
Celery worker running the beat task) knows every step::

    class AccountsConfig(AppConfig):
        def ready(self):
            from . import nightly  # noqa: F401  (registers the nightly batch steps)

A step is ``fn(business_date) -> int | None``. It runs through
:func:`ebank.duework.services.batch_step_run`: once per (step, business date), in one transaction
with its DONE mark, so it may assume it is not running twice and that a crash rolls it back
whole. A step with a lot of work fans out into due work instead of doing it all in that one
transaction (docs/duework.md).

``order`` places the step in the batch (lower runs first; two steps may not share one). The
bands in use are listed in docs/duework.md: interest before maturities before statements, the
releases and clean-ups last.

:func:`nightly_batch_run` runs the registered steps for one business date, in order, stopping
at the first failure; a rerun skips the steps already DONE for that date and resumes at the
first one that is not. ``manage.py run_nightly_batch [--date YYYY-MM-DD]`` and the beat task
(:func:`ebank.duework.tasks.run_nightly_batch`) call it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ImproperlyConfigured

from ebank.core.clock import business_day

from .models import BatchStepRun, BatchStepStatus
from .services import batch_step_run

StepFn = Callable[[date], int | None]
STEP_NAME_MAX_LENGTH = 64  # BatchStepRun.step


@dataclass(frozen=True)
class NightlyStep:
    name: str
    order: int
    fn: StepFn
    label: str = ""  # what operators read on the admin page, e.g. 口头挂失五日自动解挂

    @property
    def qualname(self) -> str:
        return f"{self.fn.__module__}.{self.fn.__qualname__}"


@dataclass(frozen=True)
class StepResult:
    """What one step did for the date: ``ran`` is False for a step DONE before this run.

    ``count`` and ``duration`` are the step's row's (for a skipped step: those of the run that
    did it); ``error`` is set for the step the batch stopped at.
    """

    name: str
    ran: bool
    status: str
    count: int | None
    duration: timedelta | None
    error: str = ""


_steps: dict[str, NightlyStep] = {}


def nightly_step(name: str, *, order: int, label: str = "") -> Callable[[StepFn], StepFn]:
    """Register the decorated function as the nightly step ``name`` at place ``order``;
    ``label`` is its Chinese name on the admin page (日终批处理步骤)."""
    if not name or len(name) > STEP_NAME_MAX_LENGTH:
        raise ImproperlyConfigured(
            f"nightly step name must be 1–{STEP_NAME_MAX_LENGTH} characters: {name!r}")
    if not isinstance(order, int) or isinstance(order, bool):
        raise ImproperlyConfigured(f"nightly step {name!r}: order must be an int, got {order!r}")

    def register(fn: StepFn) -> StepFn:
        step = NightlyStep(name=name, order=order, fn=fn, label=label)
        existing = _steps.get(name)
        # The same function again is a re-import (e.g. autoreload); another one is a clash
        # that would silently change what the batch does.
        if existing is not None and existing.qualname != step.qualname:
            raise ImproperlyConfigured(
                f"nightly step {name!r} is already registered by {existing.qualname}")
        same_place = [other.name for other in _steps.values()
                      if other.order == order and other.name != name]
        if same_place:
            raise ImproperlyConfigured(
                f"nightly step {name!r}: order {order} is already taken by {same_place[0]!r}")
        _steps[name] = step
        return fn

    return register


def step_label(name: str) -> str:
    """The step's Chinese label and its name, e.g. 口头挂失五日自动解挂（loss_report_release）; the
    name alone for a step no app registers (any more) or one without a label."""
    step = _steps.get(name)
    return f"{step.label}（{name}）" if step is not None and step.label else name


def registered_steps() -> list[NightlyStep]:
    """Every registered step, in the order the batch runs them."""
    return sorted(_steps.values(), key=lambda step: step.order)


def default_business_date() -> date:
    """The day the batch closes: yesterday in Asia/Shanghai (it runs shortly after midnight)."""
    return business_day() - timedelta(days=1)


def nightly_batch_run(*, business_date: date, steps: Sequence[NightlyStep] | None = None,
                      progress: Callable[[StepResult], None] | None = None) -> list[StepResult]:
    """Run ``steps`` (default: every registered one) in order for ``business_date``.

    ``progress`` is called after each step with its :class:`StepResult`, also for the step
    that failed, before its exception propagates: the batch stops there, and a rerun resumes
    at the first step not DONE.
    """
    results = []
    for step in registered_steps() if steps is None else steps:
        try:
            ran = batch_step_run(step=step.name, business_date=business_date, fn=step.fn)
        except Exception:
            if progress is not None:
                progress(_result(step, business_date, ran=True))
            raise
        result = _result(step, business_date, ran=ran)
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def _result(step: NightlyStep, business_date: date, *, ran: bool) -> StepResult:
    run = BatchStepRun.objects.get(step=step.name, business_date=business_date)
    return StepResult(name=step.name, ran=ran, status=run.status, count=run.count,
                      duration=run.duration,
                      error=run.last_error if run.status == BatchStepStatus.FAILED else "")
