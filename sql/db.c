#include "autoconfig.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"
#include "log.h"
#include "schema.h"

/*
 * Every statement, named once.  Prepared on first use and kept for the life
 * of the connection, so a CGI process pays only for what it runs.
 */
enum stmt {
	STMT_SECRET_GET,
	STMT_SECRET_INIT,
	STMT_NONCE_CONSUME,
	STMT_NONCE_PRUNE,
	STMT_ENDPOINT_GET,
	STMT_EAB_GET,
	STMT_ACCOUNT_BY_UID,
	STMT_ACCOUNT_BY_ID,
	STMT_ACCOUNT_BY_KEY,
	STMT_ACCOUNT_INSERT,
	STMT_ACCOUNT_UPDATE,
	STMT_CA_GET,
	STMT_CA_BY_NAME,
	STMT_POLICY_GET,
	STMT_POLICY_RULES,
	STMT_ORDER_INSERT,
	STMT_ORDER_BY_UID,
	STMT_ORDER_BY_ID,
	STMT_ORDER_SET_STATUS,
	STMT_ACCOUNT_ORDERS,
	STMT_ACCOUNT_UNFINISHED,
	STMT_AUTHZ_INSERT,
	STMT_AUTHZ_BY_UID,
	STMT_ORDER_AUTHZS,
	STMT_AUTHZ_SET_STATUS,
	STMT_CERT_INSERT,
	STMT_CERT_BY_UID,
	STMT_CERTS_BY_SERIAL,
	STMT_CERT_RENEWAL_INFO,
	STMT_CERT_SET_RENEWAL_INFO,
	STMT_JOB_ADD,
	STMT_JOB_CLAIM,
	STMT_JOB_RENEW,
	STMT_JOB_DONE,
	STMT_JOB_RETRY,
	STMT_JOB_FAIL,
	STMT_JOB_GET,
	STMT_JOBS_FAIL_DEADLINE,
	STMT_JOB_DUE,
	STMT_JOBS_RUNNING_ON,
	STMT_JOB_RELEASE,
	STMT_UPSTREAM_GET,
	STMT_UPSTREAM_SET_ACCOUNT,
	STMT_MCHALLS_USABLE,
	STMT_MCHALL_RULES,
	STMT_UPSTREAM_ORDER_ADD,
	STMT_UPSTREAM_ORDER_GET,
	STMT_UPSTREAM_ORDER_SET_URL,
	STMT_CERT_BY_ID,
	STMT_CERT_REVOKE,
	STMT_KEY_FILES,
	STMT__MAX
};

#define ACCOUNT_COLS \
	"id, uid, endpoint_id, eab_key_id, jwk, thumbprint, contact, " \
	"tos_agreed, status, created"

#define JOB_COLS \
	"id, kind, ref_id, state, attempts, max_attempts, next_run, " \
	"lease_owner, lease_until, deadline, last_error, created, updated"

/* The job ?1 while owner ?2 holds it. */
#define JOB_HELD "WHERE id = ?1 AND state = 'running' AND lease_owner = ?2"

#define ORDER_COLS \
	"o.id, o.uid, o.account_id, o.status, o.identifiers, o.not_before, " \
	"o.not_after, o.expires, o.error, o.created, c.uid " \
	"FROM orders o LEFT JOIN certificates c ON c.order_id = o.id"

#define CERT_COLS \
	"id, uid, serial, order_id, account_id, endpoint_id, application_id, " \
	"template_id, tag, ca_id, upstream_id, names, key_type, not_before, " \
	"not_after, pem, chain, status, created, revoked, reason FROM certificates"

#define AUTHZ_COLS \
	"z.id, z.uid, z.order_id, o.account_id, z.type, z.value, z.wildcard, " \
	"z.status, z.expires, z.created FROM authorizations z " \
	"JOIN orders o ON o.id = z.order_id"

