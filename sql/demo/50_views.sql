-- Views over the demo tables.

-- One row per order with its line count and total (before discounts).
CREATE OR ALTER VIEW sales.v_order_totals
AS
SELECT
    o.order_id,
    o.order_number,
    o.customer_id,
    o.order_date,
    o.status,
    COUNT(ol.line_no) AS line_count,
    SUM(ol.line_total) AS total_amount
FROM sales.orders AS o
LEFT JOIN sales.order_lines AS ol
    ON ol.order_id = o.order_id
GROUP BY o.order_id, o.order_number, o.customer_id, o.order_date, o.status;
GO
