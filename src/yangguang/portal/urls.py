from django.urls import path

from . import feeds, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("announcements/", views.notice_list, name="notices"),
    path("announcements/<int:pk>/", views.notice_detail, name="notice"),
    path("announcements/<int:pk>/files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("feeds/<str:category>/rss.xml", feeds.NoticeRssFeed(), name="feed_rss"),
    path("feeds/<str:category>/atom.xml", feeds.NoticeAtomFeed(), name="feed_atom"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", views.sitemap_section, name="sitemap_section"),
]
