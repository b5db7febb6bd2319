"""Every page goes through ``page``: login required, and the project's errors turned into the
answers a browser expects (a missing object and one outside the user's area are both 404)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from fupin.core.errors import NotFound, PermissionDenied

View = Callable[..., HttpResponse]


def page(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except PermissionDenied as exc:
            return render(request, "web/forbidden.html", {"message": exc.message}, status=403)

    return wrapped
