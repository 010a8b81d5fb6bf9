"""setup.ps1 on a real Windows server: the rules that make a first install work.

Read from the syntax tree and the source (no PowerShell here): Windows PowerShell 5.1
syntax only, native commands that cannot abort the run, the pool always restarted,
checks before any change, and the settings that must survive a re-run.
"""

from __future__ import annotations

import re
from unittest import mock

import pytest

from tests.iis.iis_files import SETUP_PS1, WEB_CONFIG, app_settings, load
from tests.iis.ps_syntax import (
    Node,
    function_bodies,
    invocations,
    parse,
    script_parameters,
    text,
    walk,
)
from tests.iis.wfastcgi_boot import import_wfastcgi

SOURCE = SETUP_PS1.read_text(encoding="utf-8")
TREE = parse(SOURCE)
CALLS = invocations(TREE)
FUNCTIONS = function_bodies(TREE)
PARAMS = script_parameters(TREE)
SETTINGS = app_settings(load(WEB_CONFIG))

# Syntax and commands that exist only from PowerShell 6/7 on.
PS7_ONLY = {
    "ForEach-Object -Parallel": r"-Parallel\b",
    "ConvertFrom-Json -AsHashtable": r"-AsHashtable\b",
    "-AsByteStream": r"-AsByteStream\b",
    "utf8NoBOM encoding": r"(?i)utf8NoBOM",
    "Join-String": r"\bJoin-String\b",
    "$IsWindows/$IsLinux": r"\$Is(Windows|Linux|MacOS)\b",
    "$PSStyle": r"\$PSStyle\b",
    "Get-Error": r"\bGet-Error\b",
}


def _code_only(source: str) -> str:
    """The source with comments and string literals blanked (offsets kept)."""
    tree = parse(source)
    chars = list(source)
    for node in walk(tree.root_node):
        if node.type in {"comment", "string_literal"}:
            for i in range(node.start_byte, node.end_byte):
                if chars[i] != "\n":
                    chars[i] = " "
    return "".join(chars)


def _ps7_syntax(source: str) -> list[str]:
    code = _code_only(source)
    found = [name for name, pattern in PS7_ONLY.items() if re.search(pattern, code)]
    # && and || between pipelines (pipeline chains) are PowerShell 7.
    if any(n.type == "pipeline_chain_tail" for n in walk(parse(source).root_node)):
        found.append("&& / || pipeline chain")
    return found


def _line_of(fragment: str) -> int:
    return SOURCE.count("\n", 0, SOURCE.index(fragment)) + 1


def _first_call_line(*names: str) -> int:
    return min(c.line for c in CALLS if c.name in names)


def test_setup_script_uses_windows_powershell_5_syntax_only():
    """GIVEN setup.ps1 WHEN searched for PowerShell 6/7-only syntax THEN none (the
    IIS:\\ drive needs Windows PowerShell 5.1)."""
    assert _ps7_syntax(SOURCE) == []
    assert "#Requires -PSEdition Desktop" in SOURCE


@pytest.mark.parametrize(
    "snippet",
    [
        "git pull && git log",
        "Get-Item a | ForEach-Object -Parallel { $_ }",
        "$h = Get-Content x | ConvertFrom-Json -AsHashtable",
        "Set-Content -Path x -Encoding utf8NoBOM -Value 1",
    ],
)
def test_setup_script_ps7_check_flags_ps7_snippet(snippet):
    """GIVEN PowerShell 7-only code WHEN checked THEN it is flagged."""
    assert _ps7_syntax(snippet) != []


def test_setup_script_native_commands_go_through_invoke_native():
    """GIVEN every native command (robocopy, icacls, python) WHEN listed THEN each
    runs through Invoke-Native, never with a bare & call."""
    bare = [
        c.source[:60]
        for c in CALLS
        if c.name in {"robocopy", "icacls", "$basePython", "$VenvPython", "pip"}
    ]
    assert bare == []
    natives = {
        re.search(r"-FilePath (\S+)", c.source).group(1)
        for c in CALLS
        if c.name == "Invoke-Native"
    }
    assert {"'robocopy'", "'icacls'", "$basePython", "$VenvPython"} <= natives


