"""Personal data leaves the API only masked: no response but a reveal ever carries a full ID
number, phone or bank account, whoever asks and whatever goes wrong."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fupin.core.personas import VILLAGE
from fupin.registry import idnumber
from tests.api.helpers import CHECKS, Api
from tests.conftest import new_id_number
from tests.registry.helpers import id_number_ending_in_x


def test_no_response_but_a_reveal_carries_a_full_id_number_phone_or_bank_account(
    api_as: Callable[[str], Api],
) -> None:
    # given the personal data of a new household
    head_id = new_id_number(dt.date(1970, 1, 9))
    wife_id = new_id_number(dt.date(1972, 4, 3), female=True)
    x_id = id_number_ending_in_x()
    child_id = new_id_number(dt.date(2019, 6, 1))
    new_head_id = new_id_number(dt.date(1971, 7, 7))
    phones = ["13812345678", "15900001111", "07438881234", "18677776666"]
    bank = "6217002930101234567"
    secrets = {head_id, wife_id, x_id, x_id.lower(), child_id, new_head_id, bank, *phones}
    clerk = api_as("village_clerk")

    # when the clerk registers it and works on it through every endpoint, mistakes included
    created = clerk.post(
        "/households",
        {
            "area_code": VILLAGE,
            "main_cause": "illness",
            "phone": phones[0],
            "bank_account": bank,
            "members": [
                {"name": "龙老三", "relation": "head", "id_number": head_id, "phone": phones[1]},
                {"name": "石妹", "relation": "spouse", "id_number": wife_id},
                {"name": "龙小", "relation": "son", "id_number": x_id.lower()},
            ],
        },
    ).json()
    h = created["id"]
    head, wife, son = (m["id"] for m in created["members"])
    clerk.patch(f"/households/{h}", {"phone": phones[2], "bank_name": "农商银行"})
    child = clerk.post(
        f"/households/{h}/members", {"name": "龙幺", "relation": "grandchild", "id_number": child_id}
    )
    clerk.post(f"/households/{h}/members", {"name": "重号", "relation": "son", "id_number": wife_id})  # taken
    clerk.post(
        f"/households/{h}/members", {"name": "坏号", "relation": "son", "id_number": head_id[:17] + "Z"}
    )
    clerk.post(
        f"/households/{h}/members", {"name": "数字", "relation": "son", "id_number": int(head_id[:17])}
    )
    clerk.patch(f"/members/{head}", {"id_number": new_head_id, "phone": phones[3]})
    clerk.patch(f"/members/{son}", {"id_number": wife_id})  # taken
    clerk.put(f"/households/{h}/incomes/2023", {"wage": "12000"})
    clerk.put(f"/households/{h}/conditions/2023", CHECKS)
    clerk.post(f"/members/{child.json()['id']}/leave", {"reason": "迁出"})
    clerk.get(f"/households/{h}")
    clerk.get("/households")
    clerk.get(f"/households?q={head_id}")
    clerk.get(f"/areas/{VILLAGE}")
    # and every other persona reads what it may
    readers = [
        api_as(p) for p in ("county_admin", "township_officer", "first_secretary", "cadre", "supervisor")
    ]
    for reader in readers:
        reader.get(f"/households/{h}")
        reader.get("/households")
    revealed = clerk.post(f"/members/{wife}/reveal-id")

    # then only the reveal carried a full number, and it was the one asked for
    assert revealed.json()["id_number"] == wife_id
    bodies = clerk.bodies[:-1] + [body for reader in readers for body in reader.bodies]
    assert len(bodies) == 15 + 2 * len(readers)
    leaks = [(i, s) for i, body in enumerate(bodies) for s in secrets if s in body]
    assert leaks == []
    # while the masked forms are there, so the bodies were the real answers
    household = readers[0].get(f"/households/{h}").json()
    assert {m["id_number_masked"] for m in household["members"]} >= {
        idnumber.masked(new_head_id),
        idnumber.masked(x_id),
    }
    assert household["phone_masked"] == "074****1234"
