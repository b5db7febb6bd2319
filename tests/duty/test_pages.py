"""The list, task, ranking and export pages for every persona: read by county and township users
who read party work or the registry; a task outside the reader's scope is 404 like a missing one;
forms only where the role may use them; every write through the pages, and a denied one changes
nothing. The export is read back."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from fupin.areas.models import Area
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, COUNTY, FULL_NAMES, NEIGHBOUR_VILLAGE, TOWNSHIP, VILLAGE
from fupin.duty.models import ProgressReport, Task
from fupin.party.models import Unit
from tests.conftest import make_household
from tests.duty.conftest import make_task
from tests.duty.test_ranking import pair, report, visit

READERS = {"county_admin", "org_dept", "township_officer", "supervisor", "outsider"}
WRITERS = {"county_admin", "org_dept"}
COUNTY_READERS = {"county_admin", "org_dept", "supervisor"}
# Who sees 双龙镇's task on the county list, and who may report on it.
SEES_MINE = COUNTY_READERS | {"township_officer"}
REPORTS_MINE = WRITERS | {"township_officer"}


def main_part(html: bytes) -> bytes:
    return html[html.index(b"<main") : html.index(b"</main>")]


def state() -> tuple[Any, ...]:
    return (
        list(Task.objects.order_by("pk").values()),
        ProgressReport.objects.count(),
        AuditEntry.objects.count(),
    )


def read_status(persona: str, allowed: set[str], *, outside: bool = False) -> int:
    """For a thing in 花垣县: non-readers are refused by role; readers who cannot see it get 404."""
    if persona not in READERS:
        return 403
    if outside or persona not in allowed:
        return 404
    return 200


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_pages_answer_as_the_role_and_area_allow(
    persona: str, tasks: dict[str, Task], client_for: Any
) -> None:
    client = client_for(persona)
    reads = 200 if persona in READERS else 403
    assert client.get("/duty/").status_code == reads
    assert client.get("/duty/?year=2026&owner=unit:999&list=x").status_code == reads
    assert client.get("/duty/ranking/").status_code == reads
    assert client.get("/duty/ranking/?year=2026&period=3").status_code == reads
    export = client.get("/duty/ranking/export/?year=2026&period=3")
    assert export.status_code == reads
    if reads == 200:
        assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    mine = client.get(f"/duty/tasks/{tasks['mine'].pk}/")
    assert mine.status_code == read_status(persona, SEES_MINE), persona
    other = client.get(f"/duty/tasks/{tasks['other'].pk}/")
    assert other.status_code == read_status(persona, COUNTY_READERS), persona
    township_list = client.get(f"/duty/tasks/{tasks['township_list'].pk}/")
    assert township_list.status_code == read_status(persona, SEES_MINE), persona
    missing = client.get(f"/duty/tasks/{tasks['mine'].pk + 1000}/")
    assert missing.status_code == (404 if persona in READERS else 403)
    if persona in READERS and other.status_code == 404:
        assert main_part(other.content) == main_part(missing.content)
    # an area outside the reader's, or not a county or township, is 404
    if persona in READERS:
        for code in ("433122000000", VILLAGE, "999999999999"):
            if persona == "outsider" and code == "433122000000":
                continue
            assert client.get(f"/duty/ranking/?area={code}").status_code == 404, (persona, code)
            assert client.get(f"/duty/ranking/export/?area={code}").status_code == 404


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_the_list_shows_what_the_reader_sees_and_forms_only_where_allowed(
    persona: str, tasks: dict[str, Task], client_for: Any
) -> None:
    if persona not in READERS:
        return
    page = client_for(persona).get("/duty/?year=2026").content.decode()
    shown = {name for name, t in tasks.items() if f'href="/duty/tasks/{t.pk}/"' in page}
    expected = {
        "county_admin": set(tasks),
        "org_dept": set(tasks),
        "supervisor": set(tasks),
        "township_officer": {"mine", "township_list"},
        "outsider": set(),
    }[persona]
    assert shown == expected
    forms = {name for name, t in tasks.items() if f'action="/duty/tasks/{t.pk}/progress/"' in page}
    assert forms == (
        {"mine"} if persona == "township_officer" else set(tasks) if persona in WRITERS else set()
    )
    assert ('action="/duty/copy/"' in page) == (persona in WRITERS or persona == "outsider")
    assert ('name="owner_person"' in page) == (persona in WRITERS or persona == "outsider")


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_writes_through_the_pages_and_a_refusal_changes_nothing(
    persona: str, tasks: dict[str, Task], township: Area, client_for: Any
) -> None:
    client = client_for(persona)
    mine = tasks["mine"]
    before = state()
    create = client.post(
        "/duty/",
        {
            "area": COUNTY,
            "year": "2026",
            "title": "新任务",
            "owner": f"area:{TOWNSHIP}",
            "owner_person": "李",
            "due_on": "2026-12-01",
        },
    )
    progress = client.post(f"/duty/tasks/{mine.pk}/progress/", {"progress": "55", "note": "过半"})
    if persona in WRITERS:
        assert create.status_code == 302 and create["Location"] == "/duty/?year=2026"
        assert Task.objects.filter(title="新任务", owner_area=township).count() == 1
    else:
        assert create.status_code == (403 if persona not in READERS or persona in COUNTY_READERS else 404)
    if persona in REPORTS_MINE:
        assert progress.status_code == 302 and progress["Location"] == f"/duty/tasks/{mine.pk}/"
        assert Task.objects.get(pk=mine.pk).progress == 55
    else:  # only the outsider cannot see the task at all
        assert progress.status_code == (404 if persona == "outsider" else 403), persona
    if persona not in REPORTS_MINE:
        assert state() == before, persona
    fresh = tasks["other"]
    edit = client.post(
        f"/duty/tasks/{fresh.pk}/edit/",
        {"title": "改名", "owner": f"area:{TOWNSHIP}", "owner_person": "王", "due_on": "2026-09-01"},
    )
    delete = client.post(f"/duty/tasks/{tasks['unit'].pk}/delete/")
    copy = client.post("/duty/copy/", {"area": COUNTY, "from_year": "2026", "to_year": "2027"})
    if persona in WRITERS:
        assert edit.status_code == delete.status_code == copy.status_code == 302
        assert Task.objects.get(pk=fresh.pk).title == "改名"
        assert not Task.objects.filter(pk=tasks["unit"].pk).exists()
        assert Task.objects.filter(year=2027, area_id=COUNTY).count() == 3
        return
    refused = 403 if persona in COUNTY_READERS or persona not in READERS else 404
    assert (edit.status_code, delete.status_code, copy.status_code) == (refused, refused, refused), persona
    assert Task.objects.get(pk=fresh.pk).title == "龙潭镇完成饮水工程"
    assert Task.objects.filter(pk=tasks["unit"].pk).exists() and not Task.objects.filter(year=2027).exists()
    if persona not in REPORTS_MINE:
        assert state() == before


def test_form_errors_are_shown_next_to_the_form_and_nothing_is_saved(
    tasks: dict[str, Task], client_for: Any
) -> None:
    admin = client_for("county_admin")
    before = state()
    bad = admin.post(
        "/duty/?year=2026", {"area": COUNTY, "year": "2026", "title": "", "owner": "", "due_on": "x"}
    )
    assert bad.status_code == 400 and state() == before
    text = bad.content.decode()
    assert text.count('class="error"') >= 4 and 'aria-invalid="true"' in text
    officer = client_for("township_officer")
    mine = tasks["mine"]
    officer.post(f"/duty/tasks/{mine.pk}/progress/", {"progress": "80"})
    back = officer.post(f"/duty/tasks/{mine.pk}/progress/", {"progress": "60", "note": ""})
    assert back.status_code == 400 and 'role="alert"' in back.content.decode()
    assert Task.objects.get(pk=mine.pk).progress == 80
    # once progress is reported the task can no longer be changed
    page = admin.get(f"/duty/tasks/{mine.pk}/").content.decode()
    assert "/edit/" not in page and "80" in page
    refused = admin.post(f"/duty/tasks/{mine.pk}/delete/")
    assert refused.status_code == 400 and Task.objects.filter(pk=mine.pk).exists()
    copy = admin.post("/duty/copy/", {"area": COUNTY, "from_year": "2025", "to_year": "2026"})
    assert copy.status_code == 400 and 'role="alert"' in copy.content.decode()


def test_a_township_officer_reports_from_the_list_and_sees_the_history(
    tasks: dict[str, Task], client_for: Any
) -> None:
    officer = client_for("township_officer")
    mine = tasks["mine"]
    done = officer.post(
        f"/duty/tasks/{mine.pk}/progress/", {"progress": "35", "note": "开工", "back": "list"}
    )
    assert done.status_code == 302 and done["Location"] == f"/duty/?year=2026#task-{mine.pk}"
    page = officer.get(f"/duty/tasks/{mine.pk}/").content.decode()
    assert "开工" in page and "35%" in page
    assert FULL_NAMES["township_officer"] in page and "township_officer" not in page
    assert 'action="/duty/tasks/' in page and "/edit/" not in page  # reports, never edits


def test_the_ranking_page_and_its_export_hold_the_same_three_tables(
    personas: dict[str, Any],
    county: Area,
    township: Area,
    other_township: Area,
    bureau: Unit,
    client_for: Any,
) -> None:
    drawn = dt.date(2026, 1, 5)
    mine = make_task(county, township, due_on=dt.date(2026, 4, 30), created_on=drawn)
    theirs = make_task(county, other_township, due_on=dt.date(2026, 12, 31), created_on=drawn)
    unit_task = make_task(county, bureau, due_on=dt.date(2026, 12, 31), created_on=drawn)
    report(mine, 60, "2026-04-01")  # due in April, unfinished: overdue and behind
    report(theirs, 50, "2026-06-20")
    report(unit_task, 80, "2026-05-10")
    report(theirs, 100, "2026-07-01")  # after the period: ignored
    home = make_household(VILLAGE, status="poor", head_name="达标户")
    pair(home, "2025-01-01")
    visit(home, "2026-02-01", "2026-05-01")
    make_household(NEIGHBOUR_VILLAGE, status="poor", head_name="未包户")
    client = client_for("county_admin")
    page = client.get("/duty/ranking/?year=2026&period=3").content.decode()
    assert "2026-06-30" in page and "49.6%" in page  # 181 of 365 days
    rows = re.findall(
        r'<tr( class="behind")?>\s*<td class="rank">(\S+)</td>\s*<td>(?:<a [^>]*>)?([^<]+)<', page
    )
    table = [(bool(behind), rank, name) for behind, rank, name in rows]
    # by mean progress first: the overdue township still leads; an overdue task makes it red
    assert table[:3] == [
        (True, "1", township.name),
        (False, "2", other_township.name),
        (False, "1", bureau.name),
    ]
    village_rows = {name: (behind, rank) for behind, rank, name in table[3:]}
    assert village_rows[Area.objects.get(code=VILLAGE).name] == (False, "1")
    assert village_rows[Area.objects.get(code=NEIGHBOUR_VILLAGE).name] == (True, "2")

    export = client.get("/duty/ranking/export/?year=2026&period=3")
    assert export["Content-Disposition"] == 'attachment; filename="ranking-433124000000-2026-3.xlsx"'
    book = load_workbook(io.BytesIO(export.content), read_only=True)
    assert book.sheetnames == ["乡镇排名", "单位排名", "村排名"]
    townships = [list(r) for r in book["乡镇排名"].iter_rows(values_only=True)]
    assert "2026-06-30" in townships[0][0] and "时间进度 49.6%" in townships[0][0]
    assert townships[1] == ["名次", "乡镇", "任务数", "平均进度(%)", "已完成", "逾期未完成", "是否落后"]
    assert townships[2:] == [
        [1, township.name, 1, 60, 0, 1, "落后"],
        [2, other_township.name, 1, 50, 0, 0, None],
    ]
    units = [list(r) for r in book["单位排名"].iter_rows(min_row=3, values_only=True)]
    assert units == [[1, bureau.name, 1, 80, 0, 0, None]]
    villages = [list(r) for r in book["村排名"].iter_rows(min_row=3, values_only=True)]
    name, neighbour = Area.objects.get(code=VILLAGE).name, Area.objects.get(code=NEIGHBOUR_VILLAGE).name
    # … then 户均走访 (the tie-break) and whether the rank is shared
    assert villages[0] == [1, name, 1, 1, 100, 1, 100, 100, 0, 0, None, 2, None]
    assert villages[1] == [2, neighbour, 1, 0, 0, 0, 0, 0, 0, 0, "落后", 0, None]
    assert all(r[0] is None and r[2] == 0 for r in villages[2:])  # nobody counted: unranked
    assert len(villages) == Area.objects.filter(code__startswith="433124", level=5).count()
    # the township sees its own villages only, and the county's list not at all
    officer = client_for("township_officer").get("/duty/ranking/export/?year=2026&period=3")
    book = load_workbook(io.BytesIO(officer.content), read_only=True)
    assert [list(r) for r in book["乡镇排名"].iter_rows(min_row=3, values_only=True)] == []
    names = {r[1] for r in book["村排名"].iter_rows(min_row=3, values_only=True)}
    assert names == set(Area.objects.filter(parent_id=TOWNSHIP).values_list("name", flat=True))
