app_name = "checklists_hub"

urlpatterns = []
