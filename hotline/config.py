"""Application settings. The only module that reads the environment."""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Mapping


def _database_url(raw: str | None, instance_path: Path) -> str:
    """DATABASE_URL with the driver we ship (psycopg 3) filled in; default a SQLite file in the instance folder."""
    if not raw:
        return f"sqlite:///{instance_path / 'hotline.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


class SettingsError(RuntimeError):
    """A setting that would leave the app unsafe; the app refuses to start and says how to fix it."""


def _secret_key(instance_path: Path) -> str:
    """A random key kept in the instance folder, so sessions survive restarts without a key in the code.

    The key is written to a temporary file and then linked into place, so a second worker starting at the same
    moment reads either no file (and links its own, which fails, then reads the winner's) or the whole key,
    never an empty or half-written one.
    """
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")  # mode 600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32))
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, key_file)
            except FileExistsError:
                pass  # another process made it first: use theirs
        finally:
            os.unlink(temporary)
    key = key_file.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise SettingsError(f"{key_file} holds no usable key ({len(key)} characters): delete it to have a new one "
                            "made (every session ends), or set SECRET_KEY")
    return key


def from_environment(instance_path: str | Path, environ: Mapping[str, str] | None = None) -> dict:
    """Build the settings dictionary from environment variables."""
    env = os.environ if environ is None else environ
    instance = Path(instance_path)
    public_base_url = env.get("PUBLIC_BASE_URL", "http://localhost:5000").rstrip("/")
    redis_url = env.get("REDIS_URL") or None
    if "SECRET_KEY" in env and not env["SECRET_KEY"].strip():
        raise SettingsError("SECRET_KEY is set but empty: set a long random value, or unset it to use the key kept "
                            "in the instance folder")
    proxies = env.get("TRUSTED_PROXIES", "1")
    if not (proxies.isascii() and proxies.isdigit()) or int(proxies) > 5:
        raise SettingsError(f"TRUSTED_PROXIES must be 0 to 5 (the proxies in front of the app), not {proxies!r}")
    return {
        "SQLALCHEMY_DATABASE_URI": _database_url(env.get("DATABASE_URL"), instance),
        "SECRET_KEY": env.get("SECRET_KEY") or _secret_key(instance),
        # How many proxies in front of the app append to X-Forwarded-For: the client's address is taken that many
        # entries from the end, so anything a client writes before them is ignored. 0: the app faces clients.
        "TRUSTED_PROXIES": int(proxies),
        "REDIS_URL": redis_url,
        "TWILIO_ACCOUNT_SID": env.get("TWILIO_ACCOUNT_SID") or None,
        "TWILIO_AUTH_TOKEN": env.get("TWILIO_AUTH_TOKEN") or None,
        "TWILIO_FROM_NUMBER": env.get("TWILIO_FROM_NUMBER") or None,
        # An API key signs the short-lived Twilio Video access tokens of video consultations.
        "TWILIO_API_KEY_SID": env.get("TWILIO_API_KEY_SID") or None,
        "TWILIO_API_KEY_SECRET": env.get("TWILIO_API_KEY_SECRET") or None,
        "PUBLIC_BASE_URL": public_base_url,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": "zh_Hans",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "PROVINCE_TIMEZONE": "Asia/Shanghai",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # Consultation slots cut from the roster's video and phone blocks, in minutes.
        "CONSULT_SLOT_MINUTES": int(env.get("CONSULT_SLOT_MINUTES", "30")),
        "CONSULT_BUFFER_MINUTES": int(env.get("CONSULT_BUFFER_MINUTES", "10")),
        # Signed checkpoints of the service log's head, kept outside the database (`flask servicelog anchor`).
        "SERVICELOG_ANCHOR_FILE": env.get("SERVICELOG_ANCHOR_FILE") or str(instance / "servicelog-anchors.jsonl"),
        "SERVICELOG_ANCHOR_KEY": env.get("SERVICELOG_ANCHOR_KEY") or None,
        # Files attached to counsel requests, stored by their SHA-256.
        "ATTACHMENT_DIR": str(instance / "attachments"),
        "ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
        # Spreadsheets between an import's dry run and its confirmation (kept a day).
        "IMPORT_DIR": str(instance / "imports"),
        # Seconds between outbox retries by the in-process sweeper; 0 turns it off.
        "OUTBOX_SWEEP_SECONDS": int(env.get("OUTBOX_SWEEP_SECONDS", "30")),
        # Run background work in the request's thread (tests).
        "JOBS_EAGER": False,
    }


def finalise(config: dict, overrides: Mapping | None) -> None:
    """Derive settings that depend on others, after the caller's overrides are applied."""
    overrides = overrides or {}
    # Cookies only travel over HTTPS when the public address is HTTPS (production).
    secure = config["PUBLIC_BASE_URL"].startswith("https://")
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if name not in overrides:
            config[name] = secure
