"""URL patterns of 批量行内转账, 批量跨行转账 and 批量转账查询 (included by the app's urls.py).
Batches are named by their 批次号, always looked up through the logged-in customer."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("batch/intra", views.batch_intra, name="batch_intra"),
    path("batch/inter", views.batch_inter, name="batch_inter"),
    path("batch/template", views.batch_template, name="batch_template"),
    path("batch/list", views.batch_list, name="batch_list"),
    path("batch/<str:number>/draft", views.batch_draft, name="batch_draft"),
    path("batch/<str:number>/report.xlsx", views.batch_report_file, name="batch_report_file"),
    path("batch/<str:number>/remove-invalid", views.batch_remove_invalid,
         name="batch_remove_invalid"),
    path("batch/<str:number>/submit", views.batch_submit, name="batch_submit"),
    path("batch/<str:number>", views.batch_detail, name="batch_detail"),
    path("batch/<str:number>/progress", views.batch_progress, name="batch_progress"),
    path("batch/<str:number>/result.<str:fmt>", views.batch_result_file,
         name="batch_result_file"),
]
