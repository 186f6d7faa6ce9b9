"""The registry of counter actions: what the 柜面业务 page offers and the action page runs.

Each action is a :class:`CounterActionSpec` registered under its code with
``counter_action(code, spec)`` — the code is the value its slips carry, a ``CounterAction``
member or a menu app's own TextChoices member (its label is the page's title and menu entry). ``applies(state)`` decides from one
:class:`~.state.CustomerState` snapshot whether the action applies *now*; the menu shows only
those, and the action page refuses the others even when reached by URL or a crafted POST. The
services still check everything again under the row lock: a rule here is what the teller is
offered, not the guard.

Another module adds an action by calling ``counter_action`` when it is imported (from its
AppConfig.ready(), like the other registries of docs/new-menu-app.md)::

    counter_action(CounterAction.LOSS_WRITTEN, CounterActionSpec(
        form=WrittenLossForm, run=lambda staff, customer, data: loss_written(...),
        applies=lambda state: any(m.status == MediumStatus.ORAL_LOSS for m in state.media),
        unavailable="该客户没有口头挂失的卡（账户）", note="…"))

The menu lists actions in registration order (the built-ins below first).
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.core.exceptions import ImproperlyConfigured

from accounts.models import Customer
from ebank.core.audit import audit_actions
from security.models import CounterAction, CounterReceipt, User
from security.models.counter import counter_action_label_register

from . import forms as counter_forms
from . import services as counter
from .state import NOT_REGISTERED, CustomerState


@dataclass(frozen=True)
class CounterActionSpec:
    form: type[counter_forms.IdentityForm]
    # (teller, customer, the form's cleaned_data) → the 业务受理单; raises BusinessError to refuse.
    run: Callable[[User, Customer, dict], CounterReceipt]
    applies: Callable[[CustomerState], bool]
    # Why the action does not apply, shown when it is reached anyway (by URL or POST).
    unavailable: str
    note: str = ""
    # Filled in by ``counter_action``.
    code: str = ""
    label: str = ""


COUNTER_ACTIONS: dict[str, CounterActionSpec] = {}


def counter_action(code: str, spec: CounterActionSpec) -> CounterActionSpec:
    """Register ``spec`` as the counter action ``code``: a ``CounterAction`` member, or a menu
    app's own TextChoices member (its label is the action's), or a code with ``spec.label``.
    The label is registered for the slips (``CounterReceipt.action``) and the audit log."""
    if code in COUNTER_ACTIONS:
        raise ImproperlyConfigured(f"counter action {code!r} is registered twice")
    label = spec.label or getattr(code, "label", None)
    if not label and str(code) in CounterAction.values:
        label = CounterAction(code).label
    if not label:
        raise ImproperlyConfigured(f"counter action {code!r} has no label")
    registered = replace(spec, code=str(code), label=str(label))
    counter_action_label_register(registered.code, registered.label)
    audit_actions({f"counter_{registered.code}": f"{registered.label}（柜面）"})
    COUNTER_ACTIONS[registered.code] = registered
    return registered


def counter_action_get(code: str) -> CounterActionSpec | None:
    return COUNTER_ACTIONS.get(code)


def counter_actions_applicable(state: CustomerState) -> list[CounterActionSpec]:
    return [spec for spec in COUNTER_ACTIONS.values() if spec.applies(state)]


# --- the built-in actions (procedures §6–§19) ------------------------------------------------------


def _identity(data: dict) -> dict:
    return {key: data[key] for key in ("id_type", "id_number", "id_copy_received")}


counter_action(CounterAction.REGISTER, CounterActionSpec(
    counter_forms.RegisterForm,
    lambda staff, customer, d: counter.counter_register(
        acting_user=staff, customer=customer, medium=d["medium"], **_identity(d),
        initial_password=d["initial_password"], tool_kind=d["tool_kind"] or None,
        cert_password=d["cert_password"] or None, single_limit=d.get("single_limit"),
        daily_limit=d.get("daily_limit")),
    applies=lambda s: s.user_status == NOT_REGISTERED and bool(s.registrable_media),
    unavailable="该客户已开通网上银行，或没有可注册的正常状态借记卡、存折",
    note="首次登录名为所选卡号；首次登录须修改登录密码。"))

counter_action(CounterAction.QUERY, CounterActionSpec(
    counter_forms.IdentityForm,
    lambda staff, customer, d: counter.counter_query(
        acting_user=staff, customer=customer, **_identity(d)),
    applies=lambda s: True, unavailable=""))

counter_action(CounterAction.SUSPEND, CounterActionSpec(
    counter_forms.IdentityForm,
    lambda staff, customer, d: counter.counter_suspend(
        acting_user=staff, customer=customer, **_identity(d)),
    applies=lambda s: s.active, unavailable="该客户网上银行不在正常状态，不能暂停",
    note="暂停期间客户除注销外不能办理其他网上银行业务。"))

counter_action(CounterAction.RESUME, CounterActionSpec(
    counter_forms.IdentityForm,
    lambda staff, customer, d: counter.counter_resume(
        acting_user=staff, customer=customer, **_identity(d)),
    applies=lambda s: s.suspended, unavailable="该客户网上银行服务未暂停，无需恢复"))

counter_action(CounterAction.CANCEL, CounterActionSpec(
    counter_forms.IdentityForm,
    lambda staff, customer, d: counter.counter_cancel(
        acting_user=staff, customer=customer, **_identity(d)),
    applies=lambda s: s.active or s.suspended, unavailable="该客户未开通网上银行",
    note="注销后安全认证工具同时注销，关联账户解除。"))

counter_action(CounterAction.TOOL_ISSUE, CounterActionSpec(
    counter_forms.ToolIssueForm,
    lambda staff, customer, d: counter.counter_tool_issue(
        acting_user=staff, customer=customer, **_identity(d), kind=d["kind"],
        fee_medium=d["fee_medium"], cert_password=d["cert_password"] or None),
    applies=lambda s: s.active and bool(s.missing_tool_kinds),
    unavailable="该客户网上银行不在正常状态，或各类安全认证工具均已申领",
    note="工本费从扣费账户的活期主账户扣收，同时登记领取登记簿。"))

counter_action(CounterAction.TOOL_REPLACE, CounterActionSpec(
    counter_forms.ToolReplaceForm,
    lambda staff, customer, d: counter.counter_tool_replace(
        acting_user=staff, customer=customer, **_identity(d), kind=d["kind"],
        reason=d["reason"], fee_medium=d["fee_medium"],
        cert_password=d["cert_password"] or None),
    applies=lambda s: s.active and bool(s.live_tool_kinds),
    unavailable="该客户没有可更换的安全认证工具",
    note="原工具立即停用；更换比照申领收取工本费。"))

counter_action(CounterAction.TOOL_CANCEL, CounterActionSpec(
    counter_forms.ToolCancelForm,
    lambda staff, customer, d: counter.counter_tool_cancel(
        acting_user=staff, customer=customer, **_identity(d), kind=d["kind"]),
    applies=lambda s: s.active and bool(s.live_tool_kinds),
    unavailable="该客户没有可注销的安全认证工具"))

counter_action(CounterAction.TOOL_UNLOCK, CounterActionSpec(
    counter_forms.IdentityForm,
    lambda staff, customer, d: counter.counter_tool_unlock(
        acting_user=staff, customer=customer, **_identity(d)),
    applies=lambda s: s.active and s.usbkey_locked,
    unavailable="该客户的USBKey证书未锁定，无需解锁",
    note="USBKey证书密码连续错误6次锁定，须柜面解锁。"))

counter_action(CounterAction.PASSWORD_RESET, CounterActionSpec(
    counter_forms.PasswordResetForm,
    lambda staff, customer, d: counter.counter_password_reset(
        acting_user=staff, customer=customer, **_identity(d),
        new_password=d["new_password"]),
    applies=lambda s: s.active, unavailable="该客户网上银行不在正常状态，不能重置登录密码",
    note="重置后客户下次登录须修改密码，登录锁定同时解除。"))

counter_action(CounterAction.LOGIN_UNLOCK, CounterActionSpec(
    counter_forms.IdentityForm,
    lambda staff, customer, d: counter.counter_login_unlock(
        acting_user=staff, customer=customer, **_identity(d)),
    applies=lambda s: s.active and (s.login_locked or s.failed_logins > 0),
    unavailable="该客户登录未锁定，无需解锁"))

# Actions after which the customer may leave with a new digital token: show its key once.
TOKEN_ACTIONS = (CounterAction.REGISTER, CounterAction.TOOL_ISSUE, CounterAction.TOOL_REPLACE)
