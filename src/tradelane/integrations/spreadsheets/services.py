"""Every write of the spreadsheets app: templates, uploads, imports (and the import job).

An import reads the uploaded file row by row, maps their columns to our fields (a template or
a mapping given with the request), converts units at the edge (kg, cm) and hands the rows in
chunks to the domain: orders to ``orders.importing`` (the one order importer), products and
SKUs to ``catalog.services.upsert_skus``, stock counts to ``inventory.services.apply_counts``.

``all_or_nothing`` (the default): the whole file is first checked without writing; any rejected
row means nothing is written and the report lists why. The write then runs in one transaction
and is rolled back if the domain still rejects a row. ``partial``: valid rows are written chunk
by chunk, rejected rows are reported.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.catalog import services as catalog
from tradelane.catalog.models import Sku
from tradelane.core import audit, jobs
from tradelane.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tradelane.core.units import to_grams, to_mm
from tradelane.forwarding.partners import scoping
from tradelane.inventory import services as inventory
from tradelane.inventory.models import Warehouse
from tradelane.orders import importing
from tradelane.orders.importing import normalizing, readers

from . import reading, waybill_rows
from .fields import ENTITIES, FIELDS, field_keys, suggest_mapping
from .models import ColumnMapping, Upload

JOB_KIND = "spreadsheets.import"
JOB_THRESHOLD = 300  # rows: more run as a job with progress
PREVIEW_ROWS = 20
PREVIEW_CHARS = 200  # of a cell shown in the preview (the import reads it whole)
CHUNK = 1000
MAX_UPLOAD = 20 * 1024 * 1024
MAX_REPORT_ROWS = 1000  # rows without problems kept in the report (counts are exact)
MODES = ("all_or_nothing", "partial")
STOCK_MODES = inventory.COUNT_MODES  # stocktake | receipt
KEEP_UPLOADS = timedelta(days=1)
CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"


# --- permissions ----------------------------------------------------------------------------

IMPORT_PERMS = {
    "orders": (P.ORDER_ADD,),
    "products": (P.PRODUCT_ADD, P.PRODUCT_CHANGE),
    "stock": (P.STOCK_ADJUST, P.STOCK_RECEIVE),
    "waybills": (P.WAYBILL_ADD,),
}
EXPORT_PERMS = {
    "orders": P.ORDER_VIEW,
    "products": P.PRODUCT_VIEW,
    "stock": P.STOCK_VIEW,
    "waybills": P.WAYBILL_VIEW,
}


def can_import(user, entity: str) -> bool:
    return bool(user and user.is_authenticated) and any(
        user.has_perm(p) for p in IMPORT_PERMS.get(entity, ())
    )


def importable_entities(user) -> list[str]:
    return [e for e in ENTITIES if can_import(user, e)]


def _entity(entity: str) -> str:
    if entity not in ENTITIES:
        raise ValidationFailed(
            f"entity is one of {', '.join(ENTITIES)}, not {entity!r}", code="invalid_entity"
        )
    return entity


def require_import(user, entity: str, stock_mode: str = "") -> None:
    _entity(entity)
    if entity == "stock" and stock_mode:
        require(user, P.STOCK_ADJUST if stock_mode == inventory.STOCKTAKE else P.STOCK_RECEIVE)
    elif not can_import(user, entity):
        require(user, IMPORT_PERMS[entity][0])


# --- templates ------------------------------------------------------------------------------


def clean_mapping(entity: str, mapping: Any, defaults: Any = None) -> tuple[dict, dict]:
    keys = set(field_keys(_entity(entity)))
    if not isinstance(mapping, dict) or not isinstance(defaults or {}, dict):
        raise ValidationFailed("mapping and defaults are objects", code="invalid_mapping")
    out_map, out_def = {}, {}
    for name, source in (("mapping", mapping), ("defaults", defaults or {})):
        unknown = sorted(set(source) - keys)
        if unknown:
            raise ValidationFailed(
                f"Unknown fields in {name}: {', '.join(unknown)}",
                code="unknown_field",
                details={"fields": unknown, "allowed": sorted(keys)},
            )
        for k, v in source.items():
            if v is None or str(v).strip() == "":
                continue
            if not isinstance(v, str | int | bool) or len(str(v)) > 200:
                raise ValidationFailed(f"{name}.{k} must be short text", code="invalid_mapping")
            (out_map if name == "mapping" else out_def)[k] = str(v).strip()
    return out_map, out_def


def save_template(
    actor, *, template: ColumnMapping | None = None, name: str, entity: str, mapping, defaults=None
) -> ColumnMapping:
    require_import(actor, entity)
    _staff_only(actor)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(
            "A template needs a name of 1 to 100 characters", code="invalid_name"
        )
    mapping, defaults = clean_mapping(entity, mapping, defaults)
    taken = ColumnMapping.objects.filter(entity=entity, name=name)
    if template is not None:
        taken = taken.exclude(pk=template.pk)
    if taken.exists():
        raise Conflict(f"A template named {name!r} exists for {entity}", code="duplicate_name")
    values = {"name": name, "entity": entity, "mapping": mapping, "defaults": defaults}
    try:
        with transaction.atomic():
            if template is None:
                template = ColumnMapping.objects.create(created_by=_user(actor), **values)
                audit.record(actor, "spreadsheets.template.create", template, values)
            else:
                changes = audit.diff(template, values)
                values["updated_at"] = timezone.now()
                ColumnMapping.objects.filter(pk=template.pk).update(**values)
                for k, v in values.items():
                    setattr(template, k, v)
                audit.record(actor, "spreadsheets.template.update", template, changes)
    except IntegrityError:
        raise Conflict(f"A template named {name!r} exists", code="duplicate_name") from None
    return template


def _staff_only(actor) -> None:
    """Templates are shared by everyone who imports an entity: a customer's portal user uses
    the provider's waybill templates but may not write one (it would reach other customers)."""
    if scoping.is_portal_user(actor):
        raise PermissionDenied(
            "Column templates are kept by the provider's staff", code="templates_staff_only"
        )


