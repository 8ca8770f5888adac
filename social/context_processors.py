from django.db.models import CharField, Value

from .models import InstagramLogin, MetaConnection, SocialAccount


def connection_alerts(request) -> dict:
    """On every portal page of a dealership: which connection needs reconnecting, and why.

    One query for both kinds of connection (a UNION), as it runs on every page.
    """
    organization = getattr(request, "organization", None)
    if organization is None or not request.user.is_authenticated:
        return {}
    broken = MetaConnection.Status.NEEDS_RECONNECT

    def rows(model, network: str):
        return (
            model.objects.for_org(organization)
            .filter(status=broken)
            .annotate(network=Value(network, output_field=CharField()))
            .values_list("network", "last_error")
        )

    found = rows(SocialAccount, "Facebook").union(rows(InstagramLogin, "Instagram"), all=True)
    return {"connection_alerts": [{"network": n, "reason": r} for n, r in found]}
