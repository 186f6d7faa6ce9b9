"""URL patterns of 批量行内转账, 批量跨行转账 and 批量转账查询 (included by the app's urls.py).
Batches are named by their 批次号, always looked up through the logged-in customer.

Each page lives under the menu leaf that serves it, so the menu (longest URL prefix) lights it:
a batch not confirmed yet (its report, 删除错误明细, 提交) under its kind's entry page
(/transfers/batch/intra/<批次号>/draft or /transfers/batch/inter/<批次号>/draft), a confirmed
batch (detail, progress, result file) under 批量转账查询 (/transfers/batch/list/<批次号>)."""

from django.urls import path, re_path

from . import views

KIND = r"(?P<kind>intra|inter)"
NUMBER = r"(?P<number>[^/]+)"

urlpatterns: list = [
    path("batch/intra", views.batch_intra, name="batch_intra"),
    path("batch/inter", views.batch_inter, name="batch_inter"),
    path("batch/template", views.batch_template, name="batch_template"),
    path("batch/list", views.batch_list, name="batch_list"),
    re_path(rf"^batch/{KIND}/{NUMBER}/draft\Z", views.batch_draft, name="batch_draft"),
    re_path(rf"^batch/{KIND}/{NUMBER}/report\.xlsx\Z", views.batch_report_file,
            name="batch_report_file"),
    re_path(rf"^batch/{KIND}/{NUMBER}/remove-invalid\Z", views.batch_remove_invalid,
            name="batch_remove_invalid"),
    re_path(rf"^batch/{KIND}/{NUMBER}/submit\Z", views.batch_submit, name="batch_submit"),
    path("batch/list/<str:number>", views.batch_detail, name="batch_detail"),
    path("batch/list/<str:number>/progress", views.batch_progress, name="batch_progress"),
    path("batch/list/<str:number>/result.<str:fmt>", views.batch_result_file,
         name="batch_result_file"),
]
