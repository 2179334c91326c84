from django.apps import AppConfig


class Config(AppConfig):
    name = "yangguang.suppliers"
    label = "suppliers"
