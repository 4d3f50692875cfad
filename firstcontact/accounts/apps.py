from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "firstcontact.accounts"

    def ready(self):
        from firstcontact.accounts import signals

        signals.connect()
