"""File names that could disguise a file are refused on upload, and a stored one cannot disguise a download."""
from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from werkzeug.http import parse_options_header

from hotline.models import Attachment, CounselRequest, User
from hotline.services import attachments
from tests.consult.test_consult_views import signed_in, window_form

DISGUISED = ["invoice\u202efdp.txt", "a\u202ab.pdf", "a\u202bb.pdf", "a\u202cb.pdf", "a\u202db.pdf", "a\u2066b.pdf",
             "a\u2067b.pdf", "a\u2068b.pdf", "a\u2069b.pdf", "a\u200eb.pdf", "a\u200fb.pdf", "a\u061cb.pdf",
             "bell\x07.pdf", "nul\x00.pdf", "tab\t.pdf", "del\x7f.pdf", "next\x85line.pdf", "line\u2028sep.pdf",
             "para\u2029sep.pdf", "cr\rname.pdf", "crlf\r\nname.pdf", "lf\nname.pdf", "esc\x1b[31m.pdf"]


@pytest.mark.parametrize("name", DISGUISED)
def test_the_service_refuses_control_and_direction_characters_and_keeps_nothing(tmp_path, name):
    with pytest.raises(attachments.AttachmentError) as refused:
        attachments.store(tmp_path, [attachments.Upload("ok.pdf", io.BytesIO(b"%PDF-1.4")),
                                     attachments.Upload(name, io.BytesIO(b"%PDF-1.4"))], 1024)
    assert refused.value.code == "bad_name"
    assert refused.value.filename == attachments.visible_name(name).strip()
    assert list(tmp_path.iterdir()) == []


def test_ordinary_names_in_any_script_are_kept():
    for name in ("租赁合同（第2版）.pdf", "계약서.docx", "ᠭᠡᠷ᠎ᠡ.txt", "Müller & Söhne, 2026.xlsx", "a b.png"):
        assert attachments._clean_name(name) == name


def _post_with_file(client, world, name: str, body: bytes = b"%PDF-1.4 lease"):
    """A request form as a browser sends it, the file's name in RFC 5987 form so any character gets through."""
    parts = [f'--B\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
             for key, value in window_form(world).items()]
    parts.append(f"--B\r\nContent-Disposition: form-data; name=\"files\"; filename*=UTF-8''{quote(name)}\r\n"
                 "Content-Type: application/pdf\r\n\r\n".encode() + body + b"\r\n--B--\r\n")
    return client.post("/consult/requests/new", data=b"".join(parts), content_type="multipart/form-data; boundary=B")


@pytest.mark.parametrize("name", ["invoice\u202efdp.txt", "crlf\r\nname.pdf", "nul\x00.pdf", "a\u2066b.pdf"])
def test_the_request_form_refuses_the_name_with_a_clear_message(app, world, make, name):
    client = signed_in(app, world.liaison)
    response = _post_with_file(client, world, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "the file name contains control or text-direction characters" in page
    assert "\u202e" not in page and "\u2066" not in page
    assert make.scalar(select(func.count(CounselRequest.id))) == 1  # only the world's own request
    assert make.scalar(select(func.count(Attachment.id))) == 0


def test_the_refusal_is_in_chinese_for_a_chinese_liaison(app, world, make):
    make.update(User, world.liaison.id, locale="zh_Hans")
    response = _post_with_file(signed_in(app, world.liaison), world, "报价\u202efdp.txt")
    assert response.status_code == 400 and "文件名含有控制字符或文字方向字符" in response.get_data(as_text=True)


@pytest.mark.parametrize("stored, content_type, offered", [
    ("invoice\u202etxt.pdf", "application/pdf", "invoicetxt.pdf"),
    ("photo\u202egnp.exe", "image/png", "photognp.exe.png"),
    ("evil\r\nX-Injected: 1.pdf", "application/pdf", "evilX-Injected: 1.pdf"),
    ('quote"; filename="run.exe', "text/plain", 'quote"; filename="run.exe.txt'),
    ("\u202e", "application/pdf", "file.pdf"),
])
def test_a_stored_name_cannot_disguise_the_download(app, world, make, stored, content_type, offered):
    item = make.attachment(request=world.request, filename=stored, content_type=content_type, sha256="d" * 64)
    folder = Path(app.config["ATTACHMENT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / item.sha256).write_bytes(b"content")
    client = signed_in(app, world.liaison)
    download = client.get(f"/consult/attachments/{item.id}")
    download.close()
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert "%E2%80%AE" not in disposition and "\u202e" not in disposition
    assert download.headers.get("X-Injected") is None
    kind, options = parse_options_header(disposition)
    assert kind == "attachment" and options["filename"] == offered
    page = client.get(f"/consult/requests/{world.request.id}").get_data(as_text=True)
    assert "\u202e" not in page
