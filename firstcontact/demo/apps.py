from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "firstcontact.demo"
