"""setup.ps1 on Linux: it parses (tree-sitter-powershell), and its contract holds.

No PowerShell exists here, so the checks read the syntax tree: which commands run,
which ``if`` conditions guard each state change, and whether the names and paths
agree with web.config and iis/.
"""

from __future__ import annotations

import base64
import json
import re

import pytest

from config import MIN_SECRET_LENGTH
from tests.iis.iis_files import (
    MANIFEST,
    REPO,
    SETUP_PS1,
    STATIC_WEB_CONFIG,
    WEB_CONFIG,
    app_settings,
    handler,
    load,
    venv_paths,
)
from tests.iis.ps_syntax import (
    Invocation,
    function_bodies,
    invocations,
    parse,
    script_attributes,
    script_parameters,
    syntax_errors,
)

SOURCE = SETUP_PS1.read_text(encoding="utf-8")
TREE = parse(SOURCE)
CALLS = invocations(TREE)
FUNCTIONS = function_bodies(TREE)
PARAMS = script_parameters(TREE)
SETTINGS = app_settings(load(WEB_CONFIG))

# Every command or call that changes the machine. Each must sit inside an
# `if ($PSCmdlet.ShouldProcess(...))` so -WhatIf changes nothing.
STATE_CHANGING = {
    "Install-WindowsFeature",
    "Add-WindowsFeature",
    "Enable-WindowsOptionalFeature",
    "New-WebAppPool",
    "New-Website",
    "New-WebBinding",
    "Add-WebConfigurationProperty",
    "Set-WebConfigurationProperty",
    "Set-ItemProperty",
    "Stop-WebAppPool",
    "Start-WebAppPool",
    "Start-Website",
    "New-Item",
    "Copy-Item",
    "Remove-Item",
    "Set-Content",
    "Set-Acl",
    "Remove-WebBinding",
    "New-WebVirtualDirectory",
    "New-ItemProperty",
    "Unblock-File",
    "Invoke-Native",
    "[System.IO.File]::WriteAllText",
}
NATIVE_COMMANDS = {"robocopy", "icacls", "$basePython", "$VenvPython", "pip", "python"}


def _calls(name: str) -> list[Invocation]:
    return [c for c in CALLS if c.name == name]


def _string_literal(value: str | None) -> str:
    assert value is not None and value[0] == value[-1] == "'", value
    return value[1:-1]


def _array(variable: str) -> list[str]:
    match = re.search(rf"^\${variable} = @\((.*)\)$", SOURCE, re.MULTILINE)
    assert match, f"${variable} = @(...) not found"
    return re.findall(r"'([^']*)'", match.group(1))


def test_setup_script_parses_without_error_nodes():
    """GIVEN setup.ps1 WHEN parsed by tree-sitter-powershell THEN no ERROR/MISSING."""
    assert syntax_errors(TREE) == []


@pytest.mark.parametrize(
    "broken",
    [
        "if ($x { Write-Host 'a' }",
        "function Broken {\n  Write-Host 'no closing brace'\n",
        "$a = @('A', 'B'",
    ],
)
def test_setup_script_parser_flags_broken_snippet(broken):
    """GIVEN broken PowerShell WHEN parsed THEN error nodes are reported."""
    assert syntax_errors(parse(broken)) != []


def test_setup_script_supports_whatif():
    """GIVEN the script's attributes WHEN read THEN SupportsShouldProcess is on."""
    assert re.search(
        r"CmdletBinding\(\s*SupportsShouldProcess\s*=\s*\$true\s*\)",
        script_attributes(TREE),
    )


@pytest.mark.parametrize(
    "name",
    [
        "SiteName",
        "Port",
        "HostHeader",
        "AppPoolName",
        "InstallPath",
        "PythonExe",
        "DbServer",
        "DbName",
        "DatabaseUrl",
        "SchemaMap",
        "AppPoolIdentity",
        "LogPath",
        "SecretPath",
        "SiteDataPath",
        "Encrypt",
        "TrustServerCertificate",
        "HostNameInCertificate",
        "MultiSubnetFailover",
        "CertificateThumbprint",
        "HttpsPort",
    ],
)
def test_setup_script_parameter_exists_and_is_documented(name):
    """GIVEN a required parameter WHEN looked up THEN it is declared and has help."""
    assert name in PARAMS
    assert re.search(rf"^\.PARAMETER {name}$", SOURCE, re.MULTILINE)