static const char *const stmt_sql[STMT__MAX] = {
	[STMT_SECRET_GET] =
	    "SELECT value FROM secrets WHERE name = ?1",
	[STMT_SECRET_INIT] =
	    "INSERT OR IGNORE INTO secrets (name, value) VALUES (?1, ?2)",
	[STMT_NONCE_CONSUME] =
	    "INSERT INTO nonces (id, expires) VALUES (?1, ?2)",
	[STMT_NONCE_PRUNE] =
	    "DELETE FROM nonces WHERE expires < ?1",
	[STMT_ENDPOINT_GET] =
	    "SELECT id, name, eab_required, status FROM endpoints WHERE name = ?1",
	[STMT_EAB_GET] =
	    "SELECT k.id, k.kid, k.endpoint_id, k.hmac, k.reusable, k.status, "
	    "(SELECT count(*) FROM accounts a WHERE a.eab_key_id = k.id) "
	    "FROM eab_keys k WHERE k.kid = ?1",
	[STMT_ACCOUNT_BY_UID] =
	    "SELECT " ACCOUNT_COLS " FROM accounts WHERE uid = ?1",
	[STMT_ACCOUNT_BY_ID] =
	    "SELECT " ACCOUNT_COLS " FROM accounts WHERE id = ?1",
	[STMT_ACCOUNT_BY_KEY] =
	    "SELECT " ACCOUNT_COLS " FROM accounts "
	    "WHERE endpoint_id = ?1 AND thumbprint = ?2",
	[STMT_ACCOUNT_INSERT] =
	    "INSERT INTO accounts (uid, endpoint_id, eab_key_id, jwk, thumbprint, "
	    "contact, tos_agreed, status, created) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[STMT_ACCOUNT_UPDATE] =
	    "UPDATE accounts SET contact = ?2, tos_agreed = ?3, status = ?4 "
	    "WHERE id = ?1",
	[STMT_CA_GET] =
	    "SELECT id, name, issuing_pem, root_pem, issuing_key, status "
	    "FROM cas WHERE id = ?1",
	[STMT_CA_BY_NAME] =
	    "SELECT id, name, issuing_pem, root_pem, issuing_key, status "
	    "FROM cas WHERE name = ?1",
	[STMT_POLICY_GET] =
	    "SELECT e.application_id, e.template_id, t.ca_id, e.tag, "
	    "t.allow_wildcard, t.key_types, t.validity_days, t.max_validity_days, "
	    "t.eku, c.not_after, t.upstream_id FROM endpoints e "
	    "JOIN templates t ON t.id = e.template_id "
	    "LEFT JOIN cas c ON c.id = t.ca_id WHERE e.id = ?1",
	[STMT_POLICY_RULES] =
	    "SELECT kind, rule FROM template_rules WHERE template_id = ?1 "
	    "ORDER BY kind, rule",
	[STMT_ORDER_INSERT] =
	    "INSERT INTO orders (uid, account_id, status, identifiers, "
	    "not_before, not_after, expires, error, created) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[STMT_ORDER_BY_UID] =
	    "SELECT " ORDER_COLS " WHERE o.uid = ?1",
	[STMT_ORDER_BY_ID] =
	    "SELECT " ORDER_COLS " WHERE o.id = ?1",
	[STMT_ORDER_SET_STATUS] =
	    "UPDATE orders SET status = ?3, error = ?4 "
	    "WHERE id = ?1 AND status = ?2",
	[STMT_ACCOUNT_ORDERS] =
	    "SELECT id, uid FROM orders WHERE account_id = ?1 AND id > ?2 "
	    "ORDER BY id LIMIT ?3",
	/*
	 * Orders not finished: pending or ready and not yet expired, or
	 * processing; with the soonest expiry of the former.  Both halves
	 * are ranges of the index orders_unfinished.
	 */
	[STMT_ACCOUNT_UNFINISHED] =
	    "SELECT count(*), min(e) FROM (SELECT expires AS e FROM orders "
	    "WHERE account_id = ?1 AND status IN ('pending', 'ready') "
	    "AND expires > ?2 UNION ALL SELECT NULL FROM orders "
	    "WHERE account_id = ?1 AND status = 'processing')",
	[STMT_AUTHZ_INSERT] =
	    "INSERT INTO authorizations (uid, order_id, type, value, wildcard, "
	    "status, expires, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[STMT_AUTHZ_BY_UID] =
	    "SELECT " AUTHZ_COLS " WHERE z.uid = ?1",
	[STMT_ORDER_AUTHZS] =
	    "SELECT " AUTHZ_COLS " WHERE z.order_id = ?1 ORDER BY z.id",
	[STMT_AUTHZ_SET_STATUS] =
	    "UPDATE authorizations SET status = ?2 WHERE id = ?1",
	[STMT_CERT_INSERT] =
	    "INSERT INTO certificates (uid, serial, order_id, account_id, "
	    "endpoint_id, application_id, template_id, tag, ca_id, names, "
	    "key_type, not_before, not_after, pem, created, upstream_id, chain) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	    "?14, ?15, ?16, ?17)",
	[STMT_CERT_BY_UID] =
	    "SELECT " CERT_COLS " WHERE uid = ?1",
	[STMT_CERTS_BY_SERIAL] =
	    "SELECT " CERT_COLS " WHERE serial = ?1 AND endpoint_id = ?2 "
	    "ORDER BY id LIMIT ?3",
	[STMT_CERT_RENEWAL_INFO] =
	    "SELECT renewal_info, renewal_info_until FROM certificates "
	    "WHERE id = ?1 AND renewal_info IS NOT NULL",
	[STMT_CERT_SET_RENEWAL_INFO] =
	    "UPDATE certificates SET renewal_info = ?2, renewal_info_until = ?3 "
	    "WHERE id = ?1 AND upstream_id IS NOT NULL",
	[STMT_JOB_ADD] =
	    "INSERT INTO jobs (kind, ref_id, max_attempts, next_run, deadline, "
	    "created, updated) VALUES (?1, ?2, ?3, ?5, ?4, ?5, ?5)",
	/*
	 * The subquery and the update are one statement, which SQLite runs
	 * under the write lock: no other connection can claim the row
	 * between them.
	 */
	[STMT_JOB_CLAIM] =
	    "UPDATE jobs SET state = 'running', lease_owner = ?1, "
	    "lease_until = ?2 + ?3, attempts = attempts + 1, updated = ?2 "
	    "WHERE id = (SELECT id FROM jobs WHERE deadline > ?2 AND "
	    "((state = 'queued' AND next_run <= ?2) OR (state = 'running' "
	    "AND lease_until < ?2 AND attempts < max_attempts)) "
	    "ORDER BY next_run, id LIMIT 1) RETURNING " JOB_COLS,
	[STMT_JOB_RENEW] =
	    "UPDATE jobs SET lease_until = ?3 + ?4, updated = ?3 " JOB_HELD,
	[STMT_JOB_DONE] =
	    "UPDATE jobs SET state = 'done', lease_owner = NULL, "
	    "lease_until = NULL, updated = ?3 " JOB_HELD,
	[STMT_JOB_RETRY] =
	    "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts "
	    "OR ?3 >= deadline THEN 'failed' ELSE 'queued' END, next_run = ?3, "
	    "last_error = ?4, lease_owner = NULL, lease_until = NULL, "
	    "updated = ?5 " JOB_HELD,
	[STMT_JOB_FAIL] =
	    "UPDATE jobs SET state = 'failed', last_error = ?3, "
	    "lease_owner = NULL, lease_until = NULL, updated = ?4 " JOB_HELD,
	[STMT_JOB_GET] =
	    "SELECT " JOB_COLS " FROM jobs WHERE id = ?1",
	[STMT_JOBS_FAIL_DEADLINE] =
	    "UPDATE jobs SET state = 'failed', lease_owner = NULL, "
	    "lease_until = NULL, updated = ?1, last_error = substr(CASE "
	    "WHEN deadline <= ?1 THEN 'deadline passed' "
	    "ELSE 'lease expired on the last attempt' END "
	    "|| coalesce('; last error: ' || last_error, ''), 1, 1024) "
	    "WHERE id IN (SELECT id FROM jobs WHERE state IN ('queued', 'running') "
	    "AND (deadline <= ?1 OR (state = 'running' AND lease_until < ?1 "
	    "AND attempts >= max_attempts)) ORDER BY id LIMIT ?2) "
	    "RETURNING " JOB_COLS,
	[STMT_JOB_DUE] =
	    "SELECT 1 FROM jobs WHERE state IN ('queued', 'running') AND "
	    "((state = 'queued' AND next_run <= ?1) OR (state = 'running' AND "
	    "lease_until < ?1)) LIMIT 1",
	[STMT_JOBS_RUNNING_ON] =
	    "SELECT " JOB_COLS " FROM jobs WHERE state = 'running' AND "
	    "substr(lease_owner, instr(lease_owner, '@') + 1) = ?1 "
	    "ORDER BY id LIMIT ?2",
	[STMT_JOB_RELEASE] =
	    "UPDATE jobs SET state = 'queued', lease_owner = NULL, "
	    "lease_until = NULL, next_run = ?3, updated = ?3 " JOB_HELD,
	[STMT_UPSTREAM_GET] =
	    "SELECT id, name, directory, eab_kid, eab_hmac, ca_bundle, contact, "
	    "profile, preferred_chain, key_type, account_key, account_url, "
	    "status FROM upstreams WHERE id = ?1",
	[STMT_UPSTREAM_SET_ACCOUNT] =
	    "UPDATE upstreams SET account_url = ?2 "
	    "WHERE id = ?1 AND account_url IS NULL",
	[STMT_MCHALLS_USABLE] =
	    "SELECT id, name, type, solver, hook, server, port, tsig_key, zone, "
	    "webroot, propagation_wait, propagation_check FROM managed_challenges m "
	    "WHERE status = 'active' AND (NOT EXISTS (SELECT 1 FROM "
	    "eab_key_challenges WHERE eab_key_id = ?1) OR id IN (SELECT "
	    "managed_challenge_id FROM eab_key_challenges WHERE eab_key_id = ?1)) "
	    "ORDER BY name",
	[STMT_MCHALL_RULES] =
	    "SELECT rule FROM managed_challenge_rules "
	    "WHERE managed_challenge_id = ?1 ORDER BY rule",
	[STMT_UPSTREAM_ORDER_ADD] =
	    "INSERT INTO upstream_orders (order_id, upstream_id, csr, url, created) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_UPSTREAM_ORDER_GET] =
	    "SELECT order_id, upstream_id, csr, url, created FROM upstream_orders "
	    "WHERE order_id = ?1",
	[STMT_UPSTREAM_ORDER_SET_URL] =
	    "UPDATE upstream_orders SET url = ?2 WHERE order_id = ?1",
	[STMT_CERT_BY_ID] =
	    "SELECT " CERT_COLS " WHERE id = ?1",
	[STMT_CERT_REVOKE] =
	    "UPDATE certificates SET status = 'revoked', revoked = ?2, reason = ?3 "
	    "WHERE id = ?1 AND status = 'valid'",
	[STMT_KEY_FILES] =
	    "SELECT 'CA ' || name, issuing_key FROM cas WHERE status = 'active' "
	    "AND issuing_key NOT LIKE 'pkcs11:%' UNION ALL "
	    "SELECT 'upstream ' || name, account_key FROM upstreams "
	    "WHERE status = 'active' AND account_key NOT LIKE 'pkcs11:%' ORDER BY 1",
};

struct db {
	sqlite3		*conn;
	sqlite3_stmt	*stmt[STMT__MAX];
	int		 in_txn;
};

static const char *const endpoint_status_names[EP__MAX] = {
	"active", "deactivated"
};
static const char *const order_status_names[ORDER__MAX] = {
	"pending", "ready", "processing", "valid", "invalid"
};
static const char *const authz_status_names[AUTHZ__MAX] = {
	"pending", "valid", "invalid", "deactivated", "expired", "revoked"
};
static const char *const eab_status_names[EAB__MAX] = {
	"active", "revoked"
};
static const char *const account_status_names[ACCT__MAX] = {
	"valid", "deactivated", "revoked"
};
static const char *const job_kind_names[JOB_KIND__MAX] = {
	"upstream_order", "upstream_revoke"
};
static const char *const job_state_names[JOB_STATE__MAX] = {
	"queued", "running", "done", "failed"
};