def delete_template(actor, template: ColumnMapping) -> None:
    require_import(actor, template.entity)
    _staff_only(actor)
    with transaction.atomic():
        audit.record(actor, "spreadsheets.template.delete", template, {"name": template.name})
        ColumnMapping.objects.filter(pk=template.pk).delete()


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


# --- uploads --------------------------------------------------------------------------------


def upload_file(actor, *, entity: str, filename: str, data: bytes, sheet: str = "") -> Upload:
    """Keep an uploaded file for its preview and import; read its headers and its first rows.

    The request reads at most ``JOB_THRESHOLD + 1`` rows: a file with more is not counted
    here (``row_count`` stays None) but by its import job, which refuses it whole if it is
    past the row limit. The limits of ``core.spreadsheet_safety`` hold for what is read.
    """
    require_import(actor, entity)
    if not data:
        raise ValidationFailed("The file is empty", code="file_required")
    if len(data) > MAX_UPLOAD:
        raise ValidationFailed(
            f"The file is larger than {MAX_UPLOAD // (1024 * 1024)} MB", code="file_too_large"
        )
    kind = reading.file_kind(filename, data)
    headers, body = reading.read(data, kind, sheet)
    count = sum(1 for _ in itertools.islice(body, JOB_THRESHOLD + 1))
    row_count = count if count <= JOB_THRESHOLD else None
    with transaction.atomic():
        upload = Upload.objects.create(
            entity=entity,
            filename=(filename or "")[:200],
            kind=kind,
            sheet=(sheet or "")[:100],
            content=data,
            headers=headers,
            row_count=row_count,
            created_by=_user(actor),
        )
        audit.record(
            actor, "spreadsheets.upload", upload, {"filename": upload.filename, "rows": row_count}
        )
    return upload


