"""Pending uploads cannot fill the disk: rejected files are not kept, caps per user
and in total, expiry by file age on its own clock (requests and a CLI sweep)."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest

from app.data.imports import storage as upload_store
from app.data.imports.storage import UploadLimits, UploadRefused
from tests.edit.world import ALEX, DANA
from tests.html import text_of

URL = "/t/corp/employees/-/import"
HEADER = "login;first_name;last_name;email;department_id;hire_date;level;salary"
TABLE = "corp.employees"


def _upload(client, data: bytes):
    return client.post(
        URL,
        data={"file": (io.BytesIO(data), "people.csv"), "mode": "insert"},
        content_type="multipart/form-data",
    )


def _valid_csv(rows: int = 1) -> bytes:
    lines = [HEADER] + [
        f"CONTOSO\\user{n};Zoë;Ölund;user{n}@contoso.com;1;2024-03-01;2;1234,50"
        for n in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _stored_bytes(folder: Path) -> int:
    if not folder.exists():
        return 0
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.fixture
def folder(world) -> Path:
    return upload_store.limits_from_config(world.config).folder


@pytest.fixture
def limits(tmp_path) -> UploadLimits:
    """Small caps for direct tests: 1,000 bytes per user, 2,500 in total."""
    return UploadLimits(tmp_path / "uploads", 3600, 1000, 2500)


def test_import_forty_rejected_uploads_leave_zero_bytes(world, as_user, folder):
    """GIVEN forty unreadable uploads (a binary workbook, bytes of no text encoding,
    no header, duplicate headers), 100 kB each
    WHEN each is posted to the import page
    THEN each is refused with 422 and the import folder holds 0 bytes."""
    client = as_user(ALEX)
    bodies = [
        b"PK\x03\x04" + b"\x00" * 100_000,
        b"\x81\x8d\x8f\x90\x9d" * 20_000,
        b"\r\n" * 50_000,
        b"a,a\r\n" + b"1,2\r\n" * 20_000,
    ]
    statuses = {_upload(client, bodies[n % 4]).status_code for n in range(40)}
    assert statuses == {422}
    assert _stored_bytes(folder) == 0


def test_import_upload_over_the_request_limit_leaves_zero_bytes(world, as_user, folder):
    """GIVEN an upload larger than TABLEFRONT_MAX_UPLOAD_MB
    WHEN posted
    THEN 413 and nothing is kept in the import folder."""
    world.config["MAX_CONTENT_LENGTH"] = 50_000
    response = _upload(as_user(ALEX), _valid_csv(2_000))
    assert response.status_code == 413
    assert _stored_bytes(folder) == 0


def test_import_upload_over_the_user_cap_is_409_and_not_stored(world, as_user, folder):
    """GIVEN Alex already has 0.9 MB of uploads pending for another table, and a
    per-user cap of 1 MB
    WHEN he uploads a 0.2 MB file
    THEN 409 explains the cap, and only the earlier upload is kept."""
    world.config["IMPORT_USER_MAX_MB"] = 1
    limits = upload_store.limits_from_config(world.config)
    upload_store.save(limits, ALEX, "corp.departments", b"x" * 900_000)
    response = _upload(as_user(ALEX), _valid_csv(2_800))
    assert response.status_code == 409
    assert "Too many pending uploads" in text_of(response, "error")
    assert _stored_bytes(folder) == 900_000


def test_upload_store_user_cap_refuses_with_409(limits):
    """GIVEN 600 bytes pending for one user (cap 1,000)
    WHEN the same user stores 500 more bytes for another table
    THEN UploadRefused with 409."""
    upload_store.save(limits, ALEX, "corp.a", b"x" * 600)
    with pytest.raises(UploadRefused) as refused:
        upload_store.save(limits, ALEX, "corp.b", b"x" * 500)
    assert refused.value.status == 409


def test_upload_store_file_larger_than_user_cap_refuses_with_413(limits):
    """GIVEN a per-user cap of 1,000 bytes WHEN 1,001 bytes are stored THEN 413."""
    with pytest.raises(UploadRefused) as refused:
        upload_store.save(limits, ALEX, "corp.a", b"x" * 1001)
    assert refused.value.status == 413


def test_upload_store_total_cap_refuses_and_stores_nothing(limits):
    """GIVEN three users with 800 bytes pending each (total cap 2,500)
    WHEN a fourth stores 200 bytes
    THEN UploadRefused with 507, and the folder still holds 2,400 bytes."""
    for n in range(3):
        upload_store.save(limits, f"CONTOSO\\user{n}", "corp.a", b"x" * 800)
    with pytest.raises(UploadRefused) as refused:
        upload_store.save(limits, "CONTOSO\\user9", "corp.a", b"x" * 200)
    assert refused.value.status == 507
    assert _stored_bytes(limits.folder) == 2400


def test_upload_store_caps_count_per_user(limits):
    """GIVEN Alex at 900 bytes of his 1,000
    WHEN Dana stores 900 bytes
    THEN hers is kept: one user's uploads do not count against another's cap."""
    upload_store.save(limits, ALEX, "corp.a", b"x" * 900)
    upload_id = upload_store.save(limits, DANA, "corp.a", b"y" * 900)
    assert upload_store.load(limits, DANA, upload_id) == b"y" * 900


def test_upload_store_other_users_upload_cannot_be_loaded(limits):
    """GIVEN Alex's stored upload WHEN Dana asks for its id THEN there is none."""
    upload_id = upload_store.save(limits, ALEX, "corp.a", b"alex's rows")
    assert upload_store.load(limits, DANA, upload_id) is None
    assert upload_store.load(limits, ALEX, upload_id) == b"alex's rows"