/* Index of s in names, or -1. */
static int
status_index(const char *const *names, int n, const unsigned char *s)
{
	for (int i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], (const char *)s) == 0)
			return i;
	return -1;
}

const char *
account_status_name(enum account_status s)
{
	return s < ACCT__MAX ? account_status_names[s] : "invalid";
}

int
db_schema_version(void)
{
	return db_schema_latest;
}

/* The prepared, reset statement s, or NULL (logged). */
static sqlite3_stmt *
stmt(struct db *db, enum stmt s)
{
	if (db->stmt[s] == NULL) {
		if (sqlite3_prepare_v3(db->conn, stmt_sql[s], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->stmt[s], NULL) != SQLITE_OK) {
			log_err("db: prepare statement %d: %s", (int)s,
			    sqlite3_errmsg(db->conn));
			return NULL;
		}
		return db->stmt[s];
	}
	sqlite3_reset(db->stmt[s]);
	sqlite3_clear_bindings(db->stmt[s]);
	return db->stmt[s];
}

/*
 * Steps a statement that returns no row: SQLITE_DONE; SQLITE_CONSTRAINT
 * when a UNIQUE or PRIMARY KEY constraint says the row already exists
 * (callers answer DB_CONFLICT); any other code, logged, for every other
 * failure, including triggers and foreign keys, which are errors.
 */
static int
step_done(struct db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st), xrc;

	xrc = sqlite3_extended_errcode(db->conn);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return SQLITE_DONE;
	}
	if (xrc == SQLITE_CONSTRAINT_UNIQUE || xrc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		sqlite3_reset(st);
		return SQLITE_CONSTRAINT;
	}
	log_err("%s: sqlite3_step: %s", what, sqlite3_errmsg(db->conn));
	sqlite3_reset(st);
	return rc == SQLITE_CONSTRAINT ? SQLITE_ERROR : rc;
}

static int
exec(struct db *db, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(db->conn, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_err("%s: %s", what, msg != NULL ? msg : sqlite3_errmsg(db->conn));
		sqlite3_free(msg);
		return 0;
	}
	return 1;
}

static int
user_version(struct db *db)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if (sqlite3_prepare_v2(db->conn, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
set_user_version(struct db *db, int v)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
	return exec(db, sql, "db: set user_version");
}

/*
 * Lays down the schema of a new database or migrates an old one.  Runs under
 * BEGIN IMMEDIATE and re-reads the version inside, so that processes starting
 * together do the work once.
 */
static int
db_migrate(struct db *db, char *err, size_t errlen)
{
	int v;

	if ((v = user_version(db)) == db_schema_latest)
		return 1;
	if (!db_begin(db)) {
		snprintf(err, errlen, "cannot lock the database to create its schema");
		return 0;
	}
	if ((v = user_version(db)) < 0)
		goto fail;
	if (v > db_schema_latest) {
		snprintf(err, errlen, "database schema version %d is newer than "
		    "this program's (%d)", v, db_schema_latest);
		db_rollback(db);
		return 0;
	}
	if (v == 0) {
		if (!exec(db, db_schema_sql, "db: create schema") ||
		    !set_user_version(db, db_schema_latest))
			goto fail;
	} else
		for (const struct db_migration *m = db_migrations; m->version != 0; m++) {
			if (m->version <= v)
				continue;
			if (!exec(db, m->sql, "db: migrate") ||
			    !set_user_version(db, m->version))
				goto fail;
			log_info("db: migrated schema to version %d", m->version);
		}
	if (!db_commit(db))
		goto fail;
	return 1;
fail:
	db_rollback(db);
	snprintf(err, errlen, "creating or migrating the schema failed: %s",
	    sqlite3_errmsg(db->conn));
	return 0;
}

struct db *
db_open(const char *path, unsigned busy_timeout_ms, int create, char *err,
    size_t errlen)
{
	struct db	*db;
	struct stat	 sb;
	int		 fd, flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	if ((db = calloc(1, sizeof(*db))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* Create the file ourselves, so that it is never readable by others. */
	if (create && (fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) >= 0)
		close(fd);
	if (stat(path, &sb) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (sb.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(err, errlen, "%s is readable or writable by others; "
		    "run chmod o-rwx on it", path);
		goto fail;
	}
	if (sqlite3_open_v2(path, &db->conn, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db->conn != NULL ?
		    sqlite3_errmsg(db->conn) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(db->conn, (int)busy_timeout_ms);
	sqlite3_extended_result_codes(db->conn, 1);
	if (!exec(db, "PRAGMA journal_mode = WAL", "db: journal_mode") ||
	    !exec(db, "PRAGMA synchronous = FULL", "db: synchronous") ||
	    !exec(db, "PRAGMA foreign_keys = ON", "db: foreign_keys")) {
		snprintf(err, errlen, "%s: cannot set up the connection: %s", path,
		    sqlite3_errmsg(db->conn));
		goto fail;
	}
	if (!db_migrate(db, err, errlen))
		goto fail;
	return db;
fail:
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	for (int i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(db->stmt[i]);
	sqlite3_close(db->conn);
	free(db);
}

int
db_begin(struct db *db)
{
	if (!exec(db, "BEGIN IMMEDIATE", "db_begin"))
		return 0;
	db->in_txn = 1;
	return 1;
}

int
db_commit(struct db *db)
{
	if (!exec(db, "COMMIT", "db_commit")) {
		db_rollback(db);
		return 0;
	}
	db->in_txn = 0;
	return 1;
}

int
db_savepoint(struct db *db)
{
	return exec(db, "SAVEPOINT request", "db_savepoint");
}

int
db_rollback_savepoint(struct db *db)
{
	return exec(db, "ROLLBACK TO request", "db_rollback_savepoint") &&
	    exec(db, "RELEASE request", "db_rollback_savepoint");
}

void
db_rollback(struct db *db)
{
	if (db->in_txn || !sqlite3_get_autocommit(db->conn))
		exec(db, "ROLLBACK", "db_rollback");
	db->in_txn = 0;
}

enum db_rc
db_secret_get(struct db *db, const char *name, uint8_t *buf, size_t len)
{
	sqlite3_stmt	*st;
	enum db_rc	 rc = DB_ERROR;
	int		 r;

	if ((st = stmt(db, STMT_SECRET_GET)) == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if ((size_t)sqlite3_column_bytes(st, 0) == len) {
			memcpy(buf, sqlite3_column_blob(st, 0), len);
			rc = DB_OK;
		} else
			log_err("db_secret_get: %s has the wrong length", name);
	} else if (r == SQLITE_DONE)
		rc = DB_NOTFOUND;
	else
		log_err("db_secret_get: %s", sqlite3_errmsg(db->conn));
	sqlite3_reset(st);
	return rc;
}

enum db_rc
db_secret_init(struct db *db, const char *name, uint8_t *buf, size_t len)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_SECRET_INIT)) == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, buf, (int)len, SQLITE_STATIC);
	if (step_done(db, st, "db_secret_init") != SQLITE_DONE)
		return DB_ERROR;
	return db_secret_get(db, name, buf, len);
}

enum db_rc
db_nonce_consume(struct db *db, const uint8_t *id, size_t len, int64_t expires)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_NONCE_CONSUME)) == NULL)
		return DB_ERROR;
	sqlite3_bind_blob(st, 1, id, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, expires);
	switch (step_done(db, st, "db_nonce_consume")) {
	case SQLITE_DONE:
		return DB_OK;
	case SQLITE_CONSTRAINT:
		return DB_CONFLICT;
	default:
		return DB_ERROR;
	}
}

int
db_nonce_prune(struct db *db, int64_t now)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_NONCE_PRUNE)) == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, now);
	return step_done(db, st, "db_nonce_prune") == SQLITE_DONE;
}

/* Copies a text column into a fixed buffer of size n. */
static void
col_copy(sqlite3_stmt *st, int col, char *buf, size_t n)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	snprintf(buf, n, "%s", s != NULL ? (const char *)s : "");
}

/* strdup of a text column ("" for NULL); NULL only when out of memory. */
static char *
col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return strdup(s != NULL ? (const char *)s : "");
}

