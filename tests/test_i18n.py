"""Every string a user sees exists in English and Simplified Chinese."""
from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "hotline/translations/zh_Hans/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _catalog():
    with open(PO, "rb") as handle:
        return read_po(handle, locale="zh_Hans")


def _source_messages() -> set[str]:
    """Message ids used in the code and templates."""
    found = set()
    for folder, method in (("hotline", "python"), ("templates", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[(pattern, method)], keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return {m for m in found if m}


def test_every_string_has_a_chinese_translation():
    """No user-facing string is missing from the catalogue or left untranslated."""
    catalog = _catalog()
    translated = {}
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        value = message.string[0] if isinstance(message.string, tuple) else message.string
        translated[key] = value
    missing = sorted(m for m in _source_messages() if not translated.get(m))
    assert missing == [], f"run pybabel extract/update and translate: {missing[:10]}"


def test_compiled_catalogue_is_current():
    """The .mo the app loads was compiled from the current .po."""
    buffer = io.BytesIO()
    write_mo(buffer, _catalog())
    assert MO.read_bytes() == buffer.getvalue(), "run: pybabel compile -d hotline/translations"


def test_pages_follow_the_browser_language(client):
    """The login page is Chinese for a Chinese browser and English for an English one."""
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)


def test_default_is_chinese(client):
    """Without a language preference the province's default, Chinese, is used."""
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_language_switch_is_remembered(client, as_role, make, users):
    """The switch changes the language for the session, and for a signed-in user, their account."""
    client.post("/language/en?next=/login")
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    lawyer = as_role("lawyer")
    response = lawyer.post("/language/zh_Hans?next=//evil.example/")
    assert response.location == "/"
    from hotline.models import User

    assert make.get(User, users["lawyer"].id).locale == "zh_Hans"
    assert "欢迎" in lawyer.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert client.post("/language/fr").status_code == 302


def test_a_get_does_not_switch_the_language(client, as_role, make, users):
    """A link or image elsewhere cannot change anyone's language: GET is refused and changes nothing."""
    from hotline.models import User

    lawyer = as_role("lawyer")
    assert lawyer.get("/language/en?next=/").status_code == 405
    assert make.get(User, users["lawyer"].id).locale is None
