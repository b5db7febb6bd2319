"""Login with its limits, logout and password change."""

from __future__ import annotations

from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.accounts.actions import do_change_own_password, login
from fupin.core.client import client_address
from fupin.core.errors import FupinError
from fupin.web.context import landing_page
from fupin.web.formspec import error_map


def login_view(request: HttpRequest) -> HttpResponse:
    error = ""
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        try:
            user = login(username, request.POST.get("password", ""), client_address=client_address(request))
        except FupinError as exc:
            error = exc.message
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            target = request.POST.get("next") or ""
            # Only a path of this site: redirect() takes any other word for a URL name and fails.
            safe = url_has_allowed_host_and_scheme(target, {request.get_host()})
            if not target.startswith("/") or not safe:
                target = ""
            return redirect(target or landing_page(user))
    return render(
        request,
        "registration/login.html",
        {"error": error, "username": username, "next": request.GET.get("next", "")},
        status=400 if error else 200,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    return redirect("login")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        new = request.POST.get("new_password", "")
        if new != request.POST.get("new_password2", ""):
            errors["new_password2"] = _("The two new passwords differ.")
        else:
            try:
                do_change_own_password(request.user, request.POST.get("old_password", ""), new)  # type: ignore[arg-type]
            except FupinError as exc:
                errors = error_map(exc)
                if "password" in errors:
                    errors["new_password"] = errors.pop("password")
            else:
                update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
                return render(request, "registration/password_changed.html")
    return render(
        request, "registration/password_change.html", {"errors": errors}, status=400 if errors else 200
    )
