"""API for areas and the household file (filled in below by the registry endpoints)."""

from ninja import Router

router = Router()
