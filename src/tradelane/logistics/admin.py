"""Read-only admin: every write goes through ``services`` (audit, validation, cache version)."""

from django.contrib import admin

from .rates.models import Bracket, Channel, FuelRate, RateSheet, Surcharge, Zone


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Channel)
class ChannelAdmin(ReadOnly):
    list_display = ("code", "name", "carrier", "kind", "currency", "is_active", "version")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "carrier")


@admin.register(RateSheet)
class RateSheetAdmin(ReadOnly):
    list_display = ("channel", "kind", "customer_level", "currency", "effective_date", "is_active")
    list_filter = ("kind", "is_active")


@admin.register(Zone)
class ZoneAdmin(ReadOnly):
    list_display = ("sheet", "code", "name")


@admin.register(Bracket)
class BracketAdmin(ReadOnly):
    list_display = ("zone", "lower_g", "upper_g", "flat_price", "first_fee", "per_kg_rate")


@admin.register(Surcharge)
class SurchargeAdmin(ReadOnly):
    list_display = ("sheet", "code", "kind", "amount", "per_kg", "minimum")


@admin.register(FuelRate)
class FuelRateAdmin(ReadOnly):
    list_display = ("sheet", "effective_from", "percent")
