from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate

from finplatform.encryption import check_keys


class FinplatformConfig(AppConfig):
    name = "finplatform"
    verbose_name = "Finkelisim"

    def ready(self) -> None:
        # roles imports django.contrib.auth models: only after the app registry is ready
        from finplatform.roles import ensure_groups

        post_migrate.connect(ensure_groups, dispatch_uid="finplatform.ensure_groups")
        # the encrypted fields' keys: refuse to migrate or serve without them
        checks.register(check_keys, checks.Tags.security)
