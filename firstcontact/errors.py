"""Error pages: JSON for API clients, Django's pages for people."""

from django.http import JsonResponse
from django.views import defaults


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
