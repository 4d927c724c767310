/*
 * schema.h - the embedded schema and migrations (generated from the .sql files).
 */
#ifndef ACME_SCHEMA_H
#define ACME_SCHEMA_H

struct db_migration {
	int		 version;	/* user_version after applying sql */
	const char	*sql;
};

extern const char			db_schema_sql[];
extern const struct db_migration	db_migrations[];	/* ends with version 0 */
extern const int			db_schema_latest;

#endif
