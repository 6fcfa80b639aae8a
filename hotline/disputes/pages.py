"""Imports every module that adds views to the ledger's blueprint (one line each)."""
from hotline.disputes import views  # noqa: F401
from hotline.disputes import figures  # noqa: F401
