"""The customer menu: the manual's tree, each top-level group registered by the app that owns it.

Every menu app registers its group from its ``AppConfig.ready()`` (docs/new-menu-app.md)::

    def ready(self):
        from ebank.core.menu import MenuSpec, menu_group, menu_leaf
        menu_group(30, MenuSpec("转账汇款", children=(
            menu_leaf("关联账户互转", "transfers:own"),
            ...
        )))

``order`` places the group in the manual's order (个人网上银行用户手册): 首页 10, 账户管理 20,
转账汇款 30, 自助缴费 40, 信用卡业务 50, 基金/投资理财 60, 定期存款/智能存款 70, 贷款业务 80,
客户服务 90, 安全中心 100. One app may register several groups (security: 首页, 客户服务, 安全中心).

Each item names the URL (or URLs: the first that exists wins) of the page that serves it. An item
whose URL name is not routed (自助缴费 until payments includes its urls) is shown as plain text,
not as a link; whoever builds the page gives it the name its item already expects.

Speed: the menu is the same for every customer, only the highlighted item moves. Its URLs are
reversed once per URLconf and its HTML (templates/_menu.html) rendered once per highlighted item
per process, then reused (bench/web_load.py guards the page CPU). Registering a group clears
those caches; registrations happen in ``ready()``, before the first page.
"""

from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from ebank.core.web import url_or_none, urls_key


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


def menu_leaf(label: str, *url_names: str) -> MenuSpec:
    """An item without children, served by the first of ``url_names`` that exists."""
    return MenuSpec(label, url_names)


_groups: dict[int, MenuSpec] = {}
_specs: tuple[MenuSpec, ...] = ()


def menu_group(order: int, spec: MenuSpec) -> None:
    """Register a top-level group (or a single top-level item) at ``order``.

    Registering the same spec again is harmless (``ready()`` run twice); another spec at an order
    already taken is a programming error.
    """
    global _specs
    existing = _groups.get(order)
    if existing is not None:
        if existing != spec:
            raise ImproperlyConfigured(
                f"菜单位置 {order} 已由“{existing.label}”使用，不能再注册“{spec.label}”")
        return
    _groups[order] = spec
    _specs = tuple(_groups[key] for key in sorted(_groups))
    _menu_urls.cache_clear()
    _menu_html.cache_clear()


def menu_specs() -> tuple[MenuSpec, ...]:
    """Every registered group, in order."""
    return _specs


def _spec_urls(specs):
    for spec in specs:
        url = url_or_none(*spec.url_names) if spec.url_names else None
        if url is not None:
            yield url
        yield from _spec_urls(spec.children)


@lru_cache(maxsize=8)
def _menu_urls(urlconf: str, prefix: str) -> tuple[str, ...]:
    return tuple(_spec_urls(_specs))


def _active_urls(path: str) -> frozenset[str]:
    """The menu URL ``path`` is at or under (``/payments/quickpay/`` covers
    ``/payments/quickpay/3/limit``) — the longest such, so that a page under two leaves
    (零存整取支取 at /deposits/instalment/withdraw, under 零存整取's /deposits/instalment) lights
    its own only: all that decides how the menu looks."""
    urls = _menu_urls(*urls_key())
    under = [url for url in urls
             if path == url or (url != "/" and path.startswith(url.rstrip("/") + "/"))]
    return frozenset(sorted(under, key=len)[-1:])


def _items(active: frozenset[str]) -> list[MenuItem]:
    # A page two groups link (积分查询 under 信用卡业务 and 安全中心) lights the first item in the
    # manual's order only, so one group is open, not two.
    unlit = set(active)

    def build(spec: MenuSpec) -> MenuItem:
        url = url_or_none(*spec.url_names) if spec.url_names else None
        lit = url in unlit
        unlit.discard(url)
        return MenuItem(spec.label, url, lit, [build(child) for child in spec.children])
    return [build(spec) for spec in _specs]


def menu_build(path: str = "") -> list[MenuItem]:
    """The menu tree for a page at ``path``, its item (and group) highlighted."""
    return _items(_active_urls(path))


@lru_cache(maxsize=64)
def _menu_html(active: frozenset[str], urlconf: str, prefix: str) -> str:
    # Rendered once per highlighted item per process (the URLconf does not change while a
    # process runs; a test that swaps it gets its own entry).
    html = render_to_string("_menu.html", {"site_menu": _items(active)})
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped when rendered


def menu_html(path: str) -> str:
    """The customer menu for a page at ``path``, as HTML (templates/_menu.html)."""
    return _menu_html(_active_urls(path), *urls_key())
