"""WSGI entry point: `flask --app wsgi run` in development, `gunicorn wsgi:app` in production."""
import gc

from hotline import create_app

app = create_app()

# The app's long-lived objects (mappers, tables, templates, translations) never become garbage: moving them out of
# the cyclic collector's reach keeps its full collections short, which were the slowest requests' extra wait.
gc.freeze()
