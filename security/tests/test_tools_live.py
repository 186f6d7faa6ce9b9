"""tools_live: compiled once per process (ebank.core.compiled), the queryset's objects exactly."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from security.models import SecurityTool, ToolStatus
from security.tools import services as tool_services
from security.tools.usbkey import LIVE_STATUSES

from . import test_confirm_support as support

pytestmark = pytest.mark.django_db

bank, bank_ca, token, usbkey = support.bank, support.bank_ca, support.token, support.usbkey


def _loaded(tool: SecurityTool) -> dict:
    deferred = tool.get_deferred_fields()
    return {f.attname: getattr(tool, f.attname) for f in tool._meta.concrete_fields
            if f.attname not in deferred}


@pytest.mark.parametrize("full", [False, True])
def test_the_live_tools_are_compiled_and_are_the_querysets(bank, token, usbkey, full):
    cancelled = tool_services.token_issue(user=bank.li, branch=bank.zhang_customer.branch)
    SecurityTool.objects.filter(pk=cancelled.pk).update(status=ToolStatus.CANCELLED)
    token.status = ToolStatus.LOCKED
    token.save(update_fields=["status"])
    with CaptureQueriesContext(connection) as queries:
        live = tool_services.tools_live(user=bank.zhang, full=full)
    assert len(queries) == 1
    lookup = tool_services._TOOLS_LIVE_FULL if full else tool_services._TOOLS_LIVE
    assert lookup._compiled[connection.alias] is not None  # compiled, not the fallback
    orm = {t.kind: t for t in tool_services._tools_live_queryset(bank.zhang.pk, *LIVE_STATUSES,
                                                                  full=full)}
    assert set(live) == set(orm) == {token.kind, usbkey.kind}  # a locked tool is live too
    for kind, tool in live.items():
        assert type(tool) is SecurityTool and tool.pk == orm[kind].pk
        assert tool.get_deferred_fields() == orm[kind].get_deferred_fields()
        assert _loaded(tool) == _loaded(orm[kind])
    assert bool(live[usbkey.kind].get_deferred_fields()) is not full
    # Another customer's cancelled tool is not live; a customer without tools has none.
    assert tool_services.tools_live(user=bank.li, full=full) == {}
