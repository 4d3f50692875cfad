from django.urls import path

from firstcontact.checklists import views

app_name = "checklists"

urlpatterns = [
    path("", views.my_checklists, name="mine"),
    path("new/", views.new_checklist, name="new"),
    path("<uuid:pk>/", views.checklist_detail, name="detail"),
    path("<uuid:pk>/sent/", views.checklist_sent, name="sent"),
]
