"""The digital token (数字令牌): a django-otp TOTP device (RFC 6238, SHA-1, 6 digits, 30 s).

The bank issues the token with its secret loaded; in this simulation the secret is shown as a
base32 string (the form authenticator apps read) on the issue slip and in the demo README.
django-otp remembers the time step of the last accepted code and accepts only later steps, so
each code works once; the check runs under a row lock on the device, so two requests racing with
the same code cannot both pass, and it commits on its own (commit_apart), so a code that was
accepted stays used — and a wrong one stays counted by django-otp's throttle — even when the
caller's transaction rolls back.
"""

import base64
import re
from functools import partial

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.models import SecurityTool, ToolKind, ToolStatus

from .errors import ToolError, commit_apart
from .usbkey import LIVE_STATUSES, tool_serial_new

TOKEN_DIGITS, TOKEN_STEP = 6, 30
_CODE_SHAPE = re.compile(r"[0-9]{6}")


@transaction.atomic
def token_issue(*, user, branch) -> SecurityTool:
    if SecurityTool.objects.filter(user=user, kind=ToolKind.TOKEN,
                                   status__in=LIVE_STATUSES).exists():
        raise ToolError("该客户已有有效的数字令牌，如需新令牌请办理更换")
    serial = tool_serial_new(prefix="TK")
    device = TOTPDevice.objects.create(
        user=user, name=f"数字令牌 {serial}", confirmed=True,
        digits=TOKEN_DIGITS, step=TOKEN_STEP, tolerance=1,
    )
    return SecurityTool.objects.create(user=user, kind=ToolKind.TOKEN, serial=serial,
                                       status=ToolStatus.ACTIVE, branch=branch,
                                       totp_device=device)


def token_secret_base32(*, tool: SecurityTool) -> str:
    """The token's secret as authenticator apps (and pyotp) take it: base32 of the key bytes."""
    if tool.kind != ToolKind.TOKEN or tool.totp_device_id is None:
        raise ToolError("该安全认证工具不是数字令牌")
    key = TOTPDevice.objects.values_list("key", flat=True).get(pk=tool.totp_device_id)
    return base64.b32encode(bytes.fromhex(key)).decode()


def token_verify(*, tool: SecurityTool, code: str) -> bool:
    """True once per code of an ACTIVE token; anything else (wrong, reused, inactive) is False."""
    current = SecurityTool.objects.filter(pk=tool.pk).first()
    if (current is None or current.kind != ToolKind.TOKEN
            or current.status != ToolStatus.ACTIVE or current.totp_device_id is None):
        return False
    code = (code or "").strip()
    if not _CODE_SHAPE.fullmatch(code):  # int() would take "１２３４５６" or " 12345"
        return False
    return commit_apart(partial(_device_verify, device_id=current.totp_device_id, code=code))


def _device_verify(*, device_id: int, code: str) -> bool:
    device = TOTPDevice.objects.select_for_update().get(pk=device_id)
    if not device.confirmed:
        return False
    return device.verify_token(code)
