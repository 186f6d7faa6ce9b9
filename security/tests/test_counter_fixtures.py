"""Shared fixtures of the counter and admin tests (imported by test_counter_* and test_admin_*).

Named personas: 张伟 and 李娜 are customers of 340101, 王芳 of 340201, 刘洋 of head office;
``teller_hf`` (柜员) and ``supervisor_hf`` (主管) work at 340101, ``teller_wh`` at 340201, ``hq`` at
head office (总行管理员, not superuser).

The tool engine (security/tools/services.py) is written in parallel; where it is not importable
yet, ``tools`` installs a stand-in with the same API that writes the same rows.
"""

import base64
import importlib
import itertools
import sys
import types
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import demo_medium_number, resident_id_number, seed_demo_bank
from accounts.models import Branch, Customer, IdType, Medium
from security.models import SecurityTool, ToolKind, ToolStatus, User
from security.staff.roles import Role, role_group_ensure

TOOLS_API = ("usbkey_issue", "token_issue", "token_secret_base32", "tool_for", "tool_unlock",
             "tool_cancel", "tool_mark_replaced", "bank_ca_ensure")
PASSWORD = "Kv8#river-Lamp"
STAFF_PASSWORD = "Staff#2026-test"

PEOPLE = {
    "张伟": ("3401010001", "34010419850312351", "340101", 1),
    "李娜": ("3401010002", "34010219900721462", "340101", 4),
    "王芳": ("3402010001", "34020219780205282", "340201", 6),
    "刘洋": ("3400000001", "34011119951130573", "340000", 7),
}


def _stand_in_tools() -> types.ModuleType:
    serials = itertools.count(1)
    live = [ToolStatus.ACTIVE, ToolStatus.LOCKED]

    def usbkey_issue(*, user, branch, cert_password):
        assert cert_password
        return SecurityTool.objects.create(
            user=user, kind=ToolKind.USBKEY, serial=f"UK{next(serials):08d}", branch=branch,
            certificate_serial="1234", not_after=timezone.now() + timedelta(days=730))

    def token_issue(*, user, branch):
        device = TOTPDevice.objects.create(user=user, name="数字令牌", confirmed=True)
        return SecurityTool.objects.create(user=user, kind=ToolKind.TOKEN, branch=branch,
                                           serial=f"TK{next(serials):08d}", totp_device=device)

    def token_secret_base32(*, tool):
        return base64.b32encode(tool.totp_device.bin_key).decode()

    def tool_for(*, user, kind):
        return SecurityTool.objects.filter(user=user, kind=kind, status__in=live).first()

    def _set(tool, **fields):
        for name, value in fields.items():
            setattr(tool, name, value)
        tool.save(update_fields=list(fields))

    module = types.ModuleType("security.tools.services")
    module.usbkey_issue = usbkey_issue
    module.token_issue = token_issue
    module.token_secret_base32 = token_secret_base32
    module.tool_for = tool_for
    module.tool_unlock = lambda *, tool: _set(tool, status=ToolStatus.ACTIVE, password_failures=0)
    module.tool_cancel = lambda *, tool: _set(tool, status=ToolStatus.CANCELLED)
    module.tool_mark_replaced = lambda *, tool: _set(tool, status=ToolStatus.REPLACED)
    module.bank_ca_ensure = lambda: None
    return module


def _real_tools():
    try:
        module = importlib.import_module("security.tools.services")
    except ImportError:
        return None
    return module if all(hasattr(module, name) for name in TOOLS_API) else None


@pytest.fixture
def tools(monkeypatch, db):
    real = _real_tools()
    if real is not None:
        real.bank_ca_ensure()
        return real
    import security.tools

    fake = _stand_in_tools()
    monkeypatch.setitem(sys.modules, "security.tools.services", fake)
    monkeypatch.setattr(security.tools, "services", fake, raising=False)
    return fake


@pytest.fixture
def bank(db, tools):
    seed_demo_bank()
    return {name: Customer.objects.get(cif_no=person[0]) for name, person in PEOPLE.items()}


def card_of(name: str) -> Medium:
    _cif, _body, branch_code, serial = PEOPLE[name]
    return Medium.objects.get(number=demo_medium_number(branch_code, serial))


def ident(name: str, **overrides) -> dict:
    identity = {"id_type": IdType.RESIDENT_ID,
                "id_number": resident_id_number(PEOPLE[name][1]), "id_copy_received": True}
    return {**identity, **overrides}


def make_staff(username: str, branch_code: str, role: str = Role.TELLER, **extra) -> User:
    user = User(username=username, branch=Branch.objects.get(code=branch_code), is_staff=True,
                **extra)
    user.set_password(STAFF_PASSWORD)
    user.save()
    user.groups.add(role_group_ensure(role))
    return user


@pytest.fixture
def teller_hf(bank):
    return make_staff("teller_hf", "340101", first_name="陈静")


@pytest.fixture
def supervisor_hf(bank):
    return make_staff("super_hf", "340101", role=Role.SUPERVISOR, first_name="吴刚")


@pytest.fixture
def teller_wh(bank):
    return make_staff("teller_wh", "340201")


@pytest.fixture
def hq(bank):
    return make_staff("hq_staff", "340000", role=Role.HEAD_OFFICE)


def register(name: str, teller: User, **extra) -> User:
    from security.staff.counter.services import counter_register

    kwargs = {"tool_kind": None, "cert_password": None, **extra}
    counter_register(acting_user=teller, customer=Customer.objects.get(cif_no=PEOPLE[name][0]),
                     medium=card_of(name), **ident(name), initial_password=PASSWORD, **kwargs)
    return User.objects.get(customer__cif_no=PEOPLE[name][0])


def otp_login(client, user) -> TOTPDevice:
    """Log ``user`` in with an OTP-verified session, as the admin's login form would."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