def test_setup_script_native_stderr_cannot_abort_the_run():
    """GIVEN Invoke-Native WHEN read THEN stderr is merged into output with
    ErrorActionPreference Continue, restored in a finally, and the exit code is
    what is returned (a pip warning under remoting or a CI agent is no error)."""
    body = FUNCTIONS["Invoke-Native"]
    assert "$ErrorActionPreference = 'Continue'" in body
    assert re.search(r"& \$FilePath @Arguments 2>&1", body)
    assert re.search(r"finally \{\s*\$ErrorActionPreference = \$saved", body)
    assert "return $code" in body


def _try_finally() -> tuple[Node, str]:
    (statement,) = [
        n
        for n in walk(TREE.root_node)
        if n.type == "try_statement" and "Stop-WebAppPool" in text(n)
    ]
    finally_clause = next(c for c in statement.children if c.type == "finally_clause")
    return statement, text(finally_clause)


def test_setup_script_restarts_the_stopped_pool_in_finally():
    """GIVEN the file-changing steps WHEN they run THEN they sit in a try whose
    finally starts the pool again when this run stopped it."""
    statement, cleanup = _try_finally()
    body = text(statement)
    assert "Stop-WebAppPool -Name $AppPoolName" in body
    assert "$poolStopped -and" in cleanup
    assert "Start-WebAppPool -Name $AppPoolName" in cleanup
    for step in ("robocopy", "'pip', 'install'", "Write settings"):
        assert step in body


def test_setup_script_waits_for_workers_before_pip():
    """GIVEN the pool stop WHEN read THEN Wait-PoolWorkers follows it, before the
    copy and pip, and it looks for w3wp and the venv's python processes."""
    stop = _line_of("Stop-WebAppPool -Name $AppPoolName")
    wait = _first_call_line("Wait-PoolWorkers")
    pip = _line_of("'pip', 'install'")
    assert stop < wait < pip
    body = FUNCTIONS["Wait-PoolWorkers"]
    assert "w3wp.exe" in body and "$VenvPython" in body and "throw" in body


def test_setup_script_robocopy_retries_briefly():
    """GIVEN the robocopy options WHEN read THEN /R:2 /W:2 (the default is a
    million retries 30 s apart on a locked file)."""
    options = re.search(r"^\$RobocopyOptions = @\((.*)\)$", SOURCE, re.M).group(1)
    assert {"'/R:2'", "'/W:2'", "'/E'"} <= {o.strip() for o in options.split(",")}
    for function in ("Get-PendingCopy",):
        assert "$RobocopyOptions" in FUNCTIONS[function]
    assert SOURCE.count("+ $RobocopyOptions +") == 2


def test_setup_script_checks_before_any_change():
    """GIVEN step 0 WHEN compared with the first change THEN the binding owner, a
    per-user Python, the ODBC driver and the certificate are checked before it."""
    first_change = _first_call_line(
        "Install-WindowsFeature", "Enable-WindowsOptionalFeature", "Unblock-File"
    )
    for check in (
        "$bindingOwner = Get-BindingOwner",
        "Assert-AllUsersPython -Path $venvBase",
        "Get-OdbcDriver -Name $DbDriver",
        'Test-Path -Path "Cert:\\LocalMachine\\My\\$CertificateThumbprint"',
    ):
        assert _line_of(check) < first_change, check


def test_setup_script_per_user_python_fails():
    """GIVEN Assert-AllUsersPython WHEN read THEN a Python under C:\\Users or the
    Store alias throws (a warning let the install go on to a broken site)."""
    body = FUNCTIONS["Assert-AllUsersPython"]
    assert body.count("throw ") == 2
    assert '"$env:SystemDrive\\Users\\*"' in body
    assert "Warnings.Add" not in body


def test_setup_script_removes_bindings_left_by_a_changed_port():
    """GIVEN Get-StaleBinding WHEN read THEN bindings other than the wanted ones are
    removed under ShouldProcess (HTTPS ones only when a certificate is managed)."""
    (remove,) = [c for c in CALLS if c.name == "Remove-WebBinding"]
    assert any(g.startswith("$PSCmdlet.ShouldProcess(") for g in remove.guards)
    assert "foreach ($stale in @(Get-StaleBinding))" in SOURCE
    body = FUNCTIONS["Get-StaleBinding"]
    assert "-notcontains" in body
    assert "if ($CertificateThumbprint) { $protocols += 'https'" in body


