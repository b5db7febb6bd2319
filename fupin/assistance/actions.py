"""Every write of the assistance app, in one place to import from. Each lives in a module of
its subject: ``measures`` (measures, home visits), ``projects`` (projects and funds),
``employment`` (workshops, workers, transfer jobs), ``trainings`` and ``care``."""

from __future__ import annotations

from fupin.assistance.care import do_end_care_flag, do_flag_member, do_record_follow_up
from fupin.assistance.employment import (
    do_add_transfer_job,
    do_add_worker,
    do_close_workshop,
    do_create_workshop,
    do_end_transfer_job,
    do_end_worker,
)
from fupin.assistance.measures import do_record_measure, do_record_visit
from fupin.assistance.projects import do_create_project, do_update_project
from fupin.assistance.trainings import do_add_attendance, do_create_training

__all__ = [
    "do_add_attendance",
    "do_add_transfer_job",
    "do_add_worker",
    "do_close_workshop",
    "do_create_project",
    "do_create_training",
    "do_create_workshop",
    "do_end_care_flag",
    "do_end_transfer_job",
    "do_end_worker",
    "do_flag_member",
    "do_record_follow_up",
    "do_record_measure",
    "do_record_visit",
    "do_update_project",
]
