"""The gates posts pass on their way out: rate-limit pauses and circuit breakers.

Written only by ``publishing.gates``, by compare-and-set UPDATEs.
"""

from django.db import models
from django.db.models import Q


class PublishingGate(models.Model):
    """One Page's, Instagram account's or app's gate (``key``, e.g. "meta:111", "meta:app").

    Not a dealership's row: it is Meta's state of one of its objects (the app has no
    dealership, and a Page keeps its limits when it is connected elsewhere). Dealers
    read it in their waiting posts' words; operators in the admin.

    - ``paused_until``: a rate limit shuts the gate until then (``pause_reason`` says
      which header or error).
    - The circuit breaker (``state``): closed lets posts through; open after
      ``consecutive_failures`` reached the setting, until ``retry_at``; probing while
      one post (the probe, taken at ``probe_started_at``) decides. ``trips`` counts
      the openings since it last closed: each cool-down is twice the one before.
    """

    class State(models.TextChoices):
        CLOSED = "closed", "Closed: posts go out"
        OPEN = "open", "Open: posts wait"
        PROBING = "probing", "Probing: one post is trying"

    key = models.CharField(max_length=100, unique=True)
    paused_until = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.CLOSED)
    consecutive_failures = models.PositiveIntegerField(default=0)
    trips = models.PositiveIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    probe_started_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "publishing gate"
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["closed", "open", "probing"]),
                name="publishing_gate_state_known",
            ),
            models.CheckConstraint(
                condition=~Q(state="closed")
                | Q(retry_at__isnull=True, probe_started_at__isnull=True, trips=0),
                name="publishing_gate_closed_has_no_cooldown",
            ),
            models.CheckConstraint(
                condition=~Q(state="open")
                | Q(retry_at__isnull=False, probe_started_at__isnull=True, trips__gte=1),
                name="publishing_gate_open_has_retry_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="probing")
                | Q(retry_at__isnull=True, probe_started_at__isnull=False, trips__gte=1),
                name="publishing_gate_probing_has_probe",
            ),
            models.CheckConstraint(
                condition=Q(paused_until__isnull=True) | ~Q(pause_reason=""),
                name="publishing_gate_pause_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.key
