-- A view over two tables, and the descriptions SSMS users type into table properties.

CREATE VIEW dbo.vOrderSummary AS
SELECT o.OrderID, o.OrderNumber, r.[Name] AS RegionName, o.[Order Date], o.Total
FROM dbo.[Order] AS o
JOIN dbo.Region AS r ON r.RegionID = o.RegionID;
GO

EXEC sys.sp_addextendedproperty @name = N'MS_Description',
    @value = N'Sales regions, numbered by the finance team',
    @level0type = N'SCHEMA', @level0name = N'dbo',
    @level1type = N'TABLE', @level1name = N'Region';
GO

EXEC sys.sp_addextendedproperty @name = N'MS_Description',
    @value = N'Customer orders',
    @level0type = N'SCHEMA', @level0name = N'dbo',
    @level1type = N'TABLE', @level1name = N'Order';
GO

EXEC sys.sp_addextendedproperty @name = N'MS_Description',
    @value = N'Date the order was placed (local time)',
    @level0type = N'SCHEMA', @level0name = N'dbo',
    @level1type = N'TABLE', @level1name = N'Order',
    @level2type = N'COLUMN', @level2name = N'Order Date';
GO
