"""Pages of 账户管理: 账户总览, 交易明细查询, 关联账户管理, 账户挂失 (thin: forms validate, selectors
read, services write).

Every page is for a logged-in customer only; every POST is CSRF-protected; a GET never changes
anything. An id from the URL or a form is looked up through the customer (another customer's →
404). A business refusal is shown on the same page with what was typed kept.
"""

from functools import lru_cache

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import format_amount
from ebank.core.proxy import client_ip as _ip
from ebank.core.web import customer_required, url_or_none, urls_key

from ..models import MediumKind
from . import exports, forms, selectors, services
from .facts import sub_account_facts

# --- 账户总览 ----------------------------------------------------------------------------------


def _detail_url(pk: int) -> str:
    return _detail_url_format(*urls_key()).format(pk=pk)


@lru_cache(maxsize=8)
def _detail_url_format(urlconf: str, prefix: str) -> str:
    # Reversed once per process (the URLconf does not change while it runs), not once per row.
    marker = "918273645"
    url = reverse("accounts:detail", args=[int(marker)], urlconf=urlconf)
    assert url.count(marker) == 1, url
    return url.replace(marker, "{pk}")


@customer_required
@require_GET
def overview(request):
    rows = selectors.linked_accounts(customer=request.user.customer)
    return render(request, "accounts/pages/overview.html", {"rows": [
        (row, _detail_url(row.pk), *_amounts(row), selectors.account_actions(row))
        for row in rows], "term_deposits": _term_deposits(rows)})


def _amounts(row) -> tuple[str, str]:
    """余额 and 可用余额 as the overview shows them; a 信用卡 has neither here (what it owes and
    its 可用额度 are on 信用卡业务's 信用额度查询, linked from its row)."""
    if row.link.medium.kind == MediumKind.CREDIT_CARD:
        return "—", "—"
    return format_amount(row.balance), format_amount(row.available)


def _facts_of(sub_accounts) -> dict:
    """What the registered apps know of the sub-accounts (accounts.pages.facts): a 定期
    deposit's product, term, rate, dates and interest to date — one read per provider for the
    page's non-活期 sub-accounts, none at all when it has only 活期 ones (no provider describes
    a 活期 sub-account, and most customers hold nothing else)."""
    ids = [sub.pk for sub in sub_accounts if not sub.is_current]
    return sub_account_facts(sub_account_ids=ids, on=business_day()) if ids else {}


def _term_deposits(rows) -> list[tuple]:
    """账户总览's 定期存款: (account row, sub-account row, facts) of each open 定期 sub-account
    some app describes."""
    subs = [(row, sub) for row in rows for sub in row.sub_accounts if sub.is_open]
    facts = _facts_of([sub for _row, sub in subs])
    return [(row, sub, facts[sub.pk]) for row, sub in subs if sub.pk in facts]


@customer_required
@require_GET
def detail(request, pk: int):
    row = selectors.linked_account_get(customer=request.user.customer, pk=pk)
    history = url_or_none("accounts:history")
    facts = _facts_of(row.sub_accounts)
    return render(request, "accounts/pages/detail.html", {
        "row": row, "actions": selectors.account_actions(row),
        "sub_accounts": [(sub, f"{history}?account={sub.pk}", facts.get(sub.pk))
                         for sub in row.sub_accounts],
    })


# --- 交易明细查询 --------------------------------------------------------------------------------


def _history_form(request):
    """The query form over the customer's accounts, or a 404 for another customer's account."""
    customer = request.user.customer
    accounts = selectors.history_accounts(customer=customer)
    raw = request.GET.get("account", "").strip()
    if raw and raw not in {str(a.pk) for a in accounts}:
        # Someone else's (or no) sub-account id in the address: the same 404 either way.
        raise Http404("账户不存在")
    data = None
    if "account" in request.GET:
        data = request.GET
        if not (data.get("period") or data.get("start_date") or data.get("end_date")):
            # 明细 from 账户总览 names the account only: the default period, shown as chosen.
            data = data.copy()
            data["period"] = forms.Period.WEEK
    initial = {"period": forms.Period.WEEK}
    if accounts:
        initial["account"] = accounts[0].pk
    form = forms.HistoryQueryForm(data, accounts=accounts, initial=initial)
    return form, {a.pk: a for a in accounts}


