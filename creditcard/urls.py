from django.urls import include, path

app_name = "creditcard"
urlpatterns = [
    path("", include("creditcard.account.urls")),   # 账户管理: 额度, 未出/已出账单 (PDF, Excel), 信息维护
    path("", include("creditcard.repay.urls")),     # 还款管理: 还款, 取现, 自动还款
    path("", include("creditcard.instal.urls")),    # 账单分期管理: 试算, 账单分期, 灵活分期
    path("", include("creditcard.points.urls")),    # 积分管理
]
