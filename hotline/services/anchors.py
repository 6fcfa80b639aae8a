"""Checkpoints of the service log's head kept outside the database.

The hash chain shows a record changed or removed in the middle, but someone who can write to the database could
drop the newest records, or rebuild the whole chain, and leave it consistent. A checkpoint names the head (its
sequence number and hash) at a moment, signed with a key the database does not hold, and is appended to a file
that lives elsewhere (another disk, a write-once store, a copy mailed off-site). verify() then checks that every
checkpointed record is still there with the same hash.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import ServiceRecord

VERSION = 1


@dataclass(frozen=True)
class Checkpoint:
    """The log's head at a moment."""

    seq: int
    hash: str
    at: str

    def payload(self) -> bytes:
        """The signed bytes: the fields in a fixed order."""
        return json.dumps({"v": VERSION, "seq": self.seq, "hash": self.hash, "at": self.at},
                          sort_keys=True, separators=(",", ":")).encode("ascii")


def signing_key(secret: str, anchor_key: str | None) -> bytes:
    """The anchor key if one is set, else one derived from the application's secret key."""
    if anchor_key:
        return anchor_key.encode("utf-8")
    return hmac.new(secret.encode("utf-8"), b"12348 service-log anchor", hashlib.sha256).digest()


def sign(checkpoint: Checkpoint, key: bytes) -> str:
    """HMAC-SHA256 of the checkpoint."""
    return hmac.new(key, checkpoint.payload(), hashlib.sha256).hexdigest()


def head(session: Session, now: datetime) -> Checkpoint | None:
    """The newest record as a checkpoint, or None for an empty log."""
    row = session.execute(select(ServiceRecord.seq, ServiceRecord.hash).order_by(ServiceRecord.seq.desc())
                          .limit(1)).first()
    return Checkpoint(row.seq, row.hash, now.isoformat(timespec="seconds")) if row else None


def write(path: Path, checkpoint: Checkpoint, key: bytes) -> str:
    """Append the signed checkpoint as one JSON line (appended and flushed to disk); returns the line."""
    line = json.dumps({"v": VERSION, "seq": checkpoint.seq, "hash": checkpoint.hash, "at": checkpoint.at,
                       "hmac": sign(checkpoint, key)}, sort_keys=True, separators=(",", ":"))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, (line + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return line


def read(path: Path, key: bytes) -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints in the file, and a problem for each line that is malformed or wrongly signed."""
    checkpoints, problems = [], []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                checkpoint = Checkpoint(int(data["seq"]), str(data["hash"]), str(data["at"]))
                signature = str(data["hmac"])
            except (ValueError, KeyError, TypeError):
                problems.append(f"{path}:{number}: not a checkpoint")
                continue
            if data.get("v") != VERSION or not hmac.compare_digest(sign(checkpoint, key), signature):
                problems.append(f"{path}:{number}: signature does not match (checkpoint altered or another key)")
                continue
            checkpoints.append(checkpoint)
    return checkpoints, problems


def check(session: Session, checkpoints: list[Checkpoint]) -> list[str]:
    """A problem for each checkpointed record that is gone or no longer has its hash."""
    if not checkpoints:
        return []
    last = session.scalar(select(ServiceRecord.seq).order_by(ServiceRecord.seq.desc()).limit(1)) or 0
    wanted = sorted({checkpoint.seq for checkpoint in checkpoints})
    stored: dict[int, str] = {}
    for start in range(0, len(wanted), 500):  # years of hourly checkpoints stay within SQLite's parameter limit
        stored.update(session.execute(select(ServiceRecord.seq, ServiceRecord.hash)
                                      .where(ServiceRecord.seq.in_(wanted[start:start + 500]))).all())
    problems = []
    for checkpoint in sorted(checkpoints, key=lambda c: c.seq):
        if checkpoint.seq > last:
            problems.append(f"checkpoint of {checkpoint.at} names record seq={checkpoint.seq}, but the log ends at "
                            f"seq={last}: records were removed from its end")
        elif stored.get(checkpoint.seq) != checkpoint.hash:
            problems.append(f"checkpoint of {checkpoint.at}: record seq={checkpoint.seq} no longer has the hash it "
                            "had then: the log was rewritten")
    return problems
