"""The Chinese labels of accounts' audit actions (registered by AccountsConfig.ready())."""

LABELS = {
    "account_link": "账户新增",
    "account_unlink": "账户删除",
    "account_alias": "账户别名设置",
    "account_move": "账户顺序调整",
    "account_loss_report": "账户挂失",
    "account_loss_release": "账户解挂",
    "account_loss_written": "书面挂失",
    "medium.pin_wrong": "交易密码错误",
    "medium.pin_locked": "交易密码锁定",
}
