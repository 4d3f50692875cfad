from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Keep pages for signed-in users and API answers out of every cache.

    Such pages may show personal details, which must not linger in a shared
    computer's browser cache or in a proxy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user and user.is_authenticated):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, private, max-age=0"
        return response
