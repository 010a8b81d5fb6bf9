"""The first connection to a customer's SQL Server: certificate, listener, app name."""

from __future__ import annotations

import pytest

from app.database import database_url
from tests.engine.test_database_url import connect_string, settings

SERVER = {"TABLEFRONT_DB_SERVER": "sql01", "TABLEFRONT_DB_NAME": "Company"}


@pytest.mark.parametrize(
    ("env", "keyword"),
    [
        ({"TABLEFRONT_DB_TRUST_SERVER_CERTIFICATE": "1"}, "TrustServerCertificate=yes"),
        (
            {"TABLEFRONT_DB_HOSTNAME_IN_CERTIFICATE": "sql01.contoso.com"},
            "HostNameInCertificate=sql01.contoso.com",
        ),
        ({"TABLEFRONT_DB_ENCRYPT": "optional"}, "Encrypt=optional"),
        ({"TABLEFRONT_DB_MULTI_SUBNET_FAILOVER": "1"}, "MultiSubnetFailover=Yes"),
    ],
)
def test_database_url_certificate_setting_reaches_odbc_string(env, keyword):
    """GIVEN a certificate or listener setting WHEN the server URL is built THEN the
    ODBC connection string carries its keyword."""
    odbc = connect_string(database_url(settings(**SERVER, **env)))
    assert keyword in odbc.split(";")


def test_database_url_without_certificate_settings_keeps_driver_defaults():
    """GIVEN only server and database WHEN built THEN no trust, host-name or
    failover keyword weakens or changes ODBC Driver 18's defaults."""
    odbc = connect_string(database_url(settings(**SERVER)))
    keys = {part.split("=", 1)[0] for part in odbc.split(";")}
    assert {"TrustServerCertificate", "HostNameInCertificate"} & keys == set()
    assert "MultiSubnetFailover" not in keys
    assert "Encrypt=yes" in odbc.split(";")


def test_database_url_names_the_application_to_sql_server():
    """GIVEN a server URL WHEN built THEN APP=Tablefront, so sys.dm_exec_sessions
    shows program_name Tablefront."""
    odbc = connect_string(database_url(settings(**SERVER)))
    assert "APP=Tablefront" in odbc.split(";")
