import pytest
from django.contrib.auth.models import Permission

from ..factories import MembershipFactory, UserFactory


@pytest.fixture
def lakeside_staff(lakeside):
    """Lakeside's admin user: may edit its dealership and members, and view people."""
    user = MembershipFactory(
        organization=lakeside, user=UserFactory(username="lakeside-staff")
    ).user
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="tenancy")
        | Permission.objects.filter(content_type__app_label="auth", codename="view_user")
    )
    return user
