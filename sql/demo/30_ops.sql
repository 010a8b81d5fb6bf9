-- ops: sites, asset types, assets, helpdesk tickets, and the asset event log.

CREATE TABLE ops.sites (
    site_id       int IDENTITY(1,1) NOT NULL,
    code          varchar(10)       NOT NULL,
    name          nvarchar(100)     NOT NULL,
    address_line  nvarchar(200)     NULL,
    city          nvarchar(100)     NOT NULL,
    country_code  char(2)           NOT NULL,
    time_zone     varchar(50)       NOT NULL,
    latitude      decimal(9,6)      NULL,
    longitude     decimal(9,6)      NULL,
    opened_on     date              NULL,
    is_active     bit               NOT NULL
        CONSTRAINT DF_sites_is_active DEFAULT ((1)),
    CONSTRAINT PK_sites PRIMARY KEY CLUSTERED (site_id),
    CONSTRAINT UQ_sites_code UNIQUE (code)
);
GO

-- The cross-schema key from hr.employees, deferred until ops.sites exists.
ALTER TABLE hr.employees
    ADD CONSTRAINT FK_employees_sites FOREIGN KEY (site_id)
        REFERENCES ops.sites (site_id);
GO

CREATE NONCLUSTERED INDEX IX_employees_site_id
    ON hr.employees (site_id);
GO

CREATE TABLE ops.asset_types (
    asset_type_id        smallint IDENTITY(1,1) NOT NULL,
    name                 nvarchar(50)           NOT NULL,
    depreciation_months  smallint               NOT NULL,
    is_it_equipment      bit                    NOT NULL
        CONSTRAINT DF_asset_types_is_it_equipment DEFAULT ((1)),
    CONSTRAINT PK_asset_types PRIMARY KEY CLUSTERED (asset_type_id),
    CONSTRAINT UQ_asset_types_name UNIQUE (name),
    CONSTRAINT CK_asset_types_depreciation_months CHECK (depreciation_months > 0)
);
GO

CREATE TABLE ops.assets (
    asset_id          int IDENTITY(1,1) NOT NULL,
    asset_tag         varchar(20)       NOT NULL,
    asset_type_id     smallint          NOT NULL,
    manufacturer      nvarchar(50)      NOT NULL,
    model             nvarchar(100)     NOT NULL,
    serial_number     varchar(50)       NULL,
    site_id           int               NOT NULL,
    assigned_to       int               NULL,
    purchase_date     date              NOT NULL,
    purchase_cost     decimal(12,2)     NOT NULL,
    warranty_expires  date              NULL,
    status            varchar(20)       NOT NULL
        CONSTRAINT DF_assets_status DEFAULT ('in_stock'),
    notes             nvarchar(max)     NULL,
    row_version       rowversion        NOT NULL,
    CONSTRAINT PK_assets PRIMARY KEY CLUSTERED (asset_id),
    CONSTRAINT UQ_assets_asset_tag UNIQUE (asset_tag),
    CONSTRAINT FK_assets_asset_types FOREIGN KEY (asset_type_id)
        REFERENCES ops.asset_types (asset_type_id),
    CONSTRAINT FK_assets_sites FOREIGN KEY (site_id)
        REFERENCES ops.sites (site_id),
    CONSTRAINT FK_assets_employees FOREIGN KEY (assigned_to)
        REFERENCES hr.employees (employee_id),
    CONSTRAINT CK_assets_purchase_cost CHECK (purchase_cost >= 0),
    CONSTRAINT CK_assets_status
        CHECK (status IN ('in_stock', 'in_use', 'repair', 'retired', 'lost'))
);
GO

CREATE NONCLUSTERED INDEX IX_assets_assigned_to
    ON ops.assets (assigned_to);
GO

CREATE NONCLUSTERED INDEX IX_assets_site_status
    ON ops.assets (site_id, status);
GO

