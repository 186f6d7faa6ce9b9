"""Django's password validators with the bank's Chinese wording (AUTH_PASSWORD_VALIDATORS).

Django's zh-hans catalogue leaves the minimum-length message in English (its plural form is not
translated) and words the others loosely ("密码跟 用户名 太相似了。"). The rules are Django's;
only the messages and help texts are the bank's.
"""

from django.contrib.auth import password_validation as django_validation


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return "登录密码与您的%(verbose_name)s过于相似，请重新设置"

    def get_help_text(self):
        return "登录密码不能与登录名、姓名等个人信息相近"


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def get_error_message(self):
        return "登录密码过短，至少需要%(min_length)d位"

    def get_help_text(self):
        return f"登录密码至少{self.min_length}位"


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def get_error_message(self):
        return "登录密码过于简单，容易被他人猜到，请重新设置"

    def get_help_text(self):
        return "登录密码不能是常见的简单密码"


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def get_error_message(self):
        return "登录密码不能全部为数字"

    def get_help_text(self):
        return "登录密码不能全部为数字"
