<#
.SYNOPSIS
    Installs or updates Tablefront on IIS (wfastcgi + Windows Authentication). Safe to re-run.

.DESCRIPTION
    One idempotent script: every step first checks the current state and changes only
    what differs, and every change goes through ShouldProcess, so -WhatIf shows what a
    run would do without doing it. Steps, in order:
      1. IIS features (Web-Server, Web-CGI, Web-Windows-Auth, ...), only the missing ones
      2. app files copied from this folder to -InstallPath (robocopy, changed files only)
      3. Python venv in <InstallPath>\.venv and pip install -r requirements.txt
         (only when the venv is new or requirements.txt changed)
      4. FastCGI application in applicationHost.config (never wfastcgi-enable, which
         fails when run twice) with timeouts, instance limits and stderrMode
      5. app pool (No Managed Code) and its identity
      6. site, binding, physical path and pool
      7. Windows Authentication on, Anonymous off for the site
      8. log folder and secret key file (generated only if missing), outside the web root
      9. ACLs for the pool identity: read+execute on the app, modify on the logs,
         read on the secret file
     10. the settings written into <InstallPath>\web.config; the static folder's web.config
     11. a warm-up request to /health, then a summary of what changed
    Run from an elevated Windows PowerShell 5.1 prompt (powershell.exe, not pwsh: the
    IIS:\ drive of WebAdministration does not work in PowerShell 7's compatibility
    mode) in the folder that holds this script (a checkout or a release of Tablefront).

.PARAMETER SiteName
    IIS site name. Default 'Tablefront'.
.PARAMETER Port
    HTTP port of the site binding. Default 80.
.PARAMETER HostHeader
    Host name of the binding (e.g. tablefront.contoso.com). Empty = all host names.
.PARAMETER AppPoolName
    Application pool name. Default 'Tablefront'.
.PARAMETER InstallPath
    Folder the site serves from; the app files and the venv live here.
    Default C:\inetpub\tablefront.
.PARAMETER PythonExe
    Python 3.11+ used to create the venv: a full path, or a command name on PATH.
    Must be installed for all users (the app pool identity has to read it).
.PARAMETER DbServer
    SQL Server host (and \instance or ,port). Used with -DbName.
.PARAMETER DbName
    Database name on -DbServer.
.PARAMETER DatabaseUrl
    A full SQLAlchemy URL instead of -DbServer/-DbName.
.PARAMETER DbDriver
    ODBC driver name. Default 'ODBC Driver 18 for SQL Server'.
.PARAMETER SchemaMap
    Logical=physical schema pairs, e.g. 'hr=hr_prod;ops=ops'. Empty = same names.
.PARAMETER AppPoolIdentity
    'ApplicationPoolIdentity' (default; SQL Server then sees DOMAIN\MACHINE$), or a gMSA
    ('CONTOSO\svc-tablefront$') or a domain account (give -AppPoolCredential).
.PARAMETER AppPoolCredential
    Password for a domain account given in -AppPoolIdentity (not needed for a gMSA).
.PARAMETER LogPath
    Folder for the app's own log files. Default C:\ProgramData\Tablefront\logs.
.PARAMETER ImportPath
    Folder where CSV uploads wait between review and apply (deleted after an hour).
    Default C:\ProgramData\Tablefront\imports.
.PARAMETER SecretPath
    File holding the session secret key. Created with a random 64-character key only if
    it does not exist. Default C:\ProgramData\Tablefront\secret_key.txt.
.PARAMETER MaxUploadMB
    Upload limit, written both for the app and for IIS request filtering. Default 25.
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
    Do not request /health at the end.

.EXAMPLE
    .\setup.ps1 -DbServer sql01.contoso.com -DbName Contoso -WhatIf
    Shows every change a first install would make, without making any.
.EXAMPLE
    .\setup.ps1 -DbServer sql01.contoso.com -DbName Contoso -HostHeader tablefront.contoso.com
    Installs (or updates) the site on port 80 for that host name.