def count_upload_rows(upload: Upload, progress: Callable[[int, int], None] | None = None) -> int:
    """Count the rows of a file too big to count at upload (refused past the row limit) and
    keep the count; ``progress(n, 0)`` while counting (the total is not known yet)."""
    if upload.row_count is not None:
        return upload.row_count
    report = (lambda n: progress(n, 0)) if progress else None
    count = reading.count_rows(bytes(upload.content), upload.kind, upload.sheet, report)
    Upload.objects.filter(pk=upload.pk).update(row_count=count)
    upload.row_count = count
    return count


def get_upload(actor, upload_id: int) -> Upload:
    upload = Upload.objects.filter(pk=upload_id).first()
    if upload is None or (
        upload.created_by_id != getattr(actor, "pk", None)
        and not getattr(actor, "is_superuser", False)
    ):
        raise NotFound(f"Upload {upload_id} does not exist", code="upload_not_found")
    return upload


def prune_uploads(older_than: timedelta = KEEP_UPLOADS) -> int:
    """Forget uploads older than a day (run by the worker's sweep)."""
    deleted, _ = Upload.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


# --- the report -----------------------------------------------------------------------------


@dataclass
class Report:
    entity: str
    mode: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rows: list[dict] = field(default_factory=list)
    rows_omitted: int = 0
    written: bool = True
    _plain: int = 0

    def add(self, entry: dict) -> None:
        result = entry["result"]
        setattr(self, result, getattr(self, result) + 1)
        if result == REJECTED or entry["errors"]:
            self.rows.append(entry)
        elif self._plain < MAX_REPORT_ROWS:
            self._plain += 1
            self.rows.append(entry)
        else:
            self.rows_omitted += 1

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    def as_dict(self) -> dict:
        return {
            "entity": self.entity,
            "mode": self.mode,
            "written": self.written,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "total": self.total,
            "rows": sorted(self.rows, key=lambda e: e["row"]),
            "rows_omitted": self.rows_omitted,
        }

    def refused(self) -> dict:
        """All or nothing with rejected rows: nothing was written; the valid rows are counted
        as ``valid`` and only the rejected ones are listed."""
        out = self.as_dict()
        valid = self.created + self.updated + self.unchanged
        out.update(written=False, created=0, updated=0, unchanged=0, valid=valid)
        out["rows"] = [e for e in out["rows"] if e["result"] == REJECTED]
        out["rows_omitted"] = 0
        return out


def _entry(row: int, key: str, result: str, errors: list[dict], mapping: dict) -> dict:
    for e in errors:
        e.setdefault("column", mapping.get(e.get("field", ""), ""))
    return {"row": row, "key": key, "result": result, "errors": errors}


def _err(field_name: str, code: str, message: str) -> dict:
    return {"field": field_name, "code": code, "message": message}


# --- mapping rows ---------------------------------------------------------------------------


def check_mapping(entity: str, headers: list[str], mapping: dict, defaults: dict) -> None:
    missing_headers = sorted({h for h in mapping.values() if h not in headers})
    if missing_headers:
        raise ValidationFailed(
            f"The file has no column {', '.join(missing_headers)}",
            code="unknown_column",
            details={"columns": missing_headers, "headers": headers},
        )
    required = [f.key for f in FIELDS[entity] if f.required]
    unmapped = [k for k in required if k not in mapping and k not in defaults]
    if entity == "products" and "product_code" in unmapped:
        unmapped.remove("product_code")  # an existing SKU is updated without it
    if unmapped:
        raise ValidationFailed(
            f"Map a column (or give a default) for: {', '.join(unmapped)}",
            code="unmapped_required",
            details={"fields": unmapped},
        )


def mapped_rows(body: Iterable[tuple[int, dict]], mapping: dict, defaults: dict):
    keys = set(mapping) | set(defaults)
    for n, raw in body:
        yield (
            n,
            {
                k: (raw.get(mapping[k], "") if k in mapping else "") or defaults.get(k, "")
                for k in keys
            },
        )


