"""柜面业务: one durable service per counter action of the procedures.

Every action, in one transaction:
1. checks the teller may act on the customer (own branch, or head office) — PermissionDenied;
2. locks the customer row, checks the original ID shown (type + number against the encrypted
   record's digest) and that its copy was received — BusinessError with a Chinese message;
3. makes the change (and, for tools, posts the fee through the ledger and writes the 领取登记簿);
4. writes the 业务受理单 (CounterReceipt, masked numbers only) and an audit row.

A refusal changes nothing; the admin view records it with ``counter_refusal_record``.
The 登录密码 a customer keys on the PIN pad arrives here as ``initial_password`` /
``new_password``; it is hashed at once and never stored, printed or logged.

Procedures §11: a suspended user can do nothing but be cancelled (or resumed at the counter),
so tool, password and unlock actions refuse a suspended user.
"""

from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Customer, LinkedMedium, Medium, MediumKind, MediumStatus
from ebank.core.errors import BusinessError
from ebank.core.masking import mask_account_number
from ebank.limits.models import LimitChannel, LimitLevel, LimitPolicy
from ebank.limits.services import limit_policy_set, limit_policy_validate
from security.models import (
    ApprovalRequest,
    CounterAction,
    CounterReceipt,
    MobileAgreementStatus,
    MobileBankingAgreement,
    RegistrationChannel,
    SecurityTool,
    ToolKind,
    ToolRegisterAction,
    ToolReplaceReason,
    ToolStatus,
    User,
    UserStatus,
)

from ..approvals.registry import approval_kind
from ..approvals.services import approval_pending, approval_request
from ..roles import Role
from .common import (
    amount_text,
    counter_record,
    customer_lock,
    fee_items,
    fee_medium_check,
    identity_check,
    identity_checked_row,
    register_entry_add,
    staff_branch,
    staff_scope_check,
    tool_fee_post,
    tool_label,
    user_of,
    user_sessions_end,
)
from .numbers import receipt_number_next

# Media that pay by 交易密码 and may be linked to e-banking (ACC-LINK); a credit card may not.
REGISTRABLE_KINDS = (MediumKind.DEBIT_CARD, MediumKind.CURRENT_PASSBOOK,
                     MediumKind.CURRENT_ONEBOOK, MediumKind.FIXED_ONEBOOK)


def _tools():
    # The tool engine (security/tools/services.py) is imported at call time: it is a sibling
    # module of this package that owns certificates and TOTP devices.
    from security.tools import services as tools

    return tools


def counter_begin(*, acting_user: User, customer: Customer, id_type: str, id_number: str,
                  id_copy_received: bool) -> Customer:
    """Every counter action's start: the scope, the customer's row locked, the ID checked."""
    staff_scope_check(staff=acting_user, customer=customer)
    customer = customer_lock(customer=customer)
    identity_check(customer=customer, id_type=id_type, id_number=id_number,
                   id_copy_received=id_copy_received)
    return customer


def _registered_user(*, customer: Customer, allow_suspended: bool = False) -> User:
    user = user_of(customer=customer)
    if user is None or user.status == UserStatus.CANCELLED:
        raise BusinessError("该客户未开通网上银行")
    if user.status == UserStatus.SUSPENDED and not allow_suspended:
        raise BusinessError("该客户网上银行服务已暂停，暂停期间只能办理注销或恢复")
    return user


def _password_check(password: str, user: User) -> None:
    if not password:
        raise BusinessError("请客户输入登录密码")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise BusinessError("；".join(exc.messages)) from exc


def login_name_shown(user: User) -> str:
    name = user.username
    return mask_account_number(name) if name.isdigit() and len(name) >= 12 else name


# --- STF-REGISTER 柜面注册 (procedures §6–§7) --------------------------------------------------------


