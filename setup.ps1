<#
.SYNOPSIS
    Installs or updates Tablefront on IIS (wfastcgi + Windows Authentication). Safe to re-run.

.DESCRIPTION
    One idempotent script: every step first checks the current state and changes only
    what differs, and every change goes through ShouldProcess, so -WhatIf shows what a
    run would do without doing it. A re-run with nothing to change prints
    "Nothing changed". Steps, in order:
      0. checks before any change: settings, release files (Mark-of-the-Web), an
         all-users Python, a binding another site already answers on
      1. IIS features (Web-Server, Web-CGI, Web-Windows-Auth, ...), only the missing ones
      2. app files copied from this folder to -InstallPath (robocopy, changed files
         only; iis\install-manifest.json says what is never copied); the app pool is
         stopped, and its workers awaited, while files change, and always restarted
      3. Python venv in <InstallPath>\.venv and pip install -r requirements.txt
         (only when the venv is new or requirements.txt changed)
      4. FastCGI application in applicationHost.config (never wfastcgi-enable, which
         fails when run twice) with timeouts, instance limits, stderrMode and
         signalBeforeTerminateSeconds; UTF-8 server variables for non-ASCII URLs
      5. app pool (No Managed Code) and its identity
      6. site, bindings (HTTP, and HTTPS with -CertificateThumbprint; old ones
         removed), physical path, pool, and the /static virtual directory
      7. Windows Authentication on, Anonymous off for the site
      8. site-owned folders under -SiteDataPath (settings, models; seeded only when
         missing, from a previous install first), logs, uploads, secret key
      9. ACLs: the pool reads the app and the site's settings and models; the secret,
         logs and uploads are private (SYSTEM, Administrators, the pool only)
     10. web.config merged: this release's template, this install's settings, and
         every key an operator added; the static folder's web.config
     11. warm-up: /health/ready (database) and /health/directory (one group lookup
         for you); exits 1 with the reason when either fails
    Run from an elevated Windows PowerShell 5.1 prompt (powershell.exe, not pwsh: the
    IIS:\ drive of WebAdministration does not work in PowerShell 7's compatibility
    mode) in the folder that holds this script (a checkout or a release of Tablefront).
    A downloaded release is blocked by Windows: run
    'Get-ChildItem -Recurse | Unblock-File' in its folder first, or start the script
    with 'powershell.exe -ExecutionPolicy Bypass -File .\setup.ps1 ...'.

    Settings kept in web.config (database, certificate, directory, paths, limits)
    survive re-runs: a parameter given on the command line wins; one left out keeps
    the value the installed web.config has; only a first install uses the defaults.

.PARAMETER SiteName
    IIS site name. Default 'Tablefront'.
.PARAMETER Port
    HTTP port of the site binding. Default 80.
.PARAMETER HostHeader
    Host name of the binding (e.g. tablefront.contoso.com). Empty = all host names.
.PARAMETER CertificateThumbprint
    Thumbprint of a certificate in Cert:\LocalMachine\My: adds an HTTPS binding on
    -HttpsPort with it (SNI when -HostHeader is given).
.PARAMETER HttpsPort
    HTTPS port used with -CertificateThumbprint. Default 443.
.PARAMETER AppPoolName
    Application pool name. Default 'Tablefront'.
.PARAMETER InstallPath
    Folder the site serves from; the app files and the venv live here. An upgrade
    writes here. Default C:\inetpub\tablefront.
.PARAMETER SiteDataPath
    Folder of the site's own files that no upgrade writes: settings (access.toml,
    tables.toml) and generated models. Default C:\ProgramData\Tablefront.
.PARAMETER PythonExe
    Python 3.11+ used to create the venv: a full path, or a command name on PATH.
    Must be installed for all users (the app pool identity has to read it).
.PARAMETER DbServer
    SQL Server host (and \instance or ,port, or an Always On listener). Used with -DbName.
.PARAMETER DbName
    Database name on -DbServer.
.PARAMETER DatabaseUrl
    A full SQLAlchemy URL instead of -DbServer/-DbName.
.PARAMETER DbDriver
    ODBC driver name. Default 'ODBC Driver 18 for SQL Server'.
.PARAMETER Encrypt
    ODBC Encrypt: 'yes' (default), 'no', 'strict' (TDS 8), 'optional', 'mandatory'.
.PARAMETER TrustServerCertificate
    Accept the SQL Server certificate without validating it (self-signed servers).
    Prefer -HostNameInCertificate when only the name differs.