# --- entity: products -----------------------------------------------------------------------

_TRUE = {"1", "true", "yes", "y", "是", "有", "带电", "√", "✓", "t"}
_FALSE = {"0", "false", "no", "n", "否", "无", "没有", "x", "×", "f", "-"}
_PRODUCT_TEXT = (
    "product_code",
    "product_name",
    "product_name_en",
    "code",
    "name",
    "variant",
    "cost_currency",
    "declared_name_zh",
    "declared_name_en",
    "hs_code",
    "declared_currency",
    "origin_country",
    "status",
)
_MEASURES = {
    "weight_kg": ("weight_g", to_grams, "kg"),
    "weight_g": ("weight_g", to_grams, "g"),
    "length_cm": ("length_mm", to_mm, "cm"),
    "width_cm": ("width_mm", to_mm, "cm"),
    "height_cm": ("height_mm", to_mm, "cm"),
}


def product_row(m: dict) -> tuple[dict, list[dict]]:
    """A mapped row -> a row for ``catalog.services.upsert_skus`` (empty cells are left out,
    so an update keeps what the file does not say)."""
    out: dict[str, Any] = {}
    errors: list[dict] = []
    for k in _PRODUCT_TEXT:
        v = (m.get(k) or "").strip()
        if v:
            out[k] = v.upper() if k.endswith(("currency", "country")) else v
    for k, (target, convert, unit) in _MEASURES.items():
        v = (m.get(k) or "").strip()
        if v:
            try:
                out[target] = convert(v, unit)
            except DomainError as exc:
                errors.append(_err(k, exc.code, f"{k}: {exc.message}"))
    for k, target in (("cost", "cost_amount"), ("declared_value", "declared_value")):
        v = (m.get(k) or "").strip()
        if v:
            out[target] = v
    for k in ("has_battery", "has_liquid", "has_magnet"):
        v = (m.get(k) or "").strip().lower()
        if v in _TRUE:
            out[k] = True
        elif v in _FALSE:
            out[k] = False
        elif v:
            errors.append(_err(k, "invalid_value", f"{k} is yes or no, not {v!r}"))
    return out, errors


_FIELD_BACK = {
    "weight_g": "weight_kg",
    "length_mm": "length_cm",
    "width_mm": "width_cm",
    "height_mm": "height_cm",
    "cost_amount": "cost",
}


def _products(actor, numbered, mapping, *, write: bool, report: Report, tick) -> None:
    chunk: list[tuple[int, dict, list]] = []

    def flush():
        valid = [(n, row) for n, row, errs in chunk if not errs]
        results = iter(catalog.upsert_skus(actor, [r for _, r in valid], dry_run=not write))
        by_row = {n: next(results) for n, _ in valid}
        for n, row, errs in chunk:
            if errs:
                report.add(_entry(n, row.get("code", ""), REJECTED, errs, mapping))
                continue
            res = by_row[n]
            errors = res["errors"]
            for e in errors:
                if "weight_kg" in mapping and e["field"] == "weight_g":
                    e["field"] = "weight_kg"
                else:
                    e["field"] = _FIELD_BACK.get(e["field"], e["field"])
            report.add(_entry(n, res["code"], res["result"], errors, mapping))
        tick(len(chunk))
        chunk.clear()

    for n, m in numbered:
        row, errors = product_row(m)
        chunk.append((n, row, errors))
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()


# --- entity: stock --------------------------------------------------------------------------


def _whole(value: str) -> int | None:
    try:
        d = Decimal(value.replace(",", "").strip())
    except (InvalidOperation, AttributeError):
        return None
    if not d.is_finite() or d != d.to_integral_value():
        return None
    return int(d)


