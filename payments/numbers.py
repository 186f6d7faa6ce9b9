"""缴费号码 of each kind (户号, 电话号码, 缴税凭证号): normalised and checked before anything is
saved or sent to a biller. Public: the 缴费登记簿 uses it, and so may the pay pages.

Full-width characters (a Chinese input method's ０-９, Ａ-Ｚ, －) are read as their ASCII forms.

* 水费 / 电费 / 煤气 / 供暖 — 户号: 5–20 digits or letters (spaces dropped, letters upper-cased),
  maybe in groups joined by ``-`` (kept: ``12-30501`` and ``123-0501`` are two different 户号).
* 移动 — a mobile number: 11 digits starting 13–19 (``139-5511-0001`` is kept as ``13955110001``).
* 铁通 / 联通 / 电信 — a mobile number, or a fixed line: 区号 and number, 10–12 digits starting
  with 0 (``0551-62881234`` is kept as ``055162881234``).
* 申报扣税 — 缴税凭证号: 10–32 digits or letters.
"""

import re
import unicodedata

from ebank.core.errors import BusinessError

from .models import BillKind

_SPACES = re.compile(r"[\s\u3000]+")
_HOUSEHOLD = re.compile(r"[0-9A-Z]+(?:-[0-9A-Z]+)*")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_FIXED_LINE = re.compile(r"0[1-9][0-9]{8,10}")
_TAX_VOUCHER = re.compile(r"[0-9A-Z]{10,32}")

UTILITY_KINDS = (BillKind.WATER, BillKind.POWER, BillKind.GAS, BillKind.HEATING)
MOBILE_ONLY_KINDS = (BillKind.MOBILE,)
FIXED_LINE_KINDS = (BillKind.TIETONG, BillKind.UNICOM, BillKind.TELECOM)


class CustomerNoInvalid(BusinessError):
    code = "customer_no_invalid"
    default_message = "缴费号码格式不正确"


def customer_no_label(kind: str) -> str:
    """What the 缴费号码 is called for ``kind``: 户号, 手机号码, 电话号码 or 缴税凭证号."""
    if kind == BillKind.TAX:
        return "缴税凭证号"
    if kind in FIXED_LINE_KINDS:
        return "电话号码"
    if kind in MOBILE_ONLY_KINDS:
        return "手机号码"
    return "户号"


def customer_no_normalise(kind: str, raw: str) -> str:
    """The 缴费号码 as stored and sent (no spaces; full-width read as ASCII; letters upper-cased;
    a telephone number without its ``-``), or :class:`CustomerNoInvalid` with the rule in Chinese."""
    if kind not in BillKind.values:
        raise BusinessError("请选择缴费类型", code="kind_required")
    value = _SPACES.sub("", unicodedata.normalize("NFKC", raw or "")).upper()
    if not value:
        raise CustomerNoInvalid(f"请输入{customer_no_label(kind)}")
    if kind in UTILITY_KINDS:
        if not (_HOUSEHOLD.fullmatch(value) and len(value) <= 32  # BillBookEntry.customer_no
                and 5 <= len(value.replace("-", "")) <= 20):
            raise CustomerNoInvalid("户号应为5至20位数字或字母")
    elif kind in MOBILE_ONLY_KINDS:
        value = value.replace("-", "")
        if not _MOBILE.fullmatch(value):
            raise CustomerNoInvalid("手机号码应为以1开头的11位数字")
    elif kind in FIXED_LINE_KINDS:
        line = value.replace("-", "")
        if not (_MOBILE.fullmatch(line) or _FIXED_LINE.fullmatch(line)):
            raise CustomerNoInvalid("电话号码应为11位手机号码，或区号加电话号码（如0551-62881234）")
        value = line
    elif not _TAX_VOUCHER.fullmatch(value):
        raise CustomerNoInvalid("缴税凭证号应为10至32位数字或字母")
    return value
