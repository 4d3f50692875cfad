from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "firstcontact.delivery"
    label = "delivery"
    verbose_name = "Referral delivery"
