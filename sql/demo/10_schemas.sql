-- Schemas of the demo database: hr (people), ops (sites, assets, tickets), sales.
-- CREATE SCHEMA must be alone in its batch, so it runs through sp_executesql;
-- re-running this script is harmless.
IF SCHEMA_ID(N'hr') IS NULL
BEGIN
    EXEC sp_executesql N'CREATE SCHEMA hr AUTHORIZATION dbo';
END;
GO

IF SCHEMA_ID(N'ops') IS NULL
BEGIN
    EXEC sp_executesql N'CREATE SCHEMA ops AUTHORIZATION dbo';
END;
GO

IF SCHEMA_ID(N'sales') IS NULL
BEGIN
    EXEC sp_executesql N'CREATE SCHEMA sales AUTHORIZATION dbo';
END;
GO
