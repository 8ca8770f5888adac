"""Password reset by email with Django's views, limited per address asked for and per client.

The answer never tells whether an account has the email: the same "check your
inbox" page follows every request, and the counters grow for unknown emails too.
Over a limit the answer is 429 in words, which says nothing about the email either.
"""

import hashlib

from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render

from .signin import client_ip_address

RESETS_PER_CLIENT_PER_HOUR = 10

# Reset emails per address asked for, and per client address, in each hour.
RESETS_PER_EMAIL_PER_HOUR = 3

WINDOW_SECONDS = 3600


def _count(key: str) -> int:
    """One more request in this hour's window for ``key``; answers the count so far."""
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def _key(kind: str, value: str) -> str:
    return "password-reset:" + kind + ":" + hashlib.sha256(value.encode()).hexdigest()


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view; the email is sent only within the limits."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        per_email = _count(_key("email", email))
        per_ip = _count(_key("ip", client_ip_address(self.request) or "unknown"))
        if per_email > RESETS_PER_EMAIL_PER_HOUR or per_ip > RESETS_PER_CLIENT_PER_HOUR:
            return render(
                self.request,
                "registration/password_reset_limited.html",
                {"minutes": WINDOW_SECONDS // 60},
                status=429,
            )
        return super().form_valid(form)
