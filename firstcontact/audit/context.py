"""The request an audit event is written for: its route and client address.

`AuditContextMiddleware` notes both once the URL has been resolved, so code
deep in a request (the scoping helpers, say) can write an event that names the
route without being handed the request.
"""

import contextvars
from dataclasses import dataclass

from firstcontact.accounts.lockout import client_address


@dataclass(frozen=True)
class RequestInfo:
    # The URL pattern's view name, such as "referrals:detail"; never the path,
    # which may carry a search term.
    route: str
    method: str
    remote_addr: str | None


_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "firstcontact_audit_request", default=None
)


def current_request() -> RequestInfo | None:
    return _current.get()


class AuditContextMiddleware:
    """Note the route of each request for audit events, and log refused requests.

    A 403 response to a signed-in user or an API token is written to the audit
    trail as "access.forbidden" with the route, so repeated probing shows up in
    the audit search. A 404 from a scoped lookup is written by the scoping
    helpers themselves, which know whether the record exists.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(None)
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                self._record_forbidden(request)
            return response
        finally:
            _current.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        _current.set(
            RequestInfo(
                route=match.view_name if match else "",
                method=request.method,
                remote_addr=client_address(request),
            )
        )

    def _record_forbidden(self, request):
        from firstcontact.audit.services import record_denied_access

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        record_denied_access(user, "access.forbidden")
