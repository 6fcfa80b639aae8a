"""Service statistics for coordinators: the dashboard, its exports, the periodic report and the records behind it."""
