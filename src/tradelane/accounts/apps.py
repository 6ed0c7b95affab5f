from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "tradelane.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Setup, not a domain flow: after every migrate, make sure the role groups exist with
        # their permissions (permissions themselves are created by post_migrate too).
        from .roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="tradelane.sync_roles")