/* Runs a single-row lookup; fill() copies the row.  */
static enum db_rc
lookup(struct db *db, sqlite3_stmt *st, const char *what,
    int (*fill)(sqlite3_stmt *, void *), void *out)
{
	enum db_rc	rc = DB_ERROR;
	int		r = sqlite3_step(st);

	if (r == SQLITE_ROW)
		rc = fill(st, out) ? DB_OK : DB_ERROR;
	else if (r == SQLITE_DONE)
		rc = DB_NOTFOUND;
	else
		log_err("%s: %s", what, sqlite3_errmsg(db->conn));
	sqlite3_reset(st);
	return rc;
}

/*
 * A single-row lookup by one key bound as ?1: the text key, or id when key
 * is NULL.  out (size bytes) is zeroed first.  Every fill function leaves
 * nothing allocated when it fails, so out needs freeing only on DB_OK.
 */
static enum db_rc
lookup_by(struct db *db, enum stmt s, const char *what, const char *key,
    int64_t id, int (*fill)(sqlite3_stmt *, void *), void *out, size_t size)
{
	sqlite3_stmt *st;

	memset(out, 0, size);
	if ((st = stmt(db, s)) == NULL)
		return DB_ERROR;
	if (key != NULL)
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	return lookup(db, st, what, fill, out);
}

/* Binds an int64 that means "none" when zero as NULL. */
static void
bind_opt_int64(sqlite3_stmt *st, int col, int64_t v)
{
	if (v != 0)
		sqlite3_bind_int64(st, col, v);
	else
		sqlite3_bind_null(st, col);
}

/* Runs an INSERT; sets *id to the new row.  DB_CONFLICT on a uniqueness clash. */
static enum db_rc
insert(struct db *db, sqlite3_stmt *st, const char *what, int64_t *id)
{
	switch (step_done(db, st, what)) {
	case SQLITE_DONE:
		*id = sqlite3_last_insert_rowid(db->conn);
		return DB_OK;
	case SQLITE_CONSTRAINT:
		return DB_CONFLICT;
	default:
		return DB_ERROR;
	}
}

static int
fill_endpoint(sqlite3_stmt *st, void *arg)
{
	struct db_endpoint *e = arg;

	e->id = sqlite3_column_int64(st, 0);
	col_copy(st, 1, e->name, sizeof(e->name));
	e->eab_required = sqlite3_column_int(st, 2);
	e->status = (enum endpoint_status)status_index(endpoint_status_names,
	    EP__MAX, sqlite3_column_text(st, 3));
	return (int)e->status >= 0;
}

enum db_rc
db_endpoint_get(struct db *db, const char *name, struct db_endpoint *out)
{
	return lookup_by(db, STMT_ENDPOINT_GET, "db_endpoint_get", name, 0, fill_endpoint, out,
	    sizeof(*out));
}

static int
fill_eab(sqlite3_stmt *st, void *arg)
{
	struct db_eab *e = arg;

	e->id = sqlite3_column_int64(st, 0);
	col_copy(st, 1, e->kid, sizeof(e->kid));
	e->endpoint_id = sqlite3_column_int64(st, 2);
	e->hmac = col_dup(st, 3);
	e->reusable = sqlite3_column_int(st, 4);
	e->status = (enum eab_status)status_index(eab_status_names, EAB__MAX,
	    sqlite3_column_text(st, 5));
	e->accounts = sqlite3_column_int64(st, 6);
	if (e->hmac == NULL || (int)e->status < 0) {
		db_eab_free(e);
		return 0;
	}
	return 1;
}

enum db_rc
db_eab_get(struct db *db, const char *kid, struct db_eab *out)
{
	return lookup_by(db, STMT_EAB_GET, "db_eab_get", kid, 0, fill_eab, out,
	    sizeof(*out));
}

void
db_eab_free(struct db_eab *e)
{
	if (e->hmac != NULL) {
		/* The MAC key does not linger in freed memory. */
		memset(e->hmac, 0, strlen(e->hmac));
		free(e->hmac);
	}
	memset(e, 0, sizeof(*e));
}

static int
fill_account(sqlite3_stmt *st, void *arg)
{
	struct db_account *a = arg;

	a->id = sqlite3_column_int64(st, 0);
	col_copy(st, 1, a->uid, sizeof(a->uid));
	a->endpoint_id = sqlite3_column_int64(st, 2);
	a->eab_key_id = sqlite3_column_int64(st, 3);
	a->jwk = col_dup(st, 4);
	a->thumbprint = col_dup(st, 5);
	a->contact = col_dup(st, 6);
	a->tos_agreed = sqlite3_column_int(st, 7);
	a->status = (enum account_status)status_index(account_status_names,
	    ACCT__MAX, sqlite3_column_text(st, 8));
	a->created = sqlite3_column_int64(st, 9);
	if (a->jwk == NULL || a->thumbprint == NULL || a->contact == NULL ||
	    (int)a->status < 0) {
		db_account_free(a);
		return 0;
	}
	return 1;
}

enum db_rc
db_account_by_uid(struct db *db, const char *uid, struct db_account *out)
{
	return lookup_by(db, STMT_ACCOUNT_BY_UID, "db_account_by_uid", uid, 0, fill_account, out,
	    sizeof(*out));
}

enum db_rc
db_account_by_id(struct db *db, int64_t id, struct db_account *out)
{
	return lookup_by(db, STMT_ACCOUNT_BY_ID, "db_account_by_id", NULL, id,
	    fill_account, out, sizeof(*out));
}

enum db_rc
db_account_by_key(struct db *db, int64_t endpoint_id, const char *thumbprint,
    struct db_account *out)
{
	sqlite3_stmt *st;

	memset(out, 0, sizeof(*out));
	if ((st = stmt(db, STMT_ACCOUNT_BY_KEY)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, endpoint_id);
	sqlite3_bind_text(st, 2, thumbprint, -1, SQLITE_STATIC);
	return lookup(db, st, "db_account_by_key", fill_account, out);
}

enum db_rc
db_account_insert(struct db *db, struct db_account *a)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_ACCOUNT_INSERT)) == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, a->uid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, a->endpoint_id);
	if (a->eab_key_id != 0)
		sqlite3_bind_int64(st, 3, a->eab_key_id);
	sqlite3_bind_text(st, 4, a->jwk, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->thumbprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->contact, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, a->tos_agreed);
	sqlite3_bind_text(st, 8, account_status_name(a->status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, a->created);
	return insert(db, st, "db_account_insert", &a->id);
}

enum db_rc
db_account_update(struct db *db, const struct db_account *a)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_ACCOUNT_UPDATE)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, a->id);
	sqlite3_bind_text(st, 2, a->contact, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, a->tos_agreed);
	sqlite3_bind_text(st, 4, account_status_name(a->status), -1, SQLITE_STATIC);
	return step_done(db, st, "db_account_update") == SQLITE_DONE ? DB_OK : DB_ERROR;
}

void
db_account_free(struct db_account *a)
{
	free(a->jwk);
	free(a->thumbprint);
	free(a->contact);
	memset(a, 0, sizeof(*a));
}

const char *
order_status_name(enum order_status s)
{
	return (unsigned)s < ORDER__MAX ? order_status_names[s] : "invalid";
}

const char *
authz_status_name(enum authz_status s)
{
	return (unsigned)s < AUTHZ__MAX ? authz_status_names[s] : "invalid";
}

static int
fill_ca(sqlite3_stmt *st, void *arg)
{
	struct db_ca *c = arg;

	c->id = sqlite3_column_int64(st, 0);
	col_copy(st, 1, c->name, sizeof(c->name));
	c->issuing_pem = col_dup(st, 2);
	c->root_pem = col_dup(st, 3);
	c->issuing_key = col_dup(st, 4);
	c->active = strcmp((const char *)sqlite3_column_text(st, 5), "active") == 0;
	if (c->issuing_pem == NULL || c->root_pem == NULL || c->issuing_key == NULL) {
		db_ca_free(c);
		return 0;
	}
	return 1;
}

enum db_rc
db_ca_get(struct db *db, int64_t id, struct db_ca *out)
{
	return lookup_by(db, STMT_CA_GET, "db_ca_get", NULL, id, fill_ca, out,
	    sizeof(*out));
}

