"""What the party-building demo (``fupin.demo.party``) builds on: the county's areas and
households read once, the demo personas' logins, the dates the build is relative to, and a
recorder that writes rows in bulk and remembers their keys so a rebuild can remove them.

Everything random comes from ``rng(section)``: one generator per section, seeded from the build
seed and the section's name, so adding rows to one section does not reshuffle the others.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

from fupin.accounts.models import User
from fupin.areas.models import Area, AreaSetting, Level, prefix_range
from fupin.cases.area_settings import SPECS, lineage
from fupin.core import crypto
from fupin.core.personas import COUNTY, FULL_NAMES
from fupin.demo import names
from fupin.demo.people import phone_number
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household

PREFECTURE = "433100000000"  # 湘西土家族苗族自治州
# Households a cadre answers for (干部包户): poor and monitored ones.
ASSISTED = (HouseholdStatus.POOR, HouseholdStatus.MONITORED)
# The people behind the logins that appear in the party data: 十八洞村's first secretary, sent
# by the county transport bureau as the teams tests have it, and a cadre of the same bureau.
SHIBADONG_UNIT = "县交通运输局"
# The two personas who are people in the demo's records too, under their logins' full names.
PERSONA_PEOPLE = {name: FULL_NAMES[name] for name in ("first_secretary", "cadre")}
PERSONA_NAMES = ("first_secretary", "cadre", "village_clerk", "township_officer", "org_dept", "county_admin")

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True, slots=True)
class Place:
    code: str
    name: str  # as the division list has it (龙潭社区居委会, 十八洞村)

    @property
    def short(self) -> str:
        """The name an organisation is called by: 龙潭社区, 十八洞村."""
        return self.name.removesuffix("居委会").removesuffix("村委会")

    @property
    def township(self) -> str:
        return self.code[:9] + "000"


@dataclass(frozen=True, slots=True)
class Home:
    """One registered household, as much of it as the party demo needs."""

    pk: int
    number: str
    area: str  # the village or its group
    status: str
    main_cause: str
    other_causes: tuple[str, ...]
    household_type: str
    head_name: str

    @property
    def village(self) -> str:
        return self.number[:12]

    @property
    def assisted(self) -> bool:
        return self.status in ASSISTED


@dataclass
class County:
    seed: int
    today: dt.date
    townships: list[Place]
    villages: list[Place]
    homes: dict[str, list[Home]]  # village code -> its households by number
    users: dict[str, User]
    area_settings: dict[tuple[str, str], Any] = field(default_factory=dict)
    tz: dt.tzinfo = field(default_factory=timezone.get_current_timezone)
    made: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # What later sections need from earlier ones (units by name, pairings by household …).
    shared: dict[str, Any] = field(default_factory=dict)

    # --- dates ---------------------------------------------------------------------------
    @property
    def year(self) -> int:
        return self.today.year

    @property
    def yesterday(self) -> dt.date:
        return self.today - dt.timedelta(days=1)

    @property
    def year_ago(self) -> dt.date:
        """The first day of the 365 days of check-ins that end yesterday."""
        return self.today - dt.timedelta(days=365)

    def at(self, day: dt.date, hour: int, minute: int) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)

    # --- local settings ------------------------------------------------------------------
    def setting(self, code: str, key: str) -> Any:
        """``area_settings.setting_for`` from the settings read once: thousands of households
        and team members each ask, and one query apiece would cost seconds."""
        for area in lineage(code):
            if (area, key) in self.area_settings:
                return self.area_settings[area, key]
        return SPECS[key].default

    # --- randomness ----------------------------------------------------------------------
    def rng(self, section: str) -> random.Random:
        return random.Random(self.seed * 1_000_003 + zlib.crc32(section.encode()))

    # --- areas and households ------------------------------------------------------------
    @property
    def key_villages(self) -> list[Place]:
        """Villages with poor or monitored households: the ones pairing and teams are about."""
        return [v for v in self.villages if any(h.assisted for h in self.homes.get(v.code, ()))]

    def village(self, code: str) -> Place:
        return next(v for v in self.villages if v.code == code)

    def assisted(self) -> list[Home]:
        return [h for v in self.villages for h in self.homes.get(v.code, ()) if h.assisted]

    def user(self, username: str) -> User | None:
        return self.users.get(username)

    # --- writing -------------------------------------------------------------------------
    def save(self, model: type[M], rows: Sequence[M]) -> list[M]:
        """Insert ``rows`` in bulk and remember their keys (the audit entry lists them)."""
        if not rows:
            return list(rows)
        created = model.objects.bulk_create(rows, batch_size=2000)
        label = model._meta.label_lower
        self.made[label] += [r.pk for r in created]
        self.counts[label] += len(created)
        return created

    def stamp(
        self, model: type[M], rows: Sequence[M], field_name: str, values: Sequence[dt.datetime]
    ) -> None:
        """Give automatic timestamps (``auto_now``, ``auto_now_add``) the times the story needs:
        a report submitted last spring, a task on the list since January. ``bulk_create`` sets
        them to now; ``bulk_update`` writes what is given."""
        now = timezone.now()
        for row, value in zip(rows, values, strict=True):
            setattr(row, field_name, min(value, now))
        model.objects.bulk_update(rows, [field_name], batch_size=500)

    def insert(self, model: type[models.Model], rows: list[dict[str, Any]]) -> None:
        """Insert rows given as {attname: value} without model instances, and remember their
        keys as ``save`` does: for the big tables (a year of check-ins is a quarter of a million
        rows) building instances would take most of the build. Every row names the same
        fields, all the columns the database needs (no model defaults apply here), and none
        is a JSON column."""
        if not rows:
            return
        if not connection.features.can_return_rows_from_bulk_insert:
            self.save(model, [model(**row) for row in rows])
            return
        meta = model._meta
        names = list(rows[0])
        values = itemgetter(*names)
        # Only dates, times and decimals need adapting; the rest go as they are.
        adapt = [(i, f) for i, name in enumerate(names) if (f := _adapter(meta.get_field(name))) is not None]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(meta.get_field(name).column) for name in names)
        one = "(" + ", ".join(["%s"] * len(names)) + ")"
        per = min(500, (connection.features.max_query_params or 10_000) // len(names))
        keys: list[int] = []
        with connection.cursor() as cursor:
            for start in range(0, len(rows), per):
                chunk = rows[start : start + per]
                params: list[Any] = []
                for row in chunk:
                    found = list(values(row)) if len(names) > 1 else [values(row)]
                    for i, f in adapt:
                        found[i] = f(found[i])
                    params += found
                # Names from the model's own metadata, quoted; every value is a parameter.
                cursor.execute(
                    f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([one] * len(chunk))}"  # noqa: S608
                    f" RETURNING {quote(meta.pk.column)}",
                    params,
                )
                keys += [r[0] for r in cursor.fetchall()]
        self.made[meta.label_lower] += keys
        self.counts[meta.label_lower] += len(keys)


def _adapter(f: models.Field) -> Callable[[Any], Any] | None:
    """How a value of field ``f`` goes to the database (None: as it is); dates and times are
    cached, since the same few hundred days recur in every row."""
    ops = connection.ops
    if isinstance(f, models.DateTimeField):
        convert: Callable[[Any], Any] = ops.adapt_datetimefield_value
    elif isinstance(f, models.DateField):
        convert = ops.adapt_datefield_value
    elif isinstance(f, models.DecimalField):
        return lambda v: None if v is None else ops.adapt_decimalfield_value(v)
    elif isinstance(f, models.JSONField):
        raise TypeError(f"{f} is JSON: write it with County.save")
    else:
        return None
    cache: dict[Any, Any] = {}

    def cached(v: Any) -> Any:
        if v not in cache:
            cache[v] = None if v is None else convert(v)
        return cache[v]

    return cached


def load(seed: int, today: dt.date | None = None) -> County:
    areas = Area.objects.filter(prefix_range(COUNTY[:6], "code")).order_by("code")
    townships = [Place(c, n) for c, n in areas.filter(level=Level.TOWNSHIP).values_list("code", "name")]
    villages = [Place(c, n) for c, n in areas.filter(level=Level.VILLAGE).values_list("code", "name")]
    homes: dict[str, list[Home]] = defaultdict(list)
    rows = (
        Household.objects.filter(prefix_range(COUNTY[:6], "area_id"))
        .order_by("number")
        .values_list(
            "pk", "number", "area_id", "status", "main_cause", "other_causes", "household_type", "head_name"
        )
    )
    for pk, number, area, status, cause, others, kind, head in rows.iterator(chunk_size=5000):
        homes[number[:12]].append(Home(pk, number, area, status, cause, tuple(others or ()), kind, head))
    users = {u.username: u for u in User.objects.filter(username__in=PERSONA_NAMES)}
    above = [c for c in lineage(COUNTY) if c != COUNTY]
    local = AreaSetting.objects.filter(prefix_range(COUNTY[:6], "area_id") | Q(area_id__in=above))
    values = {(a, k): v for a, k, v in local.values_list("area_id", "key", "value")}
    return County(seed, today or timezone.localdate(), townships, villages, dict(homes), users, values)


# --- people ------------------------------------------------------------------------------


def person(rng: random.Random, birth_year: int, gender: str = "", ethnicity: str = "") -> str:
    """An invented name of the county: mostly Miao clans, some Tujia, a few Han."""
    gender = gender or ("m" if rng.random() < 0.6 else "f")
    ethnicity = ethnicity or rng.choices((names.MIAO, names.TUJIA, names.HAN), (70, 22, 8))[0]
    return names.pick_surname(rng, ethnicity) + names.given_name(rng, gender, birth_year)


@dataclass(frozen=True, slots=True)
class Phone:
    enc: str
    masked: str


def phone(rng: random.Random) -> Phone:
    """A made-up mobile number, stored as the registry stores phones: encrypted and masked."""
    number = phone_number(rng)
    return Phone(crypto.encrypt(number), crypto.mask(number, 3, 4))


def days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
