-- hr: departments, employees (with a manager tree), skills, leave requests.
-- hr.employees.site_id references ops.sites; that foreign key is added by 30_ops.sql
-- once ops.sites exists.

CREATE TABLE hr.departments (
    department_id   int IDENTITY(1,1) NOT NULL,
    code            varchar(10)       NOT NULL,
    name            nvarchar(100)     NOT NULL,
    division        nvarchar(50)      NOT NULL,
    [Cost Center]   varchar(20)       NULL,
    is_active       bit               NOT NULL
        CONSTRAINT DF_departments_is_active DEFAULT ((1)),
    created_at      datetime2(0)      NOT NULL
        CONSTRAINT DF_departments_created_at DEFAULT (sysdatetime()),
    CONSTRAINT PK_departments PRIMARY KEY CLUSTERED (department_id),
    CONSTRAINT UQ_departments_code UNIQUE (code)
);
GO

CREATE TABLE hr.employees (
    employee_id       int IDENTITY(1,1) NOT NULL,
    employee_guid     uniqueidentifier  NOT NULL
        CONSTRAINT DF_employees_employee_guid DEFAULT (newid()),
    login             nvarchar(256)     NOT NULL,
    first_name        nvarchar(50)      NOT NULL,
    last_name         nvarchar(50)      NOT NULL,
    email             varchar(254)      NOT NULL,
    job_title         nvarchar(100)     NOT NULL,
    department_id     int               NOT NULL,
    manager_id        int               NULL,
    site_id           int               NULL,
    hire_date         date              NOT NULL,
    termination_date  date              NULL,
    salary            money             NULL,
    is_active         bit               NOT NULL
        CONSTRAINT DF_employees_is_active DEFAULT ((1)),
    phone             varchar(30)       NULL,
    notes             nvarchar(max)     NULL,
    modified_at       datetime2         NOT NULL
        CONSTRAINT DF_employees_modified_at DEFAULT (sysdatetime()),
    row_version       rowversion        NOT NULL,
    CONSTRAINT PK_employees PRIMARY KEY CLUSTERED (employee_id),
    CONSTRAINT UQ_employees_login UNIQUE (login),
    CONSTRAINT UQ_employees_email UNIQUE (email),
    CONSTRAINT UQ_employees_employee_guid UNIQUE (employee_guid),
    CONSTRAINT FK_employees_departments FOREIGN KEY (department_id)
        REFERENCES hr.departments (department_id),
    CONSTRAINT FK_employees_manager FOREIGN KEY (manager_id)
        REFERENCES hr.employees (employee_id),
    CONSTRAINT CK_employees_salary CHECK (salary >= 0),
    CONSTRAINT CK_employees_dates
        CHECK (termination_date IS NULL OR termination_date >= hire_date)
);
GO

CREATE NONCLUSTERED INDEX IX_employees_last_name
    ON hr.employees (last_name, first_name);
GO

CREATE NONCLUSTERED INDEX IX_employees_department_id
    ON hr.employees (department_id);
GO

CREATE NONCLUSTERED INDEX IX_employees_manager_id
    ON hr.employees (manager_id);
GO

CREATE TABLE hr.skills (
    skill_id     int IDENTITY(1,1) NOT NULL,
    name         nvarchar(100)     NOT NULL,
    category     nvarchar(50)      NOT NULL,
    description  nvarchar(400)     NULL,
    CONSTRAINT PK_skills PRIMARY KEY CLUSTERED (skill_id),
    CONSTRAINT UQ_skills_name UNIQUE (name)
);
GO

CREATE TABLE hr.employee_skills (
    employee_id  int      NOT NULL,
    skill_id     int      NOT NULL,
    level        tinyint  NOT NULL,
    certified    bit      NOT NULL
        CONSTRAINT DF_employee_skills_certified DEFAULT ((0)),
    assessed_on  date     NULL,
    CONSTRAINT PK_employee_skills PRIMARY KEY CLUSTERED (employee_id, skill_id),
    CONSTRAINT FK_employee_skills_employees FOREIGN KEY (employee_id)
        REFERENCES hr.employees (employee_id),
    CONSTRAINT FK_employee_skills_skills FOREIGN KEY (skill_id)
        REFERENCES hr.skills (skill_id),
    CONSTRAINT CK_employee_skills_level CHECK (level BETWEEN 1 AND 5)
);
GO

CREATE NONCLUSTERED INDEX IX_employee_skills_skill_id
    ON hr.employee_skills (skill_id);
GO

CREATE TABLE hr.leave_requests (
    leave_request_id  int IDENTITY(1,1) NOT NULL,
    employee_id       int               NOT NULL,
    leave_type        varchar(20)       NOT NULL,
    start_date        date              NOT NULL,
    end_date          date              NOT NULL,
    days              decimal(4,1)      NOT NULL,
    status            varchar(20)       NOT NULL
        CONSTRAINT DF_leave_requests_status DEFAULT ('pending'),
    approved_by       int               NULL,
    requested_at      datetime2(0)      NOT NULL
        CONSTRAINT DF_leave_requests_requested_at DEFAULT (sysdatetime()),
    comment           nvarchar(500)     NULL,
    CONSTRAINT PK_leave_requests PRIMARY KEY CLUSTERED (leave_request_id),
    CONSTRAINT FK_leave_requests_employees FOREIGN KEY (employee_id)
        REFERENCES hr.employees (employee_id),
    CONSTRAINT FK_leave_requests_approved_by FOREIGN KEY (approved_by)
        REFERENCES hr.employees (employee_id),
    CONSTRAINT CK_leave_requests_leave_type
        CHECK (leave_type IN ('vacation', 'sick', 'parental', 'training', 'unpaid')),
    CONSTRAINT CK_leave_requests_status
        CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
    CONSTRAINT CK_leave_requests_dates CHECK (end_date >= start_date),
    CONSTRAINT CK_leave_requests_days CHECK (days > 0)
);
GO

CREATE NONCLUSTERED INDEX IX_leave_requests_employee_id
    ON hr.leave_requests (employee_id, start_date);
GO

CREATE NONCLUSTERED INDEX IX_leave_requests_status
    ON hr.leave_requests (status, start_date);
GO
