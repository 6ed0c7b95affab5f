"""Every write of commissions: agreements (with their validation), a period's computation
(set-based: a few aggregate queries and bulk inserts, whatever the number of waybills),
confirming and settling statements (an agent's settles as a credit on its ledger account),
and an agent's payout (a debit on that account).

Re-running a period replaces its draft statements; a confirmed or settled statement is never
changed: the re-run compares the new figures with what those statements hold and writes the
differences per waybill as delta lines in a new draft statement (sequence 2, 3...), none when
nothing changed, so running it twice writes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.core.money import Money, check_currency, quantize
from tradelane.core.states import transition
from tradelane.forwarding.partners.models import Agent
from tradelane.forwarding.waybills.models import Waybill, WaybillStatus
from tradelane.logistics.rates.models import Channel

from ..fees.models import FeeSide
from ..ledgers import services as ledgers
from ..ledgers.models import EntryKind
from . import calculation as calc
from .models import (
    Basis,
    Beneficiary,
    CommissionAgreement,
    CommissionLine,
    CommissionStatement,
    CommissionTier,
    StatementStatus,
    TierMeasure,
)
from .states import STATEMENT_TRANSITIONS

# a waybill earns a commission once the hub has it: not as a forecast, not cancelled
NOT_EARNING = (WaybillStatus.CREATED, WaybillStatus.CANCELLED)
SALES_BASES = (Basis.MARGIN_PCT, Basis.REVENUE_PCT)
MAX_RATE = Decimal("99999999.9999")


def _decimal(value, field: str, code: str) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{field}: {value!r} is not a number", code=code,
                               details={"field": field}) from None  # fmt: skip
    if not d.is_finite() or d < 0 or d > MAX_RATE or d.as_tuple().exponent < -4:
        raise ValidationFailed(
            f"{field}: {value} must be 0 or more, with at most 4 decimals", code=code,
            details={"field": field},
        )  # fmt: skip
    return d


def _date(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(f"{field}: {value!r} is not a date (YYYY-MM-DD)",
                               code="commission_dates_invalid",
                               details={"field": field}) from None  # fmt: skip


@dataclass(frozen=True)
class AgreementInput:
    basis: str
    rate: Decimal
    tier_measure: str
    tiers: tuple[tuple[Decimal, Decimal], ...]
    currency: str
    valid_from: dt.date
    valid_to: dt.date | None
    channel: Channel | None
    note: str


def _clean(beneficiary: str, owner, data: dict) -> AgreementInput:
    basis = str(data.get("basis", "")).strip()
    allowed = SALES_BASES if beneficiary == Beneficiary.SALESPERSON else Basis.values
    if basis not in allowed:
        raise ValidationFailed(f"Unknown or not allowed basis {basis!r}",
                               code="commission_basis_invalid",
                               details={"allowed": list(allowed)})  # fmt: skip
    measure = str(data.get("tier_measure") or TierMeasure.NONE).strip()
    if measure not in TierMeasure.values:
        raise ValidationFailed(f"Unknown tier measure {measure!r}", code="commission_tiers_invalid")
    pct = basis in SALES_BASES
    rate = _decimal(data.get("rate") or "0", "rate", "commission_rate_invalid")
    if pct and rate > 100:
        raise ValidationFailed("A percentage is at most 100", code="commission_rate_invalid",
                               details={"field": "rate"})  # fmt: skip
    tiers: list[tuple[Decimal, Decimal]] = []
    for i, row in enumerate(data.get("tiers") or ()):
        low, tier_rate = row
        if str(low).strip() == "" and str(tier_rate).strip() == "":
            continue
        low = _decimal(low, f"tiers[{i}].from", "commission_tiers_invalid")
        tier_rate = _decimal(tier_rate, f"tiers[{i}].rate", "commission_tiers_invalid")
        if pct and tier_rate > 100:
            raise ValidationFailed("A percentage is at most 100", code="commission_tiers_invalid")
        tiers.append((low, tier_rate))
    lows = [t[0] for t in tiers]
    if measure == TierMeasure.NONE and tiers:
        raise ValidationFailed("Tiers need a measure (waybills, kg or revenue)",
                               code="commission_tiers_invalid")  # fmt: skip
    if measure != TierMeasure.NONE and (not tiers or lows != sorted(set(lows))):
        raise ValidationFailed(
            "Tiers: at least one, their lower bounds strictly ascending",
            code="commission_tiers_invalid",
        )
    valid_from = _date(data.get("valid_from"), "valid_from")
    valid_to = _date(data.get("valid_to"), "valid_to")
    if valid_from is None or (valid_to is not None and valid_to < valid_from):
        raise ValidationFailed("Valid from is required and comes before valid to",
                               code="commission_dates_invalid")  # fmt: skip
    channel = None
    code = str(data.get("channel") or "").strip()
    if code:
        channel = Channel.objects.filter(code=code).first()
        if channel is None:
            raise ValidationFailed(f"No channel {code}", code="commission_channel_invalid")
    currency = check_currency(str(data.get("currency") or getattr(owner, "currency", "CNY")))
    if beneficiary == Beneficiary.AGENT and currency != owner.currency:
        raise ValidationFailed(
            f"Agent {owner.code} is settled in {owner.currency}, not {currency}",
            code="commission_currency_mismatch",
        )
    return AgreementInput(basis, rate, measure, tuple(tiers), currency, valid_from, valid_to,
                          channel, str(data.get("note") or "").strip()[:300])  # fmt: skip


def _owner_lookup(beneficiary: str, owner) -> dict:
    return {"agent": owner} if beneficiary == Beneficiary.AGENT else {"salesperson": owner}


def _check_owner(beneficiary: str, owner) -> None:
    if beneficiary == Beneficiary.AGENT and isinstance(owner, Agent):
        return
    if beneficiary == Beneficiary.SALESPERSON and isinstance(owner, get_user_model()):
        if owner.is_active and not hasattr(owner, "portal_membership"):
            return
    raise ValidationFailed("An agreement is for an agent or an active staff salesperson",
                           code="commission_beneficiary_invalid")  # fmt: skip


def _check_overlap(beneficiary: str, owner, clean: AgreementInput, exclude: int | None) -> None:
    others = CommissionAgreement.objects.filter(
        beneficiary=beneficiary, channel=clean.channel, **_owner_lookup(beneficiary, owner)
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=clean.valid_from))
    if clean.valid_to is not None:
        others = others.filter(valid_from__lte=clean.valid_to)
    if exclude:
        others = others.exclude(pk=exclude)
    clash = others.first()
    if clash is not None:
        raise Conflict("Another agreement of this beneficiary and channel covers these dates",
                       code="commission_agreement_overlap",
                       details={"agreement": clash.pk})  # fmt: skip
    currencies = set(
        CommissionAgreement.objects.filter(beneficiary=beneficiary,
                                           **_owner_lookup(beneficiary, owner))
        .exclude(pk=exclude or 0).values_list("currency", flat=True)
    )  # fmt: skip
    if currencies - {clean.currency}:
        raise ValidationFailed("All agreements of one beneficiary are in one currency",
                               code="commission_currency_mismatch")  # fmt: skip


def _fields(clean: AgreementInput) -> dict:
    return {
        "basis": clean.basis, "rate": clean.rate, "tier_measure": clean.tier_measure,
        "currency": clean.currency, "valid_from": clean.valid_from, "valid_to": clean.valid_to,
        "channel": clean.channel, "note": clean.note,
    }  # fmt: skip


def create_agreement(actor, *, beneficiary: str, owner, **data) -> CommissionAgreement:
    """A new agreement for an agent (``owner`` an ``Agent``) or a salesperson (a user).
    ``data``: basis, rate, tier_measure, tiers [(from, rate)...], currency, valid_from,
    valid_to, channel (code), note."""
    require(actor, P.COMMISSION_MANAGE)
    _check_owner(beneficiary, owner)
    clean = _clean(beneficiary, owner, data)
    with transaction.atomic():
        _check_overlap(beneficiary, owner, clean, None)
        a = CommissionAgreement.objects.create(
            beneficiary=beneficiary, created_by=actor, **_owner_lookup(beneficiary, owner),
            **_fields(clean),
        )  # fmt: skip
        CommissionTier.objects.bulk_create(
            [CommissionTier(agreement=a, min_volume=lo, rate=r) for lo, r in clean.tiers]
        )
        audit.record(actor, "finance.commission_agreement.create", a,
                     {**_fields(clean), "channel": getattr(clean.channel, "code", ""),
                      "tiers": [[str(lo), str(r)] for lo, r in clean.tiers]})  # fmt: skip
    return a


def update_agreement(actor, agreement: CommissionAgreement, **data) -> CommissionAgreement:
    """Change an agreement's terms (statements already confirmed keep what they were)."""
    require(actor, P.COMMISSION_MANAGE)
    owner = agreement.agent if agreement.beneficiary == Beneficiary.AGENT else agreement.salesperson
    clean = _clean(agreement.beneficiary, owner, data)
    with transaction.atomic():
        locked = CommissionAgreement.objects.select_for_update().get(pk=agreement.pk)
        _check_overlap(agreement.beneficiary, owner, clean, locked.pk)
        before = audit.diff(locked, _fields(clean))
        CommissionAgreement.objects.filter(pk=locked.pk).update(
            **_fields(clean), updated_at=timezone.now()
        )
        CommissionTier.objects.filter(agreement=locked).delete()
        CommissionTier.objects.bulk_create(
            [CommissionTier(agreement=locked, min_volume=lo, rate=r) for lo, r in clean.tiers]
        )
        audit.record(actor, "finance.commission_agreement.update", locked,
                     {"changes": before,
                      "tiers": [[str(lo), str(r)] for lo, r in clean.tiers]})  # fmt: skip
    locked.refresh_from_db()
    return locked