enum db_rc
db_ca_by_name(struct db *db, const char *name, struct db_ca *out)
{
	return lookup_by(db, STMT_CA_BY_NAME, "db_ca_by_name", name, 0, fill_ca, out,
	    sizeof(*out));
}

void
db_ca_free(struct db_ca *c)
{
	free(c->issuing_pem);
	free(c->root_pem);
	free(c->issuing_key);
	memset(c, 0, sizeof(*c));
}

static int
fill_policy(sqlite3_stmt *st, void *arg)
{
	struct db_policy *p = arg;

	p->application_id = sqlite3_column_int64(st, 0);
	p->template_id = sqlite3_column_int64(st, 1);
	p->ca_id = sqlite3_column_int64(st, 2);
	col_copy(st, 3, p->tag, sizeof(p->tag));
	p->allow_wildcard = sqlite3_column_int(st, 4);
	col_copy(st, 5, p->key_types, sizeof(p->key_types));
	p->validity_days = (unsigned)sqlite3_column_int(st, 6);
	p->max_validity_days = (unsigned)sqlite3_column_int(st, 7);
	col_copy(st, 8, p->eku, sizeof(p->eku));
	p->ca_not_after = sqlite3_column_int64(st, 9);
	p->upstream_id = sqlite3_column_int64(st, 10);
	return 1;
}

/* Appends a copy of s to the NULL-terminated list *v of *n strings. */
static int
list_add(char ***v, size_t *n, const unsigned char *s)
{
	char **nv;

	if ((nv = realloc(*v, (*n + 2) * sizeof(*nv))) == NULL)
		return 0;
	*v = nv;
	if ((nv[*n] = strdup(s != NULL ? (const char *)s : "")) == NULL)
		return 0;
	nv[++*n] = NULL;
	return 1;
}

enum db_rc
db_policy_get(struct db *db, int64_t endpoint_id, struct db_policy *out)
{
	sqlite3_stmt	*st;
	enum db_rc	 rc;
	size_t		 ndns = 0, nip = 0;
	int		 r, ok = 1;

	memset(out, 0, sizeof(*out));
	if ((st = stmt(db, STMT_POLICY_GET)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, endpoint_id);
	if ((rc = lookup(db, st, "db_policy_get", fill_policy, out)) != DB_OK)
		return rc;
	if ((st = stmt(db, STMT_POLICY_RULES)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, out->template_id);
	while (ok && (r = sqlite3_step(st)) == SQLITE_ROW) {
		if (strcmp((const char *)sqlite3_column_text(st, 0), "ip") == 0)
			ok = list_add(&out->ip_rules, &nip, sqlite3_column_text(st, 1));
		else
			ok = list_add(&out->dns_rules, &ndns, sqlite3_column_text(st, 1));
	}
	if (ok && r != SQLITE_DONE)
		log_err("db_policy_get: %s", sqlite3_errmsg(db->conn));
	sqlite3_reset(st);
	if (!ok || r != SQLITE_DONE) {
		db_policy_free(out);
		return DB_ERROR;
	}
	return DB_OK;
}

static void
strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void
db_policy_free(struct db_policy *p)
{
	strv_free(p->dns_rules);
	strv_free(p->ip_rules);
	memset(p, 0, sizeof(*p));
}

enum db_rc
db_order_insert(struct db *db, struct db_order *o)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_ORDER_INSERT)) == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, o->uid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, o->account_id);
	sqlite3_bind_text(st, 3, order_status_name(o->status), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, o->identifiers, -1, SQLITE_STATIC);
	bind_opt_int64(st, 5, o->not_before);
	bind_opt_int64(st, 6, o->not_after);
	sqlite3_bind_int64(st, 7, o->expires);
	if (o->error != NULL)
		sqlite3_bind_text(st, 8, o->error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, o->created);
	return insert(db, st, "db_order_insert", &o->id);
}

static int
fill_order(sqlite3_stmt *st, void *arg)
{
	struct db_order *o = arg;

	o->id = sqlite3_column_int64(st, 0);
	col_copy(st, 1, o->uid, sizeof(o->uid));
	o->account_id = sqlite3_column_int64(st, 2);
	o->status = (enum order_status)status_index(order_status_names,
	    ORDER__MAX, sqlite3_column_text(st, 3));
	o->identifiers = col_dup(st, 4);
	o->not_before = sqlite3_column_int64(st, 5);
	o->not_after = sqlite3_column_int64(st, 6);
	o->expires = sqlite3_column_int64(st, 7);
	if (sqlite3_column_type(st, 8) != SQLITE_NULL)
		o->error = col_dup(st, 8);
	o->created = sqlite3_column_int64(st, 9);
	col_copy(st, 10, o->cert_uid, sizeof(o->cert_uid));
	if (o->identifiers == NULL || (int)o->status < 0 ||
	    (sqlite3_column_type(st, 8) != SQLITE_NULL && o->error == NULL)) {
		db_order_free(o);
		return 0;
	}
	return 1;
}

enum db_rc
db_order_by_uid(struct db *db, const char *uid, struct db_order *out)
{
	return lookup_by(db, STMT_ORDER_BY_UID, "db_order_by_uid", uid, 0, fill_order, out,
	    sizeof(*out));
}

enum db_rc
db_order_by_id(struct db *db, int64_t id, struct db_order *out)
{
	return lookup_by(db, STMT_ORDER_BY_ID, "db_order_by_id", NULL, id, fill_order,
	    out, sizeof(*out));
}

enum db_rc
db_order_set_status(struct db *db, int64_t id, enum order_status from,
    enum order_status to, const char *error)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_ORDER_SET_STATUS)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, order_status_name(from), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, order_status_name(to), -1, SQLITE_STATIC);
	if (error != NULL)
		sqlite3_bind_text(st, 4, error, -1, SQLITE_STATIC);
	if (step_done(db, st, "db_order_set_status") != SQLITE_DONE)
		return DB_ERROR;
	return sqlite3_changes(db->conn) == 1 ? DB_OK : DB_NOTFOUND;
}

enum db_rc
db_account_orders(struct db *db, int64_t account_id, int64_t after, size_t max,
    char (*uids)[DB_UID_MAX + 1], size_t *n, int64_t *next)
{
	sqlite3_stmt	*st;
	int64_t		 last = 0;
	int		 r;

	*n = 0;
	*next = 0;
	if ((st = stmt(db, STMT_ACCOUNT_ORDERS)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, after);
	/* One more than asked for tells whether there is a next page. */
	sqlite3_bind_int64(st, 3, (int64_t)max + 1);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == max) {
			*next = last;
			continue;
		}
		last = sqlite3_column_int64(st, 0);
		col_copy(st, 1, uids[(*n)++], DB_UID_MAX + 1);
	}
	if (r != SQLITE_DONE)
		log_err("db_account_orders: %s", sqlite3_errmsg(db->conn));
	sqlite3_reset(st);
	return r == SQLITE_DONE ? DB_OK : DB_ERROR;
}

enum db_rc
db_account_unfinished_orders(struct db *db, int64_t account_id, int64_t now,
    int64_t *n, int64_t *soonest)
{
	sqlite3_stmt	*st;
	int		 r;

	*n = 0;
	*soonest = 0;
	if ((st = stmt(db, STMT_ACCOUNT_UNFINISHED)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, now);
	if ((r = sqlite3_step(st)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		*soonest = sqlite3_column_int64(st, 1);	/* NULL: 0 */
	} else
		log_err("db_account_unfinished_orders: %s",
		    sqlite3_errmsg(db->conn));
	sqlite3_reset(st);
	return r == SQLITE_ROW ? DB_OK : DB_ERROR;
}

void
db_order_free(struct db_order *o)
{
	free(o->identifiers);
	free(o->error);
	memset(o, 0, sizeof(*o));
}

enum db_rc
db_authz_insert(struct db *db, struct db_authz *a)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_AUTHZ_INSERT)) == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, a->uid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, a->order_id);
	sqlite3_bind_text(st, 3, a->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->value, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, a->wildcard);
	sqlite3_bind_text(st, 6, authz_status_name(a->status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, a->expires);
	sqlite3_bind_int64(st, 8, a->created);
	return insert(db, st, "db_authz_insert", &a->id);
}

