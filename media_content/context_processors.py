"""The approval notice: how many posts wait for this person's approval (lazy, one count)."""

from dealer_media.tenancy.roles import Action, may, request_membership


def approvals(request) -> dict:
    def waiting() -> int:
        membership = request_membership(request)
        if not may(membership, Action.APPROVE):
            return 0
        from .approval import waiting_for_approval

        return waiting_for_approval(organization=request.organization).count()

    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"approvals_waiting": waiting}
