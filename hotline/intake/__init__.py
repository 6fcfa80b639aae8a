"""The operator console: the live queue, contacts, triage and the operator's actions, escalations."""