def _stock(
    actor, numbered, mapping, *, write: bool, report: Report, tick, stock_mode: str, source: str
) -> None:
    chunk: list[tuple[int, dict]] = []

    def flush():
        sku_codes = {(m.get("sku") or "").strip() for _, m in chunk}
        wh_codes = {(m.get("warehouse") or "").strip() for _, m in chunk}
        skus = dict(Sku.objects.filter(code__in=sku_codes).values_list("code", "pk"))
        whs = dict(Warehouse.objects.filter(code__in=wh_codes).values_list("code", "pk"))
        valid, entries = [], []
        for n, m in chunk:
            sku, wh = (m.get("sku") or "").strip(), (m.get("warehouse") or "").strip()
            qty = _whole(m.get("quantity") or "")
            errors = []
            if not sku:
                errors.append(_err("sku", "required", "sku is required"))
            elif sku not in skus:
                errors.append(_err("sku", "unknown_sku", f"No SKU with the code {sku!r}"))
            if not wh:
                errors.append(_err("warehouse", "required", "warehouse is required"))
            elif wh not in whs:
                errors.append(
                    _err("warehouse", "unknown_warehouse", f"No warehouse with the code {wh!r}")
                )
            if qty is None or qty < 0:
                errors.append(
                    _err(
                        "quantity",
                        "invalid_quantity",
                        f"The quantity is a whole number, 0 or more: {m.get('quantity')!r}",
                    )
                )
            key = f"{sku}@{wh}"
            if errors:
                entries.append((n, key, errors, None))
            else:
                entries.append((n, key, [], len(valid)))
                valid.append((skus[sku], whs[wh], qty))
        if write and valid:
            results = inventory.apply_counts(actor, valid, stock_mode, source_id=source)
        else:
            results = inventory.plan_counts(valid, stock_mode) if valid else []
        for n, key, errors, i in entries:
            if i is None:
                report.add(_entry(n, key, REJECTED, errors, mapping))
            else:
                res = results[i]
                report.add(_entry(n, key, res["result"], list(res["errors"]), mapping))
        tick(len(chunk))
        chunk.clear()

    for item in numbered:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()


# --- entity: orders -------------------------------------------------------------------------

_GROUP_FIELD = {"buyer": "buyer_{}", "shipping_address": "ship_{}", "totals": "{}_total"}


def _order_place(field_name: str, row: int) -> tuple[str, int]:
    """The importer's field name -> (our flat field, row): lines[2].quantity is the order's
    third row."""
    if field_name.startswith("lines[") and "]." in field_name:
        index, _, name = field_name[6:].partition("].")
        if index.isdigit():
            return name, row + int(index)
    group, _, key = field_name.partition(".")
    if key and group in _GROUP_FIELD:
        return _GROUP_FIELD[group].format(key), row
    return field_name, row


def _order_entry(e: dict, mapping: dict) -> dict:
    errors = []
    row = e["row"]
    for err in e.get("errors") or []:
        name, line = _order_place(str(err.get("field") or ""), row)
        errors.append({**err, "field": name, "row": line})
    key = f"{e.get('store', '')}/{e.get('external_id', '')}"
    return _entry(row, key, e["result"], errors, mapping)


def _orders(actor, numbered, mapping, *, write: bool, report: Report, tick, source: str) -> None:
    # the importer reads text cells keyed by its CSV columns
    flat = ((n, {k: str(v) for k, v in m.items()}) for n, m in numbered)
    counted = _counting(flat, tick)
    grouped = readers.orders_from_rows(counted)
    if not write:
        stores = normalizing.stores_by_code()
        for n, raw in grouped:
            _norm, errors = normalizing.normalize_order(raw, stores)
            e = {
                "row": n,
                "store": raw.get("store", ""),
                "external_id": raw.get("external_id", ""),
                "result": REJECTED if errors else CREATED,
                "errors": errors,
            }
            report.add(_order_entry(e, mapping))
        return
    result = importing.import_numbered(actor, grouped, source=source)
    for e in result.rows:
        report.add(_order_entry(e, mapping))
    # rows beyond the importer's report limit are counted, not listed
    for name in (CREATED, UPDATED, UNCHANGED):
        listed = sum(1 for e in result.rows if e["result"] == name)
        extra = getattr(result, name) - listed
        setattr(report, name, getattr(report, name) + extra)
        report.rows_omitted += extra