@transaction.atomic(durable=True)
def counter_register(*, acting_user: User, customer: Customer, medium: Medium, id_type: str,
                     id_number: str, id_copy_received: bool, initial_password: str,
                     tool_kind: str | None = None, cert_password: str | None = None,
                     single_limit: Decimal | None = None, daily_limit: Decimal | None = None
                     ) -> CounterReceipt:
    """Open personal e-banking for ``customer`` with ``medium`` as its first linked account.

    The first 登录名 is the card number; ``initial_password`` is what the customer keyed on the
    PIN pad, and must be changed at first login. With ``tool_kind`` a USBKey (certificate
    protected by ``cert_password``) or a digital token is issued and its fee charged to
    ``medium``'s 活期主账户.

    限额管理 note 3: at signing the customer may set 对外转账 limits (``single_limit``,
    ``daily_limit``), within the branch's and the bank's; unset, the bank's maximum applies. A
    limit above them refuses the whole registration.
    """
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                      id_number=id_number, id_copy_received=id_copy_received)
    medium = Medium.objects.select_for_update().get(pk=medium.pk)
    if medium.customer_id != customer.pk:
        raise BusinessError("该卡（账户）不属于该客户")
    if medium.kind not in REGISTRABLE_KINDS:
        raise BusinessError(f"{medium.get_kind_display()}不能注册网上银行，请使用借记卡或存折")
    if medium.status != MediumStatus.NORMAL:
        raise BusinessError(f"该卡（账户）状态为{medium.get_status_display()}，不能注册网上银行")
    if tool_kind and tool_kind not in ToolKind.values:
        raise BusinessError("安全认证工具类型无效")
    if tool_kind == ToolKind.USBKEY and not cert_password:
        raise BusinessError("申领USBKey须由客户设置证书密码")
    _signing_limits_check(customer=customer, single_limit=single_limit, daily_limit=daily_limit)

    user = user_of(customer=customer)
    if user is not None and user.status != UserStatus.CANCELLED:
        raise BusinessError("该客户已开通网上银行，不能重复注册")
    taken = User.objects.filter(username=medium.number)
    if user is not None:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise BusinessError("该卡号已被用作其他用户的登录名")

    now = timezone.now()
    if user is None:
        user = User(customer=customer)
    else:
        # Re-registration after 注销: the login row is one per customer; start it afresh.
        user.failed_logins = 0
        user.login_locked_on = None
        user.pending_username = ""
        user.login_by_id_number = False
        user.login_by_phone = False
        user.reserved_message = ""
    user.username = medium.number
    user.status = UserStatus.ACTIVE
    user.registration_channel = RegistrationChannel.COUNTER
    user.registered_at = now
    user.registered_by = acting_user
    user.must_change_password = True
    user.first_name = customer.name[:150]
    _password_check(initial_password, user)
    user.set_password(initial_password)
    user.save()

    LinkedMedium.objects.filter(customer=customer).delete()
    LinkedMedium.objects.create(customer=customer, medium=medium, position=1)
    _signing_limits_set(customer=customer, staff=acting_user, single_limit=single_limit,
                        daily_limit=daily_limit)

    branch = staff_branch(staff=acting_user)
    number = receipt_number_next()
    items = [
        ["业务内容", "开通个人网上银行"],
        ["首次登录名", f"本人卡号 {medium.masked_number}"],
        ["关联账户", f"{medium.get_kind_display()} {medium.masked_number}"],
        ["首次登录", "须修改登录密码"],
        ["对外转账限额", signing_limits_text(single_limit=single_limit, daily_limit=daily_limit)],
    ]
    audit_detail = {"medium": medium.masked_number, "tool_kind": tool_kind or "",
                    "single_limit": str(single_limit) if single_limit is not None else None,
                    "daily_limit": str(daily_limit) if daily_limit is not None else None}
    if tool_kind:
        tool, tool_items = _tool_issue(user=user, customer=customer, kind=tool_kind,
                                       cert_password=cert_password, fee_medium=medium,
                                       staff=acting_user, branch=branch, number=number)
        items += tool_items
        audit_detail["tool_serial"] = tool.serial
    else:
        items.append(["安全认证工具", "未申领（仅开通查询及小额业务）"])
    return counter_record(action=CounterAction.REGISTER, customer=customer, staff=acting_user,
                          branch=branch, number=number, card_number=medium.number, items=items,
                          audit_detail=audit_detail)


def _signing_limits_check(*, customer: Customer, single_limit: Decimal | None,
                          daily_limit: Decimal | None) -> None:
    """Refuse limits above the branch's or the bank's before anything is written."""
    if single_limit is None and daily_limit is None:
        return
    limit_policy_validate(level=LimitLevel.CUSTOMER, scope=str(customer.pk),
                          branch_code=customer.branch.code, channel=LimitChannel.TRANSFER,
                          single_limit=single_limit, daily_limit=daily_limit)


