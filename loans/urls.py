"""贷款业务's URLs: one namespace, each area's pages (docs/loans.md, Pages)."""

app_name = "loans"
urlpatterns: list = []
