"""Settings come from the environment, with safe defaults."""
from __future__ import annotations

import os

from hotline import config


def test_defaults_use_sqlite_in_the_instance_folder(tmp_path):
    """With nothing set, the database is a SQLite file in the instance folder."""
    settings = config.from_environment(tmp_path, environ={})
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'hotline.sqlite3'}"
    assert settings["REDIS_URL"] is None and settings["TWILIO_ACCOUNT_SID"] is None
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"


def test_postgres_urls_use_psycopg3(tmp_path):
    """postgres:// and postgresql:// URLs get the psycopg 3 driver."""
    for raw in ("postgres://u@h/db", "postgresql://u@h/db"):
        settings = config.from_environment(tmp_path, environ={"DATABASE_URL": raw})
        assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_secret_key_is_generated_once_and_kept(tmp_path):
    """Without SECRET_KEY a random key is made, stored privately, and reused on the next start."""
    first = config.from_environment(tmp_path, environ={})["SECRET_KEY"]
    second = config.from_environment(tmp_path, environ={})["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert os.stat(tmp_path / "secret_key").st_mode & 0o077 == 0
    other = tmp_path / "other"
    assert config.from_environment(other, environ={})["SECRET_KEY"] != first


def test_environment_overrides(tmp_path):
    """Every documented variable is read."""
    env = {"SECRET_KEY": "k", "REDIS_URL": "redis://127.0.0.1:6379/0", "TWILIO_ACCOUNT_SID": "AC1",
           "TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM_NUMBER": "+8612348", "PUBLIC_BASE_URL": "https://x.cn/"}
    settings = config.from_environment(tmp_path, environ=env)
    assert settings["SECRET_KEY"] == "k" and settings["PUBLIC_BASE_URL"] == "https://x.cn"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert (settings["TWILIO_ACCOUNT_SID"], settings["TWILIO_AUTH_TOKEN"], settings["TWILIO_FROM_NUMBER"]) == ("AC1", "t", "+8612348")


def test_cookies_are_secure_only_behind_https():
    """Secure cookies follow the public address's scheme unless set explicitly."""
    settings = {"PUBLIC_BASE_URL": "https://x.cn"}
    config.finalise(settings, {})
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
    settings = {"PUBLIC_BASE_URL": "http://localhost:5000"}
    config.finalise(settings, {})
    assert not settings["SESSION_COOKIE_SECURE"]


def test_the_generated_key_is_whole_for_every_process_starting_at_once(tmp_path):
    """Workers starting together all read the same complete key, never an empty or partial file."""
    import threading

    keys, start = [], threading.Barrier(8)

    def boot() -> None:
        start.wait()
        keys.append(config.from_environment(tmp_path, environ={})["SECRET_KEY"])

    threads = [threading.Thread(target=boot) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1 and len(keys[0]) == 64
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left behind


def test_an_empty_key_is_refused(tmp_path):
    """An empty (or truncated) key file, or an empty SECRET_KEY, stops the app with a message saying what to do."""
    import pytest

    (tmp_path / "secret_key").write_text("\n")
    with pytest.raises(config.SettingsError, match="delete it"):
        config.from_environment(tmp_path, environ={})
    with pytest.raises(config.SettingsError, match="SECRET_KEY is set but empty"):
        config.from_environment(tmp_path / "other", environ={"SECRET_KEY": "  "})


def test_trusted_proxies_must_be_a_small_count(tmp_path):
    """TRUSTED_PROXIES is read as a count of proxies; anything else is refused."""
    import pytest

    assert config.from_environment(tmp_path, environ={"SECRET_KEY": "k"})["TRUSTED_PROXIES"] == 1
    assert config.from_environment(tmp_path, environ={"SECRET_KEY": "k", "TRUSTED_PROXIES": "0"})["TRUSTED_PROXIES"] == 0
    for bad in ("yes", "-1", "99"):
        with pytest.raises(config.SettingsError, match="TRUSTED_PROXIES"):
            config.from_environment(tmp_path, environ={"SECRET_KEY": "k", "TRUSTED_PROXIES": bad})
