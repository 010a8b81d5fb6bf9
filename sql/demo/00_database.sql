-- Tablefront demo: the "existing" company database.
-- Optional: creates the demo database with the collation the generated models assume.
-- Run the other scripts with: sqlcmd -S <server> -E -d TablefrontDemo -i <file>
IF DB_ID(N'TablefrontDemo') IS NULL
    CREATE DATABASE TablefrontDemo COLLATE SQL_Latin1_General_CP1_CI_AS;
GO
