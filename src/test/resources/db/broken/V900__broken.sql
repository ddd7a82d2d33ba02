-- Test-only migration that fails half-way: the first statement succeeds, the second refers to a table that does
-- not exist. Used by MigrationRefusalTest with SPRING_FLYWAY_LOCATIONS=classpath:db/migration,classpath:db/broken.
create table broken_migration_leftover (id integer primary key);
insert into table_that_does_not_exist (id) values (1);
