"""The site layout's context: the manual's menu tree and the session timeout.

Each menu item names the URL (or URLs: the first that exists wins) of the page that serves it.
Pages are built by several issues; an item whose page does not exist yet is shown as plain text,
never as a link to a placeholder. The URL names are listed in docs/login-and-session.md so that
whoever builds a page can use the name its menu item already expects.
"""

from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from ebank.core.web import url_or_none, urls_key

from .identity.middleware import session_seconds_left


@dataclass(frozen=True)
class MenuSpec:
    label: str
    url_names: tuple[str, ...] = ()
    children: tuple["MenuSpec", ...] = ()


@dataclass
class MenuItem:
    label: str
    url: str | None
    active: bool = False
    children: list["MenuItem"] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.active or any(child.active for child in self.children)


def _leaf(label: str, *names: str) -> MenuSpec:
    return MenuSpec(label, names)


# The manual's menu tree (个人网上银行用户手册), in its order and with its labels.
MENU = (
    _leaf("首页", "security:home"),
    MenuSpec("账户管理", children=(
        _leaf("账户总览", "accounts:overview"),
        _leaf("交易明细查询", "accounts:history"),
        _leaf("网银日志查询", "security:audit_log"),
        _leaf("关联账户管理", "accounts:linked"),
        _leaf("账户挂失", "accounts:loss"),
        _leaf("电子回单查询", "accounts:receipts"),
        _leaf("电子回单校验", "accounts:receipt_verify"),
    )),
    MenuSpec("转账汇款", children=(
        _leaf("关联账户互转", "transfers:own"),
        _leaf("行内转账", "transfers:intra"),
        _leaf("跨行转账", "transfers:inter"),
        _leaf("收款人管理", "transfers:payees"),
        _leaf("联行号查询", "transfers:bank_codes"),
        _leaf("预约交易管理", "transfers:reserved"),
        _leaf("定时转账", "transfers:scheduled"),
        _leaf("网银转账查询", "transfers:history"),
    )),
    _leaf("自助缴费", "payments:index"),
    _leaf("信用卡业务", "creditcard:index"),
    _leaf("基金/投资理财", "wealth:index"),
    _leaf("定期存款/智能存款", "deposits:index"),
    _leaf("贷款业务", "loans:index"),
    MenuSpec("客户服务", children=(
        _leaf("手机银行管理", "security:mobile"),
        _leaf("短信服务管理", "security:sms_service"),
        _leaf("签约信息查询", "security:signing_info"),
        _leaf("登录设置管理", "security:login_settings"),
        _leaf("个人资料变更", "security:profile"),
        _leaf("核心预留手机号管理", "security:core_phone"),
        _leaf("留言管理", "security:messages"),
    )),
    MenuSpec("安全中心", children=(
        _leaf("预留信息变更", "security:reserved_message"),
        _leaf("限额管理", "security:limits"),
        _leaf("密码管理", "security:password_change"),
    )),
)


def _spec_urls(specs=MENU):
    for spec in specs:
        url = url_or_none(*spec.url_names) if spec.url_names else None
        if url is not None:
            yield url
        yield from _spec_urls(spec.children)


@lru_cache(maxsize=8)
def _menu_urls(urlconf: str, prefix: str) -> tuple[str, ...]:
    return tuple(_spec_urls())


def _active_urls(path: str) -> frozenset[str]:
    """The menu URLs ``path`` is at or under: all that decides how the menu looks."""
    urls = _menu_urls(*urls_key())
    return frozenset(url for url in urls
                     if path == url or (url != "/" and path.startswith(url + "/")))


def _items(active: frozenset[str]) -> list[MenuItem]:
    def build(spec: MenuSpec) -> MenuItem:
        url = url_or_none(*spec.url_names) if spec.url_names else None
        return MenuItem(spec.label, url, url in active, [build(child) for child in spec.children])
    return [build(spec) for spec in MENU]


def menu_build(path: str = "") -> list[MenuItem]:
    """The menu tree for a page at ``path``, its item (and group) highlighted."""
    return _items(_active_urls(path))


@lru_cache(maxsize=64)
def _menu_html(active: frozenset[str], urlconf: str, prefix: str) -> str:
    # The menu is the same for every customer; only the highlighted item moves. Rendered once
    # per highlighted item per process (the URLconf does not change while a process runs).
    html = render_to_string("security/_menu.html", {"site_menu": _items(active)})
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped when rendered


def menu_html(path: str) -> str:
    """The customer menu for a page at ``path``, as HTML (security/_menu.html)."""
    return _menu_html(_active_urls(path), *urls_key())


@lru_cache(maxsize=8)
def _layout_urls(urlconf: str, prefix: str, static_url: str) -> dict[str, str]:
    # The addresses base.html links on every page, reversed once per process rather than by a
    # {% url %} or {% static %} tag on every request.
    return {
        "home": reverse("security:home"),
        "login": reverse("security:login"),
        "logout": reverse("security:logout"),
        "keepalive": reverse("security:session_keepalive"),
        "site_css": static("css/site.css"),
        "mobile_css": static("css/mobile.css"),
        "layout_js": static("js/layout.js"),
        "timeout_js": static("js/session-timeout.js"),
    }


def _previous_login_text(user) -> str:
    at = user.previous_login_at
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S") if at is not None else ""


def site(request):
    """Menu (for customers only), the idle-warning script's seconds left, the layout's links."""
    user = getattr(request, "user", None)
    is_customer = bool(user is not None and user.is_authenticated
                       and getattr(user, "is_customer", False))
    session = getattr(request, "session", None)
    return {
        "site_menu_html": menu_html(request.path) if is_customer else "",
        "is_customer": is_customer,
        "session_timeout_seconds": (session_seconds_left(session) if is_customer and session
                                    is not None else int(settings.SESSION_COOKIE_AGE)),
        "previous_login_text": _previous_login_text(user) if is_customer else "",
        "layout_urls": _layout_urls(*urls_key(), settings.STATIC_URL),
    }
