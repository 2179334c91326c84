from django.apps import AppConfig


class Config(AppConfig):
    name = "yangguang.projects"
    label = "projects"