def test_setup_script_has_comment_based_help():
    """GIVEN the script head WHEN read THEN .SYNOPSIS and .EXAMPLE come first."""
    head = SOURCE.split("#>", 1)[0]
    assert head.startswith("<#")
    assert ".SYNOPSIS" in head
    assert ".EXAMPLE" in head


@pytest.mark.parametrize(
    ("parameter", "setting"),
    [
        ("InstallPath", "PYTHONPATH"),
        ("LogPath", "TABLEFRONT_LOG_DIR"),
        ("SecretPath", "TABLEFRONT_SECRET_KEY_FILE"),
        ("DbDriver", "TABLEFRONT_DB_DRIVER"),
    ],
)
def test_setup_script_default_equals_web_config_value(parameter, setting):
    """GIVEN a parameter default WHEN compared THEN web.config ships the same value."""
    assert _string_literal(PARAMS[parameter]) == SETTINGS[setting]


def test_setup_script_upload_default_equals_web_config():
    """GIVEN -MaxUploadMB's default WHEN compared THEN web.config has the same."""
    assert PARAMS["MaxUploadMB"] == SETTINGS["TABLEFRONT_MAX_UPLOAD_MB"]


def test_setup_script_writes_every_operator_setting_of_web_config():
    """GIVEN the settings setup.ps1 fills in WHEN compared THEN they are web.config's
    keys except the two wfastcgi keys the template fixes."""
    body = FUNCTIONS["Get-InstalledWebConfig"]
    block = re.search(r"\$settings = \[ordered\]@\{(.*?)\n    \}", body, re.DOTALL)
    written = re.findall(r"^\s*(\w+)\s*=", block.group(1), re.MULTILINE)
    fixed = {"WSGI_HANDLER", "WSGI_RESTART_FILE_REGEX"}
    assert sorted(written) == sorted(set(SETTINGS) - fixed)


def test_setup_script_handler_name_matches_web_config():
    """GIVEN $HandlerName WHEN compared THEN web.config and static config use it."""
    name = re.search(r"^\$HandlerName = '([^']+)'$", SOURCE, re.MULTILINE).group(1)
    assert handler(load(WEB_CONFIG)).get("name") == name
    remove = load(STATIC_WEB_CONFIG).find("./system.webServer/handlers/remove")
    assert remove.get("name") == name


def test_setup_script_script_processor_matches_web_config():
    """GIVEN the venv paths setup.ps1 builds WHEN evaluated with the default install
    path THEN they form web.config's scriptProcessor."""
    values = {"InstallPath": _string_literal(PARAMS["InstallPath"])}
    for var, base, child in re.findall(
        r"^\$(\w+) = Join-Path \$(\w+) '([^']+)'$", SOURCE, re.MULTILINE
    ):
        if base in values:
            values[var] = values[base] + "\\" + child
    processor = "|".join((values["VenvPython"], values["WfastcgiPath"]))
    assert re.search(
        r'^\$ScriptProcessor = "\$FastCgiFullPath\|\$FastCgiArguments"$', SOURCE, re.M
    )
    assert processor == handler(load(WEB_CONFIG)).get("scriptProcessor")
    assert processor == "|".join(venv_paths(values["InstallPath"]))


def _in_function(call: Invocation, name: str) -> bool:
    body = FUNCTIONS[name]
    start = SOURCE.index(body)
    first = SOURCE.count("\n", 0, start) + 1
    return first <= call.line <= first + body.count("\n")


def test_setup_script_every_state_change_asks_should_process():
    """GIVEN every state-changing call WHEN its enclosing ifs are read THEN one of
    them is $PSCmdlet.ShouldProcess (robocopy /L in Get-PendingCopy, a dry run, is
    exempt)."""
    changing = [
        c
        for c in CALLS
        if c.name in STATE_CHANGING and not _in_function(c, "Get-PendingCopy")
    ]
    assert {"New-WebAppPool", "New-Website", "Install-WindowsFeature"} <= {
        c.name for c in changing
    }
    unguarded = [
        f"line {c.line}: {c.source[:60]}"
        for c in changing
        if not any(g.startswith("$PSCmdlet.ShouldProcess(") for g in c.guards)
    ]
    assert unguarded == []


