"""Duty rosters in the browser: periods, solving in the background, review, publishing; lawyers' duties."""