# the terms an agent was created with (forwarding.partners: Agent.commission_mode and rate)
_MODE_BASIS = {"per_waybill": Basis.PER_WAYBILL, "per_kg": Basis.PER_KG,
               "margin_share": Basis.MARGIN_PCT}  # fmt: skip


def adopt_agent_terms(actor, agent: Agent, *, valid_from=None) -> CommissionAgreement:
    """A general agreement from the headline terms on the agent's record (its commission mode
    and rate, as the partners page takes them), valid from ``valid_from`` (the agent's
    creation day by default): the agreement is what the computation reads."""
    basis = _MODE_BASIS.get(agent.commission_mode)
    if basis is None or agent.commission_rate <= 0:
        raise ValidationFailed(f"Agent {agent.code} has no commission terms to adopt",
                               code="commission_no_terms")  # fmt: skip
    since = valid_from or timezone.localtime(agent.created_at).date()
    return create_agreement(actor, beneficiary=Beneficiary.AGENT, owner=agent, basis=basis,
                            rate=agent.commission_rate.normalize(), valid_from=since,
                            note="adopted from the agent's terms")  # fmt: skip


# -- a period's computation ----------------------------------------------------------------


def month_of(value: str | dt.date) -> dt.date:
    """The first day of the month ``value`` ("2026-11" or a date) names."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    try:
        y, m = str(value).strip().split("-")[:2]
        return dt.date(int(y), int(m), 1)
    except (ValueError, TypeError):
        raise ValidationFailed(f"{value!r} is not a month (YYYY-MM)",
                               code="commission_period_invalid") from None  # fmt: skip


def _bounds(period: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    nxt = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (dt.datetime.combine(period, dt.time(), tz), dt.datetime.combine(nxt, dt.time(), tz))


@dataclass(frozen=True)
class PeriodResult:
    period: dt.date
    beneficiary: str
    statements: int  # drafts written (new or replaced)
    lines: int
    total: dict[str, Decimal]  # per currency, of the drafts written


def _terms(beneficiary: str, start: dt.date, end: dt.date) -> dict[int, list[calc.Terms]]:
    owner_field = "agent_id" if beneficiary == Beneficiary.AGENT else "salesperson_id"
    rows = (
        CommissionAgreement.objects.filter(beneficiary=beneficiary, valid_from__lt=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .prefetch_related("tiers")
        .order_by("pk")
    )
    by_owner: dict[int, list[calc.Terms]] = defaultdict(list)
    for a in rows:
        tiers = tuple((t.min_volume, t.rate) for t in a.tiers.all())
        by_owner[getattr(a, owner_field)].append(calc.Terms(
            a.pk, getattr(a, owner_field), a.channel_id, a.basis, a.tier_measure, a.rate,
            a.currency, a.valid_from, a.valid_to, tiers,
        ))  # fmt: skip
    return by_owner


def _figures(beneficiary: str, owners, start, end, currency_of) -> list[calc.WaybillFigures]:
    """Every earning waybill of the owners' customers in the month with its nets per
    currency: one aggregate query."""
    via = "customer__agent_id" if beneficiary == Beneficiary.AGENT else "customer__salesperson_id"
    rows = (
        Waybill.objects.filter(**{f"{via}__in": list(owners)}, created_at__gte=start,
                               created_at__lt=end)
        .exclude(status__in=NOT_EARNING)
        .values_list("pk", via, "channel_id", "created_at", "chargeable_weight_g",
                     "fee_lines__currency")
        .annotate(
            rec=Sum("fee_lines__amount", filter=Q(fee_lines__side=FeeSide.RECEIVABLE)),
            pay=Sum("fee_lines__amount", filter=Q(fee_lines__side=FeeSide.PAYABLE)),
        )
        .order_by("pk")
    )  # fmt: skip
    tz = ZoneInfo(settings.TIME_ZONE)
    out: dict[int, calc.WaybillFigures] = {}
    for pk, owner, channel, created, grams, cur, rec, pay in rows:
        w = out.get(pk)
        if w is None:
            w = out[pk] = calc.WaybillFigures(pk, owner, channel, created.astimezone(tz).date(),
                                              grams, calc.ZERO, calc.ZERO)  # fmt: skip
        if cur is not None and cur == currency_of(owner):
            w.receivable, w.payable = rec or calc.ZERO, pay or calc.ZERO
    return list(out.values())


def _new_lines(terms, figures) -> dict[int, dict[int, CommissionLine]]:
    """owner -> waybill -> its line (unsaved), by the stage-performance rule."""
    chosen: list[tuple[calc.Terms, calc.WaybillFigures]] = []
    volume: dict[int, Decimal] = defaultdict(Decimal)
    for w in figures:
        t = calc.pick(terms.get(w.owner, []), w.channel, w.day)
        if t is not None:
            chosen.append((t, w))
            volume[t.pk] += calc.measure(t, w)
    lines: dict[int, dict[int, CommissionLine]] = defaultdict(dict)
    for t, w in chosen:
        low, rate = calc.tier_for(t, volume[t.pk])
        base = calc.base_of(t, w)
        amount, note = calc.amount_of(t, base, rate)
        lines[w.owner][w.waybill] = CommissionLine(
            waybill_id=w.waybill, agreement_id=t.pk, basis=t.basis, base=base,
            volume=volume[t.pk], tier_min=low, rate=rate, amount=amount, currency=t.currency,
            note=note,
        )  # fmt: skip
    return lines


def compute_period(actor, period, *, beneficiary: str = Beneficiary.AGENT) -> PeriodResult:
    """Compute every agent's (or salesperson's) commission of the month ``period``."""
    require(actor, P.COMMISSION_MANAGE)
    if beneficiary not in Beneficiary.values:
        raise ValidationFailed(f"Unknown beneficiary {beneficiary!r}",
                               code="commission_beneficiary_invalid")  # fmt: skip
    period = month_of(period)
    start, end = _bounds(period)
    owner_field = "agent_id" if beneficiary == Beneficiary.AGENT else "salesperson_id"
    with transaction.atomic():
        terms = _terms(beneficiary, start.date(), end.date())
        # two computations of one month queue on the beneficiaries' rows (PostgreSQL; SQLite's
        # write transactions queue anyway), so the second sees the first's statements
        owner_model = Agent if beneficiary == Beneficiary.AGENT else get_user_model()
        list(owner_model.objects.select_for_update().filter(pk__in=list(terms))
             .order_by("pk").values_list("pk", flat=True))  # fmt: skip
        currency = {o: ts[0].currency for o, ts in terms.items()}
        figures = _figures(beneficiary, terms, start, end, currency.get) if terms else []
        fresh = _new_lines(terms, figures)
        stmts = list(
            CommissionStatement.objects.select_for_update()
            .filter(beneficiary=beneficiary, period=period).order_by("pk")
        )  # fmt: skip
        drafts = {getattr(s, owner_field): s for s in stmts if s.status == StatementStatus.DRAFT}
        fixed_owners = {getattr(s, owner_field) for s in stmts if s.status != "draft"}
        next_seq: dict[int, int] = defaultdict(lambda: 1)
        for s in stmts:
            o = getattr(s, owner_field)
            next_seq[o] = max(next_seq[o], s.sequence + 1)
        # what confirmed and settled statements hold, per owner and waybill (one query)
        held: dict[int, dict[int, Decimal]] = defaultdict(dict)
        if fixed_owners:
            for o, wb, amount in (
                CommissionLine.objects.filter(statement__beneficiary=beneficiary,
                                              statement__period=period)
                .exclude(statement__status=StatementStatus.DRAFT)
                .values_list(f"statement__{owner_field}", "waybill_id")
                .annotate(s=Sum("amount")).order_by()
            ):  # fmt: skip
                held[o][wb] = amount
        CommissionLine.objects.filter(statement__in=list(drafts.values())).delete()
        wanted: dict[int, list[CommissionLine]] = {}
        for o in set(fresh) | fixed_owners:
            mine = fresh.get(o, {})
            if o not in fixed_owners:
                if mine:
                    wanted[o] = list(mine.values())
                continue
            deltas = []
            for wb in sorted(set(mine) | set(held[o])):
                new = mine.get(wb)
                diff = (new.amount if new else calc.ZERO) - held[o].get(wb, calc.ZERO)
                if diff == 0:
                    continue
                line = new or CommissionLine(waybill_id=wb, currency=currency.get(o) or "CNY")
                line.amount, line.is_delta = diff, True
                deltas.append(line)
            if deltas:
                wanted[o] = deltas
        # drafts left without lines are removed; new drafts made; totals written
        gone = [s.pk for o, s in drafts.items() if o not in wanted]
        CommissionStatement.objects.filter(pk__in=gone).delete()
        now = timezone.now()
        make, keep = [], []
        for o, lines in wanted.items():
            total = sum((x.amount for x in lines), calc.ZERO)
            cur = lines[0].currency
            s = drafts.get(o)
            if s is None:
                s = CommissionStatement(
                    beneficiary=beneficiary,
                    period=period,
                    sequence=next_seq[o],
                    currency=cur,
                    **{owner_field: o},
                )
                make.append(s)  # fmt: skip
            else:
                keep.append(s)
            s.total, s.waybill_count, s.computed_at, s.updated_at = total, len(lines), now, now
        CommissionStatement.objects.bulk_create(make)
        CommissionStatement.objects.bulk_update(
            keep, ["total", "waybill_count", "computed_at", "updated_at"]
        )
        by_owner = {getattr(s, owner_field): s for s in [*make, *keep]}
        rows = []
        for o, lines in wanted.items():
            for x in lines:
                x.statement = by_owner[o]
                rows.append(x)
        CommissionLine.objects.bulk_create(rows, batch_size=2000)
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for s in by_owner.values():
            totals[s.currency] += s.total
        audit.record(actor, "finance.commission.compute", None,
                     {"period": period.isoformat(), "beneficiary": beneficiary,
                      "statements": len(by_owner), "lines": len(rows),
                      "totals": {k: str(v) for k, v in totals.items()}})  # fmt: skip
    return PeriodResult(period, beneficiary, len(by_owner), len(rows), dict(totals))


# -- confirming, settling, paying out --------------------------------------------------------


def _locked(statement: CommissionStatement) -> CommissionStatement:
    found = CommissionStatement.objects.select_for_update().filter(pk=statement.pk).first()
    if found is None:
        raise NotFound(f"No commission statement {statement.pk}",
                       code="commission_statement_not_found")  # fmt: skip
    return found


def confirm(actor, statement: CommissionStatement) -> CommissionStatement:
    """Draft -> confirmed: its lines are fixed; a re-run no longer replaces them."""
    require(actor, P.COMMISSION_MANAGE)
    with transaction.atomic():
        s = _locked(statement)
        transition(s, StatementStatus.CONFIRMED, table=STATEMENT_TRANSITIONS, actor=actor,
                   extra={"confirmed_at": timezone.now()})  # fmt: skip
        audit.record(actor, "finance.commission_statement.confirm", s, {"total": s.total})
    return s


def reopen(actor, statement: CommissionStatement, reason: str) -> CommissionStatement:
    """Confirmed -> draft, for a correction (a reason required); a settled one never."""
    require(actor, P.COMMISSION_MANAGE)
    if not (reason or "").strip():
        raise ValidationFailed("Say why the statement goes back to draft",
                               code="commission_reason_required")  # fmt: skip
    with transaction.atomic():
        s = _locked(statement)
        transition(s, StatementStatus.DRAFT, table=STATEMENT_TRANSITIONS, actor=actor,
                   reason=reason.strip()[:300], extra={"confirmed_at": None})  # fmt: skip
    return s


def settle(actor, statement: CommissionStatement, *, on: dt.date | None = None):
    """Confirmed -> settled. An agent's statement credits its total to the agent's ledger
    account (a credit note; a negative delta statement an adjustment), once (the statement's
    idempotency key); a salesperson's statement is the settlement record itself."""
    require(actor, P.COMMISSION_MANAGE)
    with transaction.atomic():
        s = _locked(statement)
        if s.status != StatementStatus.CONFIRMED:
            raise Conflict(f"Only a confirmed statement is settled, this one is {s.status}",
                           code="commission_not_confirmed")  # fmt: skip
        entry = None
        if s.beneficiary == Beneficiary.AGENT and s.total != 0:
            account = ledgers.open_account(actor, s.agent, s.currency)
            kind = EntryKind.CREDIT_NOTE if s.total > 0 else EntryKind.ADJUSTMENT
            entry = ledgers.post(
                actor, account, kind, Money(quantize(s.total, s.currency), s.currency), on=on,
                reference=f"COMM-{s.agent.code}-{s.label}", source_type="commission_statement",
                source_id=str(s.pk), memo=f"commission {s.label}",
                idempotency_key=f"commission-statement:{s.pk}",
            )  # fmt: skip
        transition(s, StatementStatus.SETTLED, table=STATEMENT_TRANSITIONS, actor=actor,
                   extra={"settled_at": timezone.now(), "settled_by": actor,
                          "ledger_entry": entry})  # fmt: skip
        audit.record(actor, "finance.commission_statement.settle", s,
                     {"total": s.total, "currency": s.currency,
                      "entry": getattr(entry, "pk", None)})  # fmt: skip
    return s


def record_payout(actor, agent: Agent, amount, *, reference: str, on: dt.date | None = None,
                  idempotency_key: str = ""):  # fmt: skip
    """A payout (withdrawal) to the agent: a debit on its ledger account, never more than
    the account holds (``credit_exceeded``)."""
    require(actor, P.COMMISSION_MANAGE)
    value = _decimal(amount, "amount", "commission_payout_invalid")
    if value == 0 or quantize(value, agent.currency) != value:
        raise ValidationFailed(f"A payout is a positive amount in {agent.currency}",
                               code="commission_payout_invalid")  # fmt: skip
    if not (reference or "").strip():
        raise ValidationFailed("A payout needs a reference (the bank transfer)",
                               code="commission_payout_invalid")  # fmt: skip
    with transaction.atomic():
        account = ledgers.open_account(actor, agent, agent.currency)
        return ledgers.post(
            actor, account, EntryKind.ADJUSTMENT, Money(-value, agent.currency), on=on,
            reference=reference.strip()[:100], source_type="commission_payout",
            memo="commission payout", idempotency_key=idempotency_key, within_credit=True,
        )  # fmt: skip
