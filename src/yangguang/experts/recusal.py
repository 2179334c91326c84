"""The eligible pool of a draw request: candidates of the requested specialties and region, minus everyone a
recusal rule removes. One query for the candidates and one small query per rule (each keyed by credit codes
or dates and served by an index), then set arithmetic in Python; 100,000 experts stay within the draw's
time budget (``docs/performance-experts.md``).

Rules (reason codes in ``states.Recusal``):

* employer / related_employer — the expert works for the purchaser, the agency or a registered bidder, or
  for a company recorded as related to one of them (TBL art. 37, TBLR art. 46, M87 art. 47);
* former_employer — left such an employer less than 3 years before the evaluation date (GPLR art. 9);
* declared_conflict — a conflict the expert declared with one of these companies or with this project;
* served_recently — served the same purchaser within ``served_window_days`` of the evaluation date, before
  or after (local practice, rules.md §3 ⚠U, hence a parameter);
* suspended / blacklisted — a sanction that covers the evaluation date (open-ended sanctions always do);
* out_of_term — the evaluation date is outside the term of appointment;
* unavailable — the expert declared the evaluation date unavailable.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import CharField, DateField, F, Q, QuerySet, Value

from yangguang.accounts.models import Region
from yangguang.core.deadlines import SHANGHAI

from .algorithm import Stratum
from .models import (
    CompanyRelation,
    DeclaredConflict,
    DrawRequest,
    EmploymentRecord,
    Expert,
    ExpertSpecialty,
    ServiceRecord,
    Specialty,
    UnavailablePeriod,
)
from .states import ExpertStatus, Recusal, RegionScope

FORMER_EMPLOYER_YEARS = 3  # GPLR art. 9


@dataclass
class Pool:
    strata: list[Stratum]
    exclusions: dict[int, set[str]] = field(default_factory=dict)  # expert id → rules that removed them

    def exclusion_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {rule: 0 for rule in Recusal.values}
        for rules in self.exclusions.values():
            for rule in rules:
                counts[rule] += 1
        return counts

    @property
    def size(self) -> int:
        return len({i for s in self.strata for i in s.ids})


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def specialty_subtree(specialty_id: int, children: dict[int | None, list[int]]) -> set[int]:
    found = {specialty_id}
    frontier = [specialty_id]
    while frontier:
        frontier = [c for p in frontier for c in children.get(p, [])]
        found.update(frontier)
    return found


def region_ids(request: DrawRequest) -> tuple[list[int], bool]:
    """(region ids, whether they are excluded rather than included); ([], True) means any region."""
    region = request.project.region
    if request.region_scope == RegionScope.LOCAL:
        return region.descendant_ids(), False
    if request.region_scope == RegionScope.REMOTE:
        city = region if region.parent_id is None else Region.objects.get(pk=region.parent_id)
        return city.descendant_ids(), True
    return [], True


def conflict_codes(request: DrawRequest) -> tuple[set[str], set[str]]:
    """(credit codes of the parties, codes of companies recorded as related to them)."""
    parties = {c for c in [request.purchaser_credit_code, request.agency_credit_code,
                           *request.bidder_credit_codes] if c}
    related: set[str] = set()
    for a, b in CompanyRelation.objects.filter(Q(credit_code_a__in=parties) | Q(credit_code_b__in=parties)
                                               ).values_list("credit_code_a", "credit_code_b"):
        related.update((a, b))
    return parties, related - parties


def _candidate_links(specialty_ids: set[int], request: DrawRequest) -> QuerySet:
    """ExpertSpecialty rows of the requested specialties and region scope (``expert_specialty_draw_idx``)."""
    rows = ExpertSpecialty.objects.filter(specialty_id__in=specialty_ids).order_by()
    regions, exclude_regions = region_ids(request)
    if regions:
        rows = rows.exclude(region_id__in=regions) if exclude_regions else rows.filter(region_id__in=regions)
    return rows


def _rows(queryset: QuerySet) -> list[tuple]:
    """A values_list query run through the cursor: the ORM's per-row conversion costs more than the query."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _day(value: dt.date | str) -> dt.date:
    """A date from a raw row: SQLite returns ISO text, PostgreSQL a date."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def pool_compute(request: DrawRequest) -> Pool:
    quotas = list(request.quotas.select_related("specialty").order_by("position"))
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Specialty.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)
    wanted = {q.pk: specialty_subtree(q.specialty_id, children) for q in quotas}
    all_specialties = set().union(*wanted.values()) if wanted else set()
    day = evaluation_day(request)

    parties, related = conflict_codes(request)
    conflicted = parties | related
    by_specialty: dict[int, set[int]] = defaultdict(set)
    links = _candidate_links(all_specialties, request)
    for expert_id, specialty_id in _rows(links.values_list("expert_id", "specialty_id")):
        by_specialty[specialty_id].add(expert_id)

    seen: set[int] = set().union(*by_specialty.values()) if by_specialty else set()
    excluded: dict[int, set[str]] = defaultdict(set)
    # Each rule reads only the few experts it concerns (by index), never the whole candidate list; the
    # expert-level rules are one query and the fact tables one UNION ALL, so a draw costs a handful of
    # round trips whatever the pool size.
    window = dt.timedelta(days=request.served_window_days)
    text: CharField = CharField()
    date: DateField = DateField()

    def part(queryset: QuerySet, id_field: str, tag: str, value: str | None = None, until: str | None = None
             ) -> QuerySet:
        """One member of the UNION ALL: (expert id, tag, a text value, a date); each member is served by
        one covering index (index-only scans on PostgreSQL)."""
        return queryset.order_by().annotate(
            tag=Value(tag, output_field=text),
            value=F(value) if value else Value(None, output_field=text),
            until=F(until) if until else Value(None, output_field=date),
        ).values_list(id_field, "tag", "value", "until")

    parts = [
        part(Expert.objects.filter(status__in=[ExpertStatus.SUBMITTED, ExpertStatus.REJECTED, ExpertStatus.SUSPENDED,
                                               ExpertStatus.BLACKLISTED]), "pk", "status", "status", "status_until"),
        part(Expert.objects.filter(term_end__lt=day), "pk", Recusal.OUT_OF_TERM),
        part(Expert.objects.filter(term_start__gt=day), "pk", Recusal.OUT_OF_TERM),
        part(UnavailablePeriod.objects.filter(starts_on__lte=day, ends_on__gte=day), "expert_id", Recusal.UNAVAILABLE),
        part(DeclaredConflict.objects.filter(project_id=request.project_id), "expert_id", Recusal.DECLARED_CONFLICT),
    ]
    if conflicted:
        parts += [
            part(Expert.objects.filter(employer_credit_code__in=conflicted), "pk", "employer", "employer_credit_code"),
            part(EmploymentRecord.objects.filter(credit_code__in=conflicted,
                                                 left_on__gte=years_before(day, FORMER_EMPLOYER_YEARS)),
                 "expert_id", Recusal.FORMER_EMPLOYER),
            part(DeclaredConflict.objects.filter(credit_code__in=conflicted), "expert_id", Recusal.DECLARED_CONFLICT),
        ]
    if request.served_window_days and request.purchaser_credit_code:
        parts.append(part(ServiceRecord.objects.filter(purchaser_credit_code=request.purchaser_credit_code,
                                                       served_on__gte=day - window, served_on__lte=day + window),
                          "expert_id", Recusal.SERVED_RECENTLY))
    # Every rule in one round trip; each member reads only the few rows it concerns.
    for expert_id, tag, value, until in _rows(parts[0].union(*parts[1:], all=True)):
        if expert_id not in seen:
            continue
        if tag == "status":
            if value in (ExpertStatus.SUBMITTED, ExpertStatus.REJECTED):
                seen.discard(expert_id)  # not (or no longer) in the pool at all
            elif until is None or _day(until) >= day:
                excluded[expert_id].add(Recusal.SUSPENDED if value == ExpertStatus.SUSPENDED else Recusal.BLACKLISTED)
        elif tag == "employer":
            excluded[expert_id].add(Recusal.EMPLOYER if value in parties else Recusal.RELATED_EMPLOYER)
        else:
            excluded[expert_id].add(tag)
    for expert_id in [e for e in excluded if e not in seen]:
        del excluded[expert_id]

    strata = []
    for quota in quotas:
        ids: set[int] = set()
        for specialty_id in wanted[quota.pk]:
            ids |= by_specialty.get(specialty_id, set())
        eligible = tuple(sorted(i for i in ids if i in seen and i not in excluded))
        strata.append(Stratum(code=quota.specialty.code, count=quota.count, backups=quota.backups, ids=eligible))
    return Pool(strata=strata, exclusions=dict(excluded))


def evaluation_day(request: DrawRequest) -> dt.date:
    """The evaluation date in Beijing time: day-based rules (term, availability, windows) use it."""
    return request.evaluation_at.astimezone(SHANGHAI).date()