.EXAMPLE
    .\setup.ps1 -DbServer sql01 -DbName Contoso -AppPoolIdentity 'CONTOSO\svc-tablefront$' -SchemaMap 'hr=hr_uat'
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
    [string]$AppPoolName = 'Tablefront',
    [string]$InstallPath = 'C:\inetpub\tablefront',
    [string]$PythonExe = 'python',
    [string]$DbServer = '',
    [string]$DbName = '',
    [string]$DatabaseUrl = '',
    [string]$DbDriver = 'ODBC Driver 18 for SQL Server',
    [string]$SchemaMap = '',
    [string]$AppPoolIdentity = 'ApplicationPoolIdentity',
    [pscredential]$AppPoolCredential,
    [string]$LogPath = 'C:\ProgramData\Tablefront\logs',
    [string]$ImportPath = 'C:\ProgramData\Tablefront\imports',
    [string]$SecretPath = 'C:\ProgramData\Tablefront\secret_key.txt',
    [ValidateRange(1, 4096)]
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

# --- Names shared with web.config (tests/iis checks they agree) -----------------------
$SourcePath = $PSScriptRoot
$HandlerName = 'TablefrontPython'
$VenvPath = Join-Path $InstallPath '.venv'
$VenvPython = Join-Path $VenvPath 'Scripts\python.exe'
$WfastcgiPath = Join-Path $VenvPath 'Lib\site-packages\wfastcgi.py'
$ScriptProcessor = "$VenvPython|$WfastcgiPath"
$RequirementsStamp = Join-Path $VenvPath 'tablefront-requirements.sha256'
$StaticConfigTarget = Join-Path $InstallPath 'app\static\web.config'
$IisFeatures = @('Web-Server', 'Web-CGI', 'Web-Windows-Auth', 'Web-Filtering', 'Web-Static-Content', 'Web-Http-Errors', 'Web-Http-Logging', 'Web-Stat-Compression', 'Web-Scripting-Tools')
# Windows 10/11 (no ServerManager): the same role services as optional features.
$ClientFeatures = @('IIS-WebServerRole', 'IIS-WebServer', 'IIS-CGI', 'IIS-WindowsAuthentication', 'IIS-RequestFiltering', 'IIS-StaticContent', 'IIS-HttpErrors', 'IIS-HttpLogging', 'IIS-HttpCompressionStatic', 'IIS-ManagementScriptingTools')
$CopyExcludeDirs = @('.venv', '.git', '.ci', '.github', 'instance', 'tests', '__pycache__', '.pytest_cache', '.ruff_cache', 'node_modules')
$CopyExcludeFiles = @('web.config', '*.pyc', 'secret_key.txt', '*.db')
# FastCGI: idleTimeout > requestTimeout > activityTimeout (seconds). Streamed exports
# of big tables can take minutes; a process is recycled after instanceMaxRequests.
$FastCgiSettings = [ordered]@{
    maxInstances        = $MaxInstances
    activityTimeout     = 120
    requestTimeout      = 600
    idleTimeout         = 1800
    instanceMaxRequests = 10000
    stderrMode          = 'ReturnGeneric500'
}
$FastCgiFilter = "system.webServer/fastCgi/application[@fullPath='$VenvPython' and @arguments='$WfastcgiPath']"
$AuthFilter = 'system.webServer/security/authentication'
$PoolPath = "IIS:\AppPools\$AppPoolName"
$SitePath = "IIS:\Sites\$SiteName"
$BindingInformation = "*:${Port}:$HostHeader"
if ($AppPoolIdentity -eq 'ApplicationPoolIdentity') {
    $PoolPrincipal = "IIS AppPool\$AppPoolName"
}
else {
    $PoolPrincipal = $AppPoolIdentity
}

$script:Changed = New-Object System.Collections.Generic.List[string]
$script:Unchanged = New-Object System.Collections.Generic.List[string]
$script:Warnings = New-Object System.Collections.Generic.List[string]

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
    return [bool](Get-WebBinding -Name $SiteName -Protocol 'http' | Where-Object { $_.bindingInformation -eq $BindingInformation })
}

function Get-BindingOwner {
    # Another site answering on the same port and host name would take our requests.
    foreach ($site in @(Get-Website)) {
        if ($site.Name -eq $SiteName) { continue }
        foreach ($binding in @($site.bindings.Collection)) {
            if ($binding.protocol -eq 'http' -and $binding.bindingInformation -eq $BindingInformation) {
                return $site.Name
            }
        }
    }
    return $null
}

