from django.urls import path

from . import views

app_name = "tendering"
urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("methods/", views.methods, name="methods"),
    path("build/", views.procedure_build, name="build"),
    path("<int:pk>/", views.procedure_detail, name="detail"),
    path("<int:pk>/edit/", views.procedure_edit, name="edit"),
    path("<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("<int:pk>/invitations/", views.invitations_set, name="invitations"),
    path("<int:pk>/publish/", views.procedure_publish, name="publish"),
    path("<int:pk>/clarify/", views.clarification_publish, name="clarify"),
    path("<int:pk>/ask/", views.question_ask, name="ask"),
    path("<int:pk>/terminate/", views.procedure_terminate, name="terminate"),
    path("<int:pk>/announce-failure/", views.procedure_failure_announce, name="announce_failure"),
    path("<int:pk>/retender/", views.procedure_retender, name="retender"),
    path("<int:pk>/hold/", views.procedure_hold, name="hold"),
    path("<int:pk>/holds/<int:hold_pk>/release/", views.procedure_release, name="release"),
    path("lots/<int:lot_pk>/register/", views.registration_create, name="register"),
    path("lots/<int:lot_pk>/guarantee/", views.security_guarantee, name="guarantee"),
    path("documents/<int:document_pk>/download/", views.document_download, name="download"),
    path("securities/<int:security_pk>/refund/", views.security_refund, name="refund"),
]
