"""The service log: append-only, hash-chained, serialised appends, and verification that names the break."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.orm import Session

from hotline.extensions import db
from hotline.models import ServiceRecord
from hotline.models.servicelog import GENESIS_HASH
from hotline.services import servicelog
from tests.factories import NOW


def _entry(**over) -> servicelog.ServiceEntry:
    values = {"kind": "hotline", "started_at": NOW - timedelta(minutes=5), "ended_at": NOW, "outcome": "answered"}
    return servicelog.ServiceEntry(**(values | over))


def test_records_chain_from_genesis(make):
    """Each record links to the one before by hash, starting from the genesis hash."""
    first, second, third = (make.service(outcome=f"case {n}") for n in range(3))
    assert (first.seq, second.seq, third.seq) == (1, 2, 3)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    assert servicelog.verify(make.session).intact


def test_hash_covers_content(make):
    """The stored hash is SHA-256 of the previous hash plus canonical content: any field change alters it."""
    record = make.get(ServiceRecord, make.service().id)
    assert record.compute_hash() == record.hash
    record.outcome = "changed"
    assert record.compute_hash() != record.hash
    make.session.expunge_all()


def test_orm_refuses_update_and_delete(make):
    """The model refuses to change or delete a stored record."""
    record_id = make.service().id
    record = make.session.get(ServiceRecord, record_id)
    record.outcome = "rewritten"
    with pytest.raises(PermissionError):
        make.session.flush()
    make.session.rollback()
    record = make.session.get(ServiceRecord, record_id)
    make.session.delete(record)
    with pytest.raises(PermissionError):
        make.session.flush()
    make.session.rollback()
    make.session.close()


def test_database_refuses_update_and_delete(make):
    """Even a bulk statement that bypasses the ORM is refused by the database's triggers."""
    make.service()
    with pytest.raises(DatabaseError):
        make.session.execute(update(ServiceRecord).values(outcome="rewritten").execution_options(synchronize_session=False))
    make.session.rollback()
    with pytest.raises(DatabaseError):
        make.session.execute(text("DELETE FROM service_records"))
    make.session.rollback()
    make.session.close()


def test_two_records_cannot_claim_the_same_predecessor(make):
    """A fork (two records after the same one) is refused by the database."""
    first = make.service()
    fork = ServiceRecord(seq=99, kind="hotline", started_at=NOW, prev_hash=first.prev_hash, hash="f" * 64, created_at=NOW)
    make.session.add(fork)
    with pytest.raises(IntegrityError):
        make.session.flush()
    make.session.rollback()
    make.session.close()


def _tamper(session: Session, dialect: str, statement: str) -> None:
    """Change the log behind the app's back: switch the guard off, edit, switch it on again."""
    if dialect == "postgresql":
        session.execute(text("ALTER TABLE service_records DISABLE TRIGGER service_records_append_only"))
        session.execute(text(statement))
        session.execute(text("ALTER TABLE service_records ENABLE TRIGGER service_records_append_only"))
    else:
        from hotline.models.servicelog import SQLITE_TRIGGERS

        session.execute(text("DROP TRIGGER service_records_no_update"))
        session.execute(text("DROP TRIGGER service_records_no_delete"))
        session.execute(text(statement))
        for trigger in SQLITE_TRIGGERS:
            session.execute(text(trigger))
    session.commit()
    session.close()


@pytest.mark.parametrize(
    "statement, problem",
    [
        ("UPDATE service_records SET outcome = 'forged' WHERE seq = 3", "changed"),
        ("UPDATE service_records SET satisfaction = 5 WHERE seq = 3", "changed"),
        ("UPDATE service_records SET started_at = started_at - INTERVAL '1 day' WHERE seq = 3", "changed"),
    ],
)
def test_verify_names_the_changed_record(make, dialect, runner, statement, problem):
    """Changing any stored field of record 3 makes verify fail at record 3, and the CLI exit 1 naming it."""
    for n in range(5):
        make.service(outcome=f"case {n}")
    if "INTERVAL" in statement and dialect == "sqlite":
        statement = "UPDATE service_records SET started_at = datetime(started_at, '-1 day') WHERE seq = 3"
    _tamper(make.session, dialect, statement)
    result = servicelog.verify(make.session, batch_size=2)
    make.session.close()
    assert not result.intact and result.broken_seq == 3 and problem in result.problem
    outcome = runner.invoke(args=["servicelog", "verify"])
    assert outcome.exit_code == 1
    assert "seq=3" in outcome.output


