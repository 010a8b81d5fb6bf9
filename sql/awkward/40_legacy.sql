-- Legacy: a DATETIME key, a table without a key, and the old LOB and CLR types.

CREATE TABLE Legacy.[Calendar Day] (
    [Day]       datetime      NOT NULL,
    IsHoliday   bit           NOT NULL
        CONSTRAINT DF_Calendar_Day_IsHoliday DEFAULT ((0)),
    Note        nvarchar(200) NULL,
    CONSTRAINT PK_Calendar_Day PRIMARY KEY CLUSTERED ([Day])
);
GO

CREATE TABLE Legacy.EventLog (
    LoggedAt    datetime       NOT NULL,
    Booked      smalldatetime  NULL,
    Severity    tinyint        NOT NULL,
    Message     text           NULL,
    Detail      ntext          NULL,
    Attachment  image          NULL,
    Extra       sql_variant    NULL,
    OrgNode     hierarchyid    NULL,
    RegionID    int            NULL,
    CONSTRAINT FK_EventLog_Region FOREIGN KEY (RegionID)
        REFERENCES dbo.Region (RegionID),
    CONSTRAINT CK_EventLog_Severity CHECK (Severity BETWEEN 0 AND 5)
);
GO
