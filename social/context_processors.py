from .models import InstagramLogin, MetaConnection, SocialAccount


def connection_alerts(request) -> dict:
    """On every portal page of a dealership: which connection needs reconnecting, and why."""
    organization = getattr(request, "organization", None)
    if organization is None or not request.user.is_authenticated:
        return {}
    alerts = []
    broken = MetaConnection.Status.NEEDS_RECONNECT
    for model, network in ((SocialAccount, "Facebook"), (InstagramLogin, "Instagram")):
        for reason in (
            model.objects.for_org(organization)
            .filter(status=broken)
            .values_list("last_error", flat=True)
        ):
            alerts.append({"network": network, "reason": reason})
    return {"connection_alerts": alerts}
