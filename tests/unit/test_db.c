/*
 * test_db.c - the state store: creating and opening the database, the
 * schema's own guards, accounts, EAB keys and secrets.
 */
#include "autoconfig.h"

#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"
#include "fixture.h"
#include "ident.h"
#include "testutil.h"

#define tmpdir	fixture_dir
static char		 dbpath[FIXTURE_PATH_MAX];
static struct db	*db;
static unsigned		 dbcount;
static int64_t		 ep1, ep2, ep_dead;

/* Account fields the tests insert (db_account_insert copies them). */
static char	jwk1[] = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"x1\",\"y\":\"y1\"}";
static char	tp1[] = "thumbprint-1";
static char	tp2[] = "thumbprint-2";
static char	no_contact[] = "[]";
static char	contact[] = "[\"mailto:a@example.com\"]";

/* The path of a database file no test has used. */
static void
fresh_path(char *path, size_t len)
{
	char name[32];

	snprintf(name, sizeof(name), "db%u.db", dbcount++);
	assert_true(fixture_path(path, len, tmpdir, name));
}

static int64_t
endpoint_id(const char *name)
{
	struct db_endpoint e;

	if (db_endpoint_get(db, name, &e) != DB_OK)
		return -1;
	return e.id;
}

/* A fresh database with endpoints ep1 and ep2 (active), dead (deactivated). */
static int
db_setup(void **state)
{
	char err[256];

	(void)state;
	fresh_path(dbpath, sizeof(dbpath));
	if ((db = db_open(dbpath, 1000, 1, err, sizeof(err))) == NULL ||
	    !fixture_endpoint_add(dbpath, "ep1", 1, "active") ||
	    !fixture_endpoint_add(dbpath, "ep2", 0, "active") ||
	    !fixture_endpoint_add(dbpath, "dead", 1, "deactivated") ||
	    (ep1 = endpoint_id("ep1")) < 0 || (ep2 = endpoint_id("ep2")) < 0 ||
	    (ep_dead = endpoint_id("dead")) < 0)
		return -1;
	return 0;
}

static int
db_teardown(void **state)
{
	(void)state;
	db_close(db);
	db = NULL;
	return 0;
}

/* A new valid account on endpoint ep with thumbprint tp. */
static void
account(struct db_account *a, int64_t ep, char *tp)
{
	memset(a, 0, sizeof(*a));
	assert_true(ident_new(a->uid));
	a->endpoint_id = ep;
	a->jwk = jwk1;
	a->thumbprint = tp;
	a->contact = no_contact;
	a->status = ACCT_VALID;
	a->created = 1700000000;
}

static void
test_create_mode_and_version(void **state)
{
	struct db	*d;
	struct stat	 sb;
	char		 path[FIXTURE_PATH_MAX], err[256];

	(void)state;
	fresh_path(path, sizeof(path));
	assert_non_null(d = db_open(path, 1000, 1, err, sizeof(err)));
	db_close(d);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_true(db_schema_version() >= 1);
	assert_int_equal(fixture_user_version(path), db_schema_version());
}

static void
test_reopen_without_create(void **state)
{
	struct db	*d;
	char		 err[256];

	(void)state;
	db_close(db);
	db = NULL;
	assert_non_null(d = db_open(dbpath, 1000, 0, err, sizeof(err)));
	db = d;
	assert_true(endpoint_id("ep1") == ep1);
}

/* Opening with create keeps what an existing database holds. */
static void
test_create_keeps_existing(void **state)
{
	char err[256];

	(void)state;
	db_close(db);
	assert_non_null(db = db_open(dbpath, 1000, 1, err, sizeof(err)));
	assert_true(endpoint_id("ep1") == ep1);
}

static void
test_refuses_missing_without_create(void **state)
{
	struct db	*d;
	struct stat	 sb;
	char		 path[FIXTURE_PATH_MAX], err[256] = "";

	(void)state;
	fresh_path(path, sizeof(path));
	assert_null(d = db_open(path, 1000, 0, err, sizeof(err)));
	assert_contains(err, path);
	assert_contains(err, "No such file");
	assert_int_not_equal(stat(path, &sb), 0);
}

static void
test_refuses_world_readable(void **state)
{
	struct db	*d;
	char		 err[256] = "";

	(void)state;
	db_close(db);
	db = NULL;
	assert_int_equal(chmod(dbpath, 0644), 0);
	assert_null(d = db_open(dbpath, 1000, 0, err, sizeof(err)));
	assert_contains(err, "readable or writable by others");
	assert_null(d = db_open(dbpath, 1000, 1, err, sizeof(err)));
	/* Group access is the administrator's business. */
	assert_int_equal(chmod(dbpath, 0640), 0);
	assert_non_null(db = db_open(dbpath, 1000, 0, err, sizeof(err)));
}

