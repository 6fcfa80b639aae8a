"""Files attached to counsel requests: checked for type and size, stored once by their SHA-256."""
from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hotline.models import Attachment, CounselRequest

# Extension -> content type; the type is decided here from the extension and the file's first bytes, never from
# what the browser claims.
ALLOWED = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain",
}
MAGIC = {"pdf": (b"%PDF",), "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",), "png": (b"\x89PNG\r\n\x1a\n",),
         "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",)}
MAX_FILES = 5
# Text-direction controls make "report\u202efdp.exe" read as "reportexe.pdf"; with the control characters and line
# separators they have no place in a file name a lawyer is asked to trust.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
CONTROL_CATEGORIES = ("Cc", "Zl", "Zp")


class AttachmentError(Exception):
    """A refused file; code names the reason, filename the file."""

    def __init__(self, code: str, filename: str = ""):
        super().__init__(code)
        self.code = code
        self.filename = filename


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as sent and a readable stream."""

    filename: str
    stream: BinaryIO


def _unsafe(char: str) -> bool:
    return char in BIDI_CONTROLS or unicodedata.category(char) in CONTROL_CATEGORIES


def visible_name(name: str) -> str:
    """The name without its control and text-direction characters: what it really says."""
    return "".join(char for char in name if not _unsafe(char))


def _clean_name(filename: str) -> str:
    """The file's own name without any folder, at most 200 characters, keeping its extension; a name with control
    or text-direction characters is refused."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if any(_unsafe(char) for char in name):
        raise AttachmentError("bad_name", visible_name(name).strip() or "file")
    name = name.strip() or "file"
    if len(name) > 200:
        stem, _dot, ext = name.rpartition(".")
        name = stem[: 199 - len(ext)] + "." + ext if stem else name[:200]
    return name


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _check_content(ext: str, head: bytes, name: str) -> None:
    if ext == "txt":
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is fine; anything else is not text.
            if error.start < len(head) - 3:
                raise AttachmentError("bad_content", name) from None
        if b"\x00" in head:
            raise AttachmentError("bad_content", name)
        return
    if not any(head.startswith(magic) for magic in MAGIC[ext]):
        raise AttachmentError("bad_content", name)


def store(folder: str | Path, uploads: list[Upload], max_bytes: int) -> list[tuple[str, str, int, str]]:
    """Check and store the files; returns (name, content type, size, sha256) for each, or raises AttachmentError
    before anything is kept."""
    uploads = [u for u in uploads if u.filename]
    if len(uploads) > MAX_FILES:
        raise AttachmentError("too_many")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, str, int, str, str]] = []
    try:
        for upload in uploads:
            name = _clean_name(upload.filename)
            ext = _extension(name)
            if ext not in ALLOWED:
                raise AttachmentError("bad_type", name)
            digest, size = hashlib.sha256(), 0
            handle, temp = tempfile.mkstemp(dir=folder, prefix=".upload-")
            staged.append((name, ALLOWED[ext], 0, "", temp))
            with os.fdopen(handle, "wb") as out:
                head = b""
                while chunk := upload.stream.read(64 * 1024):
                    if not head:
                        head = chunk[:512]
                    size += len(chunk)
                    if size > max_bytes:
                        raise AttachmentError("too_big", name)
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                raise AttachmentError("empty", name)
            _check_content(ext, head, name)
            staged[-1] = (name, ALLOWED[ext], size, digest.hexdigest(), temp)
        stored = []
        for name, content_type, size, sha, temp in staged:
            os.replace(temp, folder / sha)
            stored.append((name, content_type, size, sha))
        return stored
    finally:
        for *_rest, temp in staged:
            if os.path.exists(temp):
                os.unlink(temp)


def attach(request: CounselRequest, stored: list[tuple[str, str, int, str]]) -> None:
    """Record stored files on the request."""
    for name, content_type, size, sha in stored:
        request.attachments.append(Attachment(filename=name, content_type=content_type, size_bytes=size, sha256=sha))


def download_name(attachment: Attachment) -> str:
    """The name to offer a download under: only visible characters, ending in the extension of its stored type, so
    a name stored before names were checked cannot disguise the file."""
    name = visible_name(attachment.filename).strip()
    if ALLOWED.get(_extension(name)) != attachment.content_type:
        ext = next((ext for ext, kind in ALLOWED.items() if kind == attachment.content_type), "bin")
        name = f"{name or 'file'}.{ext}"
    return name


def send(folder: str | Path, attachment):
    """The stored file as a download under its safe name (404 when its bytes are missing); any record with a
    filename, a content type and a SHA-256 (a request's attachment, a project service's file)."""
    from flask import abort, send_file

    path = path_of(folder, attachment)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=attachment.content_type, as_attachment=True,
                     download_name=download_name(attachment))


def path_of(folder: str | Path, attachment: Attachment) -> Path:
    """Where the attachment's bytes are kept."""
    return Path(folder) / attachment.sha256
