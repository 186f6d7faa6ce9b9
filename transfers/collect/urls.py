"""URL patterns of 跨行资金归集 and 资金归集管理 (included by the app's urls.py)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("collect/pull", views.pull, name="collect_pull"),
    path("collect/new", views.plan_new, name="collect_new"),
    path("collect/plans", views.plan_list, name="collect_list"),
    path("collect/plans/<int:pk>", views.plan_detail, name="collect_detail"),
    path("collect/plans/<int:pk>/runs", views.plan_runs, name="collect_runs"),
    path("collect/plans/<int:pk>/cancel", views.plan_cancel, name="collect_cancel"),
]