static void
test_refuses_world_writable(void **state)
{
	struct db	*d;
	char		 err[256] = "";

	(void)state;
	db_close(db);
	db = NULL;
	assert_int_equal(chmod(dbpath, 0602), 0);
	assert_null(d = db_open(dbpath, 1000, 0, err, sizeof(err)));
	assert_contains(err, "readable or writable by others");
	assert_int_equal(chmod(dbpath, 0600), 0);
	assert_non_null(db = db_open(dbpath, 1000, 0, err, sizeof(err)));
}

/* A database written by a newer program is not touched. */
static void
test_refuses_newer_schema(void **state)
{
	struct db	*d;
	char		 err[256] = "";
	int		 newer = db_schema_version() + 1;

	(void)state;
	db_close(db);
	db = NULL;
	assert_true(fixture_set_user_version(dbpath, newer));
	assert_null(d = db_open(dbpath, 1000, 1, err, sizeof(err)));
	assert_contains(err, "newer than this program's");
	assert_int_equal(fixture_user_version(dbpath), newer);
}

static void
test_endpoint_get(void **state)
{
	struct db_endpoint e;

	(void)state;
	assert_int_equal(db_endpoint_get(db, "ep1", &e), DB_OK);
	assert_string_equal(e.name, "ep1");
	assert_true(e.id == ep1);
	assert_int_equal(e.eab_required, 1);
	assert_int_equal(e.status, EP_ACTIVE);
	assert_int_equal(db_endpoint_get(db, "ep2", &e), DB_OK);
	assert_int_equal(e.eab_required, 0);
	assert_int_equal(db_endpoint_get(db, "dead", &e), DB_OK);
	assert_int_equal(e.status, EP_DEACTIVATED);
	assert_int_equal(db_endpoint_get(db, "nope", &e), DB_NOTFOUND);
	assert_int_equal(db_endpoint_get(db, "EP1", &e), DB_NOTFOUND);
}

static void
test_account_insert_and_by_uid(void **state)
{
	struct db_account a, got;

	(void)state;
	account(&a, ep1, tp1);
	a.contact = contact;
	a.tos_agreed = 1;
	assert_int_equal(db_account_insert(db, &a), DB_OK);
	assert_true(a.id > 0);
	assert_int_equal(db_account_by_uid(db, a.uid, &got), DB_OK);
	assert_true(got.id == a.id);
	assert_string_equal(got.uid, a.uid);
	assert_true(got.endpoint_id == ep1);
	assert_true(got.eab_key_id == 0);
	assert_string_equal(got.jwk, jwk1);
	assert_string_equal(got.thumbprint, tp1);
	assert_string_equal(got.contact, contact);
	assert_int_equal(got.tos_agreed, 1);
	assert_int_equal(got.status, ACCT_VALID);
	assert_true(got.created == 1700000000);
	db_account_free(&got);
	assert_int_equal(db_account_by_uid(db, "AAAAAAAAAAAAAAAAAAAAAA", &got),
	    DB_NOTFOUND);
	assert_null(got.jwk);
}

static void
test_account_by_key(void **state)
{
	struct db_account a, got;

	(void)state;
	account(&a, ep1, tp1);
	assert_int_equal(db_account_insert(db, &a), DB_OK);
	assert_int_equal(db_account_by_key(db, ep1, tp1, &got), DB_OK);
	assert_string_equal(got.uid, a.uid);
	db_account_free(&got);
	/* The key is per endpoint. */
	assert_int_equal(db_account_by_key(db, ep2, tp1, &got), DB_NOTFOUND);
	assert_int_equal(db_account_by_key(db, ep1, tp2, &got), DB_NOTFOUND);
}

/* One account per key and endpoint (RFC 8555 §7.3.1). */
static void
test_account_duplicate_key_conflict(void **state)
{
	struct db_account a, b, c, got;

	(void)state;
	account(&a, ep1, tp1);
	account(&b, ep1, tp1);
	account(&c, ep2, tp1);
	assert_int_equal(db_account_insert(db, &a), DB_OK);
	assert_int_equal(db_account_insert(db, &b), DB_CONFLICT);
	assert_int_equal(db_account_by_uid(db, b.uid, &got), DB_NOTFOUND);
	/* The same key on another endpoint is another account. */
	assert_int_equal(db_account_insert(db, &c), DB_OK);
}

static void
test_account_duplicate_uid_conflict(void **state)
{
	struct db_account a, b;

	(void)state;
	account(&a, ep1, tp1);
	account(&b, ep1, tp2);
	memcpy(b.uid, a.uid, sizeof(b.uid));
	assert_int_equal(db_account_insert(db, &a), DB_OK);
	assert_int_equal(db_account_insert(db, &b), DB_CONFLICT);
}