.PARAMETER HostNameInCertificate
    The name the SQL Server certificate carries when it is not -DbServer (e.g. the
    server's full DNS name when -DbServer is a short name or an alias).
.PARAMETER MultiSubnetFailover
    MultiSubnetFailover=Yes, for an Always On availability group listener.
.PARAMETER SchemaMap
    Logical=physical schema pairs, e.g. 'hr=hr_prod;ops=ops'. Empty = same names.
.PARAMETER AppPoolIdentity
    'ApplicationPoolIdentity' (default; SQL Server then sees DOMAIN\MACHINE$), or a gMSA
    ('CONTOSO\svc-tablefront$') or a domain account (give -AppPoolCredential).
.PARAMETER AppPoolCredential
    Password for a domain account given in -AppPoolIdentity (not needed for a gMSA).
    Written only when it differs from the pool's current one.
.PARAMETER LogPath
    Folder for the app's own log files. Default C:\ProgramData\Tablefront\logs.
.PARAMETER ImportPath
    Folder where CSV uploads wait between review and apply (deleted after an hour).
    Default C:\ProgramData\Tablefront\imports.
.PARAMETER SecretPath
    File holding the session secret key. Created with a random 64-character key only if
    it does not exist. Default C:\ProgramData\Tablefront\secret_key.txt.
.PARAMETER MaxUploadMB
    Upload limit of the app. IIS lets up to twice as much through (at most 4 GB) so
    the app itself answers an oversized upload with its 413 page. Default 25.
.PARAMETER MaxInstances
    Maximum FastCGI processes (each serves one request at a time). Default 4.
.PARAMETER GroupsProvider
    Where AD group membership comes from: 'ldap' (default; Active Directory, the pool
    identity binds with Kerberos) or 'static' (groups listed in the access settings).
.PARAMETER LdapUrl
    Directory URL for -GroupsProvider ldap, e.g. 'ldaps://dc1.contoso.com'.
.PARAMETER LdapBaseDn
    Search base for users and groups, e.g. 'DC=contoso,DC=com'.
.PARAMETER DomainMap
    NetBIOS=DNS domain pairs, e.g. 'CONTOSO=contoso.com'.
.PARAMETER PublicHealth
    Let load balancers call /health and /health/ready without Windows credentials
    (anonymous authentication for that path only; the app then answers them too).
.PARAMETER SkipWarmup
    Do not call /health/ready and /health/directory at the end.

.EXAMPLE
    .\setup.ps1 -DbServer sql01.contoso.com -DbName Contoso -LdapUrl ldaps://dc1.contoso.com -LdapBaseDn 'DC=contoso,DC=com' -WhatIf
    Shows every change a first install would make, without making any.
.EXAMPLE
    .\setup.ps1 -DbServer sql01.contoso.com -DbName Contoso -HostHeader tablefront.contoso.com -LdapUrl ldaps://dc1.contoso.com -LdapBaseDn 'DC=contoso,DC=com'
    Installs (or updates) the site on port 80 for that host name.
.EXAMPLE
    .\setup.ps1
    Upgrades an installed site with a new release: every setting is kept.
.EXAMPLE
    .\setup.ps1 -DbServer sql01 -DbName Contoso -HostNameInCertificate sql01.contoso.com -GroupsProvider static
    SQL Server's certificate names its full DNS name while the server is reached by its short name.
.EXAMPLE
    .\setup.ps1 -DbServer sql01 -DbName Contoso -AppPoolIdentity 'CONTOSO\svc-tablefront$' -SchemaMap 'hr=hr_uat' -GroupsProvider static
    Runs the pool as a gMSA and maps the logical schema hr to hr_uat.
#>
#Requires -RunAsAdministrator
#Requires -Version 5.1
#Requires -PSEdition Desktop
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string]$SiteName = 'Tablefront',
    [ValidateRange(1, 65535)]
    [int]$Port = 80,
    [string]$HostHeader = '',
    [string]$CertificateThumbprint = '',
    [ValidateRange(1, 65535)]
    [int]$HttpsPort = 443,
    [string]$AppPoolName = 'Tablefront',
    [string]$InstallPath = 'C:\inetpub\tablefront',
    [string]$SiteDataPath = 'C:\ProgramData\Tablefront',
    [string]$PythonExe = 'python',
    [string]$DbServer = '',
    [string]$DbName = '',
    [string]$DatabaseUrl = '',
    [string]$DbDriver = 'ODBC Driver 18 for SQL Server',
    [ValidateSet('yes', 'no', 'strict', 'optional', 'mandatory')]
    [string]$Encrypt = 'yes',
    [switch]$TrustServerCertificate,
    [string]$HostNameInCertificate = '',
    [switch]$MultiSubnetFailover,
    [string]$SchemaMap = '',
    [string]$AppPoolIdentity = 'ApplicationPoolIdentity',
    [pscredential]$AppPoolCredential,
    [string]$LogPath = 'C:\ProgramData\Tablefront\logs',
    [string]$ImportPath = 'C:\ProgramData\Tablefront\imports',
    [string]$SecretPath = 'C:\ProgramData\Tablefront\secret_key.txt',
    [ValidateRange(1, 4095)]
    [int]$MaxUploadMB = 25,
    [ValidateRange(1, 64)]
    [int]$MaxInstances = 4,
    [ValidateSet('ldap', 'static')]
    [string]$GroupsProvider = 'ldap',
    [string]$LdapUrl = '',
    [string]$LdapBaseDn = '',
    [string]$DomainMap = '',
    [switch]$PublicHealth,
    [switch]$SkipWarmup
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# --- Settings that live in web.config: a parameter left out keeps the installed value -
$SettingParameters = [ordered]@{
    DatabaseUrl            = 'TABLEFRONT_DATABASE_URL'
    DbServer               = 'TABLEFRONT_DB_SERVER'
    DbName                 = 'TABLEFRONT_DB_NAME'
    DbDriver               = 'TABLEFRONT_DB_DRIVER'
    Encrypt                = 'TABLEFRONT_DB_ENCRYPT'
    TrustServerCertificate = 'TABLEFRONT_DB_TRUST_SERVER_CERTIFICATE'
    HostNameInCertificate  = 'TABLEFRONT_DB_HOSTNAME_IN_CERTIFICATE'
    MultiSubnetFailover    = 'TABLEFRONT_DB_MULTI_SUBNET_FAILOVER'
    SchemaMap              = 'TABLEFRONT_SCHEMA_MAP'
    LogPath                = 'TABLEFRONT_LOG_DIR'
    ImportPath             = 'TABLEFRONT_IMPORT_DIR'
    SecretPath             = 'TABLEFRONT_SECRET_KEY_FILE'
    MaxUploadMB            = 'TABLEFRONT_MAX_UPLOAD_MB'
    GroupsProvider         = 'TABLEFRONT_GROUPS_PROVIDER'
    LdapUrl                = 'TABLEFRONT_LDAP_URL'
    LdapBaseDn             = 'TABLEFRONT_LDAP_BASE_DN'
    DomainMap              = 'TABLEFRONT_DOMAIN_MAP'
    PublicHealth           = 'TABLEFRONT_PUBLIC_HEALTH'
}
$SwitchParameters = @('TrustServerCertificate', 'MultiSubnetFailover', 'PublicHealth')

function Get-AppSettingsOf {
    # <appSettings> of a web.config as a hashtable (empty when there is no file).
    param([string]$Path)
    $found = @{}
    if (-not (Test-Path -Path $Path)) { return $found }
    $doc = New-Object System.Xml.XmlDocument
    $doc.Load($Path)
    foreach ($node in @($doc.SelectNodes('/configuration/appSettings/add'))) {
        $found[$node.GetAttribute('key')] = $node.GetAttribute('value')
    }
    return $found
}

$InstalledWebConfig = Join-Path $InstallPath 'web.config'
$InstalledSettings = Get-AppSettingsOf -Path $InstalledWebConfig
foreach ($name in $SettingParameters.Keys) {
    $key = $SettingParameters[$name]
    if ($PSBoundParameters.ContainsKey($name) -or -not $InstalledSettings.ContainsKey($key)) { continue }
    $kept = $InstalledSettings[$key]
    if ($SwitchParameters -contains $name) { $kept = [switch]($kept -eq '1') }
    Set-Variable -Name $name -Value $kept
}

