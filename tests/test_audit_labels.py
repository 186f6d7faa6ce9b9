"""Every audit action the code records has a Chinese label (ebank.core.audit's table), so that
neither the admin's 审计日志 nor a customer's 网银日志查询 ever shows a code."""

import ast

import pytest
from django.core.exceptions import ImproperlyConfigured

from ebank.core import audit
from ebank.core.audit import audit_action_label, audit_action_labelled
from security.models import CounterAction
from security.models.counter import counter_action_choices
from tests.source_scan import ROOT, call_name, source_files

# Calls whose action= is not an audit action (argparse's store_true …).
NOT_AUDIT = {"add_argument"}
# f-string families and the codes they make (each must be labelled: by a rule or the table).
FAMILIES = {
    # every registered counter action: security's own and the menu apps' (counter_action)
    "counter_": [f"counter_{code}" for code, _label in counter_action_choices()],
    "admin_": ["admin_add", "admin_change", "admin_delete"],
    "approval.": [f"approval.{verb}" for verb in ("requested", "approved", "rejected", "failed",
                                                  "withdrawn", "refused")],
}


def _strings(node) -> list[str]:
    """The audit codes an expression can give: constants, both sides of an if-expression, and
    an f-string's family (its literal start)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    if isinstance(node, ast.JoinedStr):
        start = node.values[0]
        prefix = start.value if isinstance(start, ast.Constant) else ""
        if prefix not in FAMILIES:
            raise AssertionError(f"an audit action built by an f-string not in FAMILIES: "
                                 f"{ast.unparse(node)}")
        return FAMILIES[prefix]
    return []


def recorded_actions() -> dict[str, str]:
    """Every audit action written in the code → where (file:line)."""
    found: dict[str, str] = {}
    for path in source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            values = []
            if isinstance(node, ast.Call) and call_name(node.func) not in NOT_AUDIT:
                # audit_record and the helpers that pass an action on to it (_audit,
                # _login_password_check, tool_failure_record's wrong_action/locked_action …)
                values += [keyword.value for keyword in node.keywords
                           if keyword.arg == "action" or (keyword.arg or "").endswith("_action")]
            elif isinstance(node, ast.Assign):  # LOSS_REPORT_ACTION = "account_loss_report"
                values += [node.value for target in node.targets
                           if isinstance(target, ast.Name) and target.id.endswith("_ACTION")]
            elif isinstance(node, ast.Dict):
                values += [value for key, value in zip(node.keys, node.values, strict=True)
                           if isinstance(key, ast.Constant) and key.value == "action"]
            for value in values:
                for action in _strings(value):
                    found.setdefault(action, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_the_scan_finds_the_actions_of_every_app():
    actions = recorded_actions()
    # One of each app's, and the ones passed on as parameters or in batch dicts.
    for action in ("login", "account_link", "payee.add", "duework.retry", "limit_policy_set",
                   "token.locked", "account_loss_release", "counter_login_unlock"):
        assert action in actions, action
    assert len(actions) > 50


def test_every_recorded_action_has_a_label():
    missing = [f"{action} ({where})" for action, where in sorted(recorded_actions().items())
               if not audit_action_labelled(action)]
    assert not missing, "give these a label with audit_actions() in their app's ready():\n" + \
        "\n".join(missing)


def test_every_label_names_an_action_the_code_records():
    """No dead rows in the table: a label whose action nothing records any more goes with it."""
    recorded = recorded_actions()
    unused = sorted(code for code, _label in audit.audit_action_choices() if code not in recorded)
    assert not unused, unused


def test_labels_as_staff_and_customers_read_them():
    assert audit_action_label("login") == "登录"
    assert audit_action_label("counter_login_unlock") == \
        f"{CounterAction.LOGIN_UNLOCK.label}（柜面）"
    assert audit_action_label("confirm.executed", {"kind": "transfers.intra"}) == "交易确认：行内转账"
    assert audit_action_label("confirm.executed") == "交易确认"
    assert audit_action_label("admin_change") == "柜面维护（修改）"
    assert audit_action_label("no.such_action") == "no.such_action"  # shown as it is


def test_a_second_label_for_a_code_is_refused(monkeypatch):
    monkeypatch.setattr(audit, "_action_labels", dict(audit._action_labels))
    audit.audit_actions({"login": "登录"})  # ready() twice: harmless
    with pytest.raises(ImproperlyConfigured, match="已注册"):
        audit.audit_actions({"login": "登入"})