function Test-FastCgiApplication {
    return [bool](Get-WebConfiguration -PSPath 'IIS:\' -Filter $FastCgiFilter)
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

function Get-PendingCopy {
    # robocopy /L lists what a copy would do without copying: exit code 0 = in sync.
    $null = & robocopy $SourcePath $InstallPath /E /L /NJH /NJS /NP /XD $CopyExcludeDirs /XF $CopyExcludeFiles
    if ($LASTEXITCODE -ge 8) { throw "robocopy could not compare $SourcePath with $InstallPath (exit code $LASTEXITCODE)" }
    return ($LASTEXITCODE -ne 0)
}

function Get-RequirementsHash {
    return (Get-FileHash -Path (Join-Path $SourcePath 'requirements.txt') -Algorithm SHA256).Hash
}

function Test-RequirementsInstalled {
    if (-not (Test-Path -Path $VenvPython)) { return $false }
    if (-not (Test-Path -Path $RequirementsStamp)) { return $false }
    return ((Get-Content -Path $RequirementsStamp -Raw).Trim() -eq (Get-RequirementsHash))
}

function Resolve-PythonExe {
    $command = Get-Command -Name $PythonExe -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $command) { throw "Python not found: -PythonExe '$PythonExe'. Install Python 3.11+ for all users and pass its full path." }
    $path = $command.Source
    if ($path -like '*\WindowsApps\*') { throw "'$path' is the Microsoft Store alias. Install Python from python.org for all users and pass -PythonExe 'C:\Program Files\Python311\python.exe'." }
    if ($path -like "$env:SystemDrive\Users\*") { $script:Warnings.Add("Python at '$path' is installed per user: the app pool identity may not be able to read it. Prefer an all-users install under Program Files.") }
    return $path
}

function New-SecretKey {
    # 48 random bytes from the OS CSPRNG = 64 base64 characters.
    $bytes = New-Object byte[] 48
    $rng = [System.Security.Cryptography.RandomNumberGenerator]::Create()
    try { $rng.GetBytes($bytes) } finally { $rng.Dispose() }
    return [Convert]::ToBase64String($bytes)
}

function Get-InstalledWebConfig {
    # The repo's web.config with this install's values filled in, as text.
    $doc = New-Object System.Xml.XmlDocument
    $doc.PreserveWhitespace = $true
    $doc.Load((Join-Path $SourcePath 'web.config'))
    $settings = [ordered]@{
        PYTHONPATH                  = $InstallPath
        TABLEFRONT_ENV              = 'production'
        TABLEFRONT_DATABASE_URL     = $DatabaseUrl
        TABLEFRONT_DB_SERVER        = $DbServer
        TABLEFRONT_DB_NAME          = $DbName
        TABLEFRONT_DB_DRIVER        = $DbDriver
        TABLEFRONT_SCHEMA_MAP       = $SchemaMap
        TABLEFRONT_LOG_DIR          = $LogPath
        TABLEFRONT_IMPORT_DIR       = $ImportPath
        TABLEFRONT_SECRET_KEY_FILE  = $SecretPath
        TABLEFRONT_MAX_UPLOAD_MB    = [string]$MaxUploadMB
        TABLEFRONT_GROUPS_PROVIDER  = $GroupsProvider
        TABLEFRONT_LDAP_URL         = $LdapUrl
        TABLEFRONT_LDAP_BASE_DN     = $LdapBaseDn
        TABLEFRONT_LDAP_AUTH        = 'kerberos'
        TABLEFRONT_DOMAIN_MAP       = $DomainMap
        TABLEFRONT_PUBLIC_HEALTH    = $(if ($PublicHealth) { '1' } else { '0' })
    }
    foreach ($key in $settings.Keys) {
        $node = $doc.SelectSingleNode("/configuration/appSettings/add[@key='$key']")
        if (-not $node) { throw "web.config has no appSetting '$key': the template and setup.ps1 disagree." }
        $node.SetAttribute('value', $settings[$key])
    }
    $handler = $doc.SelectSingleNode("/configuration/system.webServer/handlers/add[@name='$HandlerName']")
    if (-not $handler) { throw "web.config has no handler '$HandlerName'." }
    $handler.SetAttribute('scriptProcessor', $ScriptProcessor)
    $limits = $doc.SelectSingleNode('/configuration/system.webServer/security/requestFiltering/requestLimits')
    $limits.SetAttribute('maxAllowedContentLength', [string]([int64]$MaxUploadMB * 1048576))
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

# --- Checks before any change ---------------------------------------------------------
if (-not $DatabaseUrl -and -not ($DbServer -and $DbName)) {
    throw 'Give -DbServer and -DbName (or -DatabaseUrl): production never runs on the embedded demo database.'
}
if ($GroupsProvider -eq 'ldap' -and -not ($LdapUrl -and $LdapBaseDn)) {
    throw "Give -LdapUrl and -LdapBaseDn (e.g. -LdapUrl 'ldaps://dc1.contoso.com' -LdapBaseDn 'DC=contoso,DC=com'), or -GroupsProvider static."
}
foreach ($required in @('web.config', 'requirements.txt', 'app\__init__.py', 'config.py', 'iis\static.web.config')) {
    if (-not (Test-Path -Path (Join-Path $SourcePath $required))) {
        throw "$required is missing next to setup.ps1 ($SourcePath): run the script from a Tablefront checkout or release folder."
    }
}
if ($AppPoolIdentity -ne 'ApplicationPoolIdentity' -and -not $AppPoolIdentity.EndsWith('$') -and -not $AppPoolCredential) {
    throw "-AppPoolIdentity '$AppPoolIdentity' is a domain account: give -AppPoolCredential (a gMSA ends with `$ and needs none)."
}

if (-not $DatabaseUrl -and (Get-Command -Name 'Get-OdbcDriver' -ErrorAction SilentlyContinue) -and -not (Get-OdbcDriver -Name $DbDriver -Platform '64-bit' -ErrorAction SilentlyContinue)) {
    $script:Warnings.Add("ODBC driver '$DbDriver' is not installed: install Microsoft ODBC Driver 18 for SQL Server (or pass -DbDriver).")
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

# --- Step 2: app files ----------------------------------------------------------------
Write-Step "App files in $InstallPath"
$samePlace = (Test-Path -Path $InstallPath) -and ((Resolve-Path -Path $InstallPath).Path.TrimEnd('\') -eq (Resolve-Path -Path $SourcePath).Path.TrimEnd('\'))
$filesPending = (-not $samePlace) -and ((-not (Test-Path -Path $InstallPath)) -or (Get-PendingCopy))
$requirementsPending = -not (Test-RequirementsInstalled)
# A running worker locks files in the venv and the app: stop the pool while we change them.
$poolStopped = $false
if (($filesPending -or $requirementsPending) -and (Test-AppPool) -and ((Get-WebAppPoolState -Name $AppPoolName).Value -eq 'Started')) {
    if ($PSCmdlet.ShouldProcess($AppPoolName, 'Stop app pool while files change')) {
        Stop-WebAppPool -Name $AppPoolName
        $poolStopped = $true
    }
}
if ($filesPending) {
    if ($PSCmdlet.ShouldProcess($InstallPath, "Copy app files from $SourcePath")) {
        & robocopy $SourcePath $InstallPath /E /NJH /NJS /NP /NFL /NDL /XD $CopyExcludeDirs /XF $CopyExcludeFiles | Out-Null
        if ($LASTEXITCODE -ge 8) { throw "robocopy failed copying to $InstallPath (exit code $LASTEXITCODE)" }
    }
    Write-Changed "app files copied to $InstallPath"
}
else {
    Write-Unchanged "app files in $InstallPath"
}

# --- Step 3: venv and requirements ----------------------------------------------------
Write-Step 'Python virtual environment'
if (-not (Test-Path -Path $VenvPython)) {
    $basePython = Resolve-PythonExe
    if ($PSCmdlet.ShouldProcess($VenvPath, "Create venv with $basePython")) {
        & $basePython -m venv $VenvPath
        if ($LASTEXITCODE -ne 0) { throw "Creating the venv failed (exit code $LASTEXITCODE)." }
    }
    Write-Changed "venv created in $VenvPath"
}
else {
    Write-Unchanged "venv in $VenvPath"
}
if ($requirementsPending) {
    if ($PSCmdlet.ShouldProcess($VenvPath, 'pip install -r requirements.txt')) {
        & $VenvPython -m pip install --disable-pip-version-check --no-input -r (Join-Path $InstallPath 'requirements.txt')
        if ($LASTEXITCODE -ne 0) { throw "pip install failed (exit code $LASTEXITCODE). Offline server? Use 'pip download -r requirements.txt -d wheels' elsewhere and install with --no-index --find-links." }
        [System.IO.File]::WriteAllText($RequirementsStamp, (Get-RequirementsHash))
    }
    Write-Changed 'requirements installed'
}
else {
    Write-Unchanged 'requirements'
}

# --- Step 4: FastCGI application (applicationHost.config; never wfastcgi-enable) ------
Write-Step 'FastCGI application'
if (-not (Test-FastCgiApplication)) {
    if ($PSCmdlet.ShouldProcess($ScriptProcessor, 'Register FastCGI application')) {
        Add-WebConfigurationProperty -PSPath 'IIS:\' -Filter 'system.webServer/fastCgi' -Name '.' -Value @{ fullPath = $VenvPython; arguments = $WfastcgiPath }
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

# --- Step 5: app pool -----------------------------------------------------------------
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
    managedRuntimeVersion      = ''    # No Managed Code: Python does not need the CLR
    enable32BitAppOnWin64      = $false
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
    # A password cannot be compared without reading it back in clear: set it each run.
    if ($PSCmdlet.ShouldProcess($AppPoolName, 'Set app pool account password')) {
        $poolPassword = $AppPoolCredential.GetNetworkCredential().Password
        Set-ItemProperty -Path $PoolPath -Name 'processModel.password' -Value $poolPassword
    }
    Write-Changed 'app pool password set'
}

# --- Step 6: site and binding ---------------------------------------------------------
Write-Step "Site $SiteName"
$bindingOwner = Get-BindingOwner
if ($bindingOwner) {
    throw "Site '$bindingOwner' already answers on $BindingInformation. Give -HostHeader (e.g. tablefront.contoso.com), another -Port, or stop '$bindingOwner'."
}
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
    if (-not (Test-SiteBinding)) {
        if ($PSCmdlet.ShouldProcess($SiteName, "Add binding $BindingInformation")) {
            New-WebBinding -Name $SiteName -Protocol 'http' -Port $Port -HostHeader $HostHeader
        }
        Write-Changed "binding $BindingInformation added"
    }
    else {
        Write-Unchanged "binding $BindingInformation"
    }
}

# --- Step 7: Windows Authentication on, Anonymous off ---------------------------------
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

# --- Step 8: log and import folders and secret key (outside the web root) -------------------------
Write-Step 'Log folder and secret key'
$secretFolder = Split-Path -Path $SecretPath -Parent
foreach ($folder in @($LogPath, $ImportPath, $secretFolder)) {
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
if ($SecretPath.StartsWith($webRoot, [System.StringComparison]::OrdinalIgnoreCase)) {
    throw "-SecretPath '$SecretPath' is inside the web root ${InstallPath}: keep it outside (default C:\ProgramData\Tablefront\secret_key.txt)."
}
if (-not (Test-Path -Path $SecretPath)) {
    if ($PSCmdlet.ShouldProcess($SecretPath, 'Generate secret key')) {
        # UTF-8 without a byte order mark: Python reads the file as plain UTF-8.
        [System.IO.File]::WriteAllText($SecretPath, (New-SecretKey), (New-Object System.Text.UTF8Encoding $false))
        # Only SYSTEM, Administrators and the pool identity; nothing inherited.
        & icacls $SecretPath /inheritance:r /grant:r '*S-1-5-18:F' '*S-1-5-32-544:F' "${PoolPrincipal}:R" | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "icacls could not restrict $SecretPath (exit code $LASTEXITCODE)" }
    }
    Write-Changed "secret key generated in $SecretPath"
}
else {
    Write-Unchanged "secret key in $SecretPath (kept; delete the file and re-run to rotate)"
}

# --- Step 9: ACLs for the pool identity -----------------------------------------------
Write-Step "Permissions for $PoolPrincipal"
$grants = @(
    @($InstallPath, 'ReadAndExecute', '(OI)(CI)RX'),
    @($LogPath, 'Modify', '(OI)(CI)M'),
    @($ImportPath, 'Modify', '(OI)(CI)M'),
    @($SecretPath, 'Read', 'R')
)
foreach ($grant in $grants) {
    $path = $grant[0]
    if (-not (Test-AclGrant -Path $path -Rights $grant[1])) {
        if ($PSCmdlet.ShouldProcess($path, "Grant $($grant[1]) to $PoolPrincipal")) {
            & icacls $path /grant "${PoolPrincipal}:$($grant[2])" | Out-Null
            if ($LASTEXITCODE -ne 0) { throw "icacls could not grant $PoolPrincipal on $path (exit code $LASTEXITCODE)" }
        }
        Write-Changed "$($grant[1]) on $path for $PoolPrincipal"
    }
    else {
        Write-Unchanged "$($grant[1]) on $path"
    }
}

# --- Step 10: settings in web.config, static folder web.config ------------------------
Write-Step 'web.config'
$webConfigTarget = Join-Path $InstallPath 'web.config'
$webConfigText = Get-InstalledWebConfig
if (-not (Test-FileContent -Path $webConfigTarget -Expected $webConfigText)) {
    if ($PSCmdlet.ShouldProcess($webConfigTarget, 'Write settings')) {
        [System.IO.File]::WriteAllText($webConfigTarget, $webConfigText, (New-Object System.Text.UTF8Encoding $false))
    }
    Write-Changed "settings written to $webConfigTarget"
}
else {
    Write-Unchanged "settings in $webConfigTarget"
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

# --- Step 11: start, warm up, summary -------------------------------------------------
Write-Step 'Start and warm up'
if ((Test-AppPool) -and ((Get-WebAppPoolState -Name $AppPoolName).Value -ne 'Started')) {
    if ($PSCmdlet.ShouldProcess($AppPoolName, 'Start app pool')) {
        Start-WebAppPool -Name $AppPoolName
    }
    if (-not $poolStopped) { Write-Changed "app pool $AppPoolName started" }
}
if ((Test-Site) -and ((Get-WebsiteState -Name $SiteName).Value -ne 'Started')) {
    if ($PSCmdlet.ShouldProcess($SiteName, 'Start site')) {
        Start-Website -Name $SiteName
    }
    Write-Changed "site $SiteName started"
}

if (-not $SkipWarmup -and -not $WhatIfPreference) {
    $hostName = $(if ($HostHeader) { $HostHeader } else { 'localhost' })
    $url = "http://${hostName}:$Port/health"
    try {
        # The first request starts Python and imports the app (about a second).
        $response = Invoke-WebRequest -Uri $url -UseDefaultCredentials -UseBasicParsing -TimeoutSec 60
        Write-Host "  warm-up: $url answered $($response.StatusCode) $($response.Content)" -ForegroundColor Green
    }
    catch {
        $status = $null
        $errorResponse = $_.Exception.PSObject.Properties['Response']
        if ($errorResponse -and $errorResponse.Value) { $status = [int]$errorResponse.Value.StatusCode }
        $hint = switch ($status) {
            401 { 'Windows Authentication refused this account. Browsing a host name from the server itself can hit the loopback check: try http://localhost:<port>/health.' }
            500 { "The app failed to start. Read $LogPath\tablefront.log; 'FastCGI process exited unexpectedly' usually means a missing setting (see iis\README.md)." }
            503 { 'The app pool stopped (rapid-fail protection). Check the Windows Application event log and the app log.' }
            default { 'See iis\README.md, Troubleshooting.' }
        }
        $script:Warnings.Add("Warm-up request to $url failed ($status): $($_.Exception.Message) $hint")
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
Write-Host "  App log: $LogPath\tablefront.log    Secret: $SecretPath"
Write-Host "  SQL Server sees this app as $(if ($AppPoolIdentity -eq 'ApplicationPoolIdentity') { 'DOMAIN\' + $env:COMPUTERNAME + '$' } else { $AppPoolIdentity }): the DBA grants that login (sql\app)."
