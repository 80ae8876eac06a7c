"""Django admin of calls: the regional envelope is set there and records who set it; the YAML stays read-only."""

from decimal import Decimal

from django.urls import reverse

from pactes.accounts.models import Role, User


def test_admin_sets_the_envelope_and_records_who_and_when(client, real_call):
    admin = User.objects.create_superuser("super@pactes.test", "motdepasse-solide-42", role=Role.ADMIN)
    client.force_login(admin)
    url = reverse("admin:calls_call_change", args=[real_call.pk])
    page = client.get(url).content.decode()
    assert 'name="yaml_text"' not in page  # read-only
    response = client.post(url, {"regional_envelope": "1500000.00"})
    assert response.status_code == 302
    real_call.refresh_from_db()
    assert real_call.regional_envelope == Decimal("1500000.00")
    assert real_call.regional_envelope_set_by == admin
    assert real_call.regional_envelope_set_at is not None