static void
test_account_update(void **state)
{
	struct db_account a, got;

	(void)state;
	account(&a, ep1, tp1);
	assert_int_equal(db_account_insert(db, &a), DB_OK);
	a.contact = contact;
	a.tos_agreed = 1;
	a.status = ACCT_DEACTIVATED;
	assert_int_equal(db_account_update(db, &a), DB_OK);
	assert_int_equal(db_account_by_uid(db, a.uid, &got), DB_OK);
	assert_string_equal(got.contact, contact);
	assert_int_equal(got.tos_agreed, 1);
	assert_int_equal(got.status, ACCT_DEACTIVATED);
	/* Nothing else moved. */
	assert_string_equal(got.thumbprint, tp1);
	assert_true(got.endpoint_id == ep1);
	db_account_free(&got);
}

/* Schema trigger: a deactivated account never becomes valid again. */
static void
test_account_deactivation_permanent(void **state)
{
	struct db_account a, got;

	(void)state;
	account(&a, ep1, tp1);
	assert_int_equal(db_account_insert(db, &a), DB_OK);
	a.status = ACCT_DEACTIVATED;
	assert_int_equal(db_account_update(db, &a), DB_OK);
	a.status = ACCT_VALID;
	assert_int_equal(db_account_update(db, &a), DB_ERROR);
	assert_int_equal(db_account_by_uid(db, a.uid, &got), DB_OK);
	assert_int_equal(got.status, ACCT_DEACTIVATED);
	db_account_free(&got);
}

/*
 * Schema trigger: no new account on a deactivated endpoint.  That is an
 * error, not DB_CONFLICT, which says the key already has an account.
 */
static void
test_account_insert_on_deactivated_endpoint(void **state)
{
	struct db_account a, got;

	(void)state;
	account(&a, ep_dead, tp1);
	assert_int_equal(db_account_insert(db, &a), DB_ERROR);
	assert_int_equal(db_account_by_uid(db, a.uid, &got), DB_NOTFOUND);
}

/* A foreign key violation is an error too, not DB_CONFLICT. */
static void
test_account_insert_unknown_endpoint(void **state)
{
	struct db_account a, got;

	(void)state;
	account(&a, ep1 + ep2 + ep_dead + 100, tp1);
	assert_int_equal(db_account_insert(db, &a), DB_ERROR);
	assert_int_equal(db_account_by_uid(db, a.uid, &got), DB_NOTFOUND);
}

/* Schema trigger: endpoint deactivation is permanent. */
static void
test_endpoint_deactivation_permanent(void **state)
{
	struct db_endpoint e;

	(void)state;
	assert_false(fixture_endpoint_set_status(dbpath, "dead", "active"));
	assert_int_equal(db_endpoint_get(db, "dead", &e), DB_OK);
	assert_int_equal(e.status, EP_DEACTIVATED);
	assert_true(fixture_endpoint_set_status(dbpath, "ep1", "deactivated"));
	assert_int_equal(db_endpoint_get(db, "ep1", &e), DB_OK);
	assert_int_equal(e.status, EP_DEACTIVATED);
}

static void
test_eab_get_and_bound_accounts(void **state)
{
	struct db_account	a, b, got;
	struct db_eab		e;

	(void)state;
	assert_true(fixture_eab_add(dbpath, "kid-1", "ep1",
	    "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", 1, "active"));
	assert_int_equal(db_eab_get(db, "kid-1", &e), DB_OK);
	assert_string_equal(e.kid, "kid-1");
	assert_true(e.endpoint_id == ep1);
	assert_string_equal(e.hmac, "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0");
	assert_int_equal(e.reusable, 1);
	assert_int_equal(e.status, EAB_ACTIVE);
	assert_true(e.accounts == 0);
	account(&a, ep1, tp1);
	a.eab_key_id = e.id;
	account(&b, ep1, tp2);
	b.eab_key_id = e.id;
	db_eab_free(&e);
	assert_int_equal(db_account_insert(db, &a), DB_OK);
	assert_int_equal(db_eab_get(db, "kid-1", &e), DB_OK);
	assert_true(e.accounts == 1);
	db_eab_free(&e);
	assert_int_equal(db_account_insert(db, &b), DB_OK);
	assert_int_equal(db_eab_get(db, "kid-1", &e), DB_OK);
	assert_true(e.accounts == 2);
	db_eab_free(&e);
	assert_int_equal(db_account_by_uid(db, a.uid, &got), DB_OK);
	assert_true(got.eab_key_id == a.eab_key_id);
	db_account_free(&got);
}

