-- dbo: regions (assigned keys), orders (a reserved-word name), order lines
-- (IDENTITY inside a composite key, cascade from the order).

CREATE TABLE dbo.Region (
    RegionID    int           NOT NULL,
    [Name]      nvarchar(50)  NOT NULL,
    CountryCode char(2)       NOT NULL
        CONSTRAINT DF_Region_CountryCode DEFAULT ('GB'),
    CONSTRAINT PK_Region PRIMARY KEY CLUSTERED (RegionID),
    CONSTRAINT UQ_Region_Name UNIQUE ([Name]),
    CONSTRAINT CK_Region_CountryCode CHECK (CountryCode IN ('GB', 'FR', 'DE', 'PL'))
);
GO

CREATE TABLE dbo.[Order] (
    OrderID      int IDENTITY(1,1) NOT NULL,
    RegionID     int               NOT NULL,
    [Order Date] datetime          NOT NULL
        CONSTRAINT DF_Order_OrderDate DEFAULT (getdate()),
    [Status]     varchar(10)       NOT NULL
        CONSTRAINT DF_Order_Status DEFAULT ('new'),
    OrderNumber  AS ISNULL(N'SO' + CONVERT(nvarchar(23), OrderID), N'*** ERROR ***'),
    [Key]        nvarchar(20)      NULL,
    Total        money             NULL,
    CONSTRAINT PK_Order PRIMARY KEY CLUSTERED (OrderID),
    CONSTRAINT FK_Order_Region FOREIGN KEY (RegionID) REFERENCES dbo.Region (RegionID),
    CONSTRAINT CK_Order_Status CHECK ([Status] IN ('new', 'paid', 'shipped')),
    CONSTRAINT CK_Order_Total CHECK (Total >= 0)
);
GO

CREATE TABLE dbo.[Order Line] (
    OrderID     int               NOT NULL,
    LineID      int IDENTITY(1,1) NOT NULL,
    ProductCode char(8)           NOT NULL,
    Qty         smallint          NOT NULL,
    UnitPrice   decimal(10,4)     NOT NULL,
    LineTotal   AS (Qty * UnitPrice) PERSISTED,
    CONSTRAINT PK_Order_Line PRIMARY KEY CLUSTERED (OrderID, LineID),
    CONSTRAINT CK_Order_Line_Qty CHECK (Qty BETWEEN 1 AND 999)
);
GO
