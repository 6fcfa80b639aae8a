"""Imports every module that adds views to the ledger's blueprint (one line each)."""
from hotline.disputes import views  # noqa: F401
from hotline.disputes import ledger  # noqa: F401
from hotline.disputes import dispatch  # noqa: F401
from hotline.disputes import board  # noqa: F401
from hotline.disputes import zero  # noqa: F401
from hotline.disputes import sessions  # noqa: F401  (mediation sessions with the parties, follow-up visits)
from hotline.disputes import figures  # noqa: F401