static void
test_eab_unknown_and_revoked(void **state)
{
	struct db_eab e;

	(void)state;
	assert_int_equal(db_eab_get(db, "kid-1", &e), DB_NOTFOUND);
	assert_null(e.hmac);
	assert_true(fixture_eab_add(dbpath, "kid-2", "ep2",
	    "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", 0, "revoked"));
	assert_int_equal(db_eab_get(db, "kid-2", &e), DB_OK);
	assert_int_equal(e.status, EAB_REVOKED);
	assert_int_equal(e.reusable, 0);
	db_eab_free(&e);
	assert_null(e.hmac);
}

/* Schema trigger: EAB key revocation is permanent. */
static void
test_eab_revocation_permanent(void **state)
{
	struct db_eab e;

	(void)state;
	assert_true(fixture_eab_add(dbpath, "kid-3", "ep1",
	    "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", 0, "active"));
	assert_true(fixture_eab_set_status(dbpath, "kid-3", "revoked"));
	assert_false(fixture_eab_set_status(dbpath, "kid-3", "active"));
	assert_int_equal(db_eab_get(db, "kid-3", &e), DB_OK);
	assert_int_equal(e.status, EAB_REVOKED);
	db_eab_free(&e);
}

/* The first value stored under a name wins; later ones read it back. */
static void
test_secret_init_keeps_first(void **state)
{
	uint8_t first[32], second[32], got[32];

	(void)state;
	memset(first, 0x11, sizeof(first));
	memset(second, 0x22, sizeof(second));
	assert_int_equal(db_secret_get(db, "nonce_key", got, sizeof(got)),
	    DB_NOTFOUND);
	assert_int_equal(db_secret_init(db, "nonce_key", first, sizeof(first)),
	    DB_OK);
	assert_int_equal(db_secret_init(db, "nonce_key", second, sizeof(second)),
	    DB_OK);
	assert_memory_equal(second, first, sizeof(first));
	assert_int_equal(db_secret_get(db, "nonce_key", got, sizeof(got)), DB_OK);
	assert_memory_equal(got, first, sizeof(first));
}

static void
test_secret_wrong_length(void **state)
{
	uint8_t key[32] = { 1 }, got[16];

	(void)state;
	assert_int_equal(db_secret_init(db, "k", key, sizeof(key)), DB_OK);
	assert_int_equal(db_secret_get(db, "k", got, sizeof(got)), DB_ERROR);
	assert_int_equal(db_secret_get(db, "other", got, sizeof(got)), DB_NOTFOUND);
}

static void
test_rollback_discards(void **state)
{
	struct db_account a, got;

	(void)state;
	account(&a, ep1, tp1);
	assert_true(db_begin(db));
	assert_int_equal(db_account_insert(db, &a), DB_OK);
	db_rollback(db);
	assert_int_equal(db_account_by_uid(db, a.uid, &got), DB_NOTFOUND);
	assert_true(db_begin(db));
	assert_int_equal(db_account_insert(db, &a), DB_OK);
	assert_true(db_commit(db));
	assert_int_equal(db_account_by_uid(db, a.uid, &got), DB_OK);
	db_account_free(&got);
}

static void
test_account_status_names(void **state)
{
	(void)state;
	assert_string_equal(account_status_name(ACCT_VALID), "valid");
	assert_string_equal(account_status_name(ACCT_DEACTIVATED), "deactivated");
	assert_string_equal(account_status_name(ACCT_REVOKED), "revoked");
	assert_string_equal(account_status_name(ACCT__MAX), "invalid");
}

#define DBTEST(f)	cmocka_unit_test_setup_teardown(f, db_setup, db_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_mode_and_version),
		DBTEST(test_reopen_without_create),
		DBTEST(test_create_keeps_existing),
		cmocka_unit_test(test_refuses_missing_without_create),
		DBTEST(test_refuses_world_readable),
		DBTEST(test_refuses_world_writable),
		DBTEST(test_refuses_newer_schema),
		DBTEST(test_endpoint_get),
		DBTEST(test_account_insert_and_by_uid),
		DBTEST(test_account_by_key),
		DBTEST(test_account_duplicate_key_conflict),
		DBTEST(test_account_duplicate_uid_conflict),
		DBTEST(test_account_update),
		DBTEST(test_account_deactivation_permanent),
		DBTEST(test_account_insert_on_deactivated_endpoint),
		DBTEST(test_account_insert_unknown_endpoint),
		DBTEST(test_endpoint_deactivation_permanent),
		DBTEST(test_eab_get_and_bound_accounts),
		DBTEST(test_eab_unknown_and_revoked),
		DBTEST(test_eab_revocation_permanent),
		DBTEST(test_secret_init_keeps_first),
		DBTEST(test_secret_wrong_length),
		DBTEST(test_rollback_discards),
		cmocka_unit_test(test_account_status_names),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
