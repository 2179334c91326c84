from django.urls import path

from . import views

app_name = "experts"
urlpatterns = [
    path("specialties/", views.specialties, name="specialties"),
    path("apply/", views.apply, name="apply"),
    path("mine/", views.mine, name="mine"),
    path("invitations/<int:pk>/respond/", views.respond, name="respond"),
    path("pool/", views.pool, name="pool"),
    path("pool/import/", views.pool_import, name="import"),
    path("pool/export.xlsx", views.pool_export, name="export"),
    path("pool/<int:pk>/", views.detail, name="detail"),
    path("pool/<int:pk>/approve/", views.review, {"step": "approve"}, name="approve"),
    path("pool/<int:pk>/reject/", views.review, {"step": "reject"}, name="reject"),
    path("pool/<int:pk>/reinstate/", views.review, {"step": "reinstate"}, name="reinstate"),
    path("pool/<int:pk>/sanction/", views.sanction, name="sanction"),
    path("draws/", views.draws, name="draws"),
    path("draws/new/", views.draw_new, name="draw_new"),
    path("draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("draws/<int:pk>/run/", views.draw_run, name="draw_run"),
    path("draws/<int:pk>/release/", views.draw_release, name="draw_release"),
    path("draws/<int:pk>/publish/", views.draw_publish, name="draw_publish"),
    path("draws/<int:pk>/slots/<int:slot_pk>/attendance/", views.attendance, name="attendance"),
    path("draws/<int:pk>/slots/<int:slot_pk>/rate/", views.rate, name="rate"),
    path("audit/", views.audits, name="audits"),
    path("audit/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("audit/<int:pk>/package.json", views.audit_package, name="audit_package"),
]