static int
fill_authz(sqlite3_stmt *st, void *arg)
{
	struct db_authz *a = arg;

	a->id = sqlite3_column_int64(st, 0);
	col_copy(st, 1, a->uid, sizeof(a->uid));
	a->order_id = sqlite3_column_int64(st, 2);
	a->account_id = sqlite3_column_int64(st, 3);
	col_copy(st, 4, a->type, sizeof(a->type));
	col_copy(st, 5, a->value, sizeof(a->value));
	a->wildcard = sqlite3_column_int(st, 6);
	a->status = (enum authz_status)status_index(authz_status_names,
	    AUTHZ__MAX, sqlite3_column_text(st, 7));
	a->expires = sqlite3_column_int64(st, 8);
	a->created = sqlite3_column_int64(st, 9);
	return (int)a->status >= 0;
}

enum db_rc
db_authz_by_uid(struct db *db, const char *uid, struct db_authz *out)
{
	return lookup_by(db, STMT_AUTHZ_BY_UID, "db_authz_by_uid", uid, 0, fill_authz, out,
	    sizeof(*out));
}

enum db_rc
db_order_authzs(struct db *db, int64_t order_id, struct db_authz *out,
    size_t max, size_t *n)
{
	sqlite3_stmt	*st;
	int		 r;

	*n = 0;
	if ((st = stmt(db, STMT_ORDER_AUTHZS)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, order_id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		if (!fill_authz(st, &out[(*n)++]))
			break;
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		log_err("db_order_authzs: %s", sqlite3_errmsg(db->conn));
	sqlite3_reset(st);
	return r == SQLITE_DONE ? DB_OK : DB_ERROR;
}

enum db_rc
db_authz_set_status(struct db *db, int64_t id, enum authz_status s)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_AUTHZ_SET_STATUS)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, authz_status_name(s), -1, SQLITE_STATIC);
	return step_done(db, st, "db_authz_set_status") == SQLITE_DONE ?
	    DB_OK : DB_ERROR;
}

enum db_rc
db_cert_insert(struct db *db, struct db_cert *c)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_CERT_INSERT)) == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, c->uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, c->order_id);
	sqlite3_bind_int64(st, 4, c->account_id);
	sqlite3_bind_int64(st, 5, c->endpoint_id);
	bind_opt_int64(st, 6, c->application_id);
	bind_opt_int64(st, 7, c->template_id);
	if (c->tag[0] != '\0')
		sqlite3_bind_text(st, 8, c->tag, -1, SQLITE_STATIC);
	bind_opt_int64(st, 9, c->ca_id);
	sqlite3_bind_text(st, 10, c->names, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, c->key_type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, c->not_before);
	sqlite3_bind_int64(st, 13, c->not_after);
	sqlite3_bind_text(st, 14, c->pem, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 15, c->created);
	bind_opt_int64(st, 16, c->upstream_id);
	if (c->chain != NULL)
		sqlite3_bind_text(st, 17, c->chain, -1, SQLITE_STATIC);
	return insert(db, st, "db_cert_insert", &c->id);
}

static int
fill_cert(sqlite3_stmt *st, void *arg)
{
	struct db_cert *c = arg;

	c->id = sqlite3_column_int64(st, 0);
	col_copy(st, 1, c->uid, sizeof(c->uid));
	col_copy(st, 2, c->serial, sizeof(c->serial));
	c->order_id = sqlite3_column_int64(st, 3);
	c->account_id = sqlite3_column_int64(st, 4);
	c->endpoint_id = sqlite3_column_int64(st, 5);
	c->application_id = sqlite3_column_int64(st, 6);
	c->template_id = sqlite3_column_int64(st, 7);
	col_copy(st, 8, c->tag, sizeof(c->tag));
	c->ca_id = sqlite3_column_int64(st, 9);
	c->upstream_id = sqlite3_column_int64(st, 10);
	c->names = col_dup(st, 11);
	col_copy(st, 12, c->key_type, sizeof(c->key_type));
	c->not_before = sqlite3_column_int64(st, 13);
	c->not_after = sqlite3_column_int64(st, 14);
	c->pem = col_dup(st, 15);
	if (sqlite3_column_type(st, 16) != SQLITE_NULL)
		c->chain = col_dup(st, 16);
	c->revoked = strcmp((const char *)sqlite3_column_text(st, 17), "revoked") == 0;
	c->created = sqlite3_column_int64(st, 18);
	c->revoked_at = sqlite3_column_int64(st, 19);
	c->reason = sqlite3_column_type(st, 20) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(st, 20);
	if (c->names == NULL || c->pem == NULL ||
	    (sqlite3_column_type(st, 16) != SQLITE_NULL && c->chain == NULL)) {
		db_cert_free(c);
		return 0;
	}
	return 1;
}

enum db_rc
db_cert_by_uid(struct db *db, const char *uid, struct db_cert *out)
{
	return lookup_by(db, STMT_CERT_BY_UID, "db_cert_by_uid", uid, 0, fill_cert, out,
	    sizeof(*out));
}

enum db_rc
db_certs_by_serial(struct db *db, int64_t endpoint_id, const char *serial,
    struct db_cert *out, size_t max, size_t *n)
{
	sqlite3_stmt	*st;
	int		 r = SQLITE_DONE;

	*n = 0;
	if ((st = stmt(db, STMT_CERTS_BY_SERIAL)) == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, endpoint_id);
	sqlite3_bind_int64(st, 3, (int64_t)max);
	while (*n < max && (r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&out[*n], 0, sizeof(out[*n]));
		if (!fill_cert(st, &out[*n])) {
			log_err("db_certs_by_serial: out of memory");
			break;
		}
		(*n)++;
	}
	if (*n < max && r != SQLITE_DONE) {
		if (r != SQLITE_ROW)
			log_err("db_certs_by_serial: %s", sqlite3_errmsg(db->conn));
		sqlite3_reset(st);
		while (*n > 0)
			db_cert_free(&out[--*n]);
		return DB_ERROR;
	}
	sqlite3_reset(st);
	return *n > 0 ? DB_OK : DB_NOTFOUND;
}

struct renewal_info_row {
	char	*json;
	int64_t	 until;
};

static int
fill_renewal_info(sqlite3_stmt *st, void *arg)
{
	struct renewal_info_row *ri = arg;

	ri->until = sqlite3_column_int64(st, 1);
	return (ri->json = col_dup(st, 0)) != NULL;
}

enum db_rc
db_cert_renewal_info(struct db *db, int64_t id, char **json, int64_t *until)
{
	struct renewal_info_row	ri;
	enum db_rc		rc;

	rc = lookup_by(db, STMT_CERT_RENEWAL_INFO, "db_cert_renewal_info", NULL, id,
	    fill_renewal_info, &ri, sizeof(ri));
	*json = rc == DB_OK ? ri.json : NULL;
	*until = rc == DB_OK ? ri.until : 0;
	return rc;
}

enum db_rc
db_cert_set_renewal_info(struct db *db, int64_t id, const char *json,
    int64_t until)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_CERT_SET_RENEWAL_INFO)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, until);
	if (step_done(db, st, "db_cert_set_renewal_info") != SQLITE_DONE)
		return DB_ERROR;
	return sqlite3_changes(db->conn) > 0 ? DB_OK : DB_NOTFOUND;
}

enum db_rc
db_cert_by_id(struct db *db, int64_t id, struct db_cert *out)
{
	return lookup_by(db, STMT_CERT_BY_ID, "db_cert_by_id", NULL, id, fill_cert,
	    out, sizeof(*out));
}

enum db_rc
db_cert_revoke(struct db *db, int64_t id, int64_t now, int reason)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_CERT_REVOKE)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	if (reason >= 0)
		sqlite3_bind_int(st, 3, reason);
	if (step_done(db, st, "db_cert_revoke") != SQLITE_DONE)
		return DB_ERROR;
	return sqlite3_changes(db->conn) > 0 ? DB_OK : DB_NOTFOUND;
}

void
db_cert_free(struct db_cert *c)
{
	free(c->names);
	free(c->pem);
	free(c->chain);
	memset(c, 0, sizeof(*c));
}

