"""首页 and 账户总览 lead into the transfers (issue 11 §2): 首页 shows the linked accounts with
balances and 常用功能; 账户总览's 转账 opens the manual's 转账中转页 with the account chosen, whose
entries open each form with it as the 转出账户; 明细 opens 交易明细查询 on it."""

import html
import re

import pytest
from django.urls import reverse

from tests.customer_world import World
from tests.customer_world import world as world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _links(body: str, text: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(rf'<a href="([^"]+)">{text}</a>', body)]


def test_home_shows_the_linked_accounts_with_balances_and_shortcuts(client, world):
    client.force_login(world.zhang)
    body = client.get(reverse("security:home")).content.decode()
    table = body[body.index('class="grid home-accounts"'):]
    table = table[:table.index("</table>")]
    assert world.zhang_card.masked_number in table and "80,000.00" in table
    assert "12,345.67" in table  # the 活期存折
    assert world.zhang_card.number not in body
    shortcuts = body[body.index('class="shortcuts"'):]
    for label in ("账户总览", "交易明细查询", "行内转账", "跨行转账", "收款人管理"):
        assert f">{label}</a>" in shortcuts[:shortcuts.index("</ul>")]
    main = World.main(world.zhang_card)
    assert f"{reverse('transfers:hub')}?account={main.pk}" in _links(table, "转账")


def test_overview_transfer_opens_the_hub_with_the_account_and_each_form_has_it(client, world):
    client.force_login(world.zhang)
    main = World.main(world.zhang_card)
    overview = client.get(reverse("accounts:overview")).content.decode()
    hub_url = f"{reverse('transfers:hub')}?account={main.pk}"
    assert hub_url in _links(overview, "转账")
    assert f"{reverse('accounts:history')}?account={main.pk}" in _links(overview, "明细")

    hub = client.get(hub_url).content.decode()
    assert "请选择将要进行的转账业务" in hub and world.zhang_card.masked_number in hub
    for name, field in (("transfers:own", "from_sub_account"), ("transfers:intra", "from_sub_account"),
                        ("transfers:inter", "from_account")):
        url = f"{reverse(name)}?account={main.pk}"
        assert url in hub
        form = client.get(url).content.decode()
        select = re.search(rf'<select[^>]*name="{field}".*?</select>', form, flags=re.S).group(0)
        assert f'<option value="{main.pk}" selected>' in select, name
    assert f'href="{reverse("transfers:payees")}"' in hub


def test_the_hub_names_accounts_through_the_customer(client, world):
    client.force_login(world.li)
    theirs = World.main(world.zhang_card)
    assert client.get(f"{reverse('transfers:hub')}?account={theirs.pk}").status_code == 404
    assert client.get(f"{reverse('transfers:hub')}?account=x").status_code == 404
    assert client.get(reverse("transfers:hub")).status_code == 200
