"""The forms of the settings pages for users, roles and the company profile (input only: the
services check and write)."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .roles import ROLE_LABELS, ROLE_PERMISSIONS


def role_label(code: str) -> str:
    from django.utils.translation import get_language

    zh, en = ROLE_LABELS.get(code, (code, code))
    return zh if (get_language() or "").startswith("zh") else en


def role_choices() -> list[tuple[str, str]]:
    return [(code, role_label(code)) for code in ROLE_PERMISSIONS]


class UserCreateForm(forms.Form):
    HOW = (
        ("invite", _("Invite: show me a one-time link at which they choose a password")),
        ("password", _("Set a password now and tell it to them")),
    )

    username = forms.CharField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("Name shown"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Browser's choice")), *settings.LANGUAGES],
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=role_choices, widget=forms.CheckboxSelectMultiple
    )
    how = forms.ChoiceField(
        label=_("Password"), choices=HOW, initial="invite", widget=forms.RadioSelect
    )
    password = forms.CharField(
        label=_("Password (when set now)"), required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("how") == "password" and not data.get("password"):
            self.add_error("password", _("Type the password, or invite them instead."))
        return data


class UserRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=role_choices, widget=forms.CheckboxSelectMultiple,
        required=False,
    )  # fmt: skip


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip
    again = forms.CharField(
        label=_("New password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("again") and data["password"] != data["again"]:
            self.add_error("again", _("The two passwords differ."))
        return data


def _time_zones() -> list[tuple[str, str]]:
    return [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]


class CompanyForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    base_currency = forms.CharField(
        label=_("Base currency"), max_length=3, help_text=_("ISO code, e.g. CNY or USD")
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zones)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    review_high_value = forms.DecimalField(
        label=_("High-value order from (base currency)"), min_value=0, max_digits=18,
        decimal_places=2,
        help_text=_("Orders worth at least this much wait for a call to the buyer."),
    )  # fmt: skip
    review_duplicate_hours = forms.IntegerField(
        label=_("Duplicate order window (hours)"), min_value=0, max_value=24 * 365,
        help_text=_(
            "The same buyer, address and items again within this many hours is a duplicate."
        ),
    )  # fmt: skip