# --- Names shared with web.config and iis\install-manifest.json (tests/iis checks) ----
$SourcePath = $PSScriptRoot
$Manifest = Get-Content -Path (Join-Path $SourcePath 'iis\install-manifest.json') -Raw | ConvertFrom-Json
$HandlerName = 'TablefrontPython'
$VenvPath = Join-Path $InstallPath '.venv'
$VenvPython = Join-Path $VenvPath 'Scripts\python.exe'
$WfastcgiPath = Join-Path $VenvPath 'Lib\site-packages\wfastcgi.py'
$RequirementsStamp = Join-Path $VenvPath 'tablefront-requirements.sha256'
$StaticPath = Join-Path $InstallPath 'app\static'
$StaticConfigTarget = Join-Path $StaticPath 'web.config'
$SettingsPath = Join-Path $SiteDataPath 'settings'
$ModelsPath = Join-Path $SiteDataPath 'models'
$IisFeatures = @('Web-Server', 'Web-CGI', 'Web-Windows-Auth', 'Web-Filtering', 'Web-Static-Content', 'Web-Http-Errors', 'Web-Http-Logging', 'Web-Stat-Compression', 'Web-Scripting-Tools')
# Windows 10/11 (no ServerManager): the same role services as optional features.
$ClientFeatures = @('IIS-WebServerRole', 'IIS-WebServer', 'IIS-CGI', 'IIS-WindowsAuthentication', 'IIS-RequestFiltering', 'IIS-StaticContent', 'IIS-HttpErrors', 'IIS-HttpLogging', 'IIS-HttpCompressionStatic', 'IIS-ManagementScriptingTools')
# robocopy /XD takes folder names, or full paths for one folder (app\settings).
$CopyExcludeDirs = @($Manifest.copy.exclude_dirs | ForEach-Object {
        if ($_.Contains('/')) { Join-Path $SourcePath ($_ -replace '/', '\') } else { $_ }
    })
$CopyExcludeFiles = @($Manifest.copy.exclude_files)
$RobocopyOptions = @('/E', '/R:2', '/W:2', '/NJH', '/NJS', '/NP')
# FastCGI: idleTimeout > requestTimeout > activityTimeout (seconds). Streamed exports
# of big tables can take minutes; a process is recycled after instanceMaxRequests.
# signalBeforeTerminateSeconds > 0 makes IIS create wfastcgi's shutdown event, so a
# recycle lets a running import finish instead of killing it.
$FastCgiSettings = [ordered]@{
    maxInstances                 = $MaxInstances
    activityTimeout              = 120
    requestTimeout               = 600
    idleTimeout                  = 1800
    instanceMaxRequests          = 10000
    signalBeforeTerminateSeconds = 30
    stderrMode                   = 'ReturnGeneric500'
}
# Server variables IIS hands FastCGI as UTF-8 (else non-ASCII table names arrive as ?).
$Utf8ServerVariables = @('REQUEST_URI', 'PATH_INFO', 'SCRIPT_NAME', 'QUERY_STRING', 'REMOTE_USER', 'AUTH_USER', 'LOGON_USER')
$W3svcParameters = 'HKLM:\SYSTEM\CurrentControlSet\Services\W3SVC\Parameters'
# IIS's request limit (uint32): twice the app's, so the app answers 413 itself.
$IisUploadLimit = [Math]::Min([int64]$MaxUploadMB * 1048576 * 2, [int64][uint32]::MaxValue)
$AuthFilter = 'system.webServer/security/authentication'
$PoolPath = "IIS:\AppPools\$AppPoolName"
$SitePath = "IIS:\Sites\$SiteName"

$script:Changed = New-Object System.Collections.Generic.List[string]
$script:Unchanged = New-Object System.Collections.Generic.List[string]
$script:Warnings = New-Object System.Collections.Generic.List[string]
$script:Failures = New-Object System.Collections.Generic.List[string]

function ConvertTo-FastCgiPath {
    # Quoted when it has a space, exactly as wfastcgi's own enable() registers it.
    param([string]$Path)
    if ($Path.Contains(' ')) { return '"' + $Path + '"' }
    return $Path
}
$FastCgiFullPath = ConvertTo-FastCgiPath -Path $VenvPython
$FastCgiArguments = ConvertTo-FastCgiPath -Path $WfastcgiPath
$ScriptProcessor = "$FastCgiFullPath|$FastCgiArguments"
$FastCgiFilter = "system.webServer/fastCgi/application[@fullPath='$FastCgiFullPath' and @arguments='$FastCgiArguments']"

function ConvertTo-PlainValue {
    # WebAdministration returns some values wrapped in a ConfigurationAttribute.
    param($Item)
    if ($null -ne $Item -and $Item.PSObject.Properties['Value']) { return $Item.Value }
    return $Item
}

function Write-Changed {
    param([string]$Message)
    if ($WhatIfPreference) {
        $script:Changed.Add("(would) $Message")
    }
    else {
        $script:Changed.Add($Message)
    }
    Write-Host "  changed: $Message" -ForegroundColor Green
}

function Write-Unchanged {
    param([string]$Message)
    $script:Unchanged.Add($Message)
    Write-Verbose "already in place: $Message"
}

function Write-Step {
    param([string]$Title)
    Write-Host "== $Title" -ForegroundColor Cyan
}

function Invoke-Native {
    # Windows PowerShell 5.1 turns a native command's stderr into error records under
    # remoting, ISE or a CI agent; with ErrorActionPreference Stop a mere pip warning
    # would abort the run. Show stderr as text and judge by the exit code alone.
    param([string]$FilePath, [string[]]$Arguments, [switch]$Quiet)
    $saved = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        & $FilePath @Arguments 2>&1 | ForEach-Object {
            if (-not $Quiet) { Write-Host "    $_" }
        }
        $code = $LASTEXITCODE
    }
    finally {
        $ErrorActionPreference = $saved
    }
    return $code
}

function Test-ServerManager {
    return [bool](Get-Command -Name 'Get-WindowsFeature' -ErrorAction SilentlyContinue)
}

function Get-MissingIisFeature {
    if (Test-ServerManager) {
        return @(Get-WindowsFeature -Name $IisFeatures | Where-Object { -not $_.Installed } | ForEach-Object { $_.Name })
    }
    return @($ClientFeatures | Where-Object { (Get-WindowsOptionalFeature -Online -FeatureName $_).State -ne 'Enabled' })
}

function Test-AppPool {
    return (Test-Path -Path $PoolPath)
}

function Test-Site {
    return (Test-Path -Path $SitePath)
}

function Test-SiteBinding {
    param([string]$Protocol, [string]$Information)
    return [bool](Get-WebBinding -Name $SiteName -Protocol $Protocol | Where-Object { $_.bindingInformation -eq $Information })
}

function Get-StaleBinding {
    # Our site's bindings that no longer match -Port/-HostHeader (and -HttpsPort when
    # -CertificateThumbprint is given; without it HTTPS bindings are left alone).
    $protocols = @('http')
    $wanted = @("http/$BindingInformation")
    if ($CertificateThumbprint) { $protocols += 'https'; $wanted += "https/$HttpsBindingInformation" }
    return @(Get-WebBinding -Name $SiteName | Where-Object {
            ($protocols -contains $_.protocol) -and ($wanted -notcontains "$($_.protocol)/$($_.bindingInformation)")
        })
}

function Get-BindingOwner {
    # Another site answering on the same port and host name would take our requests.
    $ours = @("http/$BindingInformation")
    if ($CertificateThumbprint) { $ours += "https/$HttpsBindingInformation" }
    foreach ($site in @(Get-Website)) {
        if ($site.Name -eq $SiteName) { continue }
        foreach ($binding in @($site.bindings.Collection)) {
            if ($ours -contains "$($binding.protocol)/$($binding.bindingInformation)") {
                return "$($site.Name) ($($binding.protocol) $($binding.bindingInformation))"
            }
        }
    }
    return $null
}

function Test-FastCgiApplication {
    return [bool](Get-WebConfiguration -PSPath 'IIS:\' -Filter $FastCgiFilter)
}

function Test-StaticDirectory {
    $vdir = Get-WebVirtualDirectory -Site $SiteName -Name 'static'
    return ([bool]$vdir -and ($vdir.physicalPath -eq $StaticPath))
}

function Get-AuthEnabled {
    param([string]$Method)
    return [bool](ConvertTo-PlainValue (Get-WebConfigurationProperty -PSPath 'IIS:\' -Location $SiteName -Filter "$AuthFilter/$Method" -Name 'enabled'))
}

function Test-AclGrant {
    param([string]$Path, [System.Security.AccessControl.FileSystemRights]$Rights)
    if (-not (Test-Path -Path $Path)) { return $false }
    foreach ($rule in @((Get-Acl -Path $Path).Access)) {
        if ($rule.AccessControlType -eq 'Allow' -and $rule.IdentityReference.Value -eq $PoolPrincipal -and ($rule.FileSystemRights -band $Rights) -eq $Rights) {
            return $true
        }
    }
    return $false
}

function Test-PrivateAcl {
    # Private = no inherited rules, and nothing for Users, Authenticated Users or
    # Everyone (a secret copied in from another server keeps the ACL of its folder).
    param([string]$Path)
    if (-not (Test-Path -Path $Path)) { return $false }
    $acl = Get-Acl -Path $Path
    if (-not $acl.AreAccessRulesProtected) { return $false }
    foreach ($rule in @($acl.Access)) {
        $sid = $rule.IdentityReference.Translate([System.Security.Principal.SecurityIdentifier]).Value
        if ($rule.AccessControlType -eq 'Allow' -and @('S-1-5-32-545', 'S-1-5-11', 'S-1-1-0') -contains $sid) { return $false }
    }
    return $true
}

function Get-PendingCopy {
    # robocopy /L lists what a copy would do without copying. Exit code bits: 1 =
    # files to copy, 4 = mismatched; 2 (extra files only in the install folder, such
    # as a previous release's) needs no copy and must not count as a change forever.
    $arguments = @($SourcePath, $InstallPath) + $RobocopyOptions + @('/L', '/XD') + $CopyExcludeDirs + @('/XF') + $CopyExcludeFiles
    $code = Invoke-Native -FilePath 'robocopy' -Arguments $arguments -Quiet
    if ($code -ge 8) { throw "robocopy could not compare $SourcePath with $InstallPath (exit code $code)" }
    return (($code -band 5) -ne 0)
}

function Get-RequirementsHash {
    return (Get-FileHash -Path (Join-Path $SourcePath 'requirements.txt') -Algorithm SHA256).Hash
}

function Test-RequirementsInstalled {
    if (-not (Test-Path -Path $VenvPython)) { return $false }
    if (-not (Test-Path -Path $RequirementsStamp)) { return $false }
    return ((Get-Content -Path $RequirementsStamp -Raw).Trim() -eq (Get-RequirementsHash))
}

function Assert-AllUsersPython {
    # The pool identity cannot read a per-user Python: stop before changing anything.
    param([string]$Path)
    if ($Path -like '*\WindowsApps\*') { throw "'$Path' is the Microsoft Store alias. Install Python from python.org for all users and pass -PythonExe 'C:\Program Files\Python312\python.exe'." }
    if ($Path -like "$env:SystemDrive\Users\*") { throw "Python at '$Path' is installed for one user only: the app pool identity cannot read it. Install Python for all users (python.org installer, 'Install for all users') and pass -PythonExe 'C:\Program Files\Python312\python.exe'." }
}

function Resolve-PythonExe {
    $command = Get-Command -Name $PythonExe -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $command) { throw "Python not found: -PythonExe '$PythonExe'. Install Python 3.11+ for all users and pass its full path." }
    Assert-AllUsersPython -Path $command.Source
    return $command.Source
}

function Get-VenvBasePython {
    # The Python an existing venv was made from (pyvenv.cfg 'home').
    $cfg = Join-Path $VenvPath 'pyvenv.cfg'
    if (-not (Test-Path -Path $cfg)) { return $null }
    $line = Get-Content -Path $cfg | Where-Object { $_ -match '^\s*home\s*=' } | Select-Object -First 1
    if (-not $line) { return $null }
    return (Join-Path ($line -split '=', 2)[1].Trim() 'python.exe')
}

function Wait-PoolWorkers {
    # Stop-WebAppPool returns before w3wp and its Python children exit; pip cannot
    # replace files they still hold open.
    $deadline = (Get-Date).AddSeconds(60)
    while ((Get-Date) -lt $deadline) {
        $workers = @(Get-CimInstance -ClassName Win32_Process -Filter "Name = 'w3wp.exe' OR Name = 'python.exe'" | Where-Object {
                $_.ExecutablePath -eq $VenvPython -or ($_.Name -eq 'w3wp.exe' -and $_.CommandLine -like "*-ap `"$AppPoolName`"*")
            })
        if ($workers.Count -eq 0) { return }
        Start-Sleep -Milliseconds 500
    }
    throw "The workers of app pool '$AppPoolName' did not exit within 60 s: end them (Task Manager, w3wp.exe / python.exe) and run setup.ps1 again."
}

function New-SecretKey {
    # 48 random bytes from the OS CSPRNG = 64 base64 characters.
    $bytes = New-Object byte[] 48
    $rng = [System.Security.Cryptography.RandomNumberGenerator]::Create()
    try { $rng.GetBytes($bytes) } finally { $rng.Dispose() }
    return [Convert]::ToBase64String($bytes)
}

function Get-InstalledWebConfig {
    # This release's web.config, this install's settings, and the keys an operator
    # added to the installed file (kept, after ours), as text.
    $doc = New-Object System.Xml.XmlDocument
    $doc.PreserveWhitespace = $true
    $doc.Load((Join-Path $SourcePath 'web.config'))
    $settings = [ordered]@{
        PYTHONPATH                            = $InstallPath
        TABLEFRONT_ENV                        = 'production'
        TABLEFRONT_DATABASE_URL               = $DatabaseUrl
        TABLEFRONT_DB_SERVER                  = $DbServer
        TABLEFRONT_DB_NAME                    = $DbName
        TABLEFRONT_DB_DRIVER                  = $DbDriver
        TABLEFRONT_DB_ENCRYPT                 = $Encrypt
        TABLEFRONT_DB_TRUST_SERVER_CERTIFICATE = $(if ($TrustServerCertificate) { '1' } else { '0' })
        TABLEFRONT_DB_HOSTNAME_IN_CERTIFICATE = $HostNameInCertificate
        TABLEFRONT_DB_MULTI_SUBNET_FAILOVER   = $(if ($MultiSubnetFailover) { '1' } else { '0' })
        TABLEFRONT_SCHEMA_MAP                 = $SchemaMap
        TABLEFRONT_SETTINGS_DIR               = $SettingsPath
        TABLEFRONT_MODELS_DIR                 = $ModelsPath
        TABLEFRONT_LOG_DIR                    = $LogPath
        TABLEFRONT_IMPORT_DIR                 = $ImportPath
        TABLEFRONT_SECRET_KEY_FILE            = $SecretPath
        TABLEFRONT_MAX_UPLOAD_MB              = [string]$MaxUploadMB
        TABLEFRONT_GROUPS_PROVIDER            = $GroupsProvider
        TABLEFRONT_LDAP_URL                   = $LdapUrl
        TABLEFRONT_LDAP_BASE_DN               = $LdapBaseDn
        TABLEFRONT_LDAP_AUTH                  = 'kerberos'
        TABLEFRONT_DOMAIN_MAP                 = $DomainMap
        TABLEFRONT_PUBLIC_HEALTH              = $(if ($PublicHealth) { '1' } else { '0' })
    }
    foreach ($key in $settings.Keys) {
        $node = $doc.SelectSingleNode("/configuration/appSettings/add[@key='$key']")
        if (-not $node) { throw "web.config has no appSetting '$key': the template and setup.ps1 disagree." }
        $node.SetAttribute('value', $settings[$key])
    }
    $appSettings = $doc.SelectSingleNode('/configuration/appSettings')
    foreach ($key in @($InstalledSettings.Keys | Sort-Object)) {
        if ($doc.SelectSingleNode("/configuration/appSettings/add[@key='$key']")) { continue }
        $added = $doc.CreateElement('add')
        $added.SetAttribute('key', $key)
        $added.SetAttribute('value', $InstalledSettings[$key])
        $null = $appSettings.AppendChild($doc.CreateWhitespace("`r`n    "))
        $null = $appSettings.AppendChild($added)
    }
    if ($appSettings.LastChild -and $appSettings.LastChild.NodeType -ne [System.Xml.XmlNodeType]::Whitespace) {
        $null = $appSettings.AppendChild($doc.CreateWhitespace("`r`n  "))
    }
    $handler = $doc.SelectSingleNode("/configuration/system.webServer/handlers/add[@name='$HandlerName']")
    if (-not $handler) { throw "web.config has no handler '$HandlerName'." }
    $handler.SetAttribute('scriptProcessor', $ScriptProcessor)
    $limits = $doc.SelectSingleNode('/configuration/system.webServer/security/requestFiltering/requestLimits')
    $limits.SetAttribute('maxAllowedContentLength', [string]$IisUploadLimit)
    # UTF-8 without BOM, matching the declaration (a StringWriter would say utf-16).
    $xmlSettings = New-Object System.Xml.XmlWriterSettings
    $xmlSettings.Encoding = New-Object System.Text.UTF8Encoding $false
    $stream = New-Object System.IO.MemoryStream
    $writer = [System.Xml.XmlWriter]::Create($stream, $xmlSettings)
    try { $doc.Save($writer) } finally { $writer.Close() }
    return [System.Text.Encoding]::UTF8.GetString($stream.ToArray())
}

function Test-FileContent {
    param([string]$Path, [string]$Expected)
    if (-not (Test-Path -Path $Path)) { return $false }
    return ([System.IO.File]::ReadAllText($Path) -ceq $Expected)
}

function Invoke-WarmUp {
    # One request; returns $null when it answered 200, else the reason.
    param([string]$Url)
    try {
        # The first request starts Python and imports the app (about a second).
        $response = Invoke-WebRequest -Uri $Url -UseDefaultCredentials -UseBasicParsing -TimeoutSec 60
        Write-Host "  warm-up: $Url answered $($response.StatusCode) $($response.Content)" -ForegroundColor Green
        return $null
    }
    catch {
        $status = $null
        $body = ''
        $errorResponse = $_.Exception.PSObject.Properties['Response']
        if ($errorResponse -and $errorResponse.Value) {
            $status = [int]$errorResponse.Value.StatusCode
            try { $body = (New-Object System.IO.StreamReader($errorResponse.Value.GetResponseStream())).ReadToEnd() } catch { $body = '' }
        }
        $hint = switch ($status) {
            401 { 'Windows Authentication refused this account. Browsing a host name from the server itself can hit the loopback check: try -HostHeader "" or http://localhost.' }
            500 { "The app failed to start. Read $LogPath\tablefront.log; 'FastCGI process exited unexpectedly' usually means a missing setting (see iis\README.md)." }
            503 { 'Database or directory unavailable (see the body), or the app pool stopped (rapid-fail protection): check the app log and the Windows Application event log.' }
            default { 'See iis\README.md, Troubleshooting.' }
        }
        return "$Url failed ($status): $($_.Exception.Message) $body $hint"
    }
}

# --- Step 0: checks before any change -------------------------------------------------
Write-Step 'Checks'
if (-not $DatabaseUrl -and -not ($DbServer -and $DbName)) {
    throw 'Give -DbServer and -DbName (or -DatabaseUrl): production never runs on the embedded demo database.'
}
if ($GroupsProvider -eq 'ldap' -and -not ($LdapUrl -and $LdapBaseDn)) {
    throw "Give -LdapUrl and -LdapBaseDn (e.g. -LdapUrl 'ldaps://dc1.contoso.com' -LdapBaseDn 'DC=contoso,DC=com'), or -GroupsProvider static."
}
foreach ($required in @('web.config', 'requirements.txt', 'app\__init__.py', 'config.py', 'iis\static.web.config', 'iis\install-manifest.json')) {
    if (-not (Test-Path -Path (Join-Path $SourcePath $required))) {
        throw "$required is missing next to setup.ps1 ($SourcePath): run the script from a Tablefront checkout or release folder."
    }
}
if ($AppPoolIdentity -ne 'ApplicationPoolIdentity' -and -not $AppPoolIdentity.EndsWith('$') -and -not $AppPoolCredential -and -not (Test-AppPool)) {
    throw "-AppPoolIdentity '$AppPoolIdentity' is a domain account: give -AppPoolCredential (a gMSA ends with `$ and needs none)."
}
if ($CertificateThumbprint -and -not (Test-Path -Path "Cert:\LocalMachine\My\$CertificateThumbprint")) {
    throw "No certificate with thumbprint $CertificateThumbprint in Cert:\LocalMachine\My: import it there first (with its private key)."
}
$venvBase = Get-VenvBasePython
if ($venvBase) { Assert-AllUsersPython -Path $venvBase } else { $null = Resolve-PythonExe }
if (-not $DatabaseUrl -and (Get-Command -Name 'Get-OdbcDriver' -ErrorAction SilentlyContinue) -and -not (Get-OdbcDriver -Name $DbDriver -Platform '64-bit' -ErrorAction SilentlyContinue)) {
    throw "ODBC driver '$DbDriver' is not installed: install Microsoft ODBC Driver 18 for SQL Server (x64), or pass -DbDriver."
}
if (Get-Module -ListAvailable -Name 'WebAdministration') {
    Import-Module WebAdministration
    # An installed site keeps its pool identity and binding unless they are given.
    if (-not $PSBoundParameters.ContainsKey('AppPoolIdentity') -and (Test-AppPool)) {
        if ([string](ConvertTo-PlainValue (Get-ItemProperty -Path $PoolPath -Name 'processModel.identityType')) -eq 'SpecificUser') {
            $AppPoolIdentity = [string](ConvertTo-PlainValue (Get-ItemProperty -Path $PoolPath -Name 'processModel.userName'))
        }
    }
    $installedBinding = $null
    if (Test-Site) { $installedBinding = Get-WebBinding -Name $SiteName -Protocol 'http' | Select-Object -First 1 }
    if ($installedBinding) {
        $parts = $installedBinding.bindingInformation.Split(':')
        if (-not $PSBoundParameters.ContainsKey('Port')) { $Port = [int]$parts[1] }
        if (-not $PSBoundParameters.ContainsKey('HostHeader')) { $HostHeader = $parts[2] }
    }
}
$BindingInformation = "*:${Port}:$HostHeader"
$HttpsBindingInformation = "*:${HttpsPort}:$HostHeader"
if ($AppPoolIdentity -eq 'ApplicationPoolIdentity') {
    $PoolPrincipal = "IIS AppPool\$AppPoolName"
}
else {
    $PoolPrincipal = $AppPoolIdentity
}
if (Get-Module -Name 'WebAdministration') {
    $bindingOwner = Get-BindingOwner
    if ($bindingOwner) {
        throw "Site $bindingOwner already answers there. Give -HostHeader (e.g. tablefront.contoso.com), another -Port/-HttpsPort, or stop that site."
    }
}

# Mark-of-the-Web: a downloaded zip marks every file; Windows then blocks the scripts.
$blocked = @(Get-ChildItem -Path $SourcePath -Recurse -File -Include '*.ps1', '*.py', '*.config', '*.json' | Where-Object { Get-Item -LiteralPath $_.FullName -Stream 'Zone.Identifier' -ErrorAction SilentlyContinue })
if ($blocked.Count -gt 0) {
    if ($PSCmdlet.ShouldProcess("$($blocked.Count) files in $SourcePath", 'Unblock-File (downloaded release)')) {
        $blocked | Unblock-File
    }
    Write-Changed "unblocked $($blocked.Count) downloaded files in $SourcePath"
}

# --- Step 1: IIS features -------------------------------------------------------------
Write-Step 'IIS features'
$missingFeatures = @(Get-MissingIisFeature)
if ($missingFeatures.Count -gt 0) {
    if ($PSCmdlet.ShouldProcess(($missingFeatures -join ', '), 'Install Windows features')) {
        if (Test-ServerManager) {
            $result = Install-WindowsFeature -Name $missingFeatures
            if ($result.RestartNeeded -eq 'Yes') { $script:Warnings.Add('Windows asks for a restart to finish installing IIS features.') }
        }
        else {
            Enable-WindowsOptionalFeature -Online -All -NoRestart -FeatureName $missingFeatures | Out-Null
        }
    }
    Write-Changed "installed features: $($missingFeatures -join ', ')"
}
else {
    Write-Unchanged 'IIS features'
}

if (-not (Get-Module -ListAvailable -Name 'WebAdministration')) {
    if ($WhatIfPreference) {
        Write-Warning 'IIS is not installed yet, so the remaining steps cannot be previewed. Run without -WhatIf to install it, or install IIS first.'
        return
    }
    throw 'The WebAdministration module is missing after installing Web-Scripting-Tools. Restart Windows and run setup.ps1 again.'
}
Import-Module WebAdministration

# --- Steps 2-10 run with the pool stopped when files change; it is always restarted --
$poolStopped = $false
try {
    # --- Step 2: app files ------------------------------------------------------------
    Write-Step "App files in $InstallPath"
    $samePlace = (Test-Path -Path $InstallPath) -and ((Resolve-Path -Path $InstallPath).Path.TrimEnd('\') -eq (Resolve-Path -Path $SourcePath).Path.TrimEnd('\'))
    $filesPending = (-not $samePlace) -and ((-not (Test-Path -Path $InstallPath)) -or (Get-PendingCopy))
    $requirementsPending = -not (Test-RequirementsInstalled)
    # A running worker locks files in the venv and the app: stop the pool while we change them.
    if (($filesPending -or $requirementsPending) -and (Test-AppPool) -and ((Get-WebAppPoolState -Name $AppPoolName).Value -eq 'Started')) {
        if ($PSCmdlet.ShouldProcess($AppPoolName, 'Stop app pool while files change')) {
            Stop-WebAppPool -Name $AppPoolName
            $poolStopped = $true
            Wait-PoolWorkers
        }
    }
    if ($filesPending) {
        if ($PSCmdlet.ShouldProcess($InstallPath, "Copy app files from $SourcePath")) {
            $arguments = @($SourcePath, $InstallPath) + $RobocopyOptions + @('/NFL', '/NDL', '/XD') + $CopyExcludeDirs + @('/XF') + $CopyExcludeFiles
            $code = Invoke-Native -FilePath 'robocopy' -Arguments $arguments -Quiet
            if ($code -ge 8) { throw "robocopy failed copying to $InstallPath (exit code $code)" }
        }
        Write-Changed "app files copied to $InstallPath"
    }
    else {
        Write-Unchanged "app files in $InstallPath"
    }

    # --- Step 3: venv and requirements ------------------------------------------------
    Write-Step 'Python virtual environment'
    if (-not (Test-Path -Path $VenvPython)) {
        $basePython = Resolve-PythonExe
        if ($PSCmdlet.ShouldProcess($VenvPath, "Create venv with $basePython")) {
            $code = Invoke-Native -FilePath $basePython -Arguments @('-m', 'venv', $VenvPath)
            if ($code -ne 0) { throw "Creating the venv failed (exit code $code)." }
        }
        Write-Changed "venv created in $VenvPath"
    }
    else {
        Write-Unchanged "venv in $VenvPath"
    }
    if ($requirementsPending) {
        if ($PSCmdlet.ShouldProcess($VenvPath, 'pip install -r requirements.txt')) {
            $code = Invoke-Native -FilePath $VenvPython -Arguments @('-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-r', (Join-Path $InstallPath 'requirements.txt'))
            if ($code -ne 0) { throw "pip install failed (exit code $code). Offline server? Use 'pip download -r requirements.txt -d wheels --platform win_amd64 --only-binary=:all:' elsewhere and install with --no-index --find-links." }
            [System.IO.File]::WriteAllText($RequirementsStamp, (Get-RequirementsHash))
        }
        Write-Changed 'requirements installed'
    }
    else {
        Write-Unchanged 'requirements'
    }

    # --- Step 4: FastCGI application (applicationHost.config; never wfastcgi-enable) --
    Write-Step 'FastCGI application'
    if (-not (Test-FastCgiApplication)) {
        if ($PSCmdlet.ShouldProcess($ScriptProcessor, 'Register FastCGI application')) {
            Add-WebConfigurationProperty -PSPath 'IIS:\' -Filter 'system.webServer/fastCgi' -Name '.' -Value @{ fullPath = $FastCgiFullPath; arguments = $FastCgiArguments }
        }
        Write-Changed "FastCGI application $ScriptProcessor registered"
    }
    else {
        Write-Unchanged 'FastCGI application registered'
    }
    foreach ($name in $FastCgiSettings.Keys) {
        $wanted = [string]$FastCgiSettings[$name]
        $current = $null
        if (Test-FastCgiApplication) {
            $current = [string](ConvertTo-PlainValue (Get-WebConfigurationProperty -PSPath 'IIS:\' -Filter $FastCgiFilter -Name $name))
        }
        if ($current -ne $wanted) {
            if ($PSCmdlet.ShouldProcess("$ScriptProcessor $name", "Set to $wanted")) {
                Set-WebConfigurationProperty -PSPath 'IIS:\' -Filter $FastCgiFilter -Name $name -Value $FastCgiSettings[$name]
            }
            Write-Changed "FastCGI $name = $wanted"
        }
        else {
            Write-Unchanged "FastCGI $name"
        }
    }
    $currentUtf8 = @((Get-ItemProperty -Path $W3svcParameters -Name 'FastCGIUtf8ServerVariables' -ErrorAction SilentlyContinue).FastCGIUtf8ServerVariables)
    if (($currentUtf8 -join ';') -ne ($Utf8ServerVariables -join ';')) {
        if ($PSCmdlet.ShouldProcess($W3svcParameters, 'Set FastCGIUtf8ServerVariables')) {
            New-ItemProperty -Path $W3svcParameters -Name 'FastCGIUtf8ServerVariables' -PropertyType MultiString -Value $Utf8ServerVariables -Force | Out-Null
        }
        Write-Changed 'FastCGI server variables in UTF-8'
        $script:Warnings.Add('FastCGIUtf8ServerVariables applies after IIS restarts: run iisreset in a quiet moment.')
    }
    else {
        Write-Unchanged 'FastCGI server variables in UTF-8'
    }

    # --- Step 5: app pool -------------------------------------------------------------
    Write-Step "App pool $AppPoolName"
    if (-not (Test-AppPool)) {
        if ($PSCmdlet.ShouldProcess($AppPoolName, 'Create app pool')) {
            New-WebAppPool -Name $AppPoolName | Out-Null
        }
        Write-Changed "app pool $AppPoolName created"
    }
    else {
        Write-Unchanged "app pool $AppPoolName exists"
    }
    $poolSettings = [ordered]@{
        managedRuntimeVersion       = ''    # No Managed Code: Python does not need the CLR
        enable32BitAppOnWin64       = $false
        'processModel.identityType' = $(if ($AppPoolIdentity -eq 'ApplicationPoolIdentity') { 'ApplicationPoolIdentity' } else { 'SpecificUser' })
    }
    if ($AppPoolIdentity -ne 'ApplicationPoolIdentity') {
        $poolSettings['processModel.userName'] = $AppPoolIdentity
    }
    foreach ($name in $poolSettings.Keys) {
        $current = $null
        if (Test-AppPool) {
            $current = [string](ConvertTo-PlainValue (Get-ItemProperty -Path $PoolPath -Name $name))
        }
        if ($current -ne [string]$poolSettings[$name]) {
            if ($PSCmdlet.ShouldProcess("$AppPoolName $name", "Set to '$($poolSettings[$name])'")) {
                Set-ItemProperty -Path $PoolPath -Name $name -Value $poolSettings[$name]
            }
            Write-Changed "app pool $name = '$($poolSettings[$name])'"
        }
        else {
            Write-Unchanged "app pool $name"
        }
    }
    if ($AppPoolCredential) {
        # IIS hands the stored password back to administrators: write it only when it differs.
        $poolPassword = $AppPoolCredential.GetNetworkCredential().Password
        $currentPassword = $null
        if (Test-AppPool) {
            $currentPassword = [string](ConvertTo-PlainValue (Get-ItemProperty -Path $PoolPath -Name 'processModel.password'))
        }
        if ($currentPassword -cne $poolPassword) {
            if ($PSCmdlet.ShouldProcess($AppPoolName, 'Set app pool account password')) {
                Set-ItemProperty -Path $PoolPath -Name 'processModel.password' -Value $poolPassword
            }
            Write-Changed 'app pool password set'
        }
        else {
            Write-Unchanged 'app pool password'
        }
    }

    # --- Step 6: site, bindings, /static ----------------------------------------------
    Write-Step "Site $SiteName"
    if (-not (Test-Site)) {
        if ($PSCmdlet.ShouldProcess($SiteName, "Create site on $BindingInformation")) {
            New-Item -ItemType Directory -Force -Path $InstallPath | Out-Null
            New-Website -Name $SiteName -PhysicalPath $InstallPath -ApplicationPool $AppPoolName -Port $Port -HostHeader $HostHeader | Out-Null
        }
        Write-Changed "site $SiteName created on $BindingInformation"
    }
    else {
        Write-Unchanged "site $SiteName exists"
        foreach ($pair in @(@('physicalPath', $InstallPath), @('applicationPool', $AppPoolName))) {
            $current = [string](ConvertTo-PlainValue (Get-ItemProperty -Path $SitePath -Name $pair[0]))
            if ($current -ne $pair[1]) {
                if ($PSCmdlet.ShouldProcess($SiteName, "Set $($pair[0]) to $($pair[1])")) {
                    Set-ItemProperty -Path $SitePath -Name $pair[0] -Value $pair[1]
                }
                Write-Changed "site $($pair[0]) = $($pair[1]) (was $current)"
            }
            else {
                Write-Unchanged "site $($pair[0])"
            }
        }
        if (-not (Test-SiteBinding -Protocol 'http' -Information $BindingInformation)) {
            if ($PSCmdlet.ShouldProcess($SiteName, "Add binding http $BindingInformation")) {
                New-WebBinding -Name $SiteName -Protocol 'http' -Port $Port -HostHeader $HostHeader
            }
            Write-Changed "binding http $BindingInformation added"
        }
        else {
            Write-Unchanged "binding http $BindingInformation"
        }
    }
    if ($CertificateThumbprint) {
        if ((Test-Site) -and -not (Test-SiteBinding -Protocol 'https' -Information $HttpsBindingInformation)) {
            if ($PSCmdlet.ShouldProcess($SiteName, "Add binding https $HttpsBindingInformation")) {
                New-WebBinding -Name $SiteName -Protocol 'https' -Port $HttpsPort -HostHeader $HostHeader -SslFlags $(if ($HostHeader) { 1 } else { 0 })
            }
            Write-Changed "binding https $HttpsBindingInformation added"
        }
        $httpsBinding = $null
        if (Test-Site) { $httpsBinding = Get-WebBinding -Name $SiteName -Protocol 'https' | Where-Object { $_.bindingInformation -eq $HttpsBindingInformation } }
        if (-not $httpsBinding -or [string]$httpsBinding.certificateHash -ne $CertificateThumbprint.ToUpperInvariant()) {
            if ($PSCmdlet.ShouldProcess($HttpsBindingInformation, "Use certificate $CertificateThumbprint")) {
                (Get-WebBinding -Name $SiteName -Protocol 'https' | Where-Object { $_.bindingInformation -eq $HttpsBindingInformation }).AddSslCertificate($CertificateThumbprint, 'My')
            }
            Write-Changed "certificate $CertificateThumbprint on https $HttpsBindingInformation"
        }
        else {
            Write-Unchanged "certificate on https $HttpsBindingInformation"
        }
    }
    if (Test-Site) {
        # A changed -Port, -HostHeader or -HttpsPort leaves the old binding behind.
        foreach ($stale in @(Get-StaleBinding)) {
            if ($PSCmdlet.ShouldProcess($SiteName, "Remove old binding $($stale.protocol) $($stale.bindingInformation)")) {
                $parts = $stale.bindingInformation.Split(':')
                Remove-WebBinding -Name $SiteName -Protocol $stale.protocol -IPAddress $parts[0] -Port $parts[1] -HostHeader $parts[2]
            }
            Write-Changed "old binding $($stale.protocol) $($stale.bindingInformation) removed"
        }
    }
    # Flask links /static/...; a virtual directory makes IIS serve it (with
    # iis\static.web.config) instead of the single-threaded Python workers.
    if (-not (Test-Site) -or -not (Test-StaticDirectory)) {
        if ($PSCmdlet.ShouldProcess("$SiteName/static", "Virtual directory to $StaticPath")) {
            New-WebVirtualDirectory -Site $SiteName -Name 'static' -PhysicalPath $StaticPath -Force | Out-Null
        }
        Write-Changed "/static served by IIS from $StaticPath"
    }
    else {
        Write-Unchanged '/static virtual directory'
    }

    # --- Step 7: Windows Authentication on, Anonymous off -----------------------------
    # Set in applicationHost.config for the site: these sections are locked against
    # web.config (HTTP 500.19 if put there).
    Write-Step 'Authentication'
    foreach ($pair in @(@('windowsAuthentication', $true), @('anonymousAuthentication', $false))) {
        $method = $pair[0]
        $wanted = $pair[1]
        $current = $null
        if (Test-Site) {
            $current = Get-AuthEnabled -Method $method
        }
        if ($current -ne $wanted) {
            if ($PSCmdlet.ShouldProcess("$SiteName $method", "Set enabled = $wanted")) {
                Set-WebConfigurationProperty -PSPath 'IIS:\' -Location $SiteName -Filter "$AuthFilter/$method" -Name 'enabled' -Value $wanted
            }
            Write-Changed "$method enabled = $wanted"
        }
        else {
            Write-Unchanged "$method enabled = $wanted"
        }
    }

    # Load balancers: anonymous access to /health only, when asked for (-PublicHealth). The
    # app answers there without an identity only when TABLEFRONT_PUBLIC_HEALTH=1 as well.
    $healthLocation = "$SiteName/health"
    $healthAnonymous = $null
    if (Test-Site) {
        $healthAnonymous = Get-WebConfigurationProperty -PSPath 'IIS:\' -Location $healthLocation -Filter "$AuthFilter/anonymousAuthentication" -Name 'enabled' -ErrorAction SilentlyContinue
        if ($healthAnonymous -and $healthAnonymous.PSObject.Properties['Value']) { $healthAnonymous = $healthAnonymous.Value }
    }
    $wantedHealthAnonymous = [bool]$PublicHealth
    if ([bool]$healthAnonymous -ne $wantedHealthAnonymous) {
        if ($PSCmdlet.ShouldProcess("$healthLocation anonymousAuthentication", "Set enabled = $wantedHealthAnonymous")) {
            Set-WebConfigurationProperty -PSPath 'IIS:\' -Location $healthLocation -Filter "$AuthFilter/anonymousAuthentication" -Name 'enabled' -Value $wantedHealthAnonymous
        }
        Write-Changed "anonymous access to /health = $wantedHealthAnonymous"
    }
    else {
        Write-Unchanged "anonymous access to /health = $wantedHealthAnonymous"
    }

    # --- Step 8: site-owned folders, logs, uploads, secret key (outside the web root) --
    Write-Step "Site files in $SiteDataPath"
    $secretFolder = Split-Path -Path $SecretPath -Parent
    foreach ($folder in @($SiteDataPath, $LogPath, $ImportPath, $secretFolder)) {
        if (-not (Test-Path -Path $folder)) {
            if ($PSCmdlet.ShouldProcess($folder, 'Create folder')) {
                New-Item -ItemType Directory -Force -Path $folder | Out-Null
            }
            Write-Changed "folder $folder created"
        }
        else {
            Write-Unchanged "folder $folder"
        }
    }
    $webRoot = $InstallPath.TrimEnd('\') + '\'
    foreach ($private in @($SecretPath, $SiteDataPath, $LogPath, $ImportPath)) {
        if (($private.TrimEnd('\') + '\').StartsWith($webRoot, [System.StringComparison]::OrdinalIgnoreCase)) {
            throw "'$private' is inside the web root ${InstallPath}, where an upgrade writes: keep it outside (default under C:\ProgramData\Tablefront)."
        }
    }
    # Settings and models: seeded once, never replaced. A previous install that kept
    # them inside the install folder hands its own over (not this release's demo).
    $installingAdmin = "$env:USERDOMAIN\$env:USERNAME"
    foreach ($owned in @($Manifest.site_owned)) {
        $target = Join-Path $SiteDataPath $owned.folder
        if (Test-Path -Path (Join-Path $target '*')) {
            Write-Unchanged "site $($owned.name) in $target (kept)"
            continue
        }
        $previous = Join-Path $InstallPath ($owned.previous_install -replace '/', '\')
        $seed = Join-Path $SourcePath ($owned.starter -replace '/', '\')
        $origin = 'starter'
        if (Test-Path -Path (Join-Path $previous '*')) { $seed = $previous; $origin = 'previous install' }
        if ($PSCmdlet.ShouldProcess($target, "Seed site $($owned.name) from the $origin ($seed)")) {
            New-Item -ItemType Directory -Force -Path $target | Out-Null
            Copy-Item -Path (Join-Path $seed '*') -Destination $target -Recurse -Exclude '__pycache__'
            $accessFile = Join-Path $target 'access.toml'
            if ($origin -eq 'starter' -and (Test-Path -Path $accessFile)) {
                # The installing admin may open /admin/access on the new site.
                $text = [System.IO.File]::ReadAllText($accessFile).Replace('{INSTALLING_ADMIN}', $installingAdmin.Replace('\', '\\'))
                [System.IO.File]::WriteAllText($accessFile, $text, (New-Object System.Text.UTF8Encoding $false))
            }
        }
        Write-Changed "site $($owned.name) in $target (from the $origin)"
    }
    if (-not (Test-Path -Path $SecretPath)) {
        if ($PSCmdlet.ShouldProcess($SecretPath, 'Generate secret key')) {
            # UTF-8 without a byte order mark: Python reads the file as plain UTF-8.
            [System.IO.File]::WriteAllText($SecretPath, (New-SecretKey), (New-Object System.Text.UTF8Encoding $false))
        }
        Write-Changed "secret key generated in $SecretPath"
    }
    else {
        Write-Unchanged "secret key in $SecretPath (kept; delete the file and re-run to rotate)"
    }

    # --- Step 9: ACLs -----------------------------------------------------------------
    Write-Step "Permissions for $PoolPrincipal"
    # Private: only SYSTEM, Administrators and the pool; nothing inherited, so local
    # Users cannot read the secret, the logs (user names) or the uploads (table data).
    $private = @(
        @($SecretPath, 'R'),
        @($LogPath, '(OI)(CI)M'),
        @($ImportPath, '(OI)(CI)M')
    )
    foreach ($item in $private) {
        $path = $item[0]
        if (-not (Test-PrivateAcl -Path $path) -or -not (Test-AclGrant -Path $path -Rights $(if ($item[1] -eq 'R') { 'Read' } else { 'Modify' }))) {
            if ($PSCmdlet.ShouldProcess($path, "Restrict to SYSTEM, Administrators and $PoolPrincipal")) {
                $inherit = $(if ($item[1] -eq 'R') { '' } else { '(OI)(CI)' })
                $code = Invoke-Native -FilePath 'icacls' -Arguments @($path, '/inheritance:r', '/grant:r', "*S-1-5-18:${inherit}F", "*S-1-5-32-544:${inherit}F", "${PoolPrincipal}:$($item[1])") -Quiet
                if ($code -ne 0) { throw "icacls could not restrict $path (exit code $code)" }
            }
            Write-Changed "$path private to SYSTEM, Administrators and $PoolPrincipal"
        }
        else {
            Write-Unchanged "$path private"
        }
    }
    $grants = @(
        @($InstallPath, 'ReadAndExecute', '(OI)(CI)RX'),
        @($SettingsPath, 'ReadAndExecute', '(OI)(CI)RX'),
        @($ModelsPath, 'ReadAndExecute', '(OI)(CI)RX')
    )
    foreach ($grant in $grants) {
        $path = $grant[0]
        if (-not (Test-AclGrant -Path $path -Rights $grant[1])) {
            if ($PSCmdlet.ShouldProcess($path, "Grant $($grant[1]) to $PoolPrincipal")) {
                $code = Invoke-Native -FilePath 'icacls' -Arguments @($path, '/grant', "${PoolPrincipal}:$($grant[2])") -Quiet
                if ($code -ne 0) { throw "icacls could not grant $PoolPrincipal on $path (exit code $code)" }
            }
            Write-Changed "$($grant[1]) on $path for $PoolPrincipal"
        }
        else {
            Write-Unchanged "$($grant[1]) on $path"
        }
    }

    # --- Step 10: web.config merged, static folder web.config -------------------------
    Write-Step 'web.config'
    $webConfigText = Get-InstalledWebConfig
    if (-not (Test-FileContent -Path $InstalledWebConfig -Expected $webConfigText)) {
        if ($PSCmdlet.ShouldProcess($InstalledWebConfig, 'Write settings')) {
            [System.IO.File]::WriteAllText($InstalledWebConfig, $webConfigText, (New-Object System.Text.UTF8Encoding $false))
        }
        Write-Changed "settings written to $InstalledWebConfig"
    }
    else {
        Write-Unchanged "settings in $InstalledWebConfig"
    }
    $staticConfigText = Get-Content -Path (Join-Path $SourcePath 'iis\static.web.config') -Raw
    if (-not (Test-FileContent -Path $StaticConfigTarget -Expected $staticConfigText)) {
        if ($PSCmdlet.ShouldProcess($StaticConfigTarget, 'Copy iis\static.web.config')) {
            Copy-Item -Path (Join-Path $SourcePath 'iis\static.web.config') -Destination $StaticConfigTarget -Force
        }
        Write-Changed "static files served by IIS ($StaticConfigTarget)"
    }
    else {
        Write-Unchanged $StaticConfigTarget
    }
}
finally {
    # Also after a failure: never leave the site down with the pool stopped.
    if ($poolStopped -and ((Get-WebAppPoolState -Name $AppPoolName).Value -ne 'Started')) {
        if ($PSCmdlet.ShouldProcess($AppPoolName, 'Start app pool')) {
            Start-WebAppPool -Name $AppPoolName
        }
    }
}

# --- Step 11: start, warm up, summary -------------------------------------------------
Write-Step 'Start and warm up'
if ((Test-AppPool) -and ((Get-WebAppPoolState -Name $AppPoolName).Value -ne 'Started')) {
    if ($PSCmdlet.ShouldProcess($AppPoolName, 'Start app pool')) {
        Start-WebAppPool -Name $AppPoolName
    }
    Write-Changed "app pool $AppPoolName started"
}
if ((Test-Site) -and ((Get-WebsiteState -Name $SiteName).Value -ne 'Started')) {
    if ($PSCmdlet.ShouldProcess($SiteName, 'Start site')) {
        Start-Website -Name $SiteName
    }
    Write-Changed "site $SiteName started"
}

if (-not $SkipWarmup -and -not $WhatIfPreference) {
    $hostName = $(if ($HostHeader) { $HostHeader } else { 'localhost' })
    # /health/ready: the database answers. /health/directory: one group lookup for
    # the account running this script, through the pool identity's directory bind.
    foreach ($path in @('/health/ready', '/health/directory')) {
        $url = "http://${hostName}:$Port$path"
        $failure = Invoke-WarmUp -Url $url
        if ($failure) { $script:Failures.Add($failure) }
    }
}

Write-Host ''
Write-Host "Summary for site '$SiteName' (pool '$AppPoolName', identity $PoolPrincipal)" -ForegroundColor Cyan
if ($script:Changed.Count -eq 0) {
    Write-Host '  Nothing changed: everything was already in place.'
}
else {
    Write-Host "  Changed ($($script:Changed.Count)):"
    $script:Changed | ForEach-Object { Write-Host "    - $_" }
}
Write-Host "  Already in place: $($script:Unchanged.Count) item(s) (-Verbose lists them)."
foreach ($warning in $script:Warnings) {
    Write-Warning $warning
}
if ($WhatIfPreference) {
    Write-Host '  This was a -WhatIf run: nothing was changed.'
}
Write-Host "  Site files: $SiteDataPath (settings, models)    App log: $LogPath\tablefront.log    Secret: $SecretPath"
Write-Host "  SQL Server sees this app as $(if ($AppPoolIdentity -eq 'ApplicationPoolIdentity') { 'DOMAIN\' + $env:COMPUTERNAME + '$' } else { $AppPoolIdentity }): the DBA grants that login (sql\app)."
if ($script:Failures.Count -gt 0) {
    foreach ($failure in $script:Failures) {
        Write-Host "  FAILED: $failure" -ForegroundColor Red
    }
    exit 1
}