def _counting(rows: Iterator, tick) -> Iterator:
    n = 0
    for item in rows:
        n += 1
        if n % 200 == 0:
            tick(200)
        yield item
    tick(n % 200)


# --- the import -----------------------------------------------------------------------------


class _Rollback(Exception):
    def __init__(self, report: Report):
        self.report = report


def _pass(actor, upload: Upload, entity, mapping, defaults, *, write, mode, stock_mode, tick):
    report = Report(entity, mode)
    _, body = reading.read(bytes(upload.content), upload.kind, upload.sheet)
    numbered = mapped_rows(body, mapping, defaults)
    source = f"sheet:{upload.pk}"
    if entity == "orders":
        _orders(
            actor, numbered, mapping, write=write, report=report, tick=tick, source="spreadsheet"
        )
    elif entity == "products":
        _products(actor, numbered, mapping, write=write, report=report, tick=tick)
    elif entity == "waybills":
        waybill_rows.import_rows(actor, numbered, mapping, write=write, report=report, tick=tick,
                                 entry=_entry, all_or_nothing=mode == "all_or_nothing")  # fmt: skip
    else:
        _stock(
            actor,
            numbered,
            mapping,
            write=write,
            report=report,
            tick=tick,
            stock_mode=stock_mode,
            source=source,
        )
    return report


