"""Django admin for the shared kernel: exchange rates (a fresh installation has none, and the
order review and rate shopping need one per foreign currency)."""

from django.contrib import admin

from .models import FxRate


@admin.register(FxRate)
class FxRateAdmin(admin.ModelAdmin):
    list_display = ("date", "base", "quote", "rate", "source")
    list_filter = ("base", "quote", "source")
    ordering = ("-date", "base", "quote")
