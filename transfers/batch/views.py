"""Pages of 批量行内转账, 批量跨行转账 and 批量转账查询 (thin views over services.py / files.py).

Upload or 手工录入 → the batch's report (草稿) → 删除错误明细 or re-upload → 提交 → the
confirmation page (X-CONFIRM) → 批量转账查询 with the progress bar and the result file. GET never
writes; every POST is CSRF-protected; a batch is always found through the logged-in customer.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.payers import payer_accounts
from ebank.core.errors import BusinessError
from ebank.core.web import (
    customer_required,
    download,
    querystring_without_page,
    redirect_to_confirm,
)
from transfers.models import BatchKind, BatchSource, BatchStatus

from . import files, services
from .forms import MANUAL_ROWS, MANUAL_ROWS_MAX, BatchQueryForm, ManualForm, UploadForm

ROWS_PAGE = 50
LIST_PAGE = 20
ENTRY_URL = {BatchKind.INTRA: "transfers:batch_intra", BatchKind.INTER: "transfers:batch_inter"}


def _rows_param(request) -> int:
    try:
        return max(MANUAL_ROWS, min(int(request.POST.get("rows") or request.GET.get("rows")
                                        or MANUAL_ROWS), MANUAL_ROWS_MAX))
    except ValueError:
        return MANUAL_ROWS


def _manual_initial(request, kind: str) -> tuple[dict, int] | None:
    """?edit=<批次号>: the rows of the customer's 手工录入 batch not confirmed yet, back on the
    grid to be corrected (返回修改); None when there is no such batch."""
    number = request.GET.get("edit", "")
    if request.method != "GET" or not number:
        return None
    try:
        batch = services.batch_get(customer=request.user.customer, number=number)
    except Http404:
        return None
    if (batch.kind != kind or batch.source != BatchSource.MANUAL
            or batch.status not in (BatchStatus.DRAFT, BatchStatus.PENDING)):
        return None
    initial = {"payer": str(batch.payer_id)}
    lines = list(batch.rows.order_by("line_no")[:MANUAL_ROWS_MAX])
    for i, row in enumerate(lines, start=1):
        for field in files.FIELDS[kind]:
            initial[f"{field}_{i}"] = row.amount_text if field == "amount" else getattr(row, field)
    return initial, max(MANUAL_ROWS, len(lines))


def _entry(request, kind: str):
    customer = request.user.customer
    payers = payer_accounts(customer=customer)
    action = request.POST.get("action", "")
    rows = _rows_param(request)
    edit = _manual_initial(request, kind)
    initial = {}
    if edit:
        initial, rows = edit
    posted_upload = request.method == "POST" and action == "upload"
    posted_manual = request.method == "POST" and action == "manual"
    upload = UploadForm(request.POST if posted_upload else None,
                        request.FILES if posted_upload else None, payers=payers,
                        auto_id="up_%s")
    manual = ManualForm(request.POST if posted_manual else None, payers=payers, kind=kind,
                        rows=rows, auto_id="mn_%s", initial={**initial, "rows": rows})
    if posted_upload and upload.is_valid():
        uploaded = upload.cleaned_data["file"]
        try:
            if uploaded.size > files.MAX_BYTES:
                # Refused before reading it: Django has streamed it to a temporary file.
                raise BusinessError(files.TOO_BIG, code="file_too_big")
            raw_rows = files.rows_read(kind=kind, name=uploaded.name, data=uploaded.read())
            batch = services.batch_create(user=request.user, kind=kind,
                                          payer_id=upload.cleaned_data["payer"],
                                          raw_rows=raw_rows, source=BatchSource.UPLOAD,
                                          file_name=uploaded.name)
        except BusinessError as exc:
            upload.add_error(None, exc.message)
        else:
            return _draft_redirect(batch)
    if posted_manual and manual.is_valid():
        try:
            batch = services.batch_create(user=request.user, kind=kind,
                                          payer_id=manual.cleaned_data["payer"],
                                          raw_rows=manual.raw_rows(), source=BatchSource.MANUAL)
        except BusinessError as exc:
            manual.add_error(None, exc.message if exc.code != "file_empty"
                             else "请至少录入一笔转账明细")
        else:
            return _draft_redirect(batch)
    return render(request, "transfers/batch/entry.html", {
        "kind": kind, "title": BatchKind(kind).label, "upload": upload, "manual": manual,
        "has_payers": bool(payers), "manual_open": posted_manual or "rows" in request.GET or bool(edit),
        "more_rows": min(rows + 10, MANUAL_ROWS_MAX), "can_add_rows": rows < MANUAL_ROWS_MAX,
        "notes": files.template_notes(kind), "max_rows": files.MAX_ROWS,
        "max_size": files.MAX_BYTES_TEXT,
        "entry_url": reverse(ENTRY_URL[kind]),
    })


@customer_required
@require_http_methods(["GET", "POST"])
def batch_intra(request):
    return _entry(request, BatchKind.INTRA)


@customer_required
@require_http_methods(["GET", "POST"])
def batch_inter(request):
    return _entry(request, BatchKind.INTER)


@customer_required
@require_GET
def batch_template(request):
    """?kind=intra|inter&format=xlsx|csv (XLSX 批量行内转账 when not given)."""
    kind = request.GET.get("kind", BatchKind.INTRA)
    fmt = request.GET.get("format", "xlsx")
    if kind not in BatchKind.values or fmt not in ("xlsx", "csv"):
        raise Http404("无此模板")
    name = f"batch-{kind}-template.{fmt}"
    if fmt == "xlsx":
        return download(files.template_xlsx(kind), filename=name, content_type=files.XLSX_TYPE)
    return download(files.template_csv(kind), filename=name, content_type=files.CSV_TYPE)


def _draft_redirect(batch):
    return redirect("transfers:batch_draft", kind=batch.kind, number=batch.number)


def _draft_batch(request, kind: str, number: str):
    """A batch named by a draft URL: the customer's, and of the kind its URL says (404 else)."""
    batch = services.batch_get(customer=request.user.customer, number=number)
    if batch.kind != kind:
        raise Http404("无此批次")
    return batch