def _before(request) -> int | None:
    raw = request.GET.get("before", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def _amount_text(value) -> str:
    return "" if value is None else format_amount(value)


def _history_lines(page: selectors.HistoryPage) -> list[tuple[str, ...]]:
    """The page's rows as the strings the table shows, written once here rather than through a
    filter per cell (escaped where they are joined into rows: :data:`_HISTORY_ROW`)."""
    zone = timezone.get_current_timezone()
    return [(row.posted_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"), row.summary,
             _amount_text(row.income), _amount_text(row.expense),
             _amount_text(row.balance_after),
             row.counterparty_name, row.counterparty_account) for row in page.rows]


# One 交易明细 row (the table's columns, in order). The page's 20 rows are joined here with
# format_html_join, which escapes every value: the template language spends ~1 ms on 140 cells.
_HISTORY_ROW = ('<tr><td class="mono">{}</td><td>{}</td><td class="num">{}</td>'
                '<td class="num">{}</td><td class="num">{}</td><td>{}</td>'
                '<td class="mono">{}</td></tr>')


def _history_render(request, form, page=None, account=None):
    query = request.GET.copy()
    query.pop("before", None)
    lines = _history_lines(page) if page is not None else ()
    return render(request, "accounts/pages/history.html", {
        "form": form, "page": page, "account": account,
        "rows_html": format_html_join("\n", _HISTORY_ROW, lines) if lines else "",
        "query": query.urlencode(), "paged": "before" in request.GET,
    })


@customer_required
@require_GET
def history(request):
    form, accounts = _history_form(request)
    if not form.is_bound or not form.is_valid():
        return _history_render(request, form)
    account = accounts[form.cleaned_data["account"]]
    page = selectors.history_page(account=account, start=form.cleaned_data["start"],
                                  end=form.cleaned_data["end"], before=_before(request))
    return _history_render(request, form, page, account)


@customer_required
@require_GET
def history_export(request):
    form, accounts = _history_form(request)
    if not form.is_bound or not form.is_valid():
        return _history_render(request, form)
    account = accounts[form.cleaned_data["account"]]
    return exports.history_export_response(account=account, start=form.cleaned_data["start"],
                                           end=form.cleaned_data["end"])


# --- 关联账户管理 --------------------------------------------------------------------------------


def _linked_render(request, *, move_form=None, status=200):
    links = selectors.linked_media(customer=request.user.customer)
    return render(request, "accounts/pages/linked.html", {
        "links": [(link, selectors.account_name(link)) for link in links],
        "move_form": move_form or forms.MoveForm(),
    }, status=status)


@customer_required
@require_GET
def linked(request):
    return _linked_render(request)


@customer_required
@require_POST
def linked_move(request):
    form = forms.MoveForm(request.POST)
    if form.is_valid():
        link = selectors.linked_medium_get(customer=request.user.customer,
                                           pk=form.cleaned_data["link"])
        try:
            services.linked_medium_move(customer=request.user.customer, link_id=link.pk,
                                        direction=form.cleaned_data["direction"],
                                        acting_user=request.user, ip_address=_ip(request))
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(f"{reverse('accounts:linked')}?moved={link.pk}")
    return _linked_render(request, move_form=form)


@customer_required
@require_http_methods(["GET", "POST"])
def link_add(request):
    form = forms.LinkAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.linked_medium_add(
                customer=request.user.customer, number=form.cleaned_data["number"],
                pin=form.cleaned_data["pin"], alias=form.cleaned_data["alias"],
                acting_user=request.user, ip_address=_ip(request))
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"账户 {link.medium.masked_number} 关联成功")
            return redirect("accounts:linked")
    return render(request, "accounts/pages/link_add.html", {"form": form})