CREATE TABLE ops.tickets (
    ticket_id    int IDENTITY(1,1) NOT NULL,
    title        nvarchar(200)     NOT NULL,
    description  nvarchar(max)     NULL,
    category     varchar(30)       NOT NULL,
    priority     tinyint           NOT NULL
        CONSTRAINT DF_tickets_priority DEFAULT ((3)),
    status       varchar(20)       NOT NULL
        CONSTRAINT DF_tickets_status DEFAULT ('open'),
    opened_by    int               NOT NULL,
    assigned_to  int               NULL,
    asset_id     int               NULL,
    site_id      int               NULL,
    opened_at    datetime2(0)      NOT NULL
        CONSTRAINT DF_tickets_opened_at DEFAULT (sysdatetime()),
    due_at       datetime2(0)      NULL,
    resolved_at  datetime2(0)      NULL,
    resolution   nvarchar(1000)    NULL,
    row_version  rowversion        NOT NULL,
    CONSTRAINT PK_tickets PRIMARY KEY CLUSTERED (ticket_id),
    CONSTRAINT FK_tickets_opened_by FOREIGN KEY (opened_by)
        REFERENCES hr.employees (employee_id),
    CONSTRAINT FK_tickets_assigned_to FOREIGN KEY (assigned_to)
        REFERENCES hr.employees (employee_id),
    CONSTRAINT FK_tickets_assets FOREIGN KEY (asset_id)
        REFERENCES ops.assets (asset_id),
    CONSTRAINT FK_tickets_sites FOREIGN KEY (site_id)
        REFERENCES ops.sites (site_id),
    CONSTRAINT CK_tickets_priority CHECK (priority BETWEEN 1 AND 4),
    CONSTRAINT CK_tickets_status
        CHECK (status IN ('open', 'in_progress', 'waiting', 'resolved', 'closed')),
    CONSTRAINT CK_tickets_resolved_at
        CHECK (resolved_at IS NULL OR resolved_at >= opened_at)
);
GO

CREATE NONCLUSTERED INDEX IX_tickets_status_opened_at
    ON ops.tickets (status, opened_at);
GO

CREATE NONCLUSTERED INDEX IX_tickets_opened_at
    ON ops.tickets (opened_at);
GO

CREATE NONCLUSTERED INDEX IX_tickets_assigned_to
    ON ops.tickets (assigned_to, status);
GO

CREATE NONCLUSTERED INDEX IX_tickets_opened_by
    ON ops.tickets (opened_by);
GO

CREATE NONCLUSTERED INDEX IX_tickets_asset_id
    ON ops.tickets (asset_id);
GO

-- An append-only log kept by an old inventory tool: no primary key (a heap), and a
-- column named after a reserved word.
CREATE TABLE ops.asset_events (
    asset_id    int            NOT NULL,
    event_at    datetime2(0)   NOT NULL,
    event_type  varchar(20)    NOT NULL,
    [user]      nvarchar(256)  NULL,
    details     nvarchar(400)  NULL,
    CONSTRAINT FK_asset_events_assets FOREIGN KEY (asset_id)
        REFERENCES ops.assets (asset_id),
    CONSTRAINT CK_asset_events_event_type
        CHECK (event_type IN ('received', 'assigned', 'returned', 'repaired',
                              'moved', 'audited', 'retired'))
);
GO

CREATE NONCLUSTERED INDEX IX_asset_events_asset_id
    ON ops.asset_events (asset_id, event_at);
GO

-- Maintenance windows, from an old facilities tool that predates datetime2: DATETIME
-- (1/300 s: values end in .xx0/.xx3/.xx7 ms) and SMALLDATETIME (whole minutes), and an
-- assigned key (the tool numbers windows itself: no IDENTITY).
CREATE TABLE ops.maintenance_windows (
    window_no    int            NOT NULL,
    site_id      int            NOT NULL,
    title        nvarchar(100)  NOT NULL,
    starts_at    datetime       NOT NULL,
    ends_at      datetime       NULL,
    remind_at    smalldatetime  NULL,
    CONSTRAINT PK_maintenance_windows PRIMARY KEY CLUSTERED (window_no),
    CONSTRAINT FK_maintenance_windows_sites FOREIGN KEY (site_id)
        REFERENCES ops.sites (site_id),
    CONSTRAINT CK_maintenance_windows_ends_at CHECK (ends_at IS NULL OR ends_at > starts_at)
);
GO

CREATE NONCLUSTERED INDEX IX_maintenance_windows_starts_at
    ON ops.maintenance_windows (starts_at);
GO