def _signing_limits_set(*, customer: Customer, staff: User, single_limit: Decimal | None,
                        daily_limit: Decimal | None) -> None:
    """The customer's own 对外转账 limits as signed. Signing with none set after an earlier
    注销 clears the old ones: the signing decides (note 3, "如不设置，限额为…最大限额")."""
    if single_limit is None and daily_limit is None and not LimitPolicy.objects.filter(
            level=LimitLevel.CUSTOMER, scope=str(customer.pk), channel=LimitChannel.TRANSFER
    ).exclude(single_limit=None, daily_limit=None).exists():
        return
    limit_policy_set(level=LimitLevel.CUSTOMER, scope=str(customer.pk),
                     channel=LimitChannel.TRANSFER, branch_code=customer.branch.code,
                     single_limit=single_limit, daily_limit=daily_limit,
                     acting_user_id=staff.pk)


def signing_limits_text(*, single_limit: Decimal | None, daily_limit: Decimal | None) -> str:
    """"单笔 ¥50,000.00（大写：伍万元整），日累计 …" or "未设置（按行社限额）"."""
    if single_limit is None and daily_limit is None:
        return "未设置（按行社限额）"
    unset = "未设置（按行社限额）"
    return (f"单笔 {amount_text(single_limit) if single_limit is not None else unset}，"
            f"日累计 {amount_text(daily_limit) if daily_limit is not None else unset}")


# --- STF-QUERY 注册信息查询 (§9) ------------------------------------------------------------------------


def registration_items(*, customer: Customer) -> list[list[str]]:
    """What 注册信息查询 shows and prints: status, channel, login name (masked), links, tools."""
    user = User.objects.filter(customer=customer).first()
    if user is None:
        return [["网银状态", "未开通"]]
    local = timezone.localtime
    items = [
        ["网银状态", user.get_status_display()],
        ["注册渠道", user.get_registration_channel_display() or "—"],
        ["注册时间", f"{local(user.registered_at):%Y-%m-%d %H:%M}" if user.registered_at else "—"],
        ["登录名", login_name_shown(user)],
        ["登录状态", "已锁定" if user.login_locked_on else "正常"],
        ["首次登录须修改密码", "是" if user.must_change_password else "否"],
    ]
    links = LinkedMedium.objects.filter(customer=customer).select_related("medium")
    items.append(["关联账户", "；".join(
        f"{link.medium.get_kind_display()} {link.medium.masked_number}" for link in links) or "无"])
    tools = SecurityTool.objects.filter(user=user).exclude(
        status__in=[ToolStatus.REPLACED, ToolStatus.CANCELLED])
    items.append(["安全认证工具", "；".join(
        f"{tool_label(t)} {t.get_status_display()}" for t in tools) or "无"])
    mobile = MobileBankingAgreement.objects.filter(user=user).exclude(
        status=MobileAgreementStatus.CANCELLED).first()
    items.append(["手机银行", mobile.get_status_display() if mobile else "未签约"])
    return items


@transaction.atomic(durable=True)
def counter_query(*, acting_user: User, customer: Customer, id_type: str, id_number: str,
                  id_copy_received: bool) -> CounterReceipt:
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                      id_number=id_number, id_copy_received=id_copy_received)
    return counter_record(action=CounterAction.QUERY, customer=customer, staff=acting_user,
                          branch=staff_branch(staff=acting_user),
                          items=registration_items(customer=customer))


# --- STF-CANCEL 注销, STF-SUSPEND 暂停 and 恢复 (§8, §10–§12) ------------------------------------------


@transaction.atomic(durable=True)
def counter_cancel(*, acting_user: User, customer: Customer, id_type: str, id_number: str,
                   id_copy_received: bool) -> CounterReceipt:
    """End e-banking: the user is 注销, its tools cancelled, its links, mobile banking and session
    ended. The login row stays (history, audit) and can be registered again later."""
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                      id_number=id_number, id_copy_received=id_copy_received)
    user = _registered_user(customer=customer, allow_suspended=True)
    branch = staff_branch(staff=acting_user)
    tools = list(SecurityTool.objects.select_for_update().filter(
        user=user, status__in=[ToolStatus.ACTIVE, ToolStatus.LOCKED]))
    for tool in tools:
        _tools().tool_cancel(tool=tool)
        register_entry_add(tool=tool, action=ToolRegisterAction.CANCEL, staff=acting_user,
                           branch=branch)
    MobileBankingAgreement.objects.filter(user=user).exclude(
        status=MobileAgreementStatus.CANCELLED).update(status=MobileAgreementStatus.CANCELLED)
    LinkedMedium.objects.filter(customer=customer).delete()
    previous = user.get_status_display()
    user.status = UserStatus.CANCELLED
    user.save(update_fields=["status"])
    user_sessions_end(user=user)
    items = [["业务内容", "注销个人网上银行"], ["原网银状态", previous],
             ["登录名", login_name_shown(user)]]
    items += [["注销安全认证工具", tool_label(t)] for t in tools]
    return counter_record(action=CounterAction.CANCEL, customer=customer, staff=acting_user,
                          branch=branch, items=items,
                          audit_detail={"tools_cancelled": [t.serial for t in tools]})


