"""Optimisation library for the 12348 hotline: duty rosters, project-counsel matching, consultation booking.

Pure library: standard library and OR-Tools only. Plain dataclasses in, plain dataclasses out.
"""
