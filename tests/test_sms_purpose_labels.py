"""Every SMS purpose the code sends with has a Chinese name (security.tools.sms's table, or the
operation kind's title for a confirmation code), so the admin's 短信发件箱 never shows a code
such as ``transfers.intra``."""

import ast

import pytest
from django.core.exceptions import ImproperlyConfigured

from security.confirm.registry import operation_kinds
from security.tools import sms
from security.tools.sms import sms_backend_label, sms_purpose_label, sms_purpose_labelled
from tests.source_scan import ROOT, call_name, source_files

# The functions that take an SMS purpose (security.tools.sms).
SMS_FUNCTIONS = {"sms_send", "sms_code_issue", "sms_code_verify", "sms_code_wait_seconds",
                 "subscriber_sms_send"}
# An attribute passed as the purpose: the operation kinds (X-CONFIRM), all checked below.
KIND_ATTRIBUTES = {"kind"}


def _assigned_strings(tree) -> dict[str, ast.expr]:
    """name → the expression last assigned to it anywhere in the file (constants and locals)."""
    assigned: dict[str, ast.expr] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned[target.id] = node.value
    return assigned


def _purposes(node, assigned, where) -> list[str]:
    """The purpose codes an expression can give ("kind:*" for an operation kind)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name):
        if node.id in assigned and assigned[node.id] is not node:
            return _purposes(assigned[node.id], {k: v for k, v in assigned.items()
                                                 if k != node.id}, where)
        raise AssertionError(f"{where}: cannot tell the SMS purpose {node.id!r}")
    if isinstance(node, ast.Attribute) and node.attr in KIND_ATTRIBUTES:
        return ["kind:*"]
    if isinstance(node, ast.Subscript):  # f"…"[:32]
        return _purposes(node.value, assigned, where)
    if isinstance(node, ast.JoinedStr):  # f"{PURPOSE_BALANCE_ALERT}:{entry_id}"
        first = node.values[0]
        head = first.value if isinstance(first, ast.FormattedValue) else first
        return [f"{code}:…" for code in _purposes(head, assigned, where)]
    raise AssertionError(f"{where}: cannot tell the SMS purpose {ast.unparse(node)}")


def used_purposes() -> dict[str, str]:
    """Every purpose the code passes to the SMS functions → where (file:line)."""
    found: dict[str, str] = {}
    for path in source_files():
        if path.relative_to(ROOT).as_posix() == "security/tools/sms.py":
            continue  # passes its callers' purpose on
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assigned = _assigned_strings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and call_name(node.func) in SMS_FUNCTIONS:
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                for keyword in node.keywords:
                    if keyword.arg == "purpose":
                        for purpose in _purposes(keyword.value, assigned, where):
                            found.setdefault(purpose, where)
    return found


def test_the_scan_finds_the_purposes_of_every_sender():
    purposes = used_purposes()
    for purpose in ("register", "phone_change", "mobile_banking", "balance_alert:…",
                    "transfer_failed", "kind:*"):
        assert purpose in purposes, purposes


def test_every_purpose_the_code_sends_with_has_a_chinese_label():
    missing = [f"{purpose} ({where})" for purpose, where in sorted(used_purposes().items())
               if purpose != "kind:*" and sms_purpose_labelled(purpose.replace("…", "1")) is None]
    assert not missing, "name these in security.tools.sms (sms_purposes() from the app's " \
        "ready()):\n" + "\n".join(missing)


def test_every_operation_kind_reads_as_a_confirmation_of_its_title():
    kinds = operation_kinds()
    assert "transfers.intra" in kinds
    for name, kind in kinds.items():
        assert sms_purpose_label(name) == f"交易确认：{kind.title}"


def test_labels_as_the_outbox_shows_them():
    assert sms_purpose_label("transfers.intra") == "交易确认：行内转账"
    assert sms_purpose_label("balance_alert:42") == "余额变动提醒"
    assert sms_purpose_label("transfer_failed") == "转账失败通知"
    assert sms_purpose_label("register") == "个人网上银行自助注册"
    assert sms_purpose_label("something.new") == "网上银行业务"
    for backend in sms.SMS_BACKENDS.values():
        assert not sms_backend_label(backend.name).isascii(), backend.name


def test_a_second_label_for_a_purpose_is_refused(monkeypatch):
    monkeypatch.setattr(sms, "SMS_PURPOSE_LABELS", dict(sms.SMS_PURPOSE_LABELS))
    sms.sms_purposes({"register": "个人网上银行自助注册"})  # ready() twice: harmless
    with pytest.raises(ImproperlyConfigured, match="已注册"):
        sms.sms_purposes({"register": "注册"})