@customer_required
@require_http_methods(["GET", "POST"])
def unlink(request, pk: int):
    """删除: the JS dialog (static/js/accounts.js) posts ``confirmed=1``; without JavaScript
    the POST (or a GET) shows this confirmation page first."""
    link = selectors.linked_medium_get(customer=request.user.customer, pk=pk)
    error = None
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        try:
            services.linked_medium_unlink(customer=request.user.customer, link_id=link.pk,
                                          acting_user=request.user, ip_address=_ip(request))
        except BusinessError as exc:
            error = exc.message
        else:
            messages.success(request, f"账户 {link.medium.masked_number} 已解除关联")
            return redirect("accounts:linked")
    return render(request, "accounts/pages/unlink_confirm.html",
                  {"link": link, "name": selectors.account_name(link), "error": error},
                  status=200)


@customer_required
@require_http_methods(["GET", "POST"])
def alias(request, pk: int):
    link = selectors.linked_medium_get(customer=request.user.customer, pk=pk)
    form = forms.AliasForm(request.POST or None, initial={"alias": link.alias})
    if request.method == "POST" and form.is_valid():
        try:
            services.linked_medium_alias_set(customer=request.user.customer, link_id=link.pk,
                                             alias=form.cleaned_data["alias"],
                                             acting_user=request.user, ip_address=_ip(request))
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "账户别名设置成功")
            return redirect("accounts:linked")
    return render(request, "accounts/pages/alias.html", {
        "form": form, "link": link,
        "default_name": f"{link.customer.name} {link.medium.get_kind_display()}",
    })


# --- 账户挂失 ----------------------------------------------------------------------------------


@customer_required
@require_http_methods(["GET", "POST"])
def loss(request):
    """Step 1 chooses the account (POST step=review); step 2 confirms it with the 交易密码."""
    customer = request.user.customer
    if request.method == "POST" and request.POST.get("step") == "confirm":
        form = forms.LossConfirmForm(request.POST)
        if form.is_valid():
            row = selectors.linked_account_get(customer=customer, pk=form.cleaned_data["link"])
            try:
                services.medium_loss_report(customer=customer, link_id=row.pk,
                                            pin=form.cleaned_data["pin"],
                                            acting_user=request.user, ip_address=_ip(request))
            except BusinessError as exc:
                form.add_error(None, exc.message)
                return render(request, "accounts/pages/loss_confirm.html",
                              {"form": form, "row": row})
            messages.success(request, f"账户 {row.masked_number} 口头挂失成功。挂失后该账户只可查询余额，"
                                      f"{services.LOSS_AUTO_RELEASE_DAYS}天后系统将自动解除挂失；"
                                      "如需书面挂失，请到我行任意网点柜面办理。")
            return redirect("accounts:loss")
        link_id = form.cleaned_data.get("link") if "link" not in form.errors else None
        if link_id is not None:
            row = selectors.linked_account_get(customer=customer, pk=link_id)
            return render(request, "accounts/pages/loss_confirm.html", {"form": form, "row": row})
        choose = forms.LossChooseForm(request.POST)
        choose.is_valid()
        return _loss_render(request, choose)
    if request.method == "POST":
        choose = forms.LossChooseForm(request.POST)
        if choose.is_valid():
            row = selectors.linked_account_get(customer=customer, pk=choose.cleaned_data["link"])
            if row.is_normal:
                return render(request, "accounts/pages/loss_confirm.html", {
                    "form": forms.LossConfirmForm(initial={"link": row.pk}), "row": row})
            choose.add_error(None, services.LOSS_NOT_NORMAL.format(status=row.status_label))
        return _loss_render(request, choose)
    return _loss_render(request, forms.LossChooseForm())


def _loss_render(request, form):
    rows = selectors.linked_accounts(customer=request.user.customer)
    return render(request, "accounts/pages/loss.html", {"form": form, "rows": rows})
