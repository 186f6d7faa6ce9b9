"""The ledger's business types (业务类型): which kinds of entries there are, and their labels.

The ledger owns its core types (``BusinessType`` in models.py: 开户存入, 现金存入/支取, 手续费,
利息, 调账); each app registers its own from its ``AppConfig.ready()``, usually a TextChoices of
its models.py (transfers: 关联账户互转, 行内转账, 跨行转账, 跨行退汇; payments: 缴费)::

    def ready(self):
        business_types(TransferBusinessType)

``Entry.business_type`` takes its choices from :func:`business_type_choices`, a callable: the
migration names the callable, not the list, so a new product's types need no ledger migration.
The labels show in the admin, 交易明细 and receipts; an unregistered code is refused at posting
(:func:`business_type_require`, called by ``entry_post`` and ``funds_move``).
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from ebank.core.errors import BusinessError

# Entry.business_type's max_length.
CODE_MAX_LENGTH = 32

_labels: dict[str, str] = {}


def business_type(code: str, label: str) -> str:
    """Register ``code`` with its Chinese ``label``; returns ``code``.

    Registering the same code with the same label again is harmless (``ready()`` run twice);
    another label for a taken code is a programming error.
    """
    code, label = str(code), str(label)
    if not code or len(code) > CODE_MAX_LENGTH:
        raise ImproperlyConfigured(f"业务类型代码须为1-{CODE_MAX_LENGTH}个字符: {code!r}")
    existing = _labels.get(code)
    if existing is not None and existing != label:
        raise ImproperlyConfigured(f"业务类型 {code!r} 已注册为“{existing}”")
    _labels[code] = label
    return code


def business_types(choices: type[models.TextChoices]) -> None:
    """Register every member of a TextChoices (its value and label)."""
    for member in choices:
        business_type(member.value, member.label)


def business_type_choices() -> list[tuple[str, str]]:
    """Every registered (code, label): ``Entry.business_type``'s choices."""
    return list(_labels.items())


def business_type_label(code: str) -> str:
    """The label of ``code``; the code itself for one no app registers (any more)."""
    return _labels.get(code, code)


class UnknownBusinessType(BusinessError):
    code = "unknown_business_type"
    default_message = "未知的业务类型"


def business_type_require(code: str) -> None:
    """Refuse a code no app registered: an entry of an unknown kind is never posted."""
    if code not in _labels:
        raise UnknownBusinessType(
            f"未知的业务类型“{code}”：请在该应用的 AppConfig.ready() 中注册 (business_type)")
