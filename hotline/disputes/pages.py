"""Imports every module that adds views to the ledger's blueprint (one line each)."""
from hotline.disputes import views  # noqa: F401
from hotline.disputes import sessions  # noqa: F401  (mediation sessions with the parties, follow-up visits)
