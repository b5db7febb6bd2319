"""The Content-Security-Policy header on every response.

The pages load scripts only from /static/ (no inline script, no event-handler attributes; a test
reads every template for them), so an injected ``<script>`` or ``onerror=`` does not run even if
some text escaped its escaping. The policy is a setting so an operator can tighten it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.FUPIN_CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
