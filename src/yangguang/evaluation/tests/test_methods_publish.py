"""A weight outside its legal range cannot be published (rules.md P-026, verified: refuses; P-060, unconfirmed:
warns) — the tendering publish step asks the methods library."""

from __future__ import annotations

import pytest

from yangguang.accounts.models import User
from yangguang.catalogue.states import Category
from yangguang.core.errors import ValidationFailed
from yangguang.rules.models import Rule
from yangguang.tendering import services
from yangguang.tendering.tests.factories import accepted_project, organisation_of, procedure_draft, supplier_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(demo):  # type: ignore[no-untyped-def]
    from yangguang.projects.tests.factories import catalogue_setup

    return catalogue_setup()


def _criteria(price: int) -> list[dict[str, object]]:
    return [{"name": "价格", "weight": price, "kind": "price"},
            {"name": "技术", "weight": 100 - price, "kind": "technical"}]


def _params(code: str, **values: str) -> None:
    rule = Rule.objects.get(pk=code)
    rule.params = {**rule.params, **values}
    rule.save(update_fields=["params"])


def test_price_weight_below_the_goods_minimum_is_refused(items) -> None:  # type: ignore[no-untyped-def]
    _params("P-026", goods_min="0.30", services_min="0.10")
    project = accepted_project(Category.GOVERNMENT_PROCUREMENT)
    agency = User.objects.get(username="agency")
    low = procedure_draft(project, method="procurement_open", evaluation_method="comprehensive_score",
                          evaluation_criteria=_criteria(20))
    with pytest.raises(ValidationFailed) as refused:
        services.procedure_publish(actor=agency, procedure=low)
    message = str(refused.value.message)
    assert "P-026" in message and "M87 第55条" in message and "20 %" in message
    assert refused.value.field == "evaluation_criteria"
    # Services: 20 % is above the 10 % minimum.
    services_low = procedure_draft(project, method="procurement_open", evaluation_method="comprehensive_score",
                                   evaluation_criteria=_criteria(20), extra={"subject": "services"})
    published, _warnings = services.procedure_publish(actor=agency, procedure=services_low)
    assert published.status == "published"
    ok = procedure_draft(project, method="procurement_open", evaluation_method="comprehensive_score",
                         evaluation_criteria=_criteria(30))
    assert services.procedure_publish(actor=agency, procedure=ok)[0].status == "published"


def test_unconfirmed_consultation_range_only_warns(items) -> None:  # type: ignore[no-untyped-def]
    _params("P-060", goods_min="0.30", goods_max="0.60", services_min="0.10", services_max="0.30")
    agency = User.objects.get(username="agency")
    project = accepted_project(Category.GOVERNMENT_PROCUREMENT)
    procedure = procedure_draft(project, method="procurement_consultation", evaluation_method="comprehensive_score",
                                evaluation_criteria=_criteria(70), bid_days=10, document_days=None)
    services.invitations_set(actor=agency, procedure=procedure,
                             organisations=[organisation_of(supplier_make()) for _ in range(3)])
    published, warnings = services.procedure_publish(actor=agency, procedure=procedure)
    assert published.status == "published"
    assert any("P-060" in w and "70 %" in w for w in warnings)
