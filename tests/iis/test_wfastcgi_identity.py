"""Identity and the access log through the real wfastcgi loop: REMOTE_USER bytes as
IIS sends them, look-alikes refused, a decoded newline in the path forging nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.iis.test_wfastcgi import WfastcgiProcess

JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[WfastcgiProcess]:
    """One wfastcgi process serving the testing app, no development identity."""
    process = WfastcgiProcess(tmp_path_factory.mktemp("wfastcgi-identity"))
    yield process
    process.close()


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_wfastcgi_loop_non_ascii_remote_user_reads_as_windows_spells_it(site, encoding):
    """GIVEN IIS sending CONTOSO\\jösé's REMOTE_USER bytes in UTF-8 or the ANSI
    code page
    WHEN /whoami goes through wfastcgi (which decodes every byte as ISO-8859-1)
    THEN the app sees CONTOSO\\jösé."""
    raw = "CONTOSO\\jösé".encode(encoding).decode("latin-1")  # bytes on the wire
    response = site.request("GET", "/whoami", remote_user=raw, headers=JSON)
    assert response.status == 200, response.text[:300] + response.stderr
    assert json.loads(response.body)["login"] == "CONTOSO\\jösé"


def test_wfastcgi_loop_remote_user_with_trailing_no_break_space_is_401(site):
    """GIVEN IIS sending amorgan followed by a UTF-8 no-break space
    WHEN /whoami goes through wfastcgi
    THEN 401: it is not CONTOSO\\amorgan."""
    raw = "CONTOSO\\amorgan\u00a0".encode().decode("latin-1")
    response = site.request("GET", "/whoami", remote_user=raw, headers=JSON)
    assert response.status == 401
    assert "amorgan" not in response.text


def test_wfastcgi_loop_decoded_newline_in_path_forges_no_log_line(site):
    """GIVEN IIS passing a PATH_INFO with a decoded newline and a fake access line
    WHEN it goes through wfastcgi
    THEN the log file gets no line starting with the fake one."""
    fake = "2026-12-03 05:00:00,000 INFO [0123456789ab] tablefront.access: user=X"
    site.request("GET", "/whoami\n" + fake, remote_user="CONTOSO\\jdoe")
    log_file = Path(site.site).parent / "logs" / "tablefront.log"
    lines = log_file.read_text("utf-8").splitlines()
    assert any("path=/whoami\\x0a2026-12-03" in line for line in lines)
    assert not any(line.startswith(fake[:19]) for line in lines)
