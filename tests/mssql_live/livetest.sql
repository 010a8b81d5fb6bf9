-- Tables only the live tier creates, in schema livetest: the SQL Server features the
-- demo database lacks. Run by tests/mssql_live/conftest.py after sql/demo, sql/app.
IF SCHEMA_ID(N'livetest') IS NULL
BEGIN
    EXEC sp_executesql N'CREATE SCHEMA livetest AUTHORIZATION dbo';
END;
GO

-- DATETIME keeps 1/300 s; no rowversion, so saves compare every column.
CREATE TABLE livetest.stamps (
    stamp_id    int           NOT NULL,
    label       nvarchar(50)  NOT NULL,
    happened_at datetime      NOT NULL,
    noted_at    smalldatetime NULL,
    CONSTRAINT PK_stamps PRIMARY KEY CLUSTERED (stamp_id)
);
GO

INSERT INTO livetest.stamps (stamp_id, label, happened_at, noted_at) VALUES
    (1, N'three', '2024-05-01T10:00:00.003', '2024-05-01T10:00:00'),
    (2, N'seven', '2024-05-01T10:00:00.007', NULL),
    (3, N'zero',  '2024-05-01T10:00:00.000', NULL);
GO

-- An audit trigger: SQL Server refuses OUTPUT without INTO here (Msg 334).
CREATE TABLE livetest.notes (
    note_id   int IDENTITY(1,1) NOT NULL,
    body      nvarchar(200)     NOT NULL,
    touched   int               NOT NULL CONSTRAINT DF_notes_touched DEFAULT ((0)),
    CONSTRAINT PK_notes PRIMARY KEY CLUSTERED (note_id)
);
GO

CREATE TABLE livetest.note_log (
    log_id   int IDENTITY(1,1) NOT NULL PRIMARY KEY,
    note_id  int               NOT NULL,
    action   varchar(10)       NOT NULL
);
GO

CREATE TRIGGER livetest.tr_notes_log ON livetest.notes AFTER INSERT, UPDATE AS
BEGIN
    SET NOCOUNT ON;
    INSERT INTO livetest.note_log (note_id, action)
    SELECT note_id, CASE WHEN EXISTS (SELECT 1 FROM deleted) THEN 'update' ELSE 'insert' END
    FROM inserted;
END;
GO

-- A system-versioned temporal table: the period columns are never written.
CREATE TABLE livetest.prices (
    price_id   int            NOT NULL,
    amount     decimal(10, 2) NOT NULL,
    valid_from datetime2 GENERATED ALWAYS AS ROW START NOT NULL,
    valid_to   datetime2 GENERATED ALWAYS AS ROW END NOT NULL,
    PERIOD FOR SYSTEM_TIME (valid_from, valid_to),
    CONSTRAINT PK_prices PRIMARY KEY CLUSTERED (price_id)
) WITH (SYSTEM_VERSIONING = ON (HISTORY_TABLE = livetest.prices_history));
GO

INSERT INTO livetest.prices (price_id, amount) VALUES (1, 9.99), (2, 19.99);
GO
