"""A pending leave request on the member's phone page says who will decide it: the township
party committee for short leave, the county organisation department beyond the local limit
(domain.md §7). The request is made through the action, as the member makes it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fupin.accounts.models import User
from fupin.teams import actions
from fupin.teams.models import LeaveStatus, TeamMember


def leave_items(html: bytes) -> dict[str, str]:
    """Each leave request of the 'My leave' list by its reason, as plain text."""
    text = html.decode()
    section = text[text.index('id="leave"') :]
    section = section[: section.index("</ul>")]
    items = re.findall(r"<li>(.*?)</li>", section, re.S)
    plain = [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]
    return {reason: item for item in plain for reason in ("探亲", "住院陪护", "体检") if reason in item}


def test_a_pending_request_names_who_decides_it(
    personas: dict[str, User], secretary: TeamMember, client_for: Any
) -> None:
    me = personas["first_secretary"]
    short = actions.do_request_leave(me, dt.date(2030, 7, 1), dt.date(2030, 7, 2), "探亲")
    long = actions.do_request_leave(me, dt.date(2030, 9, 1), dt.date(2030, 9, 10), "住院陪护")
    done = actions.do_request_leave(me, dt.date(2030, 11, 2), dt.date(2030, 11, 2), "体检")
    assert (short.approver_level, long.approver_level) == (4, 3)
    type(done).objects.filter(pk=done.pk).update(status=LeaveStatus.APPROVED)
    items = leave_items(client_for("first_secretary").get("/my/").content)
    assert "待乡镇党委审批" in items["探亲"] and "组织部" not in items["探亲"]
    assert "待县委组织部审批" in items["住院陪护"] and "乡镇党委" not in items["住院陪护"]
    # a decided one waits for nobody
    assert "组织部" not in items["体检"] and "乡镇党委" not in items["体检"]
