from django.urls import path

from . import musttrade_views as mt
from . import views

app_name = "projects"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("register/", views.register, name="register"),
    path("queue/", views.queue, name="queue"),
    path("overview/", views.overview, name="overview"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/return/", views.return_, name="return"),
    path("<int:pk>/documents/", views.document_upload, name="document_upload"),
    # Must-trade enforcement (应进必进).
    path("<int:pk>/exemption/", mt.exemption_new, name="exemption_new"),
    path("exemptions/", mt.exemption_list, name="exemptions"),
    path("exemptions/<int:pk>/", mt.exemption_detail, name="exemption"),
    path("exemptions/<int:pk>/decide/", mt.exemption_decide, name="exemption_decide"),
    path("exemptions/<int:pk>/documents/", mt.exemption_document, name="exemption_document"),
    path("exemptions/<int:pk>/publish/", mt.exemption_publish, name="exemption_publish"),
    path("exemptions/<int:pk>/trade/", mt.exemption_trade, name="exemption_trade"),
    path("exemptions/<int:pk>/report/", mt.report_new, name="report_new"),
    path("reports/", mt.report_list, name="reports"),
    path("reports/<int:pk>/review/", mt.report_review, name="report_review"),
    path("reports/<int:pk>/publish/", mt.report_publish, name="report_publish"),
    path("reports/<int:pk>/archive/", mt.report_archive, name="report_archive"),
    path("bulletins/", mt.bulletins, name="bulletins"),
    path("bulletins/<int:pk>/download/", mt.bulletin_download, name="bulletin_download"),
    path("investigations/", mt.investigation_list, name="investigations"),
    path("investigations/<int:pk>/", mt.investigation_detail, name="investigation"),
    path("investigations/<int:pk>/act/", mt.investigation_act, name="investigation_act"),
    path("violations/", mt.violation_list, name="violations"),
    path("violations/<int:pk>/", mt.violation_detail, name="violation"),
    path("violations/<int:pk>/act/", mt.violation_act, name="violation_act"),
    path("project-lists/", mt.imports, name="imports"),
    path("project-lists/<int:pk>/", mt.import_detail, name="import"),
    path("funding-check/", mt.funding_page, name="funding"),
]