@transaction.atomic(durable=True)
def counter_suspend(*, acting_user: User, customer: Customer, id_type: str, id_number: str,
                    id_copy_received: bool) -> CounterReceipt:
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                      id_number=id_number, id_copy_received=id_copy_received)
    user = _registered_user(customer=customer)
    user.status = UserStatus.SUSPENDED
    user.save(update_fields=["status"])
    user_sessions_end(user=user)
    return counter_record(action=CounterAction.SUSPEND, customer=customer, staff=acting_user,
                          branch=staff_branch(staff=acting_user), items=[
                              ["业务内容", "暂停个人网上银行服务"],
                              ["登录名", login_name_shown(user)],
                              ["暂停期间", "除注销外不能办理其他网上银行业务"],
                          ])


@transaction.atomic(durable=True)
def counter_resume(*, acting_user: User, customer: Customer, id_type: str, id_number: str,
                   id_copy_received: bool) -> CounterReceipt:
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                      id_number=id_number, id_copy_received=id_copy_received)
    user = _registered_user(customer=customer, allow_suspended=True)
    if user.status != UserStatus.SUSPENDED:
        raise BusinessError("该客户网上银行服务未暂停，无需恢复")
    user.status = UserStatus.ACTIVE
    user.save(update_fields=["status"])
    return counter_record(action=CounterAction.RESUME, customer=customer, staff=acting_user,
                          branch=staff_branch(staff=acting_user), items=[
                              ["业务内容", "恢复个人网上银行服务"],
                              ["登录名", login_name_shown(user)],
                          ])


# --- STF-TOOL 安全认证工具 (§15–§18) ------------------------------------------------------------------


def _tool_issue(*, user: User, customer: Customer, kind: str, cert_password: str | None,
                fee_medium: Medium, staff: User, branch, number: str,
                action: str = ToolRegisterAction.ISSUE, reason: str = ""
                ) -> tuple[SecurityTool, list[list[str]]]:
    """Issue a tool, charge its fee to ``fee_medium`` and register it (inside the caller's txn)."""
    fee_medium_check(customer=customer, medium=fee_medium)
    tools = _tools()
    if kind == ToolKind.USBKEY:
        if not cert_password:
            raise BusinessError("申领USBKey须由客户设置证书密码")
        tool = tools.usbkey_issue(user=user, branch=branch, cert_password=cert_password)
    else:
        tool = tools.token_issue(user=user, branch=branch)
    fee, entry_id = tool_fee_post(kind=kind, medium=fee_medium, receipt_number=number)
    register_entry_add(tool=tool, action=action, reason=reason, fee=fee, fee_entry_id=entry_id,
                       staff=staff, branch=branch)
    items = [["安全认证工具", tool_label(tool)]]
    if tool.not_after:
        items.append(["证书有效期至", f"{timezone.localtime(tool.not_after):%Y-%m-%d}"])
    items.append(["扣费账户", f"{fee_medium.get_kind_display()} {fee_medium.masked_number}"])
    return tool, items + fee_items(fee)


def _live_tool(*, user: User, kind: str) -> SecurityTool:
    if kind not in ToolKind.values:
        raise BusinessError("安全认证工具类型无效")
    tool = _tools().tool_for(user=user, kind=kind)
    if tool is None:
        raise BusinessError(f"该客户没有可用的{ToolKind(kind).label}")
    return SecurityTool.objects.select_for_update().get(pk=tool.pk)


