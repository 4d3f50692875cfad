from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "firstcontact.people"
