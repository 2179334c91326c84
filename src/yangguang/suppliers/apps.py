from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "yangguang.suppliers"
    label = "suppliers"
    verbose_name = _("Supplier pool")

    def ready(self) -> None:
        from yangguang.core.chronograph import chronograph_register

        from .models import SupplierProfile
        from .services import supplier_check_due

        # Ends blacklist periods whose end has passed and flags expired qualifications.
        chronograph_register("suppliers.supplier", SupplierProfile, supplier_check_due)  # type: ignore[arg-type]
