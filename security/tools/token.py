"""The digital token (数字令牌): an OCRA challenge-response token (RFC 6287).

Dynamic linking (PSD2 RTS Art. 5): the confirmation page shows an 8-digit 挑战码 derived from
the operation's payload digest and nonce (:func:`token_challenge`); the customer keys it into
the token, which answers with six digits, OCRA suite ``OCRA-1:HOTP-SHA1-6:QN08`` over the
token's secret. The answer is a function of this operation's challenge: a code read while
viewing a ¥1.00 operation does not confirm a ¥3.00 one, nor another operation with the same
payload (other nonce). The OCRA computation is the ``oath`` package's (``str2ocrasuite``); this
module only derives the challenge and keeps the counts.

The token's secret (20 random bytes) is kept in a django-otp ``TOTPDevice`` row linked from the
tool — the same store as before, so the counter's issue slip and tokens already handed out keep
their keys; django-otp's TOTP check is no longer used for customers (it stays for the staff
admin's 动态口令). A wrong answer is counted on the tool (``password_failures``) before the
answer is given (in the caller's transaction, which must commit it: security/tools/errors.py);
the sixth wrong
answer in a row locks the token until a teller unlocks it, as six wrong 证书密码 lock a USBKey;
a right answer resets the count.
"""

import base64
import hashlib
import hmac
import re
import secrets

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from oath import str2ocrasuite

from security.models import SecurityTool, ToolKind, ToolStatus

from .errors import ToolError, ToolLocked, tool_failure_record
from .usbkey import LIVE_STATUSES, tool_serial_new

TOKEN_OCRA_SUITE = "OCRA-1:HOTP-SHA1-6:QN08"  # noqa: S105 - a suite name, not a secret
TOKEN_DIGITS, TOKEN_CHALLENGE_DIGITS = 6, 8
TOKEN_MAX_FAILURES = 6
TOKEN_LOCKED_MESSAGE = "数字令牌已锁定，请携带有效身份证件到我行任意网点办理解锁"  # noqa: S105
_OCRA = str2ocrasuite(TOKEN_OCRA_SUITE)
_CODE_SHAPE = re.compile(r"[0-9]{6}")
_CHALLENGE_SHAPE = re.compile(r"[0-9]{8}")
_CHALLENGE_CONTEXT = b"ebank.token.challenge.v1:"


class TokenLocked(ToolLocked):
    code = "token_locked"
    default_message = TOKEN_LOCKED_MESSAGE


@transaction.atomic
def token_issue(*, user, branch) -> SecurityTool:
    if SecurityTool.objects.filter(user=user, kind=ToolKind.TOKEN,
                                   status__in=LIVE_STATUSES).exists():
        raise ToolError("该客户已有有效的数字令牌，如需新令牌请办理更换")
    serial = tool_serial_new(prefix="TK")
    # The device row holds the 20-byte secret (django-otp makes a random one); its TOTP fields
    # are not used for customer tokens.
    device = TOTPDevice.objects.create(user=user, name=f"数字令牌 {serial}", confirmed=True,
                                       digits=TOKEN_DIGITS)
    return SecurityTool.objects.create(user=user, kind=ToolKind.TOKEN, serial=serial,
                                       status=ToolStatus.ACTIVE, branch=branch,
                                       totp_device=device)


def token_secret_base32(*, tool: SecurityTool) -> str:
    """The token's secret in base32 (the issue slip and the demo README print it this way)."""
    return base64.b32encode(_token_key(tool)).decode()


def token_challenge(*, binding: bytes) -> str:
    """The 8-digit 挑战码 for an operation: SHA-256 of its ``payload_digest:nonce``, reduced.

    Deterministic, so the page shows the same challenge on every reload and the server needs to
    store nothing; it changes with any byte of the payload and with the nonce.
    """
    value = int.from_bytes(hashlib.sha256(_CHALLENGE_CONTEXT + binding).digest(), "big")
    return f"{value % 10 ** TOKEN_CHALLENGE_DIGITS:0{TOKEN_CHALLENGE_DIGITS}d}"


def token_answer(*, key: bytes, challenge: str) -> str:
    """What the token shows for ``challenge``: OCRA (RFC 6287) over the token's key."""
    if not isinstance(challenge, str) or not _CHALLENGE_SHAPE.fullmatch(challenge):
        raise ToolError("挑战码应为8位数字")
    return _OCRA(key, Q=challenge)


def token_answer_for(*, tool: SecurityTool, challenge: str) -> str:
    """DEMO/TESTS: the token's answer, computed from the stored secret (plays the device)."""
    return token_answer(key=_token_key(tool), challenge=challenge)


def token_verify(*, tool: SecurityTool, challenge: str, code: str) -> bool:
    """True when ``code`` is the token's answer to ``challenge`` and the token is ACTIVE.

    A wrong answer counts (written before this returns; a caller in a transaction commits it
    whatever it then refuses: security/tools/errors.py); the sixth in a row locks the token and raises
    :class:`TokenLocked`. A malformed code (not six ASCII digits) is False without counting.
    """
    current = SecurityTool.objects.filter(pk=tool.pk).first()
    if (current is None or current.kind != ToolKind.TOKEN
            or current.totp_device_id is None):
        return False
    if current.status == ToolStatus.LOCKED:
        raise TokenLocked()
    if current.status != ToolStatus.ACTIVE:
        return False
    code = (code or "").strip()
    if not _CODE_SHAPE.fullmatch(code):  # int() would take "１２３４５６" or " 12345"
        return False
    with transaction.atomic():
        outcome = _answer_check(tool_id=current.pk, challenge=challenge, code=code)
    if outcome == "locked":
        raise TokenLocked()
    return outcome == "ok"


def _answer_check(*, tool_id: int, challenge: str, code: str) -> str:
    tool = (SecurityTool.objects.select_for_update(of=("self",)).select_related("user")
            .get(pk=tool_id))
    if tool.status == ToolStatus.LOCKED:
        return "locked"
    if tool.status != ToolStatus.ACTIVE:
        return "wrong"
    device = TOTPDevice.objects.filter(pk=tool.totp_device_id, confirmed=True).first()
    if device is None:
        return "wrong"
    expected = token_answer(key=bytes.fromhex(device.key), challenge=challenge)
    if hmac.compare_digest(expected, code):
        if tool.password_failures:
            tool.password_failures = 0
            tool.save(update_fields=["password_failures"])
        return "ok"
    tool_failure_record(tool, limit=TOKEN_MAX_FAILURES, wrong_action="token.answer_wrong",
                        locked_action="token.locked")
    return "locked" if tool.status == ToolStatus.LOCKED else "wrong"


def _token_key(tool: SecurityTool) -> bytes:
    if tool.kind != ToolKind.TOKEN or tool.totp_device_id is None:
        raise ToolError("该安全认证工具不是数字令牌")
    key = TOTPDevice.objects.values_list("key", flat=True).get(pk=tool.totp_device_id)
    return bytes.fromhex(key)


def token_challenge_random() -> str:
    """A random 8-digit challenge (for the demo page's example)."""
    return f"{secrets.randbelow(10 ** TOKEN_CHALLENGE_DIGITS):0{TOKEN_CHALLENGE_DIGITS}d}"
