"""Which customs document a parcel needs (DOMAIN.md, "Customs")."""

from __future__ import annotations

from typing import Literal

from tradelane.core.errors import ValidationFailed
from tradelane.core.money import Money

from .data import DOCUMENTS, CN22Limits, CustomsDeclaration, LabelData

CustomsDocument = Literal["cn22", "cn23", "invoice", "none"]


def choose_customs_document(
    declaration: CustomsDeclaration,
    *,
    postal: bool,
    cn22_max_value: Money,
    cn22_max_weight_g: int,
) -> CustomsDocument:
    """``none`` for documents; postal items within the CN22 limits (value and weight both at
    or under them) ``cn22`` (a block on the label), other postal items ``cn23``; courier and
    express ``invoice``. The limits are the channel's dated configuration (300 SDR and about
    2 kg by UPU rules); ``cn22_max_value`` must be in the declaration's currency, else
    ValidationFailed ``currency_mismatch`` (the renderer never converts)."""
    if declaration.category == DOCUMENTS:
        return "none"
    if not postal:
        return "invoice"
    if cn22_max_value.currency != declaration.currency:
        raise ValidationFailed(
            f"The CN22 limit is in {cn22_max_value.currency}, the declaration in "
            f"{declaration.currency}: convert the limit first",
            code="currency_mismatch",
        )
    within = (
        declaration.total_value <= cn22_max_value.amount
        and declaration.total_weight_g <= cn22_max_weight_g
    )
    return "cn22" if within else "cn23"


def label_has_cn22(label: LabelData) -> bool:
    """Whether the label carries a CN22 block: a postal item with a declaration that is not
    documents, within ``label.cn22_limits`` when the caller gave them."""
    customs = label.customs
    if not label.postal or customs is None or customs.category == DOCUMENTS:
        return False
    limits: CN22Limits | None = label.cn22_limits
    if limits is None:
        return True
    return (
        choose_customs_document(
            customs,
            postal=True,
            cn22_max_value=limits.max_value,
            cn22_max_weight_g=limits.max_weight_g,
        )
        == "cn22"
    )