def _rows_page(request, rows):
    return Paginator(rows, ROWS_PAGE).get_page(request.GET.get("page"))


def _draft_page(request, batch, *, error: str = ""):
    """The report of a batch not confirmed yet (草稿 / 待确认), with a refusal when there is one."""
    only_invalid = request.GET.get("show") == "invalid"
    rows = batch.rows.order_by("line_no")
    if only_invalid:
        rows = rows.exclude(error="")
    return render(request, "transfers/batch/draft.html", {
        "batch": batch, "page": _rows_page(request, rows), "only_invalid": only_invalid,
        "error": error, "querystring": querystring_without_page(request),
        "valid_count": batch.count - batch.invalid_count,
        "entry_url": reverse(ENTRY_URL[batch.kind]), "inter": batch.kind == BatchKind.INTER,
        "manual": batch.source == BatchSource.MANUAL,
    })


@customer_required
@require_GET
def batch_draft(request, kind: str, number: str):
    """The report of a batch not confirmed yet: every row with 通过 or its reasons."""
    batch = _draft_batch(request, kind, number)
    if batch.status in (BatchStatus.RUNNING, BatchStatus.DONE):
        return redirect("transfers:batch_detail", number=batch.number)
    return _draft_page(request, batch)


@customer_required
@require_GET
def batch_report_file(request, kind: str, number: str):
    batch = _draft_batch(request, kind, number)
    content = files.xlsx_bytes(title="校验报告", headers=services.REPORT_HEADERS[batch.kind],
                               rows=services.report_rows(batch))
    return download(content, filename=f"{batch.number}-report.xlsx", content_type=files.XLSX_TYPE)


@customer_required
@require_POST
def batch_remove_invalid(request, kind: str, number: str):
    batch = _draft_batch(request, kind, number)
    try:
        services.batch_invalid_rows_remove(user=request.user, number=batch.number)
    except BusinessError as exc:
        # Submitted meanwhile (another tab): said on the page, not a silent redirect.
        batch.refresh_from_db()
        if batch.status in (BatchStatus.RUNNING, BatchStatus.DONE):
            messages.error(request, exc.message)
            return redirect("transfers:batch_detail", number=batch.number)
        return _draft_page(request, batch, error=exc.message)
    return _draft_redirect(batch)


@customer_required
@require_POST
def batch_submit(request, kind: str, number: str):
    batch = _draft_batch(request, kind, number)
    try:
        operation = services.batch_submit(user=request.user, number=batch.number)
    except BusinessError as exc:
        batch.refresh_from_db()
        return _draft_page(request, batch, error=exc.message)
    return redirect_to_confirm(operation)


@customer_required
@require_GET
def batch_list(request):
    query = BatchQueryForm(request.GET or None)
    batches = services.batches_for_customer(customer=request.user.customer)
    if query.is_bound and query.is_valid():
        batches = services.batches_for_customer(customer=request.user.customer,
                                                date_from=query.cleaned_data.get("date_from"),
                                                date_to=query.cleaned_data.get("date_to"))
    elif query.is_bound:
        batches = batches.none()
    page = Paginator(batches, LIST_PAGE).get_page(request.GET.get("page"))
    for batch in page:
        if batch.status in (BatchStatus.RUNNING, BatchStatus.DONE):
            batch.counts_summary = services.counts_text(services.batch_counts(batch))
    return render(request, "transfers/batch/list.html", {
        "query": query, "page": page, "querystring": querystring_without_page(request)})


@customer_required
@require_GET
def batch_detail(request, number: str):
    batch = services.batch_get(customer=request.user.customer, number=number)
    status = request.GET.get("status", "")
    rows = batch.rows.select_related("transfer").order_by("line_no")
    if status in services.ROW_RESULT_FILTERS:
        rows = rows.filter(services.ROW_RESULT_FILTERS[status])
    page = _rows_page(request, rows)
    for row in page:
        row.result_label = services.ROW_RESULTS[services.row_result(
            row.status, row.transfer.status if row.transfer_id else None)]
    return render(request, "transfers/batch/detail.html", {
        "batch": batch, "page": page, "status": status,
        "statuses": list(services.ROW_RESULTS.items()),
        "progress": services.batch_progress(batch),
        "querystring": querystring_without_page(request), "inter": batch.kind == BatchKind.INTER,
        "draft": batch.status in (BatchStatus.DRAFT, BatchStatus.PENDING),
    })


@customer_required
@require_GET
def batch_progress(request, number: str):
    batch = services.batch_get(customer=request.user.customer, number=number)
    response = JsonResponse(services.batch_progress(batch))
    response["Cache-Control"] = "no-store"
    return response


@customer_required
@require_GET
def batch_result_file(request, number: str, fmt: str):
    batch = services.batch_get(customer=request.user.customer, number=number)
    if fmt not in ("xlsx", "csv"):
        raise Http404("无此格式")
    headers = services.RESULT_HEADERS[batch.kind]
    rows = services.result_rows(batch)
    name = f"{batch.number}-result.{fmt}"
    if fmt == "csv":
        return download(files.csv_bytes(headers=headers, rows=rows), filename=name,
                         content_type=files.CSV_TYPE)
    return download(files.xlsx_bytes(title="执行结果", headers=headers, rows=rows), filename=name,
                     content_type=files.XLSX_TYPE)
