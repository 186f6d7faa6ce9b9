"""The kinds of request that need 复核, each registered by the module that owns the change::

    @approval_kind("limit.branch", label="行社限额调整",
                   approver_roles=(Role.SUPERVISOR, Role.HEAD_OFFICE))
    def branch_limit_apply(*, request, checker) -> dict:
        ...   # runs inside the approval's transaction; raise BusinessError to refuse

The executor makes the change from ``request.payload`` and returns what the result shows (e.g.
``{"receipt": "SL…"}``). It runs only after the approval service has checked that the checker
is not the maker, has one of ``approver_roles`` and may act for the request's branch.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from ..roles import Role

Executor = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class ApprovalKind:
    code: str
    label: str
    approver_roles: tuple[str, ...]
    executor: Executor


_kinds: dict[str, ApprovalKind] = {}


def approval_kind(code: str, *, label: str,
                  approver_roles: tuple[str, ...] = (Role.SUPERVISOR, Role.HEAD_OFFICE)
                  ) -> Callable[[Executor], Executor]:
    if not code or len(code) > 40:
        raise ImproperlyConfigured(f"复核事项代码须为1-40个字符: {code!r}")
    if not approver_roles or any(role not in Role.values for role in approver_roles):
        raise ImproperlyConfigured(f"复核事项 {code!r} 的复核角色无效: {approver_roles!r}")

    def register(executor: Executor) -> Executor:
        existing = _kinds.get(code)
        name = f"{executor.__module__}.{executor.__qualname__}"
        if existing is not None and (f"{existing.executor.__module__}."
                                     f"{existing.executor.__qualname__}") != name:
            raise ImproperlyConfigured(f"复核事项 {code!r} 已注册")
        _kinds[code] = ApprovalKind(code=code, label=label, approver_roles=tuple(approver_roles),
                                    executor=executor)
        return executor

    return register


def approval_kind_get(code: str) -> ApprovalKind:
    try:
        return _kinds[code]
    except KeyError:
        raise ImproperlyConfigured(f"未注册的复核事项 {code!r}") from None


def approval_kinds() -> dict[str, ApprovalKind]:
    return dict(_kinds)


def approval_kind_label(code: str) -> str:
    kind = _kinds.get(code)
    return kind.label if kind is not None else code
