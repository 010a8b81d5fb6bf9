"""The IIS files in the repository and small readers for them (xml.etree)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WEB_CONFIG = REPO / "web.config"
STATIC_WEB_CONFIG = REPO / "iis" / "static.web.config"
HTTPPLATFORM_WEB_CONFIG = REPO / "iis" / "httpplatform.web.config"
SETUP_PS1 = REPO / "setup.ps1"
MANIFEST = REPO / "iis" / "install-manifest.json"


def load(path: Path) -> ET.Element:
    """The root <configuration> element of an IIS config file."""
    return ET.parse(path).getroot()


def app_settings(root: ET.Element) -> dict[str, str]:
    """<appSettings> as a dict, in file order."""
    return {a.get("key"): a.get("value") for a in root.findall("./appSettings/add")}


def handler(root: ET.Element) -> ET.Element:
    """The single <handlers><add> element (fails if there is not exactly one)."""
    (element,) = root.findall("./system.webServer/handlers/add")
    return element


def request_filtering(root: ET.Element) -> ET.Element:
    """The <requestFiltering> element."""
    return root.find("./system.webServer/security/requestFiltering")


def venv_paths(install_path: str) -> tuple[str, str]:
    """(python.exe, wfastcgi.py) inside the venv that setup.ps1 creates."""
    venv = install_path.rstrip("\\") + "\\.venv"
    return venv + "\\Scripts\\python.exe", venv + "\\Lib\\site-packages\\wfastcgi.py"
