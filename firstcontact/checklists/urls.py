app_name = "checklists"

urlpatterns = []
