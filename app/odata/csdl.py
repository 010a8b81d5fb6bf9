"""The $metadata document (CSDL XML), built for one caller from the catalog."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from app.catalog import Catalog, ColumnInfo
from app.catalog.entity_sets import property_name, set_name
from app.data.odata_expand import navigations, partner
from app.data.scope import Scope, peek_scope
from app.identity import Identity
from app.odata.edm import edm_type, facets, feed_columns

NAMESPACE = "Tablefront"
EDMX = "http://docs.oasis-open.org/odata/ns/edmx"
EDM = "http://docs.oasis-open.org/odata/ns/edm"
CORE = "Org.OData.Core.V1"


def readable_scopes(identity: Identity | None, catalog: Catalog) -> list[Scope]:
    """The caller's scopes on every table they may read, in catalog order."""
    scopes = (peek_scope(identity, catalog, key) for key in catalog.tables)
    return [s for s in scopes if s is not None]


def _description(parent: ET.Element, text: str) -> None:
    if text:
        ET.SubElement(parent, "Annotation", Term=f"{CORE}.Description", String=text)


def _property_text(column: ColumnInfo) -> str:
    """The label, and the SQL column's own name when the property's differs."""
    if property_name(column.name) == column.name:
        return column.label
    return f"{column.label} (SQL column [{column.name}])"


def metadata_xml(identity: Identity | None, catalog: Catalog) -> bytes:
    """CSDL 4.0 of the entity sets, properties and navigations the caller may see."""
    ET.register_namespace("edmx", EDMX)
    root = ET.Element(f"{{{EDMX}}}Edmx", Version="4.0")
    ref = ET.SubElement(
        root,
        f"{{{EDMX}}}Reference",
        Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml",
    )
    ET.SubElement(ref, f"{{{EDMX}}}Include", Namespace=CORE, Alias="Core")
    services = ET.SubElement(root, f"{{{EDMX}}}DataServices")
    schema = ET.SubElement(services, "Schema", xmlns=EDM, Namespace=NAMESPACE)
    scopes = readable_scopes(identity, catalog)
    container = ET.Element("EntityContainer", Name="Container")
    for scope in scopes:
        name = set_name(scope.info.key)
        entity = ET.SubElement(schema, "EntityType", Name=name)
        # A view has no primary key: its unique ordering key stands in for one.
        keys = scope.info.primary_key or scope.info.order_key
        key_names = [k for k in keys if k not in scope.hidden]
        if key_names and len(key_names) == len(keys):
            key = ET.SubElement(entity, "Key")
            for k in key_names:
                ET.SubElement(key, "PropertyRef", Name=property_name(k))
        for column in feed_columns(scope.visible):
            prop = ET.SubElement(
                entity,
                "Property",
                Name=property_name(column.name),
                Type=edm_type(column) or "Edm.String",
                Nullable="true" if column.nullable else "false",
                **facets(column),
            )
            _description(prop, _property_text(column))
        entity_set = ET.SubElement(
            container, "EntitySet", Name=name, EntityType=f"{NAMESPACE}.{name}"
        )
        for nav, navigation in navigations(scope).items():
            target_name = set_name(navigation.target.info.key)
            typed = f"{NAMESPACE}.{target_name}"
            attributes = (
                {"Type": f"Collection({typed})"}
                if navigation.many
                else {"Type": typed, "Nullable": "true"}
            )
            back = partner(navigation, scope)
            if back:
                attributes["Partner"] = back
            ET.SubElement(entity, "NavigationProperty", Name=nav, **attributes)
            ET.SubElement(
                entity_set, "NavigationPropertyBinding", Path=nav, Target=target_name
            )
        _description(entity, scope.info.label)
    schema.append(container)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
