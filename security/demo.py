"""Demo e-banking users and bank staff (idempotent; called by ``manage.py seed_demo``).

Customers (on top of ``accounts.demo``):
* 张伟 — registered at the counter of 340101 with a USBKey (证书密码 ``Cert2026``); 登录名 = card
* 李娜 — registered at the counter of 340101 with a digital token (challenge-response; its key is
  printed, and ``manage.py token_answer <挑战码>`` plays the token)
* 王芳 — self-registered online (登录名 ``wangfang``), no security tool
* 刘洋 — registered at the head-office counter, then 暂停 (suspended)
Staff, each with a confirmed TOTP device for the admin: ``teller_hf`` (柜员, 340101),
``super_hf`` (主管, 340101), ``teller_wh`` (柜员, 340201), ``admin_hq`` (总行管理员, superuser).

The demo counter registrations are made through the real counter services (slips, fees,
register, audit), then ``must_change_password`` is cleared so the demo logins work at once; a
fresh counter registration does force the change (tests cover it). Every secret here is demo
data, printed by seed_demo and listed in the README.
"""

import base64
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import demo_medium_number, resident_id_number
from accounts.models import Branch, Customer, IdType, LinkedMedium, Medium
from security.models import RegistrationChannel, ToolKind, User, UserStatus
from security.staff.counter.services import counter_register, counter_suspend
from security.staff.roles import Role, staff_role_set

CUSTOMER_PASSWORD = "Demo@2026"  # noqa: S105 — demo data (README)
STAFF_PASSWORD = "Staff@2026"  # noqa: S105 — demo data (README)
CERT_PASSWORD = "Cert2026"  # noqa: S105 — demo data (README)


@dataclass(frozen=True)
class DemoStaff:
    username: str
    name: str
    branch_code: str
    role: str
    # Fixed TOTP keys (hex, 20 bytes) so the printed secrets stay the same on every run.
    totp_key_hex: str


STAFF = (
    DemoStaff("teller_hf", "陈静", "340101", Role.TELLER,
              "3132333435363738393031323334353637383930"),
    DemoStaff("super_hf", "吴刚", "340101", Role.SUPERVISOR,
              "3230323653555045524846303030303030303031"),
    DemoStaff("teller_wh", "周强", "340201", Role.TELLER,
              "3230323653544146465748303030303030303031"),
    DemoStaff("admin_hq", "孙敏", "340000", Role.HEAD_OFFICE,
              "3230323641444d494e4851303030303030303031"),
)

DEMO_TOKEN_KEY_HEX = "3230323644454d4f4c494e41544f4b454e303031"  # noqa: S105 - 李娜's demo token

# Searched for in every log line of the test suite and on every page (tests/secrets_scan.py).
DEMO_SECRETS = {
    "customer password": CUSTOMER_PASSWORD,
    "staff password": STAFF_PASSWORD,
    "证书密码": CERT_PASSWORD,
    **{f"TOTP {staff.username}": base64.b32encode(bytes.fromhex(staff.totp_key_hex)).decode()
       for staff in STAFF},
    "TOTP 李娜": base64.b32encode(bytes.fromhex(DEMO_TOKEN_KEY_HEX)).decode(),
}

# cif_no → (id body, card serial at its branch)
ZHANG_WEI = ("3401010001", "34010419850312351", "340101", 1)
LI_NA = ("3401010002", "34010219900721462", "340101", 4)
WANG_FANG = ("3402010001", "34020219780205282", "340201", 6)
LIU_YANG = ("3400000001", "34011119951130573", "340000", 7)


@dataclass
class DemoLogins:
    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(line)


def totp_secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()


@transaction.atomic
def staff_user_ensure(spec: DemoStaff) -> tuple[User, TOTPDevice]:
    branch = Branch.objects.get(code=spec.branch_code)
    user = User.objects.filter(username=spec.username).first()
    if user is None:
        user = User(username=spec.username, first_name=spec.name, branch=branch, is_staff=True,
                    is_superuser=spec.role == Role.HEAD_OFFICE)
        user.set_password(STAFF_PASSWORD)
        user.save()
        staff_role_set(user, spec.role)
    # Confirmed only: a device head office has just issued (员工管理) waits unconfirmed under
    # the same name until it is enrolled.
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="柜面管理动态口令", confirmed=True, defaults={"key": spec.totp_key_hex})
    return user, device


def _identity(id_body: str) -> dict:
    return {"id_type": IdType.RESIDENT_ID, "id_number": resident_id_number(id_body),
            "id_copy_received": True}


