-- Tables Tablefront itself owns, in schema tablefront. Must match app/models/audit.py.
-- Re-runnable: every object is created only when it is missing (nothing is dropped or
-- altered), so the DBA can run this again after an upgrade.
IF SCHEMA_ID(N'tablefront') IS NULL
BEGIN
    EXEC sp_executesql N'CREATE SCHEMA tablefront AUTHORIZATION dbo';
END;
GO

-- One row per created, updated, deleted or imported row: who, when, old and new values.
IF OBJECT_ID(N'tablefront.audit_log', N'U') IS NULL
BEGIN
    CREATE TABLE tablefront.audit_log (
        audit_id    bigint IDENTITY(1,1) NOT NULL,
        changed_at  datetime2            NOT NULL
            CONSTRAINT DF_audit_log_changed_at DEFAULT (sysutcdatetime()),
        user_login  nvarchar(256)        NOT NULL,
        request_id  varchar(32)          NULL,
        table_name  nvarchar(256)        NOT NULL,
        row_key     nvarchar(400)        NOT NULL,
        action      varchar(10)          NOT NULL,
        old_values  nvarchar(max)        NULL,
        new_values  nvarchar(max)        NULL,
        CONSTRAINT PK_audit_log PRIMARY KEY CLUSTERED (audit_id),
        CONSTRAINT CK_audit_log_action
            CHECK (action IN ('create', 'update', 'delete', 'import'))
    );
END;
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_audit_log_table_row'
               AND object_id = OBJECT_ID(N'tablefront.audit_log'))
BEGIN
    CREATE NONCLUSTERED INDEX ix_audit_log_table_row
        ON tablefront.audit_log (table_name, row_key);
END;
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_audit_log_user_time'
               AND object_id = OBJECT_ID(N'tablefront.audit_log'))
BEGIN
    CREATE NONCLUSTERED INDEX ix_audit_log_user_time
        ON tablefront.audit_log (user_login, changed_at);
END;
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_audit_log_time'
               AND object_id = OBJECT_ID(N'tablefront.audit_log'))
BEGIN
    CREATE NONCLUSTERED INDEX ix_audit_log_time
        ON tablefront.audit_log (changed_at);
END;
GO
