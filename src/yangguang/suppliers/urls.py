from django.urls import path

from . import views

app_name = "suppliers"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/done/", views.register_done, name="register_done"),
    path("mine/", views.mine, name="mine"),
    path("mine/resubmit/", views.resubmit, name="resubmit"),
    path("mine/qualifications/", views.qualification_add, name="qualification_add"),
    path("pool/", views.pool, name="pool"),
    path("pool/<int:pk>/", views.detail, name="detail"),
    path("pool/<int:pk>/approve/", views.review, {"step": "approve"}, name="approve"),
    path("pool/<int:pk>/return/", views.review, {"step": "return"}, name="return"),
    path("pool/<int:pk>/suspend/", views.review, {"step": "suspend"}, name="suspend"),
    path("pool/<int:pk>/reinstate/", views.review, {"step": "reinstate"}, name="reinstate"),
    path("pool/<int:pk>/blacklist/", views.blacklist_add, name="blacklist_add"),
    path("blacklist/", views.blacklist, name="blacklist"),
    path("blacklist/<int:pk>/lift/", views.blacklist_lift, name="blacklist_lift"),
]
