#include "autoconfig.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fixture.h"

int
fixture_tmpdir(char *dir, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if ((size_t)snprintf(dir, len, "%s/acme-unit.XXXXXX", tmp) >= len)
		return 0;
	return mkdtemp(dir) != NULL;
}

void
fixture_rmtree(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[FIXTURE_PATH_MAX];

	if (dir == NULL || *dir == '\0' || (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fixture_path(path, sizeof(path), dir, e->d_name))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

int
fixture_path(char *out, size_t len, const char *dir, const char *name)
{
	return (size_t)snprintf(out, len, "%s/%s", dir, name) < len;
}

int
fixture_write(const char *path, const char *text)
{
	FILE	*f;
	int	 ok;

	if ((f = fopen(path, "wx")) == NULL)
		return 0;
	ok = fputs(text, f) >= 0;
	if (fclose(f) != 0)
		ok = 0;
	return ok;
}

/*
 * Runs one statement on its own connection.  types names the bound
 * parameters in order: 't' a string, 'i' an int.  Returns 1 if it ran to
 * completion, 0 otherwise (constraint and trigger failures included).
 */
static int
run(const char *path, const char *sql, const char *types, ...)
{
	sqlite3		*conn = NULL;
	sqlite3_stmt	*st = NULL;
	va_list		 ap;
	int		 ok = 0, i;

	if (sqlite3_open_v2(path, &conn, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(conn, 5000);
	if (sqlite3_exec(conn, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(conn, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	va_start(ap, types);
	for (i = 0; types[i] != '\0'; i++)
		if (types[i] == 't')
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1,
			    SQLITE_TRANSIENT);
		else
			sqlite3_bind_int(st, i + 1, va_arg(ap, int));
	va_end(ap);
	ok = sqlite3_step(st) == SQLITE_DONE;
out:
	sqlite3_finalize(st);
	sqlite3_close(conn);
	return ok;
}

/* The integer the query's first row holds, or -1. */
static int
query_int(const char *path, const char *sql)
{
	sqlite3		*conn = NULL;
	sqlite3_stmt	*st = NULL;
	int		 v = -1;

	if (sqlite3_open_v2(path, &conn, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(conn, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(conn);
	return v;
}

int
fixture_endpoint_add(const char *db_path, const char *name, int eab_required,
    const char *status)
{
	return run(db_path,
	    "INSERT INTO endpoints (name, eab_required, status, created) "
	    "VALUES (?1, ?2, ?3, 1700000000)", "tit", name, eab_required, status);
}

int
fixture_endpoint_set_status(const char *db_path, const char *name,
    const char *status)
{
	return run(db_path, "UPDATE endpoints SET status = ?2 WHERE name = ?1",
	    "tt", name, status);
}

int
fixture_eab_add(const char *db_path, const char *kid, const char *endpoint,
    const char *hmac, int reusable, const char *status)
{
	return run(db_path,
	    "INSERT INTO eab_keys (kid, endpoint_id, hmac, reusable, status, created) "
	    "VALUES (?1, (SELECT id FROM endpoints WHERE name = ?2), ?3, ?4, ?5, "
	    "1700000000)", "tttit", kid, endpoint, hmac, reusable, status);
}

int
fixture_eab_set_status(const char *db_path, const char *kid, const char *status)
{
	return run(db_path, "UPDATE eab_keys SET status = ?2 WHERE kid = ?1",
	    "tt", kid, status);
}

int
fixture_ca_add(const char *db_path, const char *name, const char *status,
    const char *issuing_pem, const char *key_path)
{
	return run(db_path,
	    "INSERT INTO cas (name, key_type, root_key_type, subject, root_pem, "
	    "issuing_pem, root_key, issuing_key, not_after, status, created) "
	    "VALUES (?1, 'ec256', 'ec256', 'CN=Fixture Issuing CA', ?2, ?2, "
	    "'/nonexistent/root.key', ?3, 4102444800, ?4, 1700000000)",
	    "tttt", name, issuing_pem, key_path, status);
}

int
fixture_ca_set_status(const char *db_path, const char *name, const char *status)
{
	return run(db_path, "UPDATE cas SET status = ?2 WHERE name = ?1",
	    "tt", name, status);
}

int
fixture_upstream_add(const char *db_path, const char *name, const char *eab_kid,
    const char *eab_hmac, const char *ca_bundle, const char *contact,
    const char *profile, const char *preferred_chain, const char *account_url,
    const char *status)
{
	return run(db_path,
	    "INSERT INTO upstreams (name, directory, eab_kid, eab_hmac, ca_bundle, "
	    "contact, profile, preferred_chain, key_type, account_key, "
	    "account_url, status, removed, created) VALUES (?1, "
	    "'https://ca.example/' || ?1 || '/directory', ?2, ?3, ?4, ?5, ?6, ?7, "
	    "'ec256', '/var/lib/acme-fcgi/' || ?1 || '.key', ?8, ?9, "
	    "CASE WHEN ?9 = 'removed' THEN 1700000001 END, 1700000000)",
	    "ttttttttt", name, eab_kid, eab_hmac, ca_bundle, contact, profile,
	    preferred_chain, account_url, status);
}

int
fixture_mchall_add(const char *db_path, const char *name, const char *type,
    const char *solver, const char *zone, int propagation_wait,
    int propagation_check)
{
	return run(db_path,
	    "INSERT INTO managed_challenges (name, type, solver, hook, server, "
	    "port, tsig_key, zone, webroot, propagation_wait, propagation_check, "
	    "created) VALUES (?1, ?2, ?3, "
	    "CASE WHEN ?3 = 'hook' THEN '/usr/local/bin/' || ?1 END, "
	    "CASE WHEN ?3 = 'rfc2136' THEN 'ns.example.net' END, "
	    "CASE WHEN ?3 = 'rfc2136' THEN 5353 END, "
	    "CASE WHEN ?3 = 'rfc2136' THEN '/etc/acme-fcgi/' || ?1 || '.tsig' END, "
	    "?4, CASE WHEN ?3 = 'webroot' THEN '/var/www/' || ?1 END, ?5, ?6, "
	    "1700000000)", "ttttii", name, type, solver, zone, propagation_wait,
	    propagation_check);
}

int
fixture_mchall_rule_add(const char *db_path, const char *name, const char *rule)
{
	return run(db_path,
	    "INSERT INTO managed_challenge_rules (managed_challenge_id, rule) "
	    "VALUES ((SELECT id FROM managed_challenges WHERE name = ?1), ?2)",
	    "tt", name, rule);
}

int
fixture_mchall_set_status(const char *db_path, const char *name,
    const char *status)
{
	return run(db_path,
	    "UPDATE managed_challenges SET status = ?2, removed = CASE WHEN "
	    "?2 = 'removed' THEN 1700000001 END WHERE name = ?1", "tt", name,
	    status);
}

int
fixture_eab_mchall_add(const char *db_path, const char *kid, const char *mchall)
{
	return run(db_path,
	    "INSERT INTO eab_key_challenges (eab_key_id, managed_challenge_id) "
	    "VALUES ((SELECT id FROM eab_keys WHERE kid = ?1), "
	    "(SELECT id FROM managed_challenges WHERE name = ?2))",
	    "tt", kid, mchall);
}

int64_t
fixture_row_id(const char *db_path, const char *table, const char *name)
{
	sqlite3		*conn = NULL;
	sqlite3_stmt	*st = NULL;
	char		 sql[128];
	int64_t		 id = -1;

	/* table is the test's own literal, never input. */
	if ((size_t)snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE name = ?1",
	    table) >= sizeof(sql))
		return -1;
	if (sqlite3_open_v2(db_path, &conn, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(conn, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(conn);
	return id;
}

int
fixture_user_version(const char *db_path)
{
	return query_int(db_path, "PRAGMA user_version");
}

int
fixture_set_user_version(const char *db_path, int version)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
	return run(db_path, sql, "");
}

int
fixture_nonce_count(const char *db_path)
{
	return query_int(db_path, "SELECT count(*) FROM nonces");
}

char	fixture_dir[FIXTURE_PATH_MAX];

int
fixture_group_setup(void **state)
{
	(void)state;
	return fixture_tmpdir(fixture_dir, FIXTURE_PATH_MAX) ? 0 : -1;
}

int
fixture_group_teardown(void **state)
{
	(void)state;
	fixture_rmtree(fixture_dir);
	return 0;
}

struct key	fixture_keys[KEY_TYPE__MAX];

int
fixture_keys_setup(void **state)
{
	static const enum key_type types[] = {
		KEY_EC256, KEY_EC384, KEY_EC521, KEY_RSA2048, KEY_ED25519
	};

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!key_generate(&fixture_keys[types[i]], types[i]))
			return -1;
	return 0;
}

int
fixture_keys_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < KEY_TYPE__MAX; i++)
		key_free(&fixture_keys[i]);
	return 0;
}