def test_setup_script_keeps_installed_binding_and_identity_unless_given():
    """GIVEN a re-run without -Port, -HostHeader or -AppPoolIdentity WHEN read THEN
    the installed site's binding and pool account are kept (not reset)."""
    for name in ("Port", "HostHeader", "AppPoolIdentity"):
        assert f"-not $PSBoundParameters.ContainsKey('{name}')" in SOURCE
    assert _line_of("$installedBinding = $null") < _line_of(
        '$BindingInformation = "*:${Port}:$HostHeader"'
    )


def test_setup_script_pool_password_written_only_when_it_differs():
    """GIVEN -AppPoolCredential WHEN read THEN the stored password is compared first
    and written only when different (no rewrite, no recycle, on every run)."""
    (setter,) = [
        c
        for c in CALLS
        if c.name == "Set-ItemProperty" and "processModel.password" in c.source
    ]
    assert "$currentPassword -cne $poolPassword" in setter.guards


def test_setup_script_https_binding_uses_the_thumbprint():
    """GIVEN -CertificateThumbprint WHEN read THEN an https binding is added (SNI
    with a host name) and the certificate bound from LocalMachine\\My."""
    (https,) = [
        c for c in CALLS if c.name == "New-WebBinding" and "'https'" in c.source
    ]
    assert "-Port $HttpsPort" in https.source and "-SslFlags" in https.source
    assert ".AddSslCertificate($CertificateThumbprint, 'My')" in SOURCE


@pytest.mark.parametrize("path", ["$SecretPath", "$LogPath", "$ImportPath"])
def test_setup_script_private_file_acl_is_checked_and_fixed(path):
    """GIVEN the secret, logs and uploads WHEN read THEN each is checked for
    inherited or Users/Everyone rules (also a secret copied in) and reset with
    icacls /inheritance:r to SYSTEM, Administrators and the pool."""
    assert re.search(rf"@\({re.escape(path)}, '[^']+'\)", SOURCE)
    body = FUNCTIONS["Test-PrivateAcl"]
    assert "AreAccessRulesProtected" in body
    assert {"S-1-5-32-545", "S-1-5-11", "S-1-1-0"} <= set(re.findall(r"S-[\d-]+", body))
    (fix,) = [c for c in CALLS if "'/inheritance:r'" in c.source]
    assert "-not (Test-PrivateAcl -Path $path)" in fix.guards[-1]


def test_setup_script_web_config_settings_survive_reruns():
    """GIVEN $SettingParameters WHEN compared THEN each names a real parameter and a
    web.config key, and a parameter left out takes the installed value."""
    block = re.search(r"\$SettingParameters = \[ordered\]@\{(.*?)\n\}", SOURCE, re.S)
    pairs = dict(re.findall(r"^\s*(\w+)\s*=\s*'(\w+)'", block.group(1), re.M))
    assert {"TrustServerCertificate", "HostNameInCertificate", "Encrypt"} <= set(pairs)
    assert [p for p in pairs if p not in PARAMS] == []
    assert [k for k in pairs.values() if k not in SETTINGS] == []
    assert "if ($PSBoundParameters.ContainsKey($name) -or" in SOURCE
    assert "Set-Variable -Name $name -Value $kept" in SOURCE


def test_setup_script_web_config_keeps_operator_keys():
    """GIVEN Get-InstalledWebConfig WHEN read THEN every installed appSettings key
    the template lacks is appended, not dropped."""
    body = FUNCTIONS["Get-InstalledWebConfig"]
    assert "foreach ($key in @($InstalledSettings.Keys | Sort-Object))" in body
    assert "$appSettings.AppendChild($added)" in body


def test_setup_script_fastcgi_signals_before_terminating():
    """GIVEN the FastCGI settings WHEN read THEN signalBeforeTerminateSeconds > 0,
    so IIS creates wfastcgi's shutdown event and a recycle lets an import finish."""
    block = re.search(r"\$FastCgiSettings = \[ordered\]@\{(.*?)\n\}", SOURCE, re.S)
    pairs = dict(re.findall(r"^\s*(\w+)\s*=\s*(\S+)", block.group(1), re.M))
    assert int(pairs["signalBeforeTerminateSeconds"]) > 0