def test_verify_detects_a_removed_record(make, dialect, runner):
    """Deleting a record in the middle breaks the sequence at the record after it."""
    for n in range(4):
        make.service(outcome=f"case {n}")
    _tamper(make.session, dialect, "DELETE FROM service_records WHERE seq = 2")
    result = servicelog.verify(make.session)
    make.session.close()
    assert result.broken_seq == 3 and "removed" in result.problem


def test_verify_cli_exits_0_when_intact(make, runner):
    """An intact log (and an empty one) verifies with exit status 0."""
    assert runner.invoke(args=["servicelog", "verify"]).exit_code == 0
    make.service()
    outcome = runner.invoke(args=["servicelog", "verify"])
    assert outcome.exit_code == 0 and "1 records checked" in outcome.output


def test_append_many_chains_in_order(make):
    """A batch is appended in order, each record chained to the one before."""
    records = servicelog.append_many(make.session, [_entry(outcome=str(n)) for n in range(10)], NOW)
    make.session.commit()
    assert [r.seq for r in records] == list(range(1, 11))
    assert servicelog.verify(make.session).checked == 10
    make.session.close()


def test_fifty_concurrent_appends_keep_one_chain(app, make):
    """50 threads appending at once lose no record and never fork the chain."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(50)

    def worker(n: int) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                servicelog.append(db.session, _entry(outcome=f"thread {n}"), NOW)
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert make.scalar(select(func.count(ServiceRecord.id))) == 50
    outcomes = set(make.scalars(select(ServiceRecord.outcome)))
    assert outcomes == {f"thread {n}" for n in range(50)}
    result = servicelog.verify(make.session)
    make.session.close()
    assert result.intact and result.checked == 50


def test_the_database_writes_timestamps_as_the_chain_hashes_them(make):
    """verify reads timestamps as text made by the database; it must equal the canonical Python form."""
    from datetime import datetime, timezone

    from sqlalchemy import select

    from hotline.models import ServiceRecord
    from hotline.models.servicelog import _utc_iso

    for moment in (datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc), datetime(2026, 3, 1, 8, 0, 1, 250, tzinfo=timezone.utc)):
        record = make.service(started_at=moment, ended_at=None)
        column = servicelog._canonical_column(make.session, "started_at")
        text = make.scalar(select(column).where(ServiceRecord.id == record.id))
        assert text == _utc_iso(moment)
        assert make.scalar(select(servicelog._canonical_column(make.session, "ended_at"))
                           .where(ServiceRecord.id == record.id)) is None
    assert servicelog.verify(make.session).intact


def test_canonical_content_is_exactly_the_sorted_compact_json():
    """The hand-written canonical form equals json.dumps for every kind of value a record holds."""
    import json
    from datetime import datetime, timezone

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from hotline.models.servicelog import HASHED_FIELDS, _utc_iso, canonical_content

    values = st.one_of(st.none(), st.integers(-2**40, 2**40), st.text(), st.booleans(),
                       st.datetimes(timezones=st.just(timezone.utc)))

    @settings(max_examples=300, deadline=None)
    @given(st.fixed_dictionaries({name: values for name in HASHED_FIELDS}))
    def same(record):
        plain = {k: (_utc_iso(v) if isinstance(v, datetime) else v) for k, v in record.items()}
        assert canonical_content(record) == json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    same()


@pytest.fixture
def split_early(monkeypatch):
    """Check in parallel from three records on, so a short log is split between two processes."""
    monkeypatch.setattr(servicelog, "PARALLEL_FROM", 3)


def test_parallel_verify_agrees_and_finds_a_change_in_the_second_half(make, dialect, split_early):
    for n in range(8):
        make.service(outcome=f"case {n}")
    result = servicelog.verify(make.session, batch_size=3, workers=2)
    make.session.close()
    assert result.intact and result.checked == 8
    _tamper(make.session, dialect, "UPDATE service_records SET outcome = 'forged' WHERE seq = 6")
    result = servicelog.verify(make.session, batch_size=3, workers=2)
    make.session.close()
    assert (result.broken_seq, result.checked) == (6, 5) and "changed" in result.problem


def test_parallel_verify_finds_a_record_removed_at_the_split(make, dialect, split_early):
    for n in range(8):
        make.service(outcome=f"case {n}")
    _tamper(make.session, dialect, "DELETE FROM service_records WHERE seq = 5")
    result = servicelog.verify(make.session, workers=2)
    make.session.close()
    assert not result.intact and result.broken_seq in (5, 6)


# Chain version 2: records linked to a ledger entry hash the version and the entry as well.

def _v1_record(make, outcome: str) -> None:
    """Append a record as the log wrote them before version 2 (the bench and old databases hold such records)."""
    from hotline.models.servicelog import HASHED_FIELDS, canonical_content, chain_hash
    from hotline.services.servicelog import SERVICE_LOG_LOCK

    session = make.session
    servicelog.lock_for_append(session, SERVICE_LOG_LOCK)
    last = session.execute(select(ServiceRecord.seq, ServiceRecord.hash).order_by(ServiceRecord.seq.desc())
                           .limit(1)).first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    record = ServiceRecord(seq=seq + 1, kind="hotline", started_at=NOW - timedelta(minutes=5), ended_at=NOW,
                           outcome=outcome, recipient_name="", created_at=NOW, prev_hash=prev, chain_version=1)
    record.hash = chain_hash(prev, canonical_content({name: getattr(record, name) for name in HASHED_FIELDS}))
    session.add(record)
    session.commit()
    session.close()


@pytest.fixture
def entry(make):
    """A ledger entry for version 2 records to point at."""
    from hotline.models import Dispute

    unit = make.org_unit("township")
    return make._add(Dispute(number=f"纠0001-2026-{make.n():05d}", source="screening", found_at=NOW,
                             org_unit_id=unit.id, city_id=unit.city_id, dispute_type="neighbour", summary="A wall"))


@pytest.fixture
def mixed_chain(make, entry):
    """Three version 1 records followed by three version 2 records (the middle one linked to the entry)."""
    for n in range(3):
        _v1_record(make, f"old {n}")
    make.service(outcome="new 0")
    make.service(outcome="new 1", kind="mediation", dispute_id=entry.id)
    make.service(outcome="new 2")
    return entry


def test_new_records_are_version_2_and_a_mixed_chain_verifies(make, mixed_chain, runner):
    """Records written before version 2 keep their hash; append() writes version 2; verify passes over both."""
    versions = make.scalars(select(ServiceRecord.chain_version).order_by(ServiceRecord.seq))
    assert versions == [1, 1, 1, 2, 2, 2]
    linked = make.scalar(select(ServiceRecord).where(ServiceRecord.seq == 5))
    assert linked.dispute_id == mixed_chain.id and linked.compute_hash() == linked.hash
    result = servicelog.verify(make.session, batch_size=2)
    make.session.close()
    assert result.intact and result.checked == 6
    outcome = runner.invoke(args=["servicelog", "verify"])
    assert outcome.exit_code == 0 and "6 records checked" in outcome.output


def test_version_2_hashes_the_entry_and_the_version(make, entry):
    """The same content linked to another entry, or labelled version 1, has another hash."""
    record = make.get(ServiceRecord, make.service(kind="mediation", dispute_id=entry.id).id)
    original = record.hash
    record.dispute_id = None
    assert record.compute_hash() != original
    record.dispute_id = entry.id
    record.chain_version = 1
    assert record.compute_hash() != original
    make.session.expunge_all()


@pytest.mark.parametrize(
    "statement, seq, problem",
    [
        ("UPDATE service_records SET dispute_id = NULL WHERE seq = 5", 5, "changed"),
        ("UPDATE service_records SET dispute_id = {other} WHERE seq = 5", 5, "changed"),
        ("UPDATE service_records SET chain_version = 1 WHERE seq = 6", 6, "changed"),
        ("UPDATE service_records SET chain_version = 3 WHERE seq = 4", 4, "unknown chain version"),
        # Version 1 does not hash the entry: linking an old record to one is caught all the same.
        ("UPDATE service_records SET dispute_id = {entry} WHERE seq = 2", 2, "version 1 record is linked"),
        ("UPDATE service_records SET chain_version = 2 WHERE seq = 1", 1, "changed"),
    ],
)
def test_verify_catches_tampering_with_either_version(make, mixed_chain, dialect, statement, seq, problem):
    """A moved entry link, a relabelled version, an old record linked to an entry: verify names the record."""
    from hotline.models import Dispute

    other = make._add(Dispute(number="纠0001-2026-99999", source="screening", found_at=NOW,
                              org_unit_id=mixed_chain.org_unit_id, city_id=mixed_chain.city_id,
                              dispute_type="family", summary="Another"))
    _tamper(make.session, dialect, statement.format(entry=mixed_chain.id, other=other.id))
    result = servicelog.verify(make.session, batch_size=2)
    make.session.close()
    assert not result.intact and result.broken_seq == seq and problem in result.problem, result


def test_parallel_verify_joins_spans_across_the_version_change(make, mixed_chain, dialect, split_early):
    """Split between processes across the change of version, the log is intact; a change after it is found."""
    result = servicelog.verify(make.session, batch_size=2, workers=2)
    make.session.close()
    assert result.intact and result.checked == 6
    _tamper(make.session, dialect, "UPDATE service_records SET dispute_id = NULL WHERE seq = 5")
    result = servicelog.verify(make.session, batch_size=2, workers=2)
    make.session.close()
    assert (result.broken_seq, result.checked) == (5, 4) and "changed" in result.problem


def test_version_2_canonical_content_is_exactly_the_sorted_compact_json():
    """The hand-written version 2 form equals json.dumps over the version 2 fields, and differs from version 1."""
    import json
    from datetime import datetime, timezone

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from hotline.models.servicelog import HASHED_FIELDS, HASHED_FIELDS_V2, _utc_iso, canonical_content

    assert set(HASHED_FIELDS_V2) - set(HASHED_FIELDS) == {"chain_version", "dispute_id"}
    values = st.one_of(st.none(), st.integers(-2**40, 2**40), st.text(), st.booleans(),
                       st.datetimes(timezones=st.just(timezone.utc)))

    @settings(max_examples=300, deadline=None)
    @given(st.fixed_dictionaries({name: values for name in HASHED_FIELDS_V2}))
    def same(record):
        plain = {k: (_utc_iso(v) if isinstance(v, datetime) else v) for k, v in record.items()}
        assert canonical_content(record, 2) == json.dumps(plain, sort_keys=True, separators=(",", ":"),
                                                          ensure_ascii=False)
        assert canonical_content(record, 1) != canonical_content(record, 2)

    same()


def test_the_check_page_names_the_broken_record_in_the_reader_s_language(make, dialect, as_role):
    """The coordinator's check says why a record breaks the chain in Chinese (the default) and in English."""
    for n in range(4):
        make.service(outcome=f"case {n}")
    _tamper(make.session, dialect, "UPDATE service_records SET outcome = 'forged' WHERE seq = 2")
    admin = as_role("admin")
    chinese = admin.post("/servicelog/verify").get_data(as_text=True)
    assert "第 2 条记录校验失败：内容与哈希值不符：记录已被篡改" in chinese and "the record was changed" not in chinese
    admin.post("/language/en?next=/")
    english = admin.post("/servicelog/verify").get_data(as_text=True)
    assert "Broken at record 2: its content does not match its hash: the record was changed" in english
