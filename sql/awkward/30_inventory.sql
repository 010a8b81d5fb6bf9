-- Inventory: products (assigned text keys, a self reference, LOB and CLR columns,
-- reserved-word and spaced column names), stock moves (a trigger, SMALLDATETIME),
-- prices (system-versioned, with its history table).

CREATE TABLE Inventory.Product (
    ProductCode  char(8)        NOT NULL,
    [Select]     nvarchar(50)   NOT NULL,
    ParentCode   char(8)        NULL,
    [Weight kg]  decimal(8,3)   NULL,
    Spec         xml            NULL,
    Photo        varbinary(max) NULL,
    Location     geography      NULL,
    Discontinued bit            NOT NULL
        CONSTRAINT DF_Product_Discontinued DEFAULT ((0)),
    CONSTRAINT PK_Product PRIMARY KEY CLUSTERED (ProductCode),
    CONSTRAINT FK_Product_Parent FOREIGN KEY (ParentCode)
        REFERENCES Inventory.Product (ProductCode),
    CONSTRAINT CK_Product_Weight CHECK ([Weight kg] > 0)
);
GO

ALTER TABLE dbo.[Order Line] ADD
    CONSTRAINT FK_Order_Line_Order FOREIGN KEY (OrderID)
        REFERENCES dbo.[Order] (OrderID) ON DELETE CASCADE,
    CONSTRAINT FK_Order_Line_Product FOREIGN KEY (ProductCode)
        REFERENCES Inventory.Product (ProductCode);
GO

CREATE TABLE Inventory.StockMove (
    MoveID      bigint IDENTITY(1,1) NOT NULL,
    ProductCode char(8)              NOT NULL,
    Quantity    int                  NOT NULL,
    MovedAt     smalldatetime        NOT NULL
        CONSTRAINT DF_StockMove_MovedAt DEFAULT (getdate()),
    MovedBy     nvarchar(128)        NULL
        CONSTRAINT DF_StockMove_MovedBy DEFAULT (suser_sname()),
    CONSTRAINT PK_StockMove PRIMARY KEY CLUSTERED (MoveID),
    CONSTRAINT FK_StockMove_Product FOREIGN KEY (ProductCode)
        REFERENCES Inventory.Product (ProductCode) ON DELETE CASCADE,
    CONSTRAINT CK_StockMove_Quantity CHECK (Quantity <> 0)
);
GO

CREATE TRIGGER Inventory.trg_StockMove_Stamp ON Inventory.StockMove
AFTER INSERT AS
BEGIN
    SET NOCOUNT ON;
    UPDATE m SET MovedBy = ISNULL(m.MovedBy, SUSER_SNAME())
    FROM Inventory.StockMove AS m JOIN inserted AS i ON i.MoveID = m.MoveID;
END;
GO

CREATE TABLE Inventory.PriceHistory (
    ProductCode char(8)      NOT NULL,
    Price       money        NOT NULL,
    ValidFrom   datetime2(7) NOT NULL,
    ValidTo     datetime2(7) NOT NULL
);
GO

CREATE TABLE Inventory.Price (
    ProductCode char(8)      NOT NULL,
    Price       money        NOT NULL,
    ValidFrom   datetime2(7) GENERATED ALWAYS AS ROW START NOT NULL,
    ValidTo     datetime2(7) GENERATED ALWAYS AS ROW END NOT NULL,
    PERIOD FOR SYSTEM_TIME (ValidFrom, ValidTo),
    CONSTRAINT PK_Price PRIMARY KEY CLUSTERED (ProductCode),
    CONSTRAINT FK_Price_Product FOREIGN KEY (ProductCode)
        REFERENCES Inventory.Product (ProductCode),
    CONSTRAINT CK_Price_Price CHECK (Price >= 0)
)
WITH (SYSTEM_VERSIONING = ON (HISTORY_TABLE = Inventory.PriceHistory));
GO
