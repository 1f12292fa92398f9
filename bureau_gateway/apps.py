from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BureauGatewayConfig(AppConfig):
    name = "bureau_gateway"
    verbose_name = _("Outside systems")
