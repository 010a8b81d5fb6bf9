"""The OData v4 feed (/odata): service document, $metadata and entity sets."""
