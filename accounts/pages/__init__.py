"""账户管理 pages (ACC-OVERVIEW, ACC-HISTORY, ACC-LINK, ACC-LOSS): selectors, services, forms,
views and the Excel export of 交易明细. URL patterns are in ``accounts/pages/urls.py``; the
nightly release of oral loss reports is in ``accounts/nightly.py``. See docs/accounts.md.
"""
