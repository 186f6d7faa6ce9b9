"""URL patterns of 定时转账设置, 定时转账详情/撤销 and 定时转账执行查询 (TRF-SCHED).

Plans are named by their 交易流水号 (DS…), runs by the plan's number and the run's 期数. Each page
sits under the menu leaf it belongs to, so the site menu (longest URL prefix) lights it: a plan's
详情 and 撤销 under 定时转账维护 (/transfers/scheduled), a run's 执行记录 under 定时转账执行查询
(/transfers/periodic/runs). The plan number must start with ``DS``: ``scheduled/periodic/…`` then
never meets own_intra's ``scheduled/<str:number>`` and ``scheduled/<str:number>/cancel`` (a path of
another length), nor could a 预约 transfer numbered "periodic" be taken for a plan.
"""

from django.urls import path, re_path

from . import views

_PLAN = r"(?P<number>DS[0-9]{1,22})"  # periodic_number_new: DS + date + 10 digits

urlpatterns: list = [
    path("periodic/new", views.periodic_new, name="periodic_new"),
    path("periodic/runs", views.periodic_runs, name="periodic_runs"),
    re_path(rf"^scheduled/periodic/{_PLAN}$", views.periodic_detail, name="periodic_detail"),
    re_path(rf"^scheduled/periodic/{_PLAN}/cancel$", views.periodic_cancel,
            name="periodic_cancel"),
    re_path(rf"^periodic/runs/{_PLAN}/(?P<sequence>[0-9]{{1,6}})$", views.periodic_run_detail,
            name="periodic_run_detail"),
]
