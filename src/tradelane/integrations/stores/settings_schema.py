"""The per-store settings of a connection, validated by a pydantic schema (unknown keys refused)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tradelane.core.errors import ValidationFailed
from tradelane.orders.states import PaymentStatus


class StoreSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Orders not seen before are imported only with one of these payment statuses.
    import_statuses: list[str] = Field(
        default_factory=lambda: ["paid", "authorized", "partially_refunded", "pending"]
    )
    warehouse_priority: list[str] = Field(default_factory=list)  # warehouse codes, best first
    ioss_number: str = ""  # EU IOSS (IM + 10 digits)
    push_stock: bool = False
    sync_interval_minutes: int = Field(default=15, ge=1, le=1440)
    alert_after_minutes: int = Field(default=120, ge=5, le=10080)
    reconcile_overlap_minutes: int = Field(default=10, ge=0, le=1440)
    locations: dict[str, str] = Field(default_factory=dict)  # warehouse code -> platform location
    # Orders the platform ships itself (Amazon FBA) are recorded as shipped from this warehouse
    # (code of a warehouse of kind ``platform``); no stock leaves our own warehouses.
    platform_warehouse: str = ""
    marketplace_ids: list[str] = Field(default_factory=list)  # Amazon marketplaces to pull

    @field_validator("import_statuses")
    @classmethod
    def _statuses(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(PaymentStatus.values))
        if unknown:
            raise ValueError(f"unknown payment statuses {unknown}")
        return value

    @field_validator("ioss_number")
    @classmethod
    def _ioss(cls, value: str) -> str:
        value = value.strip().upper()
        if value and not (len(value) == 12 and value.startswith("IM") and value[2:].isdigit()):
            raise ValueError("an IOSS number is IM followed by 10 digits")
        return value


def clean_settings(raw: dict | None) -> dict:
    """Validated settings with defaults filled, as a plain dict; ``ValidationFailed`` if bad."""
    try:
        return StoreSettings.model_validate(raw or {}).model_dump()
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        raise ValidationFailed(
            "Invalid store settings", code="invalid_settings", details={"errors": details}
        ) from None


def settings_of(connection) -> StoreSettings:
    return StoreSettings.model_validate({**clean_settings({}), **(connection.settings or {})})
