from fupin.core.models import AuditEntry
from fupin.registry.models import Member


def test_a_household_is_created_with_its_members_and_audited(household):
    assert household.members.count() == 3
    assert household.head_name == "石大哥"
    assert (
        AuditEntry.objects.filter(action="registry.create_household", object_id=str(household.pk)).count()
        == 1
    )
    assert all(len(m.id_number_hash) == 64 for m in Member.objects.all())
