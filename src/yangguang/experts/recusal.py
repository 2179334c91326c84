"""The eligible pool of a draw request: candidates of the requested specialties and region, minus everyone a
recusal rule removes. One statement (:func:`_pool_statement`): the candidates come from one index, each rule
reads only the few rows it concerns through its own index (keyed by credit codes or dates), and only the
rules' rows about candidates plus the remaining ids per specialty leave the database; 100,000 experts stay
within the draw's time budget (``docs/performance-experts.md``).

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
from django.db.models import CharField, F, Q, QuerySet, Value

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
    specialty_ids: dict[str, int] = field(default_factory=dict)  # each stratum's specialty code → its id

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


def region_ids(request: DrawRequest) -> tuple[QuerySet | None, bool]:
    """(a subquery of region ids, whether they are excluded rather than included); (None, True) means any
    region. A region and the regions below it (city and counties), as a subquery of the pool statement
    rather than queries of their own."""
    region = request.project.region
    if request.region_scope == RegionScope.LOCAL:
        root = region.pk
    elif request.region_scope == RegionScope.REMOTE:
        root = region.pk if region.parent_id is None else region.parent_id
    else:
        return None, True
    subtree = Region.objects.filter(Q(pk=root) | Q(parent_id=root) | Q(parent__parent_id=root)).order_by()
    return subtree.values("pk"), request.region_scope == RegionScope.REMOTE


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
    if regions is not None:
        rows = rows.exclude(region_id__in=regions) if exclude_regions else rows.filter(region_id__in=regions)
    return rows


def _pool_statement(links: QuerySet, rules: QuerySet) -> tuple[str, list]:
    """One statement for the whole pool. ``links`` are the candidates' (expert id, specialty id) rows;
    ``rules`` is a UNION ALL of (expert id, tag, value) rows, one member per rule, each served by its own
    index and each returning only rows where its rule applies. Only the rules' rows about candidates
    (``hits``: a few hundred) travel, plus, per specialty, the ids of the candidates no rule hit as one
    comma-separated text (a few rows instead of thousands). Only compiled ORM SQL and fixed names go into
    the text; every value is a parameter."""
    links_sql, links_params = links.query.sql_with_params()
    rules_sql, rules_params = rules.query.sql_with_params()
    if connection.vendor == "postgresql":
        ids = "string_agg(CAST(expert_id AS text), ',')"
    else:
        ids = "group_concat(expert_id, ',')"
    sql = (f"WITH candidates (expert_id, specialty_id) AS ({links_sql}), "  # noqa: S608
           f"rules (expert_id, tag, value) AS ({rules_sql}), "
           "hits (expert_id, tag, value) AS (SELECT expert_id, tag, value FROM rules "
           "WHERE expert_id IN (SELECT expert_id FROM candidates)) "
           f"SELECT specialty_id, NULL, NULL, {ids} FROM candidates "
           "WHERE expert_id NOT IN (SELECT expert_id FROM hits) GROUP BY specialty_id "
           "UNION ALL SELECT NULL, tag, value, CAST(expert_id AS text) FROM hits")
    return sql, [*links_params, *rules_params]


def _rows_sql(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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
    # Each rule reads only the few experts it concerns (by index), never the whole expert table, and only
    # its rows about candidates leave the database; candidates and every rule are one statement.
    window = dt.timedelta(days=request.served_window_days)
    text: CharField = CharField()

    def part(queryset: QuerySet, id_field: str, tag: str, value: str | None = None) -> QuerySet:
        """One member of the UNION ALL: (expert id, tag, a text value), only rows where the rule applies;
        each member is served by one covering index (index-only scans on PostgreSQL)."""
        return queryset.order_by().annotate(
            tag=Value(tag, output_field=text),
            value=F(value) if value else Value(None, output_field=text),
        ).values_list(id_field, "tag", "value")

    parts = [
        part(Expert.objects.filter(status__in=[ExpertStatus.SUBMITTED, ExpertStatus.REJECTED]), "pk", "status",
             "status"),
        # A sanction that ended before the evaluation day does not count (status_until is in the index).
        part(Expert.objects.filter(Q(status_until__isnull=True) | Q(status_until__gte=day),
                                   status__in=[ExpertStatus.SUSPENDED, ExpertStatus.BLACKLISTED]),
             "pk", "status", "status"),
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
    links = _candidate_links(all_specialties, request).values_list("expert_id", "specialty_id")
    clean: dict[int, set[int]] = defaultdict(set)  # specialty id → candidates no rule hit
    hits: list[tuple[int, str, str | None]] = []
    for specialty_id, tag, value, text_ids in _rows_sql(*_pool_statement(links, parts[0].union(*parts[1:],
                                                                                                  all=True))):
        if specialty_id is not None:
            clean[specialty_id].update(map(int, text_ids.split(",")))
        else:
            hits.append((int(text_ids), tag, value))
    # Experts not (or no longer) in the pool are simply not candidates; the others are left out by a rule.
    outside = {expert_id for expert_id, tag, value in hits
               if tag == "status" and value in (ExpertStatus.SUBMITTED, ExpertStatus.REJECTED)}
    excluded: dict[int, set[str]] = defaultdict(set)
    for expert_id, tag, value in hits:
        if expert_id in outside:
            continue
        if tag == "status":
            excluded[expert_id].add(Recusal.SUSPENDED if value == ExpertStatus.SUSPENDED else Recusal.BLACKLISTED)
        elif tag == "employer":
            excluded[expert_id].add(Recusal.EMPLOYER if value in parties else Recusal.RELATED_EMPLOYER)
        else:
            excluded[expert_id].add(tag)

    strata = []
    for quota in quotas:
        ids: set[int] = set()
        for specialty_id in wanted[quota.pk]:
            ids |= clean.get(specialty_id, set())
        eligible = tuple(sorted(ids))
        strata.append(Stratum(code=quota.specialty.code, count=quota.count, backups=quota.backups, ids=eligible))
    return Pool(strata=strata, exclusions=dict(excluded),
                specialty_ids={quota.specialty.code: quota.specialty_id for quota in quotas})


def evaluation_day(request: DrawRequest) -> dt.date:
    """The evaluation date in Beijing time: day-based rules (term, availability, windows) use it."""
    return request.evaluation_at.astimezone(SHANGHAI).date()