def test_upload_store_new_upload_to_a_table_replaces_the_pending_one(limits):
    """GIVEN Alex's pending upload to a table
    WHEN he uploads another file to the same table
    THEN the first is gone and only the second counts against his cap."""
    first = upload_store.save(limits, ALEX, "corp.a", b"x" * 900)
    second = upload_store.save(limits, ALEX, "corp.a", b"y" * 900)
    assert upload_store.load(limits, ALEX, first) is None
    assert _stored_bytes(limits.folder) == 900
    assert upload_store.load(limits, ALEX, second) == b"y" * 900


def test_upload_store_sweep_deletes_expired_and_keeps_fresh(limits):
    """GIVEN one upload 61 minutes old, one 59 minutes old (TTL 60), and a
    half-written part file from a crashed worker 2 hours old
    WHEN swept
    THEN the old upload and the part file are deleted, the fresh one kept."""
    old = upload_store.save(limits, ALEX, "corp.a", b"old")
    fresh = upload_store.save(limits, DANA, "corp.a", b"fresh")
    mine = upload_store.user_folder(limits, ALEX)
    _age(mine / f"{old}.csv", 61 * 60)
    _age(upload_store.user_folder(limits, DANA) / f"{fresh}.csv", 59 * 60)
    part = mine / "0123abcd-crashed.part"
    part.write_bytes(b"half")
    _age(part, 7200)
    swept = upload_store.sweep(limits)
    assert (swept.deleted, swept.kept) == (2, 1)
    assert not (mine / f"{old}.csv").exists() and not part.exists()
    assert upload_store.load(limits, DANA, fresh) == b"fresh"


def test_import_page_request_sweeps_expired_uploads(world, as_user, folder):
    """GIVEN Dana's upload, two hours old, and no later upload
    WHEN Alex merely opens an import page
    THEN the old file is deleted: expiry does not wait for another upload."""
    limits = upload_store.limits_from_config(world.config)
    upload_id = upload_store.save(limits, DANA, TABLE, b"stale")
    _age(upload_store.user_folder(limits, DANA) / f"{upload_id}.csv", 7200)
    assert as_user(ALEX).get(URL).status_code == 200
    assert _stored_bytes(folder) == 0


def test_uploads_sweep_command_deletes_expired_and_keeps_fresh(world):
    """GIVEN an expired and a fresh upload in the configured folder
    WHEN `flask tablefront uploads sweep` runs (a scheduled task)
    THEN it deletes the expired one, keeps the fresh one and says so."""
    limits = upload_store.limits_from_config(world.config)
    old = upload_store.save(limits, ALEX, TABLE, b"old")
    fresh = upload_store.save(limits, DANA, TABLE, b"fresh")
    _age(upload_store.user_folder(limits, ALEX) / f"{old}.csv", 7200)
    result = world.test_cli_runner().invoke(args=["tablefront", "uploads", "sweep"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 expired uploads (3 bytes), kept 1 (5 bytes)" in result.output
    assert upload_store.load(limits, DANA, fresh) == b"fresh"
