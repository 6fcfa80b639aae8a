"""Signing in and out, access control by role, and the coordinators' user management."""
