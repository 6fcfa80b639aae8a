"""FTZ project counsel in the browser: run the matching, review it against current counsel, publish."""
