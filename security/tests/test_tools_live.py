"""tools_live: the customer's live tools by kind, in one query; narrow rows unless ``full``."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from security.models import SecurityTool, ToolStatus
from security.tools import services as tool_services

from . import test_confirm_support as support

pytestmark = pytest.mark.django_db

bank, bank_ca, token, usbkey = support.bank, support.bank_ca, support.token, support.usbkey


@pytest.mark.parametrize("full", [False, True])
def test_the_live_tools_are_read_in_one_query(bank, token, usbkey, full):
    cancelled = tool_services.token_issue(user=bank.li, branch=bank.zhang_customer.branch)
    SecurityTool.objects.filter(pk=cancelled.pk).update(status=ToolStatus.CANCELLED)
    token.status = ToolStatus.LOCKED
    token.save(update_fields=["status"])
    with CaptureQueriesContext(connection) as queries:
        live = tool_services.tools_live(user=bank.zhang, full=full)
        statuses = {kind: (tool.pk, tool.status, tool.serial) for kind, tool in live.items()}
    assert len(queries) == 1
    assert set(live) == {token.kind, usbkey.kind}  # a locked tool is live too
    assert statuses == {t.kind: (t.pk, t.status, t.serial) for t in (token, usbkey)}
    for tool in live.values():
        assert type(tool) is SecurityTool and tool.user_id == bank.zhang.pk
    # Without the certificate and the encrypted key (the wide columns) unless full.
    assert bool(live[usbkey.kind].get_deferred_fields()) is not full
    # Another customer's cancelled tool is not live; a customer without tools has none.
    assert tool_services.tools_live(user=bank.li, full=full) == {}