def test_setup_script_fastcgi_utf8_server_variables():
    """GIVEN the W3SVC registry step WHEN read THEN PATH_INFO and friends are listed
    in FastCGIUtf8ServerVariables (non-ASCII table names), under ShouldProcess."""
    names = re.search(r"^\$Utf8ServerVariables = @\((.*)\)$", SOURCE, re.M).group(1)
    assert {"REQUEST_URI", "PATH_INFO", "QUERY_STRING"} <= set(
        re.findall(r"'(\w+)'", names)
    )
    (setter,) = [c for c in CALLS if c.name == "New-ItemProperty"]
    assert "FastCGIUtf8ServerVariables" in setter.source
    assert any(g.startswith("$PSCmdlet.ShouldProcess(") for g in setter.guards)


@pytest.mark.parametrize("upload_mb", [1, 25, 2047, 2048, 4095])
def test_setup_script_iis_upload_limit_fits_uint32(upload_mb):
    """GIVEN any -MaxUploadMB the script accepts WHEN its IIS limit is computed THEN
    it is above the app's limit and at most 4294967295 (requestLimits is uint32)."""
    assert "[ValidateRange(1, 4095)]\n    [int]$MaxUploadMB" in SOURCE
    assert re.search(
        r"\[Math\]::Min\(\[int64\]\$MaxUploadMB \* 1048576 \* 2, "
        r"\[int64\]\[uint32\]::MaxValue\)",
        SOURCE,
    )
    iis = min(upload_mb * 1048576 * 2, 2**32 - 1)
    assert upload_mb * 1048576 < iis <= 2**32 - 1


def test_setup_script_unblocks_downloaded_release():
    """GIVEN a release with Mark-of-the-Web WHEN read THEN files carrying a
    Zone.Identifier stream are unblocked under ShouldProcess, before any other
    change, and the help says how to start a blocked script."""
    (unblock,) = [c for c in CALLS if c.name == "Unblock-File"]
    assert any(g.startswith("$PSCmdlet.ShouldProcess(") for g in unblock.guards)
    assert "-Stream 'Zone.Identifier'" in SOURCE
    head = SOURCE.split("#>", 1)[0]
    assert "Unblock-File" in head and "-ExecutionPolicy Bypass" in head


def _wfastcgi_registration(python: str, script: str) -> tuple[str, str]:
    """(fullPath, arguments) as wfastcgi's own enable() would register them."""
    wfastcgi = import_wfastcgi()
    with (
        mock.patch.object(wfastcgi, "_run_appcmd", return_value=0) as appcmd,
        mock.patch.object(wfastcgi.sys, "executable", python),
        mock.patch.object(wfastcgi, "__file__", script),
        mock.patch("builtins.print"),
    ):
        wfastcgi.enable()
    added = appcmd.call_args.args[0][-1]
    full, args = re.search(r"fullPath='([^']*)', arguments='([^']*)'", added).groups()
    return full, args


def _convert_to_fastcgi_path(path: str) -> str:
    """setup.ps1's ConvertTo-FastCgiPath, read from its body and applied."""
    body = FUNCTIONS["ConvertTo-FastCgiPath"]
    assert "if ($Path.Contains(' ')) { return '\"' + $Path + '\"' }" in body
    assert body.rstrip().endswith("return $Path\n}")
    return f'"{path}"' if " " in path else path


@pytest.mark.parametrize(
    "install", ["C:\\inetpub\\tablefront", "D:\\Web Sites\\Table front"]
)
def test_setup_script_fastcgi_text_equals_wfastcgi_enable(install):
    """GIVEN an install path, with or without spaces WHEN setup.ps1's quoting is
    applied THEN fullPath and arguments equal what wfastcgi's enable() registers,
    and scriptProcessor is exactly fullPath|arguments, as in the FastCGI filter."""
    python = install + "\\.venv\\Scripts\\python.exe"
    script = install + "\\.venv\\Lib\\site-packages\\wfastcgi.py"
    ours = (_convert_to_fastcgi_path(python), _convert_to_fastcgi_path(script))
    assert ours == _wfastcgi_registration(python, script)
    assert "$FastCgiFullPath = ConvertTo-FastCgiPath -Path $VenvPython" in SOURCE
    assert "$FastCgiArguments = ConvertTo-FastCgiPath -Path $WfastcgiPath" in SOURCE
    add = next(c for c in CALLS if c.name == "Add-WebConfigurationProperty")
    assert "fullPath = $FastCgiFullPath; arguments = $FastCgiArguments" in add.source