@pytest.mark.parametrize(
    ("command", "check"),
    [
        ("Install-WindowsFeature", "$missingFeatures.Count -gt 0"),
        ("Enable-WindowsOptionalFeature", "$missingFeatures.Count -gt 0"),
        ("New-WebAppPool", "-not (Test-AppPool)"),
        ("New-Website", "-not (Test-Site)"),
        ("Add-WebConfigurationProperty", "-not (Test-FastCgiApplication)"),
        ("-FilePath $basePython", "-not (Test-Path -Path $VenvPython)"),
        ("-FilePath $VenvPython", "$requirementsPending"),
        ("New-WebVirtualDirectory", "-not (Test-Site) -or -not (Test-StaticDirectory)"),
    ],
)
def test_setup_script_creation_is_guarded_by_existence_check(command, check):
    """GIVEN a creating command WHEN its enclosing ifs are read THEN an existence
    check guards every use of it."""
    if command.startswith("-FilePath"):
        uses = [c for c in _calls("Invoke-Native") if command in c.source]
    else:
        uses = _calls(command)
    assert uses
    assert [u.line for u in uses if check not in u.guards] == []


def test_setup_script_secret_written_only_when_missing():
    """GIVEN the secret file write WHEN its guards are read THEN it needs the file
    to be absent, and ShouldProcess."""
    (write,) = [
        c for c in _calls("[System.IO.File]::WriteAllText") if "$SecretPath" in c.source
    ]
    assert "-not (Test-Path -Path $SecretPath)" in write.guards
    assert "New-SecretKey" in write.source


@pytest.mark.parametrize(
    ("function", "probe"),
    [
        ("Test-AppPool", "Test-Path -Path $PoolPath"),
        ("Test-Site", "Test-Path -Path $SitePath"),
        (
            "Test-FastCgiApplication",
            "Get-WebConfiguration -PSPath 'IIS:\\' -Filter $FastCgiFilter",
        ),
        ("Get-MissingIisFeature", "Get-WindowsFeature -Name $IisFeatures"),
        ("Test-SiteBinding", "Get-WebBinding -Name $SiteName"),
        ("Test-StaticDirectory", "Get-WebVirtualDirectory -Site $SiteName"),
    ],
)
def test_setup_script_existence_check_probes_iis(function, probe):
    """GIVEN an existence check function WHEN its body is read THEN it asks IIS."""
    assert probe in FUNCTIONS[function]


def test_setup_script_fastcgi_filter_names_the_script_processor():
    """GIVEN the fastCgi filter WHEN read THEN it selects fullPath and arguments."""
    assert re.search(
        r"^\$FastCgiFilter = \"system\.webServer/fastCgi/application"
        r"\[@fullPath='\$FastCgiFullPath' and @arguments='\$FastCgiArguments'\]\"$",
        SOURCE,
        re.MULTILINE,
    )
    assert '$PoolPath = "IIS:\\AppPools\\$AppPoolName"' in SOURCE


def test_setup_script_never_runs_wfastcgi_enable():
    """GIVEN every command WHEN listed THEN wfastcgi-enable is not one of them."""
    names = {c.name.lower() for c in CALLS}
    assert not {n for n in names if "wfastcgi-enable" in n}
    assert not [c for c in CALLS if "wfastcgi-enable" in c.source.lower()]


@pytest.mark.parametrize(
    "feature",
    [
        "Web-Server",
        "Web-CGI",
        "Web-Windows-Auth",
        "Web-Filtering",
        "Web-Static-Content",
        "Web-Scripting-Tools",
    ],
)
def test_setup_script_installs_iis_feature(feature):
    """GIVEN $IisFeatures WHEN read THEN the feature is in the @() list."""
    assert feature in _array("IisFeatures")


def test_setup_script_fastcgi_timeouts_are_ordered():
    """GIVEN the FastCGI settings WHEN compared THEN idle > request > activity, and
    errors return a generic 500."""
    block = re.search(r"\$FastCgiSettings = \[ordered\]@\{(.*?)\n\}", SOURCE, re.DOTALL)
    pairs = dict(re.findall(r"^\s*(\w+)\s*=\s*(\S+)", block.group(1), re.MULTILINE))
    assert int(pairs["idleTimeout"]) > int(pairs["requestTimeout"])
    assert int(pairs["requestTimeout"]) > int(pairs["activityTimeout"])
    assert int(pairs["instanceMaxRequests"]) > 0
    assert pairs["maxInstances"] == "$MaxInstances"
    assert pairs["stderrMode"] == "'ReturnGeneric500'"


def test_setup_script_app_pool_has_no_managed_code():
    """GIVEN the pool settings WHEN read THEN managedRuntimeVersion is empty."""
    assert re.search(r"^\s*managedRuntimeVersion\s*=\s*''", SOURCE, re.MULTILINE)