const char *
job_kind_name(enum job_kind k)
{
	return k < JOB_KIND__MAX ? job_kind_names[k] : "invalid";
}

const char *
job_state_name(enum job_state s)
{
	return s < JOB_STATE__MAX ? job_state_names[s] : "invalid";
}

/*
 * Binds error, cut to DB_JOB_ERROR_MAX bytes at a UTF-8 character
 * boundary, so that a chatty upstream cannot grow the row without bound.
 */
static void
bind_job_error(sqlite3_stmt *st, int col, const char *error)
{
	size_t len;

	if (error == NULL) {
		sqlite3_bind_null(st, col);
		return;
	}
	if ((len = strlen(error)) > DB_JOB_ERROR_MAX) {
		len = DB_JOB_ERROR_MAX;
		while (len > 0 && ((unsigned char)error[len] & 0xc0) == 0x80)
			len--;
	}
	sqlite3_bind_text(st, col, error, (int)len, SQLITE_STATIC);
}

static int
fill_job(sqlite3_stmt *st, void *arg)
{
	struct db_job	*j = arg;
	int		 kind, state;

	j->id = sqlite3_column_int64(st, 0);
	kind = status_index(job_kind_names, JOB_KIND__MAX,
	    sqlite3_column_text(st, 1));
	j->ref_id = sqlite3_column_int64(st, 2);
	state = status_index(job_state_names, JOB_STATE__MAX,
	    sqlite3_column_text(st, 3));
	j->attempts = sqlite3_column_int(st, 4);
	j->max_attempts = sqlite3_column_int(st, 5);
	j->next_run = sqlite3_column_int64(st, 6);
	col_copy(st, 7, j->lease_owner, sizeof(j->lease_owner));
	j->lease_until = sqlite3_column_int64(st, 8);
	j->deadline = sqlite3_column_int64(st, 9);
	if (sqlite3_column_type(st, 10) != SQLITE_NULL)
		j->last_error = col_dup(st, 10);
	j->created = sqlite3_column_int64(st, 11);
	j->updated = sqlite3_column_int64(st, 12);
	if (kind < 0 || state < 0 ||
	    (sqlite3_column_type(st, 10) != SQLITE_NULL && j->last_error == NULL)) {
		db_job_free(j);
		return 0;
	}
	j->kind = (enum job_kind)kind;
	j->state = (enum job_state)state;
	return 1;
}

enum db_rc
db_job_add(struct db *db, enum job_kind kind, int64_t ref_id, int max_attempts,
    int64_t deadline, int64_t now, int64_t *id)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_JOB_ADD)) == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, job_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ref_id);
	sqlite3_bind_int(st, 3, max_attempts);
	sqlite3_bind_int64(st, 4, deadline);
	sqlite3_bind_int64(st, 5, now);
	return insert(db, st, "db_job_add", id);
}

enum db_rc
db_job_claim(struct db *db, const char *owner, int64_t now, int lease_seconds,
    struct db_job *out)
{
	sqlite3_stmt *st;

	memset(out, 0, sizeof(*out));
	if ((st = stmt(db, STMT_JOB_CLAIM)) == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int(st, 3, lease_seconds);
	/* RETURNING: the row comes back as soon as it is written. */
	return lookup(db, st, "db_job_claim", fill_job, out);
}

/* Steps an update of one held job: DB_OK, or DB_NOTFOUND if not held. */
static enum db_rc
job_update(struct db *db, sqlite3_stmt *st, const char *what)
{
	if (step_done(db, st, what) != SQLITE_DONE)
		return DB_ERROR;
	return sqlite3_changes(db->conn) == 1 ? DB_OK : DB_NOTFOUND;
}

enum db_rc
db_job_renew(struct db *db, int64_t id, const char *owner, int64_t now,
    int lease_seconds)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_JOB_RENEW)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int(st, 4, lease_seconds);
	return job_update(db, st, "db_job_renew");
}

enum db_rc
db_job_done(struct db *db, int64_t id, const char *owner, int64_t now)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_JOB_DONE)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return job_update(db, st, "db_job_done");
}

enum db_rc
db_job_retry(struct db *db, int64_t id, const char *owner, int64_t next_run,
    const char *error, int64_t now)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_JOB_RETRY)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, next_run);
	bind_job_error(st, 4, error);
	sqlite3_bind_int64(st, 5, now);
	return job_update(db, st, "db_job_retry");
}

enum db_rc
db_job_fail(struct db *db, int64_t id, const char *owner, const char *error,
    int64_t now)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_JOB_FAIL)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
	bind_job_error(st, 3, error);
	sqlite3_bind_int64(st, 4, now);
	return job_update(db, st, "db_job_fail");
}

enum db_rc
db_job_get(struct db *db, int64_t id, struct db_job *out)
{
	return lookup_by(db, STMT_JOB_GET, "db_job_get", NULL, id, fill_job, out,
	    sizeof(*out));
}

static int
fill_nothing(sqlite3_stmt *st, void *arg)
{
	(void)st;
	(void)arg;
	return 1;
}

/*
 * Reads the job rows st (bound) yields, at most max, into out; steps to the
 * end whatever max (an UPDATE ... RETURNING makes every change on its
 * first step, and every row it changed must be read).  Returns how many,
 * or -1 (out empty) if a step or a row failed.
 */
static int
jobs_read(struct db *db, sqlite3_stmt *st, const char *what, struct db_job *out,
    size_t max)
{
	size_t	n = 0;
	int	r, bad = 0;

	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (bad || n == max)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		if (!fill_job(st, &out[n])) {
			log_err("%s: a job row is unreadable", what);
			bad = 1;
			continue;
		}
		n++;
	}
	if (r != SQLITE_DONE)
		log_err("%s: %s", what, sqlite3_errmsg(db->conn));
	sqlite3_reset(st);
	if (r != SQLITE_DONE || bad) {
		while (n > 0)
			db_job_free(&out[--n]);
		return -1;
	}
	return (int)n;
}

int
db_jobs_running_on(struct db *db, const char *host, struct db_job *out, size_t max)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_JOBS_RUNNING_ON)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	return jobs_read(db, st, "db_jobs_running_on", out, max);
}

enum db_rc
db_job_release(struct db *db, int64_t id, const char *owner, int64_t now)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_JOB_RELEASE)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return job_update(db, st, "db_job_release");
}

enum db_rc
db_job_due(struct db *db, int64_t now)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_JOB_DUE)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, now);
	return lookup(db, st, "db_job_due", fill_nothing, NULL);
}

int
db_jobs_failed_deadline(struct db *db, int64_t now, struct db_job *out, size_t max)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_JOBS_FAIL_DEADLINE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	/* A job failed but not handed back would leave its work as it is. */
	return jobs_read(db, st, "db_jobs_failed_deadline", out, max);
}

void
db_job_free(struct db_job *j)
{
	free(j->last_error);
	memset(j, 0, sizeof(*j));
}

/* --- managed ACME ------------------------------------------------------------ */

/* strdup of a text column, or NULL for NULL; sets *bad when out of memory. */
static char *
col_dup_opt(sqlite3_stmt *st, int col, int *bad)
{
	char *s;

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	if ((s = col_dup(st, col)) == NULL)
		*bad = 1;
	return s;
}

static int
fill_upstream(sqlite3_stmt *st, void *arg)
{
	struct db_upstream	*u = arg;
	int			 bad = 0;

	u->id = sqlite3_column_int64(st, 0);
	col_copy(st, 1, u->name, sizeof(u->name));
	u->directory = col_dup_opt(st, 2, &bad);
	u->eab_kid = col_dup_opt(st, 3, &bad);
	u->eab_hmac = col_dup_opt(st, 4, &bad);
	u->ca_bundle = col_dup_opt(st, 5, &bad);
	u->contact = col_dup_opt(st, 6, &bad);
	u->profile = col_dup_opt(st, 7, &bad);
	u->preferred_chain = col_dup_opt(st, 8, &bad);
	col_copy(st, 9, u->key_type, sizeof(u->key_type));
	u->account_key = col_dup_opt(st, 10, &bad);
	u->account_url = col_dup_opt(st, 11, &bad);
	u->active = strcmp((const char *)sqlite3_column_text(st, 12), "active") == 0;
	if (bad || u->directory == NULL || u->account_key == NULL) {
		db_upstream_free(u);
		return 0;
	}
	return 1;
}

