"""WSGI entry point: `flask --app wsgi run` in development, `gunicorn wsgi:app` in production."""
from hotline import create_app

app = create_app()
