"""The coordinators' view of outgoing SMS and calls."""