enum db_rc
db_upstream_get(struct db *db, int64_t id, struct db_upstream *out)
{
	return lookup_by(db, STMT_UPSTREAM_GET, "db_upstream_get", NULL, id,
	    fill_upstream, out, sizeof(*out));
}

enum db_rc
db_upstream_set_account(struct db *db, int64_t id, const char *url)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_UPSTREAM_SET_ACCOUNT)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
	return step_done(db, st, "db_upstream_set_account") == SQLITE_DONE ?
	    DB_OK : DB_ERROR;
}

void
db_upstream_free(struct db_upstream *u)
{
	free(u->directory);
	free(u->eab_kid);
	if (u->eab_hmac != NULL) {
		memset(u->eab_hmac, 0, strlen(u->eab_hmac));
		free(u->eab_hmac);
	}
	free(u->ca_bundle);
	free(u->contact);
	free(u->profile);
	free(u->preferred_chain);
	free(u->account_key);
	free(u->account_url);
	memset(u, 0, sizeof(*u));
}

static void
mchall_free(struct db_mchall *m)
{
	free(m->hook);
	free(m->server);
	free(m->tsig_key);
	free(m->zone);
	free(m->webroot);
	strv_free(m->rules);
	memset(m, 0, sizeof(*m));
}

static int
fill_mchall(sqlite3_stmt *st, struct db_mchall *m)
{
	int bad = 0;

	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(st, 0);
	col_copy(st, 1, m->name, sizeof(m->name));
	col_copy(st, 2, m->type, sizeof(m->type));
	col_copy(st, 3, m->solver, sizeof(m->solver));
	m->hook = col_dup_opt(st, 4, &bad);
	m->server = col_dup_opt(st, 5, &bad);
	m->port = (unsigned)sqlite3_column_int(st, 6);
	m->tsig_key = col_dup_opt(st, 7, &bad);
	m->zone = col_dup_opt(st, 8, &bad);
	m->webroot = col_dup_opt(st, 9, &bad);
	m->propagation_wait = (unsigned)sqlite3_column_int(st, 10);
	m->propagation_check = sqlite3_column_int(st, 11);
	if (bad)
		mchall_free(m);
	return !bad;
}

/* The rules of managed challenge m. */
static int
mchall_rules(struct db *db, struct db_mchall *m)
{
	sqlite3_stmt	*st;
	size_t		 n = 0;
	int		 r, ok = 1;

	if ((st = stmt(db, STMT_MCHALL_RULES)) == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, m->id);
	while (ok && (r = sqlite3_step(st)) == SQLITE_ROW)
		ok = list_add(&m->rules, &n, sqlite3_column_text(st, 0));
	if (ok && r != SQLITE_DONE)
		log_err("db_mchalls_usable: %s", sqlite3_errmsg(db->conn));
	sqlite3_reset(st);
	return ok && r == SQLITE_DONE;
}

enum db_rc
db_mchalls_usable(struct db *db, int64_t eab_key_id, struct db_mchall **out,
    size_t *n)
{
	sqlite3_stmt	*st;
	struct db_mchall *v = NULL, *nv;
	size_t		 cnt = 0;
	int		 r, ok = 1;

	*out = NULL;
	*n = 0;
	if ((st = stmt(db, STMT_MCHALLS_USABLE)) == NULL)
		return DB_ERROR;
	bind_opt_int64(st, 1, eab_key_id);
	while (ok && (r = sqlite3_step(st)) == SQLITE_ROW) {
		if ((nv = reallocarray(v, cnt + 1, sizeof(*v))) == NULL) {
			ok = 0;
			break;
		}
		v = nv;
		if ((ok = fill_mchall(st, &v[cnt])))
			cnt++;
	}
	if (ok && r != SQLITE_DONE) {
		log_err("db_mchalls_usable: %s", sqlite3_errmsg(db->conn));
		ok = 0;
	}
	sqlite3_reset(st);
	/* The rules after the list: one statement steps at a time. */
	for (size_t i = 0; ok && i < cnt; i++)
		ok = mchall_rules(db, &v[i]);
	if (!ok) {
		db_mchalls_free(v, cnt);
		return DB_ERROR;
	}
	*out = v;
	*n = cnt;
	return DB_OK;
}

void
db_mchalls_free(struct db_mchall *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mchall_free(&v[i]);
	free(v);
}

enum db_rc
db_key_files(struct db *db, char ***owners, char ***files)
{
	sqlite3_stmt	*st;
	size_t		 no = 0, nf = 0;
	int		 r, ok = 1;

	*owners = *files = NULL;
	if ((st = stmt(db, STMT_KEY_FILES)) == NULL)
		return DB_ERROR;
	while (ok && (r = sqlite3_step(st)) == SQLITE_ROW)
		ok = list_add(owners, &no, sqlite3_column_text(st, 0)) &&
		    list_add(files, &nf, sqlite3_column_text(st, 1));
	if (ok && r != SQLITE_DONE)
		log_err("db_key_files: %s", sqlite3_errmsg(db->conn));
	sqlite3_reset(st);
	if (!ok || r != SQLITE_DONE) {
		db_strv_free(*owners);
		db_strv_free(*files);
		*owners = *files = NULL;
		return DB_ERROR;
	}
	/* None: empty lists, not NULL. */
	if ((*owners == NULL && (*owners = calloc(1, sizeof(char *))) == NULL) ||
	    (*files == NULL && (*files = calloc(1, sizeof(char *))) == NULL)) {
		db_strv_free(*owners);
		db_strv_free(*files);
		*owners = *files = NULL;
		return DB_ERROR;
	}
	return DB_OK;
}

void
db_strv_free(char **v)
{
	strv_free(v);
}

enum db_rc
db_upstream_order_add(struct db *db, const struct db_upstream_order *u)
{
	sqlite3_stmt	*st;
	int64_t		 id;

	if ((st = stmt(db, STMT_UPSTREAM_ORDER_ADD)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, u->order_id);
	sqlite3_bind_int64(st, 2, u->upstream_id);
	sqlite3_bind_blob(st, 3, u->csr, (int)u->csr_len, SQLITE_STATIC);
	if (u->url != NULL)
		sqlite3_bind_text(st, 4, u->url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, u->created);
	return insert(db, st, "db_upstream_order_add", &id);
}

static int
fill_upstream_order(sqlite3_stmt *st, void *arg)
{
	struct db_upstream_order	*u = arg;
	const void			*blob;
	int				 bad = 0;

	u->order_id = sqlite3_column_int64(st, 0);
	u->upstream_id = sqlite3_column_int64(st, 1);
	blob = sqlite3_column_blob(st, 2);
	u->csr_len = (size_t)sqlite3_column_bytes(st, 2);
	if (blob == NULL || u->csr_len == 0 || (u->csr = malloc(u->csr_len)) == NULL)
		bad = 1;
	else
		memcpy(u->csr, blob, u->csr_len);
	u->url = col_dup_opt(st, 3, &bad);
	u->created = sqlite3_column_int64(st, 4);
	if (bad) {
		db_upstream_order_free(u);
		return 0;
	}
	return 1;
}

enum db_rc
db_upstream_order_get(struct db *db, int64_t order_id, struct db_upstream_order *out)
{
	return lookup_by(db, STMT_UPSTREAM_ORDER_GET, "db_upstream_order_get", NULL,
	    order_id, fill_upstream_order, out, sizeof(*out));
}

enum db_rc
db_upstream_order_set_url(struct db *db, int64_t order_id, const char *url)
{
	sqlite3_stmt *st;

	if ((st = stmt(db, STMT_UPSTREAM_ORDER_SET_URL)) == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
	if (step_done(db, st, "db_upstream_order_set_url") != SQLITE_DONE)
		return DB_ERROR;
	return sqlite3_changes(db->conn) == 1 ? DB_OK : DB_NOTFOUND;
}

void
db_upstream_order_free(struct db_upstream_order *u)
{
	free(u->csr);
	free(u->url);
	memset(u, 0, sizeof(*u));
}
