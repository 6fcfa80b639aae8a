"""The coordinators' view of the service log."""
