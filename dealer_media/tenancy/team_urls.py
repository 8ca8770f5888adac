"""The Team page under /marketing/, and the invitation link under /accounts/."""

from django.urls import path

from . import team_views as views

marketing = [
    path("team", views.team_page, name="team"),
    path("team/invite", views.invite, name="team_invite"),
    path(
        "team/invitations/<int:pk>/resend", views.invitation_resend, name="team_invitation_resend"
    ),
    path(
        "team/invitations/<int:pk>/revoke", views.invitation_revoke, name="team_invitation_revoke"
    ),
    path("team/members/<int:pk>/role", views.member_role, name="team_member_role"),
    path("team/members/<int:pk>/remove", views.member_remove, name="team_member_remove"),
]

accounts = [
    path("invitation/<str:token>", views.invitation_accept, name="invitation_accept"),
]