@pytest.mark.parametrize(
    ("method", "enabled"),
    [("windowsAuthentication", "$true"), ("anonymousAuthentication", "$false")],
)
def test_setup_script_sets_site_authentication(method, enabled):
    """GIVEN the authentication step WHEN read THEN the method is set for the site
    in applicationHost (-PSPath IIS:\\ -Location), never in web.config."""
    assert f"@('{method}', {enabled})" in SOURCE
    (setter,) = [
        c
        for c in _calls("Set-WebConfigurationProperty")
        if "$AuthFilter/$method" in c.source
    ]
    assert "-PSPath 'IIS:\\' -Location $SiteName" in setter.source
    assert any("ShouldProcess" in g for g in setter.guards)


def test_setup_script_public_health_opens_only_the_health_path():
    """GIVEN -PublicHealth WHEN the script runs THEN anonymous authentication is set
    for the /health location only, guarded, and the app setting follows the switch."""
    (setter,) = [
        c
        for c in _calls("Set-WebConfigurationProperty")
        if "anonymousAuthentication" in c.source
    ]
    assert "-Location $healthLocation" in setter.source
    assert '$healthLocation = "$SiteName/health"' in SOURCE
    assert any("ShouldProcess" in g for g in setter.guards)
    assert re.search(r"TABLEFRONT_PUBLIC_HEALTH +=\s*\$\(if \(\$PublicHealth\)", SOURCE)


@pytest.mark.parametrize(
    ("path", "rights"),
    [
        ("$InstallPath", "(OI)(CI)RX"),
        ("$SettingsPath", "(OI)(CI)RX"),
        ("$ModelsPath", "(OI)(CI)RX"),
    ],
)
def test_setup_script_grants_pool_identity(path, rights):
    """GIVEN the ACL list WHEN read THEN the pool identity gets the right access."""
    assert re.search(rf"@\({re.escape(path)}, '\w+', '{re.escape(rights)}'\)", SOURCE)
    assert '$PoolPrincipal = "IIS AppPool\\$AppPoolName"' in SOURCE


def test_setup_script_secret_key_is_long_random_and_outside_web_root():
    """GIVEN New-SecretKey WHEN read THEN 48 CSPRNG bytes give a 64-character key
    (longer than the app's minimum), and the web root is refused."""
    body = FUNCTIONS["New-SecretKey"]
    size = int(re.search(r"New-Object byte\[\] (\d+)", body).group(1))
    assert "RandomNumberGenerator" in body
    assert len(base64.b64encode(bytes(size))) == 64 >= MIN_SECRET_LENGTH
    assert "is inside the web root" in SOURCE


def test_setup_script_copies_static_web_config_into_static_folder():
    """GIVEN the static step WHEN read THEN it copies iis/static.web.config into a
    folder the app really has."""
    assert "(Join-Path $SourcePath 'iis\\static.web.config')" in SOURCE
    assert "$StaticPath = Join-Path $InstallPath 'app\\static'" in SOURCE
    assert "$StaticConfigTarget = Join-Path $StaticPath 'web.config'" in SOURCE
    assert STATIC_WEB_CONFIG.is_file()
    assert (REPO / "app" / "static").is_dir()


def test_setup_script_never_ships_private_folders():
    """GIVEN the manifest's robocopy exclusions WHEN read THEN venv, tests and
    instance stay behind."""
    excluded = set(json.loads(MANIFEST.read_text("utf-8"))["copy"]["exclude_dirs"])
    assert {".venv", ".git", "instance", "tests"} <= excluded


def test_setup_script_warms_up_readiness_and_directory(app):
    """GIVEN the warm-up WHEN read THEN it calls /health/ready and /health/directory
    with Windows credentials, routes the app really serves, and fails the run."""
    (warmup,) = _calls("Invoke-WebRequest")
    assert "-UseDefaultCredentials" in warmup.source
    paths = re.search(r"foreach \(\$path in @\(([^)]*)\)\)", SOURCE).group(1)
    assert re.findall(r"'([^']+)'", paths) == ["/health/ready", "/health/directory"]
    assert '$url = "http://${hostName}:$Port$path"' in SOURCE
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert {"/health/ready", "/health/directory"} <= rules
    assert SOURCE.rstrip().endswith("exit 1\n}")


def test_setup_script_prints_summary_of_changes():
    """GIVEN the script's end WHEN read THEN it prints what changed and what was
    already in place."""
    tail = SOURCE.rsplit("# --- Step 11", 1)[1]
    assert "$script:Changed" in tail
    assert "$script:Unchanged.Count" in tail
    assert len(_calls("Write-Changed")) >= 10
