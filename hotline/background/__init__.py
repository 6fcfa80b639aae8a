"""Pages that follow a background job: live progress and cancel."""
