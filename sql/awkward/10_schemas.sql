-- The awkward schema: what real databases have and the demo does not.
-- Names with spaces, mixed case and reserved words; a schema called dbo; IDENTITY
-- inside a composite key; assigned integer keys; computed columns with ISNULL and
-- CONVERT; DATETIME and SMALLDATETIME; xml, varbinary(max), geography, sql_variant,
-- hierarchyid; a table with a trigger; a system-versioned (temporal) table with its
-- history; a table without a key; a view; self and cross-schema foreign keys;
-- ON DELETE CASCADE; CHECK IN lists and BETWEEN; MS_Description properties.
-- Run in a database of its own (sqlcmd -d Awkward -i ...), after 00 and in name order.

CREATE SCHEMA Inventory;
GO
CREATE SCHEMA Legacy;
GO
