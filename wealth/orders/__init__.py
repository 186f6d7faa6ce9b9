"""理财产品认购 (WLT-BUY) and 我的理财产品 (WLT-MINE): the pages that place 认购/申购/赎回 orders
through X-CONFIRM around wealth.placing.order_place. docs/wealth.md."""