def run_import(
    actor,
    upload: Upload,
    *,
    mapping: dict | None = None,
    defaults: dict | None = None,
    template: ColumnMapping | None = None,
    mode: str = "all_or_nothing",
    stock_mode: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Import an uploaded file; return the per-row report (see the module's doc)."""
    entity = upload.entity
    if mode not in MODES:
        raise ValidationFailed(f"mode is one of {', '.join(MODES)}", code="invalid_mode")
    if entity == "stock":
        stock_mode = stock_mode or inventory.STOCKTAKE
        if stock_mode not in STOCK_MODES:
            raise ValidationFailed(
                f"stock_mode is one of {', '.join(STOCK_MODES)}", code="invalid_stock_mode"
            )
    require_import(actor, entity, stock_mode)
    if template is not None:
        if template.entity != entity:
            raise ValidationFailed("The template is for another entity", code="template_entity")
        mapping = {**template.mapping, **(mapping or {})}
        defaults = {**template.defaults, **(defaults or {})}
    if mapping is None:
        mapping = suggest_mapping(entity, upload.headers)
    mapping, defaults = clean_mapping(entity, mapping, defaults)
    check_mapping(entity, upload.headers, mapping, defaults)
    # A big file is counted (and refused past the row limit) before anything is written.
    rows = count_upload_rows(upload, progress)

    passes = 2 if mode == "all_or_nothing" else 1
    total = max(rows, 1) * passes
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(min(done, total), total)

    common = {"mode": mode, "stock_mode": stock_mode, "tick": tick}
    if mode == "all_or_nothing":
        check = _pass(actor, upload, entity, mapping, defaults, write=False, **common)
        if check.rejected:
            return check.refused()
        try:
            with transaction.atomic():
                report = _pass(actor, upload, entity, mapping, defaults, write=True, **common)
                if report.rejected:
                    raise _Rollback(report)
                _record(actor, upload, report, stock_mode)
        except _Rollback as rollback:
            return rollback.report.refused()
    else:
        report = _pass(actor, upload, entity, mapping, defaults, write=True, **common)
        with transaction.atomic():
            _record(actor, upload, report, stock_mode)
    if progress:
        progress(total, total)
    return report.as_dict()


def _record(actor, upload: Upload, report: Report, stock_mode: str) -> None:
    audit.record(
        actor,
        f"spreadsheets.import.{upload.entity}",
        upload,
        {
            "filename": upload.filename,
            "mode": report.mode,
            "stock_mode": stock_mode,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": report.rejected,
        },
    )


def start_import(actor, upload: Upload, **options) -> tuple[Any, dict | None]:
    """Run small files at once -> (None, report); big ones as a job -> (job, None)."""
    require_import(actor, upload.entity, options.get("stock_mode", ""))
    if upload.row_count is not None and upload.row_count <= JOB_THRESHOLD:
        return None, run_import(actor, upload, **options)
    template = options.pop("template", None)
    params = {
        "upload_id": upload.pk,
        "filename": upload.filename,
        "entity": upload.entity,
        "template_id": template.pk if template else None,
        **options,
    }
    job = jobs.start(actor, JOB_KIND, params, total=upload.row_count or 0)
    return job, None


@jobs.kind(JOB_KIND)
def import_job(actor, params: dict, progress) -> dict:
    upload = Upload.objects.filter(pk=params.get("upload_id")).first()
    if upload is None:
        raise ValidationFailed("The uploaded file is not there any more", code="file_missing")
    template = None
    if params.get("template_id"):
        template = ColumnMapping.objects.filter(pk=params["template_id"]).first()
    return run_import(
        actor,
        upload,
        mapping=params.get("mapping"),
        defaults=params.get("defaults"),
        template=template,
        mode=params.get("mode") or "all_or_nothing",
        stock_mode=params.get("stock_mode") or "",
        progress=progress,
    )


# --- preview --------------------------------------------------------------------------------


def preview(
    actor, upload: Upload, *, mapping=None, defaults=None, template=None, stock_mode: str = ""
) -> dict:
    """The first rows as mapped, with each row's problems (nothing is written)."""
    entity = upload.entity
    require_import(actor, entity)
    if template is not None:
        mapping = {**template.mapping, **(mapping or {})}
        defaults = {**template.defaults, **(defaults or {})}
    suggested = suggest_mapping(entity, upload.headers)
    if mapping is None:
        mapping = suggested
    mapping, defaults = clean_mapping(entity, mapping, defaults)
    problems: list[dict] = []
    try:
        check_mapping(entity, upload.headers, mapping, defaults)
    except ValidationFailed as exc:
        problems.append(exc.as_dict())
    _, body = reading.read(bytes(upload.content), upload.kind, upload.sheet)
    first = []
    for item in body:
        first.append(item)
        if len(first) >= PREVIEW_ROWS:
            break
    rows = list(mapped_rows(first, mapping, defaults))
    report = Report(entity, "preview")
    if not problems:
        tick = lambda _n: None  # noqa: E731
        if entity == "orders":
            _orders(actor, iter(rows), mapping, write=False, report=report, tick=tick, source="")
        elif entity == "products":
            _products(actor, iter(rows), mapping, write=False, report=report, tick=tick)
        else:
            _stock(
                actor,
                iter(rows),
                mapping,
                write=False,
                report=report,
                tick=tick,
                stock_mode=stock_mode or inventory.STOCKTAKE,
                source="",
            )
    errors_by_row: dict[int, list] = {}
    for e in report.rows:
        for err in e["errors"]:
            shown = {**err, "message": _shown(str(err.get("message", "")), 2 * PREVIEW_CHARS)}
            errors_by_row.setdefault(err.get("row", e["row"]), []).append(shown)
    fields = [f.key for f in FIELDS[entity]]
    return {
        "upload_id": upload.pk,
        "entity": entity,
        "filename": upload.filename,
        "headers": upload.headers,
        "row_count": upload.row_count,
        "mapping": mapping,
        "defaults": defaults,
        "suggested": suggested,
        "fields": fields,
        "problems": problems,
        "rows": [
            {
                "row": n,
                "values": {k: _shown(m.get(k, "")) for k in fields if k in m},
                "errors": errors_by_row.get(n, []),
            }
            for n, m in rows
        ],
    }


def _shown(text: str, limit: int = PREVIEW_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["PermissionDenied", "start_import", "run_import", "preview", "upload_file"]
