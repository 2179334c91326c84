from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yangguang.accounts.access import has_role, role_required
from yangguang.accounts.states import Role
from yangguang.core.errors import ServiceError

from .selectors import rule_get, rules_list
from .services import rule_confirm
from .states import RuleStatus


def rule_list(request: HttpRequest) -> HttpResponse:
    """The rule set is public: every rule the platform checks, its legal source and how well it is confirmed."""
    domain = request.GET.get("domain", "")[:10]
    status = request.GET.get("status", "")
    status = status if status in RuleStatus.values else ""
    q = request.GET.get("q", "")[:50].strip()
    rules = rules_list(domain=domain, status=status, q=q)
    return render(request, "rules/list.html", {
        "rules": rules, "domain": domain, "status": status, "q": q, "statuses": RuleStatus.choices,
        "domains": ["工程", "政采", "土地", "国资", "电子", "全部"],
        "can_confirm": has_role(request.user, Role.PLATFORM_ADMIN),
    })


@require_POST
@role_required(Role.PLATFORM_ADMIN)
def rule_confirm_view(request: HttpRequest, code: str) -> HttpResponse:
    try:
        rule = rule_confirm(actor=request.user, rule=rule_get(code), note=request.POST.get("note", ""))
        messages.success(request, _("Rule %(code)s is confirmed: from now on it blocks.") % {"code": rule.code})
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect(f"{request.path.rsplit('/', 3)[0]}/?q={code}")
