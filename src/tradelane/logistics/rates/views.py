"""Shipping channels (物流渠道): the list, a channel's settings and sheets, a rate sheet's grid,
and the quote calculator (运费试算). Reads through the logistics selectors and ``shapes``, writes
through ``logistics.services``; weights in kg and sizes in cm on screen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tradelane.accounts.roles import P
from tradelane.core.errors import DomainError, ValidationFailed
from tradelane.logistics.models import Bracket, CarrierAccount, Channel, RateSheet, Zone
from tradelane.logistics.rates import descriptions as spec
from tradelane.logistics.rates import selectors, services
from tradelane.logistics.rates import shapes as edge
from tradelane.web import code_labels, labels
from tradelane.web.code_labels import country_choices
from tradelane.web.code_labels import country_label as country_name
from tradelane.web.views.guards import permission_required

KIND = {
    spec.KIND_RATE_SHEET: gettext_lazy("Rate sheet"),
    spec.KIND_KARRIO: gettext_lazy("Carrier API (karrio)"),
    spec.KIND_TRADELANE: gettext_lazy("Tradelane provider"),
}
MODE = {
    spec.MODE_FULL: gettext_lazy("Full: max(actual, volumetric)"),
    spec.MODE_HALF: gettext_lazy("Half: (actual + volumetric) / 2"),
    spec.MODE_NONE_UP_TO_SIZE: gettext_lazy("None up to a size"),
}
MEASURE = {
    spec.MEASURE_LONGEST: gettext_lazy("Longest side"),
    spec.MEASURE_SUM: gettext_lazy("Sum of sides"),
}
PRICING_DATE = {
    spec.DATE_RECEIVED: gettext_lazy("Date received"),
    spec.DATE_SHIPPED: gettext_lazy("Date shipped"),
}
SERVICE_TYPE = {
    spec.SERVICE_POSTAL: gettext_lazy("Postal"),
    spec.SERVICE_EXPRESS: gettext_lazy("Express"),
    spec.SERVICE_LINE: gettext_lazy("Special line"),
}
LABEL_SIZE = {spec.LABEL_4X6: "4 × 6 in (100 × 150 mm)", spec.LABEL_100X100: "100 × 100 mm"}
SHEET_KIND = {spec.SHEET_COST: gettext_lazy("Cost"), spec.SHEET_SALE: gettext_lazy("Sale")}
SURCHARGE = {
    spec.SUR_REMOTE: gettext_lazy("Remote area"),
    spec.SUR_OVERSIZE: gettext_lazy("Oversize"),
    spec.SUR_OVERWEIGHT: gettext_lazy("Overweight"),
    spec.SUR_BATTERY: gettext_lazy("Battery"),
    spec.SUR_LIQUID: gettext_lazy("Liquid"),
    spec.SUR_MAGNET: gettext_lazy("Magnet"),
    spec.SUR_FIXED: gettext_lazy("Fixed"),
}
CHARGE = {
    spec.CHARGE_FREIGHT: gettext_lazy("Freight"),
    spec.CHARGE_REGISTRATION: gettext_lazy("Registration"),
    spec.CHARGE_FUEL: gettext_lazy("Fuel surcharge"),
    **SURCHARGE,
}
VOLUMETRIC = {
    "no_divisor": gettext_lazy("No volumetric weight on this channel"),
    "no_dimensions": gettext_lazy("No dimensions given: no volumetric weight"),
    "side_not_over_limit": gettext_lazy(
        "Volumetric not applied: no side over the channel's length"
    ),
    "within_free_size": gettext_lazy("Volumetric not applied: within the channel's free size"),
    "below_actual": gettext_lazy("Volumetric not above actual: actual weight used"),
    "full": gettext_lazy("Volumetric weight used"),
    "half": gettext_lazy("Half volumetric: (actual + volumetric) / 2"),
}
REASON = code_labels.REFUSAL  # why a channel cannot carry a parcel: the registry's
# refusals of channel edits, sheet uploads and fuel rates
PROBLEM = {
    "required": gettext_lazy("Required"),
    "too_small": gettext_lazy("Too small"),
    "not_whole": gettext_lazy("Must be a whole number"),
    "not_whole_unit": gettext_lazy("Must be a whole number of grams or millimetres"),
    "invalid_country": gettext_lazy("Unknown country code"),
    "invalid_currency": gettext_lazy("Unknown currency"),
    "tracking_placeholder": gettext_lazy("The tracking URL needs {tracking} where the number goes"),
    "range_reversed": gettext_lazy("The minimum is above the maximum"),
    "incomplete_step": gettext_lazy(
        "A step threshold needs the step above it, and the other way round"
    ),
    "threshold_not_on_steps": gettext_lazy("The step threshold must be a multiple of both steps"),
    "invalid_choice": gettext_lazy("Not one of the choices"),
    "import_failed": gettext_lazy("The rate sheet has errors; nothing was imported"),
    "not_xlsx": gettext_lazy("Not an Excel (.xlsx) file"),
    "not_excel": gettext_lazy("Upload an Excel workbook (.xlsx)"),
    "not_a_number": gettext_lazy("Not a number"),
    "not_whole_grams": gettext_lazy("Not a whole number of grams"),
    "negative": gettext_lazy("Cannot be negative"),
    "unknown_zone": gettext_lazy("Zone not in the zone list"),
    "price_falls": gettext_lazy("A heavier parcel may not cost less"),
    "registration_falls": gettext_lazy("The registration fee falls as weight rises"),
    "overlapping_brackets": gettext_lazy("Weight brackets overlap"),
    "missing_sheet": gettext_lazy("A tab of the workbook is missing"),
    "duplicate_date": gettext_lazy("There is already a fuel rate from this date"),
    "fuel_out_of_range": gettext_lazy(
        "A fuel surcharge is a percentage from 0 to 100 of the charges it applies to"
    ),
    "too_large": gettext_lazy("Too large"),
    "too_many_decimals": gettext_lazy("At most 4 decimal places"),
    "invalid_amount": gettext_lazy("Not an amount"),
    "unknown_charge": gettext_lazy("Unknown charge code"),
    "duplicate_sheet": gettext_lazy("A sheet of this kind, level and date exists"),
    "duplicate_code": gettext_lazy("The code is used twice"),
    "no_price": gettext_lazy("The bracket has no price"),
    "invalid_date": gettext_lazy("Not a date"),
    "file_too_large": gettext_lazy("The file is too large"),
    "not_authenticated": gettext_lazy("Log in first"),
    "not_found": gettext_lazy("Not found"),
    "invalid_s10": gettext_lazy("An S10 prefix is two letters, e.g. LX"),
}

MAX_UPLOAD = 20 * 1024 * 1024


def problem_text(code: str, message: str) -> str:
    label = PROBLEM.get(code)
    return str(label) if label else message


def _can(user) -> dict[str, bool]:
    return {
        "can_edit": user.has_perm(P.CHANNEL_CHANGE),
        "can_sheets": user.has_perm(P.RATESHEET_CHANGE),
    }


def _channel_or_404(code: str) -> Channel:
    ch = Channel.objects.annotate(sheet_count=Count("rate_sheets")).filter(code=code).first()
    if ch is None:
        raise Http404(code)
    return ch


def _sheets(ch: Channel):
    return (
        RateSheet.objects.filter(channel=ch)
        .annotate(
            zone_count=Count("zones", distinct=True),
            bracket_count=Count("zones__brackets", distinct=True),
        )
        .order_by("kind", "customer_level", "-effective_date", "pk")
    )


def coverage_warning(cov: spec.Coverage | None) -> str:
    """Why a channel's declared countries exceed what its cost sheet in force prices ("" when
    they do not): parcels to those countries would be refused by rate shopping (no zone)."""
    if cov is None or not cov.overclaims:
        return ""
    if not cov.priced:
        return _(
            "No cost rate sheet in force prices any country: rate shopping cannot use this channel."
        )
    if cov.every_country_declared:
        return _(
            "Declares every country, but its cost sheet in force prices only %(countries)s. "
            "Parcels to any other country are refused (no zone): list its destinations, or add "
            "zones."
        ) % {"countries": ", ".join(cov.priced)}
    return _(
        "Declares %(countries)s, which its cost sheet in force does not price: parcels there "
        "are refused (no zone). Remove them from the destinations, or add zones."
    ) % {"countries": ", ".join(cov.unpriced)}


def _kg(value) -> str:
    return edge.plain(value) or ""


# --- the list -------------------------------------------------------------------------------


@permission_required(P.CHANNEL_VIEW)
def channels(request):
    get = request.GET
    q = (get.get("q") or "").strip()[:100]
    kind = get.get("kind") or ""
    active = get.get("active") or ""
    country = (get.get("country") or "").strip().upper()[:2]
    qs = Channel.objects.annotate(sheet_count=Count("rate_sheets")).order_by("code")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(carrier__icontains=q))
    if kind in KIND:
        qs = qs.filter(kind=kind)
    if active in ("1", "0"):
        qs = qs.filter(is_active=active == "1")
    if country:
        qs = qs.filter(Q(destinations=[]) | Q(destinations__icontains=f'"{country}"'))
    rows = list(qs[:500])
    covered = selectors.channel_coverage(rows)
    for row in rows:
        row.kind_label = KIND.get(row.kind, row.kind)
        row.service_label = SERVICE_TYPE.get(row.service_type, row.service_type)
        row.coverage = covered.get(row.pk)
        row.coverage_warning = coverage_warning(row.coverage)
    context = {
        "title": _("Channels"),
        "rows": rows,
        "q": q,
        "kind": kind,
        "active": active,
        "country": country,
        "kinds": KIND,
        **_can(request.user),
    }
    if request.htmx and request.htmx.target == "channel-list":
        return render(request, "logistics/rates/channels.html#channel-list", context)
    return render(request, "logistics/rates/channels.html", context)


# --- the channel page and its edit form -------------------------------------------------------


def _dec(
    label, *, places: int, max_digits: int = 12, help_text: str = "", **kw
) -> forms.DecimalField:
    """An optional, non-negative decimal field."""
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        decimal_places=places,
        max_digits=max_digits,
        help_text=help_text,
        **kw,
    )


class ChannelForm(forms.Form):
    """The channel's settings in kg and cm; field names are the API's (``shapes``)."""

    name = forms.CharField(label=gettext_lazy("Channel name"), max_length=200)
    carrier = forms.CharField(label=gettext_lazy("Carrier"), max_length=100, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Priced by"), choices=list(KIND.items()))
    service_code = forms.CharField(
        label=gettext_lazy("Service code"), max_length=64, required=False
    )
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3)
    max_weight_kg = _dec(gettext_lazy("Max weight per piece (kg)"), places=3)
    max_length_cm = _dec(gettext_lazy("Max longest side (cm)"), places=1)
    max_girth_cm = _dec(gettext_lazy("Max length + girth (cm)"), places=1)
    max_declared_value = _dec(gettext_lazy("Max declared value"), places=4)
    max_declared_currency = forms.CharField(
        label=gettext_lazy("Declared value currency"), max_length=3, required=False
    )
    accepts_battery = forms.BooleanField(label=gettext_lazy("Batteries"), required=False)
    accepts_liquid = forms.BooleanField(label=gettext_lazy("Liquids"), required=False)
    accepts_magnet = forms.BooleanField(label=gettext_lazy("Magnets"), required=False)
    destinations = forms.CharField(
        label=gettext_lazy("Destinations"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Country codes, e.g. US, GB, DE; empty: every country"),
    )
    transit_days_min = forms.IntegerField(
        label=gettext_lazy("Transit days from"), required=False, min_value=0
    )
    transit_days_max = forms.IntegerField(
        label=gettext_lazy("Transit days to"), required=False, min_value=0
    )
    tracking_url_template = forms.CharField(
        label=gettext_lazy("Tracking URL template"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("{tracking} is replaced by the number"),
    )
    volumetric_divisor = forms.IntegerField(
        label=gettext_lazy("Volumetric divisor"),
        required=False,
        min_value=1,
        help_text=gettext_lazy(
            "5000 couriers, 6000 many lines, 8000 EMS; empty: no volumetric weight"
        ),
    )
    volumetric_mode = forms.ChoiceField(
        label=gettext_lazy("Volumetric mode"), choices=list(MODE.items())
    )
    volumetric_free_limit_cm = _dec(gettext_lazy("Free size (cm)"), places=1)
    volumetric_free_measure = forms.ChoiceField(
        label=gettext_lazy("Free size measured as"), choices=list(MEASURE.items())
    )
    volumetric_min_side_cm = _dec(
        gettext_lazy("Side threshold (cm)"),
        places=1,
        help_text=gettext_lazy("The divisor applies only when a side exceeds this (EMS: 60)"),
    )
    weight_step_kg = _dec(gettext_lazy("Weight step (kg)"), places=3)
    weight_step_threshold_kg = _dec(gettext_lazy("Step threshold (kg)"), places=3)
    weight_step_above_kg = _dec(gettext_lazy("Step from the threshold (kg)"), places=3)
    min_chargeable_kg = _dec(gettext_lazy("Minimum chargeable weight (kg)"), places=3)
    pricing_date = forms.ChoiceField(
        label=gettext_lazy("Priced on"), choices=list(PRICING_DATE.items())
    )
    service_type = forms.ChoiceField(
        label=gettext_lazy("Service type"), choices=list(SERVICE_TYPE.items())
    )
    carrier_account = forms.ChoiceField(label=gettext_lazy("Carrier account"), required=False)
    label_size = forms.ChoiceField(
        label=gettext_lazy("Label size"), choices=list(LABEL_SIZE.items())
    )
    expire_after_days = forms.IntegerField(
        label=gettext_lazy("Tracking expires after (days)"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Empty: 60 for postal, 30 for express and lines"),
    )
    s10_prefix = forms.CharField(
        label=gettext_lazy("S10 prefix"), required=False, max_length=2, help_text="LX, RR…"
    )
    s10_country = forms.CharField(label=gettext_lazy("S10 country"), required=False, max_length=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = CarrierAccount.objects.order_by("code").values_list("code", "name")
        self.fields["carrier_account"].choices = [("", "—")] + [
            (code, f"{code} · {name}") for code, name in accounts
        ]

    GROUPS = (
        (
            gettext_lazy("General"),
            (
                "name",
                "carrier",
                "service_type",
                "kind",
                "carrier_account",
                "service_code",
                "currency",
                "pricing_date",
            ),
        ),
        (
            gettext_lazy("Limits"),
            (
                "max_weight_kg",
                "max_length_cm",
                "max_girth_cm",
                "max_declared_value",
                "max_declared_currency",
            ),
        ),
        (gettext_lazy("Accepts"), ("accepts_battery", "accepts_liquid", "accepts_magnet")),
        (
            gettext_lazy("Destinations and transit"),
            ("destinations", "transit_days_min", "transit_days_max", "tracking_url_template"),
        ),
        (
            gettext_lazy("Labels and tracking numbers"),
            ("label_size", "expire_after_days", "s10_prefix", "s10_country"),
        ),
        (
            gettext_lazy("Chargeable weight"),
            (
                "volumetric_divisor",
                "volumetric_mode",
                "volumetric_free_limit_cm",
                "volumetric_free_measure",
                "volumetric_min_side_cm",
                "weight_step_kg",
                "weight_step_threshold_kg",
                "weight_step_above_kg",
                "min_chargeable_kg",
            ),
        ),
    )

    @classmethod
    def initial_for(cls, ch: Channel) -> dict:
        d = edge.channel_dict(ch)
        out = {name: d.get(name) for name in cls.base_fields}
        out["destinations"] = ", ".join(d["destinations"])
        return out

    def groups(self) -> list[dict]:
        return [
            {"title": title, "fields": [self[n] for n in names]} for title, names in self.GROUPS
        ]

    def values(self) -> dict:
        """Cleaned data as the edge takes it (blank text -> "" and blank numbers -> None)."""
        data = dict(self.cleaned_data)
        raw = data.pop("destinations") or ""
        data["destinations"] = [
            c.strip().upper()
            for c in raw.replace("，", ",").replace(" ", ",").split(",")
            if c.strip()
        ]
        data["currency"] = data["currency"].strip().upper()
        data["max_declared_currency"] = (data["max_declared_currency"] or "").strip().upper()
        for key in ("s10_prefix", "s10_country"):
            data[key] = (data.get(key) or "").strip().upper()
        data["carrier_account"] = data.get("carrier_account") or ""
        if data.get("weight_step_kg") is None:
            data["weight_step_kg"] = Decimal("0.001")
        if data.get("min_chargeable_kg") is None:
            data["min_chargeable_kg"] = Decimal(0)
        return data


# model field (from a service's problem) -> form field
_FORM_FIELD = {field: e for field, (e, _f) in edge.CHANNEL_UNITS.items()}


def _add_problems(form: ChannelForm, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    problems = details.get("errors") or [
        {"field": details.get("field"), "code": exc.code, "message": exc.message}
    ]
    for p in problems:
        field = _FORM_FIELD.get(p.get("field") or "", p.get("field") or "")
        text = problem_text(p.get("code", ""), p.get("message", ""))
        if text != p.get("message"):
            text = f"{text} ({p.get('message')})"
        form.add_error(field if field in form.fields else None, text)


def _fuel_history(sheets: list[RateSheet]) -> list[dict]:
    rows = []
    for s in sheets:
        for f in s.fuel_rates.all():
            rows.append({"sheet": s, "fuel": f, "percent": edge.plain(f.percent)})
    rows.sort(key=lambda r: (r["fuel"].effective_from, r["sheet"].pk), reverse=True)
    return rows


def _channel_page(
    request, ch: Channel, *, form=None, upload_errors=None, upload_error=None, status: int = 200
):
    sheets = list(_sheets(ch).prefetch_related("fuel_rates"))
    today = dt.date.today()
    cov = selectors.channel_coverage([ch], today).get(ch.pk)
    context = {
        "title": ch.code,
        "ch": ch,
        "d": edge.channel_dict(ch),
        "kind_label": KIND.get(ch.kind, ch.kind),
        "mode_label": MODE.get(ch.volumetric_mode, ch.volumetric_mode),
        "measure_label": MEASURE.get(ch.volumetric_free_measure, ch.volumetric_free_measure),
        "pricing_label": PRICING_DATE.get(ch.pricing_date, ch.pricing_date),
        "service_label": SERVICE_TYPE.get(ch.service_type, ch.service_type),
        "label_label": LABEL_SIZE.get(ch.label_size, ch.label_size),
        "destinations": [(c, country_name(c)) for c in ch.destinations or []],
        "coverage": cov,
        "priced": [(c, country_name(c)) for c in cov.priced] if cov else [],
        "coverage_warning": coverage_warning(cov),
        "sheets": sheets,
        "sheet_kinds": SHEET_KIND,
        "fuel_rows": _fuel_history(sheets),
        "form": form or ChannelForm(initial=ChannelForm.initial_for(ch)),
        "edit_open": form is not None,
        "upload_errors": upload_errors,
        "upload_error": upload_error,
        "today": today,
        "charge_codes": ", ".join(spec.DEFAULT_FUEL_APPLIES_TO),
        "fuel_max": edge.plain(spec.FUEL_PERCENT_MAX),
        **_can(request.user),
    }
    return render(request, "logistics/rates/channel.html", context, status=status)


@permission_required(P.CHANNEL_VIEW)
def channel_detail(request, code: str):
    return _channel_page(request, _channel_or_404(code))


@require_POST
@permission_required(P.CHANNEL_VIEW)
def channel_edit(request, code: str):
    if not request.user.has_perm(P.CHANNEL_CHANGE):
        raise PermissionDenied(P.CHANNEL_CHANGE)
    ch = _channel_or_404(code)
    form = ChannelForm(request.POST)
    if form.is_valid():
        try:
            services.update_channel(request.user, ch, **edge.channel_fields(form.values()))
        except ValidationFailed as exc:
            _add_problems(form, exc)
        else:
            messages.success(request, _("Channel %(code)s saved.") % {"code": ch.code})
            return redirect("web:channel", code=ch.code)
    return _channel_page(request, ch, form=form, status=422)


@require_POST
@permission_required(P.CHANNEL_VIEW)
def channel_active(request, code: str):
    if not request.user.has_perm(P.CHANNEL_CHANGE):
        raise PermissionDenied(P.CHANNEL_CHANGE)
    ch = _channel_or_404(code)
    active = request.POST.get("active") == "1"
    services.set_channel_active(request.user, ch, active)
    text = _("Channel %(code)s activated.") if active else _("Channel %(code)s deactivated.")
    messages.success(request, text % {"code": ch.code})
    return redirect("web:channel", code=ch.code)


# --- rate sheets ----------------------------------------------------------------------------


def _sheet_or_404(ch: Channel, pk: int) -> RateSheet:
    sheet = RateSheet.objects.filter(channel=ch, pk=pk).select_related("channel").first()
    if sheet is None:
        raise Http404(pk)
    return sheet


def _upload_rows(exc: ValidationFailed) -> list[dict]:
    rows = edge.excel_errors(exc)
    for r in rows:
        r["text"] = problem_text(r["code"] or "", r["message"] or "")
    return rows


@require_POST
@permission_required(P.CHANNEL_VIEW)
def sheet_upload(request, code: str):
    """A new sheet (or, with ``sheet``, new content for one) from an Excel workbook."""
    if not request.user.has_perm(P.RATESHEET_CHANGE):
        raise PermissionDenied(P.RATESHEET_CHANGE)
    ch = _channel_or_404(code)
    post = request.POST
    target = None
    if post.get("sheet"):
        target = _sheet_or_404(ch, int(post["sheet"]) if post["sheet"].isdigit() else 0)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationFailed("Choose an Excel file", code="required")
        if upload.size > MAX_UPLOAD:
            raise ValidationFailed("The file is too large", code="file_too_large")
        effective = None
        if post.get("effective_date"):
            try:
                effective = dt.date.fromisoformat(post["effective_date"])
            except ValueError:
                raise ValidationFailed("Not a date", code="invalid_date") from None
        kw = {"effective_date": effective}
        if target is None:
            kw.update(
                kind=post.get("kind") or None,
                customer_level=(post.get("customer_level") or "").strip(),
                currency=(post.get("currency") or "").strip().upper() or None,
            )
        sheet = services.import_rate_sheet(request.user, ch, upload.read(), sheet=target, **kw)
    except ValidationFailed as exc:
        rows = _upload_rows(exc) if exc.code == "import_failed" else None
        error = {
            "code": exc.code,
            "message": problem_text(exc.code, exc.message),
            "detail": exc.message,
        }
        return _channel_page(request, ch, upload_errors=rows, upload_error=error, status=422)
    except DomainError as exc:
        if exc.code in PROBLEM:
            error = {
                "code": exc.code,
                "message": problem_text(exc.code, exc.message),
                "detail": exc.message,
            }
        else:  # e.g. a file past the import limits
            error = labels.domain_error(exc)
        return _channel_page(request, ch, upload_error=error, status=exc.status)
    messages.success(
        request,
        _("Rate sheet imported: %(zones)s zones, %(brackets)s weight brackets.")
        % {
            "zones": Zone.objects.filter(sheet=sheet).count(),
            "brackets": Bracket.objects.filter(zone__sheet=sheet).count(),
        },
    )
    return redirect("web:sheet", code=ch.code, pk=sheet.pk)


@permission_required(P.CHANNEL_VIEW)
def sheet_download(request, code: str, pk: int):
    ch = _channel_or_404(code)
    sheet = _sheet_or_404(ch, pk)
    level = f"-{sheet.customer_level}" if sheet.customer_level else ""
    response = HttpResponse(
        selectors.export_rate_sheet(sheet),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{ch.code}-{sheet.kind}{level}-{sheet.effective_date}.xlsx"'
    )
    return response


@require_POST
@permission_required(P.CHANNEL_VIEW)
def sheet_action(request, code: str, pk: int):
    if not request.user.has_perm(P.RATESHEET_CHANGE):
        raise PermissionDenied(P.RATESHEET_CHANGE)
    ch = _channel_or_404(code)
    sheet = _sheet_or_404(ch, pk)
    action = request.POST.get("action")
    if action == "activate":
        services.set_rate_sheet_active(request.user, sheet, True)
        messages.success(request, _("Rate sheet activated."))
    elif action == "deactivate":
        services.set_rate_sheet_active(request.user, sheet, False)
        messages.success(request, _("Rate sheet deactivated."))
    elif action == "delete":
        services.delete_rate_sheet(request.user, sheet)
        messages.success(request, _("Rate sheet deleted."))
    else:
        messages.error(request, _("Unknown action."))
    return redirect("web:channel", code=ch.code)


@require_POST
@permission_required(P.CHANNEL_VIEW)
def fuel_add(request, code: str):
    if not request.user.has_perm(P.RATESHEET_CHANGE):
        raise PermissionDenied(P.RATESHEET_CHANGE)
    ch = _channel_or_404(code)
    pk = request.POST.get("sheet") or ""
    sheet = _sheet_or_404(ch, int(pk) if pk.isdigit() else 0)
    post = request.POST
    try:
        try:
            when = dt.date.fromisoformat(post.get("effective_from") or "")
        except ValueError:
            raise ValidationFailed("Not a date", code="invalid_date") from None
        try:
            percent = Decimal((post.get("percent") or "").strip())
        except ArithmeticError:
            raise ValidationFailed("Not a number", code="not_a_number") from None
        applies = [c.strip() for c in (post.get("applies_to") or "").split(",") if c.strip()]
        services.add_fuel_rate(request.user, sheet, when, percent, applies or None)
    except ValidationFailed as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        first = (details.get("errors") or [{"code": exc.code, "message": exc.message}])[0]
        error = {
            "code": first["code"],
            "message": problem_text(first["code"], first["message"]),
            "detail": first["message"],
        }
        messages.error(request, f"{error['message']} ({error['detail']})")
        return redirect(reverse("web:channel", args=[ch.code]) + "#fuel")
    messages.success(request, _("Fuel rate added."))
    return redirect(reverse("web:channel", args=[ch.code]) + "#fuel")


@permission_required(P.CHANNEL_VIEW)
def sheet_detail(request, code: str, pk: int):
    ch = _channel_or_404(code)
    sheet = _sheet_or_404(ch, pk)
    data = selectors.sheet_data(sheet)
    # rows: every distinct weight range; columns: zones
    ranges = sorted({(b.lower_g, b.upper_g) for b in data.brackets}, key=lambda r: (r[1], r[0]))
    cells = {(b.zone, b.lower_g, b.upper_g): edge.price_forms(b) for b in data.brackets}
    grid = [
        {
            "from": _kg(edge.from_base(lo, edge.KG)),
            "to": _kg(edge.from_base(hi, edge.KG)),
            "cells": [cells.get((z.code, lo, hi), "") for z in data.zones],
        }
        for lo, hi in ranges
    ]
    surcharges = [
        {
            "s": s,
            "label": SURCHARGE.get(s.kind, s.kind),
            "threshold_cm": _kg(edge.from_base(s.threshold_mm, edge.CM)),
            "threshold_kg": _kg(edge.from_base(s.threshold_g, edge.KG)),
        }
        for s in data.surcharges
    ]
    context = {
        "title": f"{ch.code} · {sheet}",
        "ch": ch,
        "sheet": sheet,
        "data": data,
        "kind_label": SHEET_KIND.get(sheet.kind, sheet.kind),
        "grid": grid,
        "surcharges": surcharges,
        "fuel": sorted(data.fuel, key=lambda f: f.effective_from, reverse=True),
        **_can(request.user),
    }
    return render(request, "logistics/rates/sheet.html", context)


# --- the quote calculator -------------------------------------------------------------------


class QuoteForm(forms.Form):
    weight_kg = forms.DecimalField(
        label=gettext_lazy("Weight (kg)"),
        min_value=Decimal("0.001"),
        max_digits=10,
        decimal_places=3,
    )
    length_cm = _dec(gettext_lazy("Length (cm)"), places=2, max_digits=9)
    width_cm = _dec(gettext_lazy("Width (cm)"), places=2, max_digits=9)
    height_cm = _dec(gettext_lazy("Height (cm)"), places=2, max_digits=9)
    pieces = forms.IntegerField(
        label=gettext_lazy("Pieces"), min_value=1, max_value=10_000, initial=1
    )
    country = forms.ChoiceField(label=gettext_lazy("Country"), choices=())
    postcode = forms.CharField(label=gettext_lazy("Postcode"), required=False, max_length=20)
    city = forms.CharField(label=gettext_lazy("City"), required=False, max_length=100)
    declared_value = _dec(gettext_lazy("Declared value"), places=4, max_digits=18)
    declared_currency = forms.CharField(
        label=gettext_lazy("Currency"), required=False, max_length=3
    )
    battery = forms.BooleanField(label=gettext_lazy("Battery"), required=False)
    liquid = forms.BooleanField(label=gettext_lazy("Liquid"), required=False)
    magnet = forms.BooleanField(label=gettext_lazy("Magnet"), required=False)
    customer_level = forms.CharField(
        label=gettext_lazy("Customer level"), required=False, max_length=40
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [
            (code, f"{code} · {name}") for code, name in country_choices()
        ]


def _explanation(a: dict) -> dict:
    c = a["chargeable"]
    steps = [(_("Actual weight"), f"{c['actual_kg']} kg")]
    if c["volumetric_kg"] is not None:
        ln, w, h = c["dims_cm"]
        steps.append(
            (
                _("Volumetric weight"),
                f"{ln} × {w} × {h} cm / {c['divisor']} = {c['volumetric_kg']} kg",
            )
        )
    steps.append((_("How"), str(VOLUMETRIC.get(c["volumetric"], c["volumetric"]))))
    if c["minimum_applied"]:
        steps.append((_("Minimum chargeable"), f"{c['minimum_kg']} kg"))
    if c["step_kg"] != "0.001":
        steps.append((_("Rounded up to steps of"), f"{c['step_kg']} kg"))
    steps.append((_("Chargeable weight"), f"{c['chargeable_kg']} kg"))
    if c["pieces"] > 1:
        steps.append((_("Pieces"), f"{c['pieces']} × {c['chargeable_kg']} = {c['total_kg']} kg"))

    def side(price: dict) -> dict:
        return {
            **price,
            "lines": [
                {**line, "label": str(CHARGE.get(line["code"], line["code"]))}
                for line in price["lines"]
            ],
            "reason_rows": [
                {**r, "text": str(REASON.get(r["code"], r["message"]))} for r in price["reasons"]
            ],
        }

    return {"steps": steps, "cost": side(a["cost"]), "sale": side(a["sale"])}


@permission_required(P.CHANNEL_VIEW)
def quote(request):
    levels = sorted(
        set(RateSheet.objects.exclude(customer_level="").values_list("customer_level", flat=True))
    )
    data = request.POST if request.method == "POST" else None
    form = QuoteForm(data, initial={"pieces": 1, "country": "US"})
    answers = None
    error = None
    if data is not None and form.is_valid():
        values = dict(form.cleaned_data)
        level = (values.pop("customer_level") or "").strip()
        values["declared_currency"] = (values.get("declared_currency") or "").strip().upper()
        if values.get("declared_value") is not None and not values["declared_currency"]:
            values["declared_currency"] = "USD"
        try:
            parcel = edge.parcel(**values)
            answers = edge.run_quotes(parcel, level=level)
        except ValidationFailed as exc:
            error = {
                "code": exc.code,
                "message": problem_text(exc.code, exc.message),
                "detail": exc.message,
            }
        if answers is not None:
            for a in answers:
                a["x"] = _explanation(a)
                a["reason_rows"] = [
                    {**r, "text": str(REASON.get(r["code"], r["message"]))} for r in a["reasons"]
                ]
    context = {
        "title": _("Quote calculator"),
        "form": form,
        "levels": levels,
        "answers": answers,
        "priced": [a for a in answers or () if a["ok"]],
        "refused": [a for a in answers or () if not a["ok"]],
        "error": error,
        "submitted": data is not None,
    }
    if request.htmx:
        status = 422 if data is not None and (not form.is_valid() or error) else 200
        return render(request, "logistics/rates/quote.html#quote-results", context, status=status)
    return render(request, "logistics/rates/quote.html", context)
