-- Least privilege for the IIS app pool identity (run with sqlcmd, in the app database):
--   sqlcmd -S <server> -E -d <database> -v AppPoolLogin="CONTOSO\WEB01$" -i 20_grants.sql
-- AppPoolLogin is the Windows login of the app pool (DOMAIN\MACHINE$ for
-- ApplicationPoolIdentity, or a gMSA such as CONTOSO\svc-tablefront$). The login itself
-- (CREATE LOGIN ... FROM WINDOWS) is created by the DBA at server level beforehand.
-- The role gets data access only: no DDL, no ALTER, no CONTROL; the audit log is
-- append-only (SELECT, INSERT; no UPDATE or DELETE).

IF DATABASE_PRINCIPAL_ID(N'tablefront_app') IS NULL
BEGIN
    EXEC sp_executesql N'CREATE ROLE tablefront_app AUTHORIZATION dbo';
END;
GO

GRANT SELECT, INSERT, UPDATE, DELETE ON SCHEMA::hr TO tablefront_app;
GO

GRANT SELECT, INSERT, UPDATE, DELETE ON SCHEMA::ops TO tablefront_app;
GO

GRANT SELECT, INSERT, UPDATE, DELETE ON SCHEMA::sales TO tablefront_app;
GO

GRANT SELECT, INSERT ON OBJECT::tablefront.audit_log TO tablefront_app;
GO

-- Lets the model generator's drift check read table definitions (sys.* metadata) and
-- sys.triggers; grants no access to data or DDL.
GRANT VIEW DEFINITION ON SCHEMA::hr TO tablefront_app;
GO

GRANT VIEW DEFINITION ON SCHEMA::ops TO tablefront_app;
GO

GRANT VIEW DEFINITION ON SCHEMA::sales TO tablefront_app;
GO

GRANT VIEW DEFINITION ON SCHEMA::tablefront TO tablefront_app;
GO

IF DATABASE_PRINCIPAL_ID(N'$(AppPoolLogin)') IS NULL
BEGIN
    EXEC sp_executesql N'CREATE USER [$(AppPoolLogin)] FOR LOGIN [$(AppPoolLogin)]';
END;
GO

ALTER ROLE tablefront_app ADD MEMBER [$(AppPoolLogin)];
GO
