"""URL patterns of 定时转账设置, 定时转账详情/撤销 and 定时转账执行查询 (TRF-SCHED).

Plans are named by their 交易流水号, runs by the plan's number and the run's 期数.
"""

from django.urls import path

from . import views

urlpatterns: list = [
    path("periodic/new", views.periodic_new, name="periodic_new"),
    path("periodic/runs", views.periodic_runs, name="periodic_runs"),
    path("periodic/<str:number>", views.periodic_detail, name="periodic_detail"),
    path("periodic/<str:number>/cancel", views.periodic_cancel, name="periodic_cancel"),
    path("periodic/<str:number>/runs/<int:sequence>", views.periodic_run_detail,
         name="periodic_run_detail"),
]
