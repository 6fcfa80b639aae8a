"""The ledger's pages (blueprint `disputes`, under /disputes). Other modules of this package add their views to the
same blueprint: sessions (mediation with the parties), dispatch, the deadline board and zero reports."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("disputes", __name__, url_prefix="/disputes")