def _counter_registered(*, teller: User, person: tuple, tool_kind: str | None) -> User:
    cif_no, id_body, branch_code, serial = person
    customer = Customer.objects.get(cif_no=cif_no)
    user = User.objects.filter(customer=customer).first()
    if user is None:
        medium = Medium.objects.get(number=demo_medium_number(branch_code, serial))
        counter_register(acting_user=teller, customer=customer, medium=medium,
                         **_identity(id_body), initial_password=CUSTOMER_PASSWORD,
                         tool_kind=tool_kind,
                         cert_password=CERT_PASSWORD if tool_kind == ToolKind.USBKEY else None)
        user = User.objects.get(customer=customer)
        # Demo only: usable at once (a real counter registration forces the change).
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
        if tool_kind == ToolKind.TOKEN:
            from security.tools import services as tools

            # Demo only: a fixed token key, so the README can list it (a real token's key is
            # random and loaded into the device at the counter).
            TOTPDevice.objects.filter(
                pk=tools.tool_for(user=user, kind=ToolKind.TOKEN).totp_device_id
            ).update(key=DEMO_TOKEN_KEY_HEX)
    return user


@transaction.atomic
def _online_registered(*, person: tuple, username: str) -> User:
    cif_no, _id_body, branch_code, serial = person
    customer = Customer.objects.get(cif_no=cif_no)
    user = User.objects.filter(customer=customer).first()
    if user is None:
        user = User(customer=customer, username=username, first_name=customer.name,
                    registration_channel=RegistrationChannel.ONLINE,
                    registered_at=timezone.now())
        user.set_password(CUSTOMER_PASSWORD)
        user.save()
        medium = Medium.objects.get(number=demo_medium_number(branch_code, serial))
        LinkedMedium.objects.get_or_create(customer=customer, medium=medium,
                                           defaults={"position": 1})
    return user


def seed_security_demo() -> list[str]:
    """Create what is missing; return the lines seed_demo prints (logins and demo secrets)."""
    from security.tools import services as tools

    tools.bank_ca_ensure()
    logins = DemoLogins()
    staff = {}
    logins.add("bank staff (admin /admin/: 用户名 + 密码 + 动态口令; TOTP key in base32):")
    for spec in STAFF:
        user, device = staff_user_ensure(spec)
        staff[spec.username] = user
        role = f"{Role(spec.role).label}, {spec.branch_code}"
        logins.add(f"  {spec.username:<10} {STAFF_PASSWORD}  TOTP {totp_secret_base32(device)}"
                   f"  ({spec.name}, {role})")

    zhang = _counter_registered(teller=staff["teller_hf"], person=ZHANG_WEI,
                                tool_kind=ToolKind.USBKEY)
    li = _counter_registered(teller=staff["teller_hf"], person=LI_NA, tool_kind=ToolKind.TOKEN)
    wang = _online_registered(person=WANG_FANG, username="wangfang")
    liu = _counter_registered(teller=staff["admin_hq"], person=LIU_YANG, tool_kind=None)
    if liu.status == UserStatus.ACTIVE:
        counter_suspend(acting_user=staff["admin_hq"], customer=liu.customer,
                        **_identity(LIU_YANG[1]))
        liu.refresh_from_db()

    token = tools.tool_for(user=li, kind=ToolKind.TOKEN)
    token_secret = tools.token_secret_base32(tool=token) if token else "(none)"
    logins.add("e-banking customers (登录名 / 登录密码):")
    logins.add(f"  张伟 {zhang.username}  {CUSTOMER_PASSWORD}  USBKey 证书密码 {CERT_PASSWORD}"
               " (counter, 340101)")
    logins.add(f"  李娜 {li.username}  {CUSTOMER_PASSWORD}  数字令牌 key {token_secret}"
               " (answers the 挑战码: manage.py token_answer <挑战码>)"
               " (counter, 340101)")
    logins.add(f"  王芳 {wang.username}  {CUSTOMER_PASSWORD}  no security tool (online, 340201)")
    logins.add(f"  刘洋 {liu.username}  {CUSTOMER_PASSWORD}  {liu.get_status_display()}"
               " (counter, head office; suspended: only 注销/恢复 at the counter)")
    return logins.lines


def demo_seed(out) -> None:
    """seed_demo's part (ebank.core.demo): the demo logins and secrets printed."""
    out.success("demo e-banking users and staff ready (demo data only):")
    for line in seed_security_demo():
        out.line(line)