@transaction.atomic(durable=True)
def counter_tool_issue(*, acting_user: User, customer: Customer, id_type: str, id_number: str,
                       id_copy_received: bool, kind: str, fee_medium: Medium,
                       cert_password: str | None = None) -> CounterReceipt:
    """申领 and binding of a USBKey or digital token; the fee goes through the ledger."""
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                      id_number=id_number, id_copy_received=id_copy_received)
    user = _registered_user(customer=customer)
    if kind not in ToolKind.values:
        raise BusinessError("安全认证工具类型无效")
    if _tools().tool_for(user=user, kind=kind) is not None:
        raise BusinessError(f"该客户已有{ToolKind(kind).label}，如需新介质请办理更换")
    branch = staff_branch(staff=acting_user)
    number = receipt_number_next()
    tool, items = _tool_issue(user=user, customer=customer, kind=kind,
                              cert_password=cert_password, fee_medium=fee_medium,
                              staff=acting_user, branch=branch, number=number)
    return counter_record(action=CounterAction.TOOL_ISSUE, customer=customer,
                          staff=acting_user, branch=branch, number=number,
                          card_number=fee_medium.number,
                          items=[["业务内容", "申领并绑定安全认证工具"], *items],
                          audit_detail={"tool_kind": kind, "tool_serial": tool.serial})


@transaction.atomic(durable=True)
def counter_tool_replace(*, acting_user: User, customer: Customer, id_type: str, id_number: str,
                         id_copy_received: bool, kind: str, reason: str, fee_medium: Medium,
                         cert_password: str | None = None) -> CounterReceipt:
    """更换 for 丢失/遗忘密码/泄露/过期 (§16–§17): the old tool stops working, a new one is
    issued and charged like a first 申领."""
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                      id_number=id_number, id_copy_received=id_copy_received)
    user = _registered_user(customer=customer)
    if reason not in ToolReplaceReason.values:
        raise BusinessError("请选择更换原因")
    old = _live_tool(user=user, kind=kind)
    _tools().tool_mark_replaced(tool=old)
    branch = staff_branch(staff=acting_user)
    number = receipt_number_next()
    tool, items = _tool_issue(user=user, customer=customer, kind=kind,
                              cert_password=cert_password, fee_medium=fee_medium,
                              staff=acting_user, branch=branch, number=number,
                              action=ToolRegisterAction.REPLACE, reason=reason)
    return counter_record(
        action=CounterAction.TOOL_REPLACE, customer=customer, staff=acting_user, branch=branch,
        number=number, card_number=fee_medium.number,
        items=[["业务内容", "更换安全认证工具"],
               ["更换原因", ToolReplaceReason(reason).label],
               ["原安全认证工具", f"{tool_label(old)} 已停用"], *items],
        audit_detail={"tool_kind": kind, "reason": reason, "old_serial": old.serial,
                      "tool_serial": tool.serial})


@transaction.atomic(durable=True)
def counter_tool_cancel(*, acting_user: User, customer: Customer, id_type: str, id_number: str,
                        id_copy_received: bool, kind: str) -> CounterReceipt:
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                      id_number=id_number, id_copy_received=id_copy_received)
    user = _registered_user(customer=customer)
    tool = _live_tool(user=user, kind=kind)
    _tools().tool_cancel(tool=tool)
    branch = staff_branch(staff=acting_user)
    register_entry_add(tool=tool, action=ToolRegisterAction.CANCEL, staff=acting_user,
                       branch=branch)
    return counter_record(action=CounterAction.TOOL_CANCEL, customer=customer,
                          staff=acting_user, branch=branch, items=[
                              ["业务内容", "注销安全认证工具"],
                              ["安全认证工具", tool_label(tool)],
                          ],
                          audit_detail={"tool_kind": kind, "tool_serial": tool.serial})


@transaction.atomic(durable=True)
def counter_tool_unlock(*, acting_user: User, customer: Customer, id_type: str, id_number: str,
                        id_copy_received: bool) -> CounterReceipt:
    """证书解锁: six wrong 证书密码 lock the USBKey until a teller unlocks it (X-TOOLS)."""
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                      id_number=id_number, id_copy_received=id_copy_received)
    user = _registered_user(customer=customer)
    tool = _live_tool(user=user, kind=ToolKind.USBKEY)
    if tool.status != ToolStatus.LOCKED:
        raise BusinessError("该客户的USBKey证书未锁定，无需解锁")
    _tools().tool_unlock(tool=tool)
    branch = staff_branch(staff=acting_user)
    register_entry_add(tool=tool, action=ToolRegisterAction.UNLOCK, staff=acting_user,
                       branch=branch)
    return counter_record(action=CounterAction.TOOL_UNLOCK, customer=customer,
                          staff=acting_user, branch=branch, items=[
                              ["业务内容", "USBKey证书解锁"],
                              ["安全认证工具", tool_label(tool)],
                          ],
                          audit_detail={"tool_serial": tool.serial})


# --- STF-RESET 登录密码重置 and 登录解锁 (§19) ---------------------------------------------------------


