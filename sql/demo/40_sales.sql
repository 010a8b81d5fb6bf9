-- sales: customers, products, orders and order lines.

CREATE TABLE sales.customers (
    customer_id         int IDENTITY(1,1) NOT NULL,
    customer_number     varchar(12)       NOT NULL,
    name                nvarchar(200)     NOT NULL,
    contact_name        nvarchar(100)     NULL,
    email               varchar(254)      NULL,
    phone               varchar(30)       NULL,
    city                nvarchar(100)     NOT NULL,
    country_code        char(2)           NOT NULL,
    credit_limit        money             NOT NULL
        CONSTRAINT DF_customers_credit_limit DEFAULT ((0)),
    account_manager_id  int               NULL,
    is_active           bit               NOT NULL
        CONSTRAINT DF_customers_is_active DEFAULT ((1)),
    created_at          datetime2(0)      NOT NULL
        CONSTRAINT DF_customers_created_at DEFAULT (sysdatetime()),
    CONSTRAINT PK_customers PRIMARY KEY CLUSTERED (customer_id),
    CONSTRAINT UQ_customers_customer_number UNIQUE (customer_number),
    CONSTRAINT FK_customers_account_manager FOREIGN KEY (account_manager_id)
        REFERENCES hr.employees (employee_id),
    CONSTRAINT CK_customers_credit_limit CHECK (credit_limit >= 0)
);
GO

CREATE NONCLUSTERED INDEX IX_customers_name
    ON sales.customers (name);
GO

CREATE TABLE sales.products (
    product_id       int IDENTITY(1,1) NOT NULL,
    sku              varchar(20)       NOT NULL,
    name             nvarchar(200)     NOT NULL,
    category         nvarchar(50)      NOT NULL,
    list_price       money             NOT NULL,
    unit_cost        decimal(12,2)     NULL,
    is_discontinued  bit               NOT NULL
        CONSTRAINT DF_products_is_discontinued DEFAULT ((0)),
    introduced_on    date              NULL,
    CONSTRAINT PK_products PRIMARY KEY CLUSTERED (product_id),
    CONSTRAINT UQ_products_sku UNIQUE (sku),
    CONSTRAINT CK_products_list_price CHECK (list_price >= 0)
);
GO

CREATE NONCLUSTERED INDEX IX_products_name
    ON sales.products (name);
GO

CREATE NONCLUSTERED INDEX IX_products_category
    ON sales.products (category, name);
GO

CREATE TABLE sales.orders (
    order_id       int IDENTITY(1,1) NOT NULL,
    order_number   varchar(20)       NOT NULL,
    customer_id    int               NOT NULL,
    sales_rep_id   int               NULL,
    order_date     date              NOT NULL,
    required_date  date              NULL,
    shipped_date   date              NULL,
    status         varchar(20)       NOT NULL
        CONSTRAINT DF_orders_status DEFAULT ('new'),
    currency_code  char(3)           NOT NULL
        CONSTRAINT DF_orders_currency_code DEFAULT ('USD'),
    ship_city      nvarchar(100)     NULL,
    notes          nvarchar(max)     NULL,
    modified_at    datetime2         NOT NULL
        CONSTRAINT DF_orders_modified_at DEFAULT (sysdatetime()),
    row_version    rowversion        NOT NULL,
    CONSTRAINT PK_orders PRIMARY KEY CLUSTERED (order_id),
    CONSTRAINT UQ_orders_order_number UNIQUE (order_number),
    CONSTRAINT FK_orders_customers FOREIGN KEY (customer_id)
        REFERENCES sales.customers (customer_id),
    CONSTRAINT FK_orders_sales_rep FOREIGN KEY (sales_rep_id)
        REFERENCES hr.employees (employee_id),
    CONSTRAINT CK_orders_status
        CHECK (status IN ('new', 'confirmed', 'shipped', 'invoiced', 'cancelled')),
    CONSTRAINT CK_orders_shipped_date
        CHECK (shipped_date IS NULL OR shipped_date >= order_date)
);
GO

CREATE NONCLUSTERED INDEX IX_orders_customer_id
    ON sales.orders (customer_id, order_date);
GO

CREATE NONCLUSTERED INDEX IX_orders_sales_rep_id
    ON sales.orders (sales_rep_id, order_date);
GO

CREATE NONCLUSTERED INDEX IX_orders_order_date
    ON sales.orders (order_date);
GO

CREATE TABLE sales.order_lines (
    order_id      int            NOT NULL,
    line_no       smallint       NOT NULL,
    product_id    int            NOT NULL,
    quantity      int            NOT NULL,
    unit_price    money          NOT NULL,
    discount_pct  decimal(5,2)   NOT NULL
        CONSTRAINT DF_order_lines_discount_pct DEFAULT ((0)),
    -- Arithmetic only, so the SQLite and PostgreSQL stand-ins compute the same value.
    line_total    AS ([quantity]*[unit_price]) PERSISTED,
    CONSTRAINT PK_order_lines PRIMARY KEY CLUSTERED (order_id, line_no),
    CONSTRAINT FK_order_lines_orders FOREIGN KEY (order_id)
        REFERENCES sales.orders (order_id),
    CONSTRAINT FK_order_lines_products FOREIGN KEY (product_id)
        REFERENCES sales.products (product_id),
    CONSTRAINT CK_order_lines_quantity CHECK (quantity > 0),
    CONSTRAINT CK_order_lines_unit_price CHECK (unit_price >= 0),
    CONSTRAINT CK_order_lines_discount_pct CHECK (discount_pct BETWEEN 0 AND 100)
);
GO

CREATE NONCLUSTERED INDEX IX_order_lines_product_id
    ON sales.order_lines (product_id);
GO