RESET_APPROVAL_KIND = "counter.password_reset"


def _password_reset_apply(*, user: User, customer: Customer, maker: User, password_hash: str,
                          checker: User | None = None) -> CounterReceipt:
    user.password = password_hash
    user.must_change_password = True
    user.failed_logins = 0
    user.login_locked_on = None
    user.save(update_fields=["password", "must_change_password", "failed_logins",
                             "login_locked_on"])
    user_sessions_end(user=user)
    items = [["业务内容", "重置网上银行登录密码"], ["登录名", login_name_shown(user)],
             ["下次登录", "须修改登录密码"]]
    if checker is not None:
        items.append(["复核人", checker.get_full_name() or checker.username])
    return counter_record(action=CounterAction.PASSWORD_RESET, customer=customer, staff=maker,
                          branch=staff_branch(staff=maker), items=items,
                          audit_detail={"checker": checker.username} if checker else None)


@transaction.atomic(durable=True)
def counter_password_reset(*, acting_user: User, customer: Customer, id_type: str,
                           id_number: str, id_copy_received: bool, new_password: str
                           ) -> CounterReceipt | ApprovalRequest:
    """The customer keys a new 登录密码; it must be changed at the next login (SEC-FORCE). A reset
    also clears a login lock (SEC-LOCK) and ends the live session.

    A customer who holds a security tool (USBKey or token) can move money with it: the reset
    then waits for 复核 (a ``counter.password_reset`` request, the slip after approval). The
    request keeps the new password only as its hash."""
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                      id_number=id_number, id_copy_received=id_copy_received)
    user = _registered_user(customer=customer)
    _password_check(new_password, user)
    password_hash = make_password(new_password)
    live = SecurityTool.objects.filter(user=user, status__in=[ToolStatus.ACTIVE,
                                                              ToolStatus.LOCKED])
    if not live.exists():
        return _password_reset_apply(user=user, customer=customer, maker=acting_user,
                                     password_hash=password_hash)
    if approval_pending(RESET_APPROVAL_KIND, customer=customer):
        raise BusinessError("该客户已有待复核的登录密码重置申请")
    return approval_request(
        kind=RESET_APPROVAL_KIND, maker=acting_user, customer=customer,
        payload={"user_id": user.pk, "password_hash": password_hash},
        summary=[["复核事项", "登录密码重置（客户持有安全认证工具）"],
                 identity_checked_row(customer),
                 ["登录名", login_name_shown(user)],
                 ["安全认证工具", "；".join(tool_label(t) for t in live)],
                 ["新登录密码", "客户已在密码键盘输入（不显示）"],
                 ["复核通过后", "登录锁定解除，当前会话结束，下次登录须修改密码"]])


@approval_kind(RESET_APPROVAL_KIND, label="登录密码重置（持有安全认证工具）",
               approver_roles=(Role.SUPERVISOR, Role.HEAD_OFFICE))
def password_reset_apply(*, request: ApprovalRequest, checker: User) -> dict:
    customer = customer_lock(customer=request.customer)
    user = _registered_user(customer=customer)
    if user.pk != request.payload["user_id"]:
        raise BusinessError("该客户的网上银行用户已变更，请重新办理")
    receipt = _password_reset_apply(user=user, customer=customer, maker=request.requested_by,
                                    password_hash=request.payload["password_hash"],
                                    checker=checker)
    return {"receipt": receipt.number}


@transaction.atomic(durable=True)
def counter_login_unlock(*, acting_user: User, customer: Customer, id_type: str,
                         id_number: str, id_copy_received: bool) -> CounterReceipt:
    """登录解锁 before the next day clears it (SEC-LOCK): the two lockout fields, nothing else.

    Not ``security.identity.services.user_login_unlock``: that one is a durable transaction of its own, and
    here the unlock, its slip and its audit row must commit together."""
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                      id_number=id_number, id_copy_received=id_copy_received)
    user = _registered_user(customer=customer)
    if user.login_locked_on is None and not user.failed_logins:
        raise BusinessError("该客户登录未锁定，无需解锁")
    user.failed_logins = 0
    user.login_locked_on = None
    user.save(update_fields=["failed_logins", "login_locked_on"])
    return counter_record(action=CounterAction.LOGIN_UNLOCK, customer=customer,
                          staff=acting_user, branch=staff_branch(staff=acting_user), items=[
                              ["业务内容", "网上银行登录解锁"],
                              ["登录名", login_name_shown(user)],
                          ])
