/*
 * test_db.c - the state store: creating and opening the database, the
 * schema's own guards, accounts, EAB keys and secrets; orders,
 * certificates and jobs as managed ACME uses them: upstreams, the managed
 * challenges an EAB key may use, the orders placed upstream.
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

/* Inserts a, as account() made it; returns its id. */
static int64_t
account_add(struct db_account *a)
{
	assert_int_equal(db_account_insert(db, a), DB_OK);
	assert_true(a->id > 0);
	return a->id;
}

static char	ids_json[] = "[\"a.example.com\",\"*.example.com\"]";
static char	names_json[] = "[\"a.example.com\",\"*.example.com\"]";
static char	leaf_pem[] = "-----BEGIN CERTIFICATE-----\nbGVhZg==\n"
		    "-----END CERTIFICATE-----\n";
static char	chain_pem[] = "-----BEGIN CERTIFICATE-----\naW50ZXI=\n"
		    "-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n"
		    "cm9vdA==\n-----END CERTIFICATE-----\n";

/* A processing order of account acct, as finalize leaves it; its id. */
static int64_t
order_add(int64_t acct)
{
	struct db_order o;

	memset(&o, 0, sizeof(o));
	assert_true(ident_new(o.uid));
	o.account_id = acct;
	o.status = ORDER_PROCESSING;
	o.identifiers = ids_json;
	o.expires = 1700086400;
	o.created = 1700000000;
	assert_int_equal(db_order_insert(db, &o), DB_OK);
	assert_true(o.id > 0);
	return o.id;
}

/* A certificate of order with serial, of no issuer yet. */
static void
cert_of(struct db_cert *c, int64_t order, int64_t acct, const char *serial)
{
	memset(c, 0, sizeof(*c));
	assert_true(ident_new(c->uid));
	snprintf(c->serial, sizeof(c->serial), "%s", serial);
	c->order_id = order;
	c->account_id = acct;
	c->endpoint_id = ep1;
	c->names = names_json;
	snprintf(c->key_type, sizeof(c->key_type), "ec256");
	c->not_before = 1700000000;
	c->not_after = 1707776000;
	c->pem = leaf_pem;
	c->created = 1700000100;
}

/* An upstream with nothing optional; its id. */
static int64_t
upstream_add(const char *name)
{
	assert_true(fixture_upstream_add(dbpath, name, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, "active"));
	return fixture_row_id(dbpath, "upstreams", name);
}

/* A local CA (its certificates carry no chain); its id. */
static int64_t
ca_add(const char *name)
{
	struct db_ca	ca;
	int64_t		id;

	assert_true(fixture_ca_add(dbpath, name, "active", leaf_pem,
	    "/nonexistent/issuing.key"));
	assert_int_equal(db_ca_by_name(db, name, &ca), DB_OK);
	id = ca.id;
	db_ca_free(&ca);
	return id;
}

static int64_t
eab_id(const char *kid)
{
	struct db_eab	e;
	int64_t		id;

	assert_int_equal(db_eab_get(db, kid, &e), DB_OK);
	id = e.id;
	db_eab_free(&e);
	return id;
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

static void
test_account_by_id(void **state)
{
	struct db_account a, got;

	(void)state;
	assert_true(fixture_eab_add(dbpath, "kid-1", "ep1",
	    "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", 0, "active"));
	account(&a, ep1, tp1);
	a.eab_key_id = eab_id("kid-1");
	a.contact = contact;
	account_add(&a);
	assert_int_equal(db_account_by_id(db, a.id, &got), DB_OK);
	assert_true(got.id == a.id);
	assert_string_equal(got.uid, a.uid);
	assert_true(got.endpoint_id == ep1);
	assert_true(got.eab_key_id == a.eab_key_id);
	assert_string_equal(got.jwk, jwk1);
	assert_string_equal(got.thumbprint, tp1);
	assert_string_equal(got.contact, contact);
	assert_int_equal(got.status, ACCT_VALID);
	assert_true(got.created == 1700000000);
	db_account_free(&got);
	assert_int_equal(db_account_by_id(db, a.id + 1, &got), DB_NOTFOUND);
	assert_null(got.jwk);
}

static void
test_order_by_id(void **state)
{
	struct db_account	a;
	struct db_order		o, got, byuid;

	(void)state;
	account(&a, ep1, tp1);
	account_add(&a);
	memset(&o, 0, sizeof(o));
	assert_true(ident_new(o.uid));
	o.account_id = a.id;
	o.status = ORDER_READY;
	o.identifiers = ids_json;
	o.not_before = 1700001000;
	o.not_after = 1700900000;
	o.expires = 1700086400;
	o.created = 1700000000;
	assert_int_equal(db_order_insert(db, &o), DB_OK);
	assert_int_equal(db_order_by_id(db, o.id, &got), DB_OK);
	assert_true(got.id == o.id);
	assert_string_equal(got.uid, o.uid);
	assert_true(got.account_id == a.id);
	assert_int_equal(got.status, ORDER_READY);
	assert_string_equal(got.identifiers, ids_json);
	assert_true(got.not_before == 1700001000);
	assert_true(got.not_after == 1700900000);
	assert_true(got.expires == 1700086400);
	assert_null(got.error);
	assert_true(got.created == 1700000000);
	assert_string_equal(got.cert_uid, "");
	/* The same row as by its uid. */
	assert_int_equal(db_order_by_uid(db, o.uid, &byuid), DB_OK);
	assert_true(byuid.id == got.id);
	db_order_free(&byuid);
	db_order_free(&got);
	assert_int_equal(db_order_by_id(db, o.id + 1, &got), DB_NOTFOUND);
	assert_null(got.identifiers);
}

/* An order that turned invalid carries its error; no times asked: 0. */
static void
test_order_by_id_error_and_no_times(void **state)
{
	struct db_account	a;
	struct db_order		got;
	int64_t			id;
	const char		*err = "{\"type\":\"urn:ietf:params:acme:error:dns\"}";

	(void)state;
	account(&a, ep1, tp1);
	id = order_add(account_add(&a));
	assert_int_equal(db_order_set_status(db, id, ORDER_PROCESSING,
	    ORDER_INVALID, err), DB_OK);
	assert_int_equal(db_order_by_id(db, id, &got), DB_OK);
	assert_int_equal(got.status, ORDER_INVALID);
	assert_string_equal(got.error, err);
	assert_true(got.not_before == 0);
	assert_true(got.not_after == 0);
	db_order_free(&got);
	/* Final: it does not turn valid after all. */
	assert_int_equal(db_order_set_status(db, id, ORDER_PROCESSING,
	    ORDER_VALID, NULL), DB_NOTFOUND);
}

/* An order of acct in status s expiring at expires; its id. */
static int64_t
order_status_add(int64_t acct, enum order_status s, int64_t expires)
{
	struct db_order o;

	memset(&o, 0, sizeof(o));
	assert_true(ident_new(o.uid));
	o.account_id = acct;
	o.status = s;
	o.identifiers = ids_json;
	o.expires = expires;
	o.created = 1700000000;
	assert_int_equal(db_order_insert(db, &o), DB_OK);
	return o.id;
}

/*
 * Unfinished orders (max_pending_orders): pending and ready ones not yet
 * expired, and processing ones; not valid, invalid, expired or another
 * account's.  The soonest expiry is that of the pending and ready ones.
 */
static void
test_account_unfinished_orders(void **state)
{
	struct db_account	a, b;
	int64_t			n = -1, soonest = -1, now = 1700050000;

	(void)state;
	account(&a, ep1, tp1);
	account_add(&a);
	account(&b, ep1, tp2);
	account_add(&b);
	assert_int_equal(db_account_unfinished_orders(db, a.id, now, &n,
	    &soonest), DB_OK);
	assert_true(n == 0);
	assert_true(soonest == 0);
	/* Processing only: counted, no expiry (even one long past). */
	order_status_add(a.id, ORDER_PROCESSING, now - 1000);
	assert_int_equal(db_account_unfinished_orders(db, a.id, now, &n,
	    &soonest), DB_OK);
	assert_true(n == 1);
	assert_true(soonest == 0);
	order_status_add(a.id, ORDER_READY, now + 500);
	order_status_add(a.id, ORDER_PENDING, now + 200);
	order_status_add(a.id, ORDER_READY, now + 900);
	/* Not counted: finished, expired (now itself included), another's. */
	order_status_add(a.id, ORDER_VALID, now + 100);
	order_status_add(a.id, ORDER_INVALID, now + 100);
	order_status_add(a.id, ORDER_PENDING, now - 1);
	order_status_add(a.id, ORDER_READY, now);
	order_status_add(b.id, ORDER_READY, now + 50);
	order_status_add(b.id, ORDER_PROCESSING, now + 50);
	assert_int_equal(db_account_unfinished_orders(db, a.id, now, &n,
	    &soonest), DB_OK);
	assert_true(n == 4);
	assert_true(soonest == now + 200);
	/* Later, the pending one expired: the next ready one is the soonest. */
	assert_int_equal(db_account_unfinished_orders(db, a.id, now + 200, &n,
	    &soonest), DB_OK);
	assert_true(n == 3);
	assert_true(soonest == now + 500);
	assert_int_equal(db_account_unfinished_orders(db, b.id, now, &n,
	    &soonest), DB_OK);
	assert_true(n == 2);
	assert_true(soonest == now + 50);
}

static void
test_upstream_get_every_column(void **state)
{
	struct db_upstream	u;
	int64_t			id;

	(void)state;
	assert_true(fixture_upstream_add(dbpath, "public", "kid.1:x",
	    "aG1hYy1rZXktb2YtdGhlLXVwc3RyZWFt", "/etc/ssl/upstream.pem",
	    "mailto:ops@example.com", "shortlived", "ISRG Root X1",
	    "https://ca.example/acct/7", "active"));
	assert_true((id = fixture_row_id(dbpath, "upstreams", "public")) > 0);
	assert_int_equal(db_upstream_get(db, id, &u), DB_OK);
	assert_true(u.id == id);
	assert_string_equal(u.name, "public");
	assert_string_equal(u.directory, "https://ca.example/public/directory");
	assert_string_equal(u.eab_kid, "kid.1:x");
	assert_string_equal(u.eab_hmac, "aG1hYy1rZXktb2YtdGhlLXVwc3RyZWFt");
	assert_string_equal(u.ca_bundle, "/etc/ssl/upstream.pem");
	assert_string_equal(u.contact, "mailto:ops@example.com");
	assert_string_equal(u.profile, "shortlived");
	assert_string_equal(u.preferred_chain, "ISRG Root X1");
	assert_string_equal(u.key_type, "ec256");
	assert_string_equal(u.account_key, "/var/lib/acme-fcgi/public.key");
	assert_string_equal(u.account_url, "https://ca.example/acct/7");
	assert_int_equal(u.active, 1);
	db_upstream_free(&u);
	assert_null(u.directory);
	assert_null(u.eab_hmac);
}

/* The optional columns come back NULL; a removed upstream is not active. */
static void
test_upstream_get_nulls_and_removed(void **state)
{
	struct db_upstream	u;
	int64_t			id, gone;

	(void)state;
	id = upstream_add("bare");
	assert_true(fixture_upstream_add(dbpath, "gone", NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, "removed"));
	assert_true((gone = fixture_row_id(dbpath, "upstreams", "gone")) > 0);
	assert_int_equal(db_upstream_get(db, id, &u), DB_OK);
	assert_string_equal(u.name, "bare");
	assert_string_equal(u.directory, "https://ca.example/bare/directory");
	assert_null(u.eab_kid);
	assert_null(u.eab_hmac);
	assert_null(u.ca_bundle);
	assert_null(u.contact);
	assert_null(u.profile);
	assert_null(u.preferred_chain);
	assert_null(u.account_url);
	assert_string_equal(u.account_key, "/var/lib/acme-fcgi/bare.key");
	assert_int_equal(u.active, 1);
	db_upstream_free(&u);
	assert_int_equal(db_upstream_get(db, gone, &u), DB_OK);
	assert_string_equal(u.name, "gone");
	assert_int_equal(u.active, 0);
	db_upstream_free(&u);
	assert_int_equal(db_upstream_get(db, id + gone + 1, &u), DB_NOTFOUND);
	assert_null(u.directory);
}

/* The first account URL recorded stays: a second runner's is not written. */
static void
test_upstream_set_account_once(void **state)
{
	struct db_upstream	u;
	int64_t			id;

	(void)state;
	id = upstream_add("up");
	assert_true(db_begin(db));
	assert_int_equal(db_upstream_set_account(db, id,
	    "https://ca.example/acct/1"), DB_OK);
	assert_true(db_commit(db));
	assert_int_equal(db_upstream_get(db, id, &u), DB_OK);
	assert_string_equal(u.account_url, "https://ca.example/acct/1");
	db_upstream_free(&u);
	assert_true(db_begin(db));
	assert_int_equal(db_upstream_set_account(db, id,
	    "https://ca.example/acct/2"), DB_OK);
	assert_true(db_commit(db));
	assert_int_equal(db_upstream_get(db, id, &u), DB_OK);
	assert_string_equal(u.account_url, "https://ca.example/acct/1");
	db_upstream_free(&u);
}

/* The schema takes https:// account URLs only; the column stays empty. */
static void
test_upstream_set_account_refused(void **state)
{
	struct db_upstream	u;
	int64_t			id;

	(void)state;
	id = upstream_add("up");
	assert_int_equal(db_upstream_set_account(db, id,
	    "http://ca.example/acct/1"), DB_ERROR);
	assert_int_equal(db_upstream_get(db, id, &u), DB_OK);
	assert_null(u.account_url);
	db_upstream_free(&u);
}

/* What finalize stores comes back byte for byte, NUL bytes included. */
static void
test_upstream_order_roundtrip(void **state)
{
	static const uint8_t	 csr[] = { 0x30, 0x00, 0x82, 0x00, 0x00, 0xff,
				    0x01, 0x00 };
	static const uint8_t	 other[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	struct db_account	 a;
	struct db_upstream_order uo, got;
	int64_t			 up, order;

	(void)state;
	up = upstream_add("up");
	account(&a, ep1, tp1);
	order = order_add(account_add(&a));
	memset(&uo, 0, sizeof(uo));
	uo.order_id = order;
	uo.upstream_id = up;
	uo.csr = (uint8_t *)(uintptr_t)csr;
	uo.csr_len = sizeof(csr);
	uo.created = 1700000200;
	assert_true(db_begin(db));
	assert_int_equal(db_upstream_order_add(db, &uo), DB_OK);
	assert_true(db_commit(db));
	assert_int_equal(db_upstream_order_get(db, order, &got), DB_OK);
	assert_true(got.order_id == order);
	assert_true(got.upstream_id == up);
	assert_int_equal(got.csr_len, sizeof(csr));
	assert_memory_equal(got.csr, csr, sizeof(csr));
	assert_null(got.url);
	assert_true(got.created == 1700000200);
	db_upstream_order_free(&got);
	assert_null(got.csr);

	/* Placed upstream: the URL is recorded. */
	assert_true(db_begin(db));
	assert_int_equal(db_upstream_order_set_url(db, order,
	    "https://ca.example/order/9"), DB_OK);
	assert_true(db_commit(db));
	assert_int_equal(db_upstream_order_get(db, order, &got), DB_OK);
	assert_string_equal(got.url, "https://ca.example/order/9");
	assert_int_equal(got.csr_len, sizeof(csr));
	assert_memory_equal(got.csr, csr, sizeof(csr));
	db_upstream_order_free(&got);

	/* One per order: a second is refused and changes nothing. */
	uo.csr = (uint8_t *)(uintptr_t)other;
	uo.csr_len = sizeof(other);
	assert_int_equal(db_upstream_order_add(db, &uo), DB_CONFLICT);
	assert_int_equal(db_upstream_order_get(db, order, &got), DB_OK);
	assert_int_equal(got.csr_len, sizeof(csr));
	assert_memory_equal(got.csr, csr, sizeof(csr));
	assert_string_equal(got.url, "https://ca.example/order/9");
	db_upstream_order_free(&got);
}

static void
test_upstream_order_missing(void **state)
{
	struct db_account	 a;
	struct db_upstream_order got;
	int64_t			 order;

	(void)state;
	account(&a, ep1, tp1);
	order = order_add(account_add(&a));
	/* An order not handed upstream has none. */
	assert_int_equal(db_upstream_order_get(db, order, &got), DB_NOTFOUND);
	assert_null(got.csr);
	assert_int_equal(db_upstream_order_set_url(db, order,
	    "https://ca.example/order/1"), DB_NOTFOUND);
	assert_int_equal(db_upstream_order_set_url(db, order + 1,
	    "https://ca.example/order/1"), DB_NOTFOUND);
	assert_int_equal(db_upstream_order_get(db, order, &got), DB_NOTFOUND);
}

/* An empty CSR, an unknown upstream, a URL that is not https://: errors. */
static void
test_upstream_order_refused(void **state)
{
	static const uint8_t	 csr[] = { 0x30, 0x00 };
	struct db_account	 a;
	struct db_upstream_order uo, got;
	int64_t			 up, order;

	(void)state;
	up = upstream_add("up");
	account(&a, ep1, tp1);
	order = order_add(account_add(&a));
	memset(&uo, 0, sizeof(uo));
	uo.order_id = order;
	uo.upstream_id = up;
	uo.csr = (uint8_t *)(uintptr_t)csr;
	uo.csr_len = 0;
	uo.created = 1700000200;
	assert_int_equal(db_upstream_order_add(db, &uo), DB_ERROR);
	uo.csr_len = sizeof(csr);
	uo.upstream_id = up + 1;
	assert_int_equal(db_upstream_order_add(db, &uo), DB_ERROR);
	assert_int_equal(db_upstream_order_get(db, order, &got), DB_NOTFOUND);
	uo.upstream_id = up;
	assert_int_equal(db_upstream_order_add(db, &uo), DB_OK);
	assert_int_equal(db_upstream_order_set_url(db, order,
	    "http://ca.example/order/1"), DB_ERROR);
	assert_int_equal(db_upstream_order_get(db, order, &got), DB_OK);
	assert_null(got.url);
	db_upstream_order_free(&got);
}

/* A certificate from an upstream: no CA, the upstream, its chain. */
static void
test_cert_upstream_roundtrip(void **state)
{
	struct db_account	a;
	struct db_cert		c, got;
	struct db_order		o;
	int64_t			up, order;

	(void)state;
	up = upstream_add("up");
	account(&a, ep1, tp1);
	order = order_add(account_add(&a));
	cert_of(&c, order, a.id, "0a1b2c");
	c.upstream_id = up;
	c.chain = chain_pem;
	snprintf(c.tag, sizeof(c.tag), "team-a");
	assert_int_equal(db_cert_insert(db, &c), DB_OK);
	assert_true(c.id > 0);
	assert_int_equal(db_cert_by_uid(db, c.uid, &got), DB_OK);
	assert_true(got.id == c.id);
	assert_string_equal(got.serial, "0a1b2c");
	assert_true(got.order_id == order);
	assert_true(got.account_id == a.id);
	assert_true(got.endpoint_id == ep1);
	assert_true(got.application_id == 0);
	assert_true(got.template_id == 0);
	assert_string_equal(got.tag, "team-a");
	assert_true(got.ca_id == 0);
	assert_true(got.upstream_id == up);
	assert_string_equal(got.names, names_json);
	assert_string_equal(got.key_type, "ec256");
	assert_true(got.not_before == 1700000000);
	assert_true(got.not_after == 1707776000);
	assert_string_equal(got.pem, leaf_pem);
	assert_string_equal(got.chain, chain_pem);
	assert_int_equal(got.revoked, 0);
	assert_true(got.created == 1700000100);
	db_cert_free(&got);
	assert_null(got.chain);
	/* The order names it. */
	assert_int_equal(db_order_by_id(db, order, &o), DB_OK);
	assert_string_equal(o.cert_uid, c.uid);
	db_order_free(&o);
}

/* A local CA's certificate has no chain of its own: NULL, not "". */
static void
test_cert_ca_no_chain(void **state)
{
	struct db_account	a;
	struct db_cert		c, got;
	int64_t			ca, order;

	(void)state;
	ca = ca_add("ca1");
	account(&a, ep1, tp1);
	order = order_add(account_add(&a));
	cert_of(&c, order, a.id, "01");
	c.ca_id = ca;
	assert_int_equal(db_cert_insert(db, &c), DB_OK);
	assert_int_equal(db_cert_by_uid(db, c.uid, &got), DB_OK);
	assert_true(got.ca_id == ca);
	assert_true(got.upstream_id == 0);
	assert_null(got.chain);
	assert_string_equal(got.tag, "");
	db_cert_free(&got);
}

/*
 * Exactly one issuer, and a chain exactly with an upstream: the CHECK
 * constraints refuse the rest as errors (not DB_CONFLICT, which says the
 * row exists), and nothing is stored.
 */
static void
test_cert_issuer_refused(void **state)
{
	struct db_account	a;
	struct db_cert		c, got;
	int64_t			ca, up, order;

	(void)state;
	ca = ca_add("ca1");
	up = upstream_add("up");
	account(&a, ep1, tp1);
	order = order_add(account_add(&a));

	cert_of(&c, order, a.id, "02");
	c.ca_id = ca;
	c.upstream_id = up;
	c.chain = chain_pem;
	assert_int_equal(db_cert_insert(db, &c), DB_ERROR);
	assert_int_equal(db_cert_by_uid(db, c.uid, &got), DB_NOTFOUND);

	cert_of(&c, order, a.id, "02");
	c.upstream_id = up;
	assert_int_equal(db_cert_insert(db, &c), DB_ERROR);
	assert_int_equal(db_cert_by_uid(db, c.uid, &got), DB_NOTFOUND);

	cert_of(&c, order, a.id, "02");
	c.ca_id = ca;
	c.chain = chain_pem;
	assert_int_equal(db_cert_insert(db, &c), DB_ERROR);
	assert_int_equal(db_cert_by_uid(db, c.uid, &got), DB_NOTFOUND);

	cert_of(&c, order, a.id, "02");
	assert_int_equal(db_cert_insert(db, &c), DB_ERROR);
	assert_int_equal(db_cert_by_uid(db, c.uid, &got), DB_NOTFOUND);

	/* The twin that passes. */
	cert_of(&c, order, a.id, "02");
	c.upstream_id = up;
	c.chain = chain_pem;
	assert_int_equal(db_cert_insert(db, &c), DB_OK);
}

/* Serials are unique per issuer, not across issuers. */
static void
test_cert_serial_per_issuer(void **state)
{
	struct db_account	a;
	struct db_cert		c, got;
	int64_t			ca, up1, up2, acct, o[4];

	(void)state;
	ca = ca_add("ca1");
	up1 = upstream_add("up1");
	up2 = upstream_add("up2");
	account(&a, ep1, tp1);
	acct = account_add(&a);
	for (size_t i = 0; i < nitems(o); i++)
		o[i] = order_add(acct);
	cert_of(&c, o[0], acct, "77");
	c.ca_id = ca;
	assert_int_equal(db_cert_insert(db, &c), DB_OK);
	cert_of(&c, o[1], acct, "77");
	c.upstream_id = up1;
	c.chain = chain_pem;
	assert_int_equal(db_cert_insert(db, &c), DB_OK);
	cert_of(&c, o[2], acct, "77");
	c.upstream_id = up2;
	c.chain = chain_pem;
	assert_int_equal(db_cert_insert(db, &c), DB_OK);
	cert_of(&c, o[3], acct, "77");
	c.upstream_id = up1;
	c.chain = chain_pem;
	assert_int_equal(db_cert_insert(db, &c), DB_CONFLICT);
	assert_int_equal(db_cert_by_uid(db, c.uid, &got), DB_NOTFOUND);
}

/*
 * Managed challenges for the db_mchalls_usable() tests, by name:
 * a-hook (dns-01 hook, waits 30 s, checks), b-ns (dns-01 rfc2136 with a
 * zone), c-web (http-01 webroot, no rule), e-ns (dns-01 rfc2136, no zone)
 * and d-gone (removed).  EAB keys kid-all (lists none) and kid-b (lists
 * b-ns) on ep1.
 */
static void
mchalls_add(void)
{
	assert_true(fixture_mchall_add(dbpath, "c-web", "http-01", "webroot",
	    NULL, 0, 0));
	assert_true(fixture_mchall_add(dbpath, "a-hook", "dns-01", "hook",
	    NULL, 30, 1));
	assert_true(fixture_mchall_add(dbpath, "b-ns", "dns-01", "rfc2136",
	    "example.com", 0, 1));
	assert_true(fixture_mchall_add(dbpath, "e-ns", "dns-01", "rfc2136",
	    NULL, 5, 0));
	assert_true(fixture_mchall_add(dbpath, "d-gone", "dns-01", "hook",
	    NULL, 0, 0));
	assert_true(fixture_mchall_rule_add(dbpath, "a-hook", "a.example.org"));
	assert_true(fixture_mchall_rule_add(dbpath, "a-hook", "*.example.com"));
	assert_true(fixture_mchall_rule_add(dbpath, "b-ns", "www.example.com"));
	assert_true(fixture_mchall_rule_add(dbpath, "e-ns", "*.example.net"));
	assert_true(fixture_mchall_rule_add(dbpath, "d-gone", "*.example.com"));
	assert_true(fixture_mchall_set_status(dbpath, "d-gone", "removed"));
	assert_true(fixture_eab_add(dbpath, "kid-all", "ep1",
	    "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", 1, "active"));
	assert_true(fixture_eab_add(dbpath, "kid-b", "ep1",
	    "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", 1, "active"));
	assert_true(fixture_eab_mchall_add(dbpath, "kid-b", "b-ns"));
}

/* The names of v, comma-separated, into buf. */
static const char *
mchall_names(const struct db_mchall *v, size_t n, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
		    i > 0 ? "," : "", v[i].name);
	return buf;
}

/* A key that lists none may use every active one, each read back whole. */
static void
test_mchalls_usable_lists_none(void **state)
{
	struct db_mchall	*v;
	size_t			 n;
	char			 names[256];

	(void)state;
	mchalls_add();
	assert_int_equal(db_mchalls_usable(db, eab_id("kid-all"), &v, &n), DB_OK);
	assert_string_equal(mchall_names(v, n, names, sizeof(names)),
	    "a-hook,b-ns,c-web,e-ns");

	assert_true(v[0].id == fixture_row_id(dbpath, "managed_challenges",
	    "a-hook"));
	assert_string_equal(v[0].type, "dns-01");
	assert_string_equal(v[0].solver, "hook");
	assert_string_equal(v[0].hook, "/usr/local/bin/a-hook");
	assert_null(v[0].server);
	assert_int_equal(v[0].port, 0);
	assert_null(v[0].tsig_key);
	assert_null(v[0].zone);
	assert_null(v[0].webroot);
	assert_int_equal(v[0].propagation_wait, 30);
	assert_int_equal(v[0].propagation_check, 1);
	assert_non_null(v[0].rules);
	assert_string_equal(v[0].rules[0], "*.example.com");
	assert_string_equal(v[0].rules[1], "a.example.org");
	assert_null(v[0].rules[2]);

	assert_string_equal(v[1].type, "dns-01");
	assert_string_equal(v[1].solver, "rfc2136");
	assert_null(v[1].hook);
	assert_string_equal(v[1].server, "ns.example.net");
	assert_int_equal(v[1].port, 5353);
	assert_string_equal(v[1].tsig_key, "/etc/acme-fcgi/b-ns.tsig");
	assert_string_equal(v[1].zone, "example.com");
	assert_null(v[1].webroot);
	assert_int_equal(v[1].propagation_wait, 0);
	assert_int_equal(v[1].propagation_check, 1);
	assert_string_equal(v[1].rules[0], "www.example.com");
	assert_null(v[1].rules[1]);

	assert_string_equal(v[2].type, "http-01");
	assert_string_equal(v[2].solver, "webroot");
	assert_null(v[2].hook);
	assert_null(v[2].server);
	assert_null(v[2].tsig_key);
	assert_null(v[2].zone);
	assert_string_equal(v[2].webroot, "/var/www/c-web");
	assert_int_equal(v[2].propagation_wait, 0);
	assert_int_equal(v[2].propagation_check, 0);
	/* No rule: answers for nothing. */
	assert_null(v[2].rules);

	assert_string_equal(v[3].solver, "rfc2136");
	assert_null(v[3].zone);
	assert_int_equal(v[3].port, 5353);
	assert_int_equal(v[3].propagation_wait, 5);
	assert_int_equal(v[3].propagation_check, 0);
	assert_string_equal(v[3].rules[0], "*.example.net");
	db_mchalls_free(v, n);
}

/* Accounts bound to no EAB key (0) may use every active one too. */
static void
test_mchalls_usable_no_key(void **state)
{
	struct db_mchall	*v;
	size_t			 n;
	char			 names[256];

	(void)state;
	mchalls_add();
	assert_int_equal(db_mchalls_usable(db, 0, &v, &n), DB_OK);
	assert_string_equal(mchall_names(v, n, names, sizeof(names)),
	    "a-hook,b-ns,c-web,e-ns");
	db_mchalls_free(v, n);
}

/* A key that lists some may use those that are active, no other. */
static void
test_mchalls_usable_lists_some(void **state)
{
	struct db_mchall	*v;
	size_t			 n;
	char			 names[256];
	int64_t			 kid;

	(void)state;
	mchalls_add();
	assert_int_equal(db_mchalls_usable(db, eab_id("kid-b"), &v, &n), DB_OK);
	assert_string_equal(mchall_names(v, n, names, sizeof(names)), "b-ns");
	assert_string_equal(v[0].zone, "example.com");
	assert_string_equal(v[0].rules[0], "www.example.com");
	db_mchalls_free(v, n);

	assert_true(fixture_eab_add(dbpath, "kid-ac", "ep1",
	    "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", 0, "active"));
	assert_true(fixture_eab_mchall_add(dbpath, "kid-ac", "c-web"));
	assert_true(fixture_eab_mchall_add(dbpath, "kid-ac", "a-hook"));
	kid = eab_id("kid-ac");
	assert_int_equal(db_mchalls_usable(db, kid, &v, &n), DB_OK);
	assert_string_equal(mchall_names(v, n, names, sizeof(names)),
	    "a-hook,c-web");
	db_mchalls_free(v, n);
	/* One removed: the other stays, nothing else comes in. */
	assert_true(fixture_mchall_set_status(dbpath, "c-web", "removed"));
	assert_int_equal(db_mchalls_usable(db, kid, &v, &n), DB_OK);
	assert_string_equal(mchall_names(v, n, names, sizeof(names)), "a-hook");
	db_mchalls_free(v, n);
}

/* A key whose listed ones are all removed may use none: not every one. */
static void
test_mchalls_usable_listed_all_removed(void **state)
{
	struct db_mchall	*v;
	size_t			 n;
	int64_t			 kid;

	(void)state;
	mchalls_add();
	kid = eab_id("kid-b");
	assert_true(fixture_mchall_set_status(dbpath, "b-ns", "removed"));
	assert_int_equal(db_mchalls_usable(db, kid, &v, &n), DB_OK);
	assert_int_equal(n, 0);
	assert_null(v);
	db_mchalls_free(v, n);
	/* The others are still there for a key that lists none. */
	assert_int_equal(db_mchalls_usable(db, eab_id("kid-all"), &v, &n), DB_OK);
	assert_int_equal(n, 3);
	db_mchalls_free(v, n);
}

/* A removed one never comes back, and no key may be given it. */
static void
test_mchalls_removed_never(void **state)
{
	struct db_mchall	*v;
	size_t			 n;
	char			 names[256];

	(void)state;
	mchalls_add();
	assert_false(fixture_eab_mchall_add(dbpath, "kid-all", "d-gone"));
	assert_false(fixture_mchall_set_status(dbpath, "d-gone", "active"));
	assert_int_equal(db_mchalls_usable(db, eab_id("kid-all"), &v, &n), DB_OK);
	assert_null(strstr(mchall_names(v, n, names, sizeof(names)), "d-gone"));
	assert_int_equal(n, 4);
	db_mchalls_free(v, n);
	/* Nothing active at all: none. */
	assert_true(fixture_mchall_set_status(dbpath, "a-hook", "removed"));
	assert_true(fixture_mchall_set_status(dbpath, "b-ns", "removed"));
	assert_true(fixture_mchall_set_status(dbpath, "c-web", "removed"));
	assert_true(fixture_mchall_set_status(dbpath, "e-ns", "removed"));
	assert_int_equal(db_mchalls_usable(db, 0, &v, &n), DB_OK);
	assert_int_equal(n, 0);
	db_mchalls_free(v, n);
}

/* Queues a job for ref at now (due from now on); its id. */
static int64_t
job_add(int64_t ref, int64_t deadline, int64_t now)
{
	int64_t id = 0;

	assert_int_equal(db_job_add(db, JOB_UPSTREAM_ORDER, ref, 5, deadline,
	    now, &id), DB_OK);
	return id;
}

static void
test_job_due_queued(void **state)
{
	(void)state;
	assert_int_equal(db_job_due(db, 100), DB_NOTFOUND);
	job_add(1, 10000, 100);
	assert_int_equal(db_job_due(db, 99), DB_NOTFOUND);
	assert_int_equal(db_job_due(db, 100), DB_OK);
	assert_int_equal(db_job_due(db, 5000), DB_OK);
}

/* A retry is due at its next_run, not before. */
static void
test_job_due_retry_later(void **state)
{
	struct db_job j;

	(void)state;
	job_add(1, 10000, 100);
	assert_int_equal(db_job_claim(db, "1@host", 100, 60, &j), DB_OK);
	assert_int_equal(db_job_retry(db, j.id, "1@host", 200, "busy", 110),
	    DB_OK);
	db_job_free(&j);
	assert_int_equal(db_job_due(db, 199), DB_NOTFOUND);
	assert_int_equal(db_job_due(db, 200), DB_OK);
}

/* A running job is due once its lease expired (its runner died), not before. */
static void
test_job_due_running(void **state)
{
	struct db_job	j;
	int64_t		id;

	(void)state;
	id = job_add(1, 10000, 100);
	assert_int_equal(db_job_claim(db, "1@host", 100, 60, &j), DB_OK);
	assert_true(j.id == id);
	db_job_free(&j);
	assert_int_equal(db_job_due(db, 100), DB_NOTFOUND);
	assert_int_equal(db_job_due(db, 160), DB_NOTFOUND);
	assert_int_equal(db_job_due(db, 161), DB_OK);
	/* Renewed: not due again until the new lease ends. */
	assert_int_equal(db_job_renew(db, id, "1@host", 150, 60), DB_OK);
	assert_int_equal(db_job_due(db, 161), DB_NOTFOUND);
	assert_int_equal(db_job_due(db, 211), DB_OK);
}

static void
test_job_due_done_or_failed_never(void **state)
{
	struct db_job	j;
	int64_t		done, failed;

	(void)state;
	done = job_add(1, 10000, 100);
	failed = job_add(2, 10000, 100);
	assert_int_equal(db_job_claim(db, "1@host", 100, 60, &j), DB_OK);
	assert_true(j.id == done);
	db_job_free(&j);
	assert_int_equal(db_job_claim(db, "1@host", 100, 60, &j), DB_OK);
	assert_true(j.id == failed);
	db_job_free(&j);
	assert_int_equal(db_job_done(db, done, "1@host", 110), DB_OK);
	assert_int_equal(db_job_fail(db, failed, "1@host", "no", 110), DB_OK);
	assert_int_equal(db_job_due(db, 110), DB_NOTFOUND);
	assert_int_equal(db_job_due(db, 1000000), DB_NOTFOUND);
}

/*
 * A job past its deadline is still due: no runner would claim it, but one
 * started for it fails it (and its order) in its sweep -- in plain CGI the
 * only runner is one a request starts when a job is due.
 */
static void
test_job_due_past_deadline(void **state)
{
	struct db_job j;

	(void)state;
	job_add(1, 150, 100);
	assert_int_equal(db_job_due(db, 200), DB_OK);
	assert_int_equal(db_job_claim(db, "1@host", 200, 60, &j), DB_NOTFOUND);
	assert_int_equal(db_jobs_failed_deadline(db, 200, &j, 1), 1);
	assert_int_equal(j.state, JOB_FAILED);
	db_job_free(&j);
	assert_int_equal(db_job_due(db, 200), DB_NOTFOUND);
}

/*
 * RFC 9773: the certificates of an endpoint with a serial, one per issuer,
 * oldest first; the renewal information kept for an upstream's only.
 */
static void
test_certs_by_serial_and_renewal_info(void **state)
{
	struct db_account	 a;
	struct db_cert		 c, v[4];
	int64_t			 ca, up1, up2, acct, o[3], id_ca, id_up, until;
	size_t			 n;
	char			*json;

	(void)state;
	ca = ca_add("ca1");
	up1 = upstream_add("up1");
	up2 = upstream_add("up2");
	account(&a, ep1, tp1);
	acct = account_add(&a);
	for (size_t i = 0; i < nitems(o); i++)
		o[i] = order_add(acct);
	cert_of(&c, o[0], acct, "77");
	c.ca_id = ca;
	assert_int_equal(db_cert_insert(db, &c), DB_OK);
	id_ca = c.id;
	cert_of(&c, o[1], acct, "77");
	c.upstream_id = up1;
	c.chain = chain_pem;
	assert_int_equal(db_cert_insert(db, &c), DB_OK);
	id_up = c.id;
	cert_of(&c, o[2], acct, "77");
	c.endpoint_id = ep2;
	c.upstream_id = up2;
	c.chain = chain_pem;
	assert_int_equal(db_cert_insert(db, &c), DB_OK);

	assert_int_equal(db_certs_by_serial(db, ep1, "77", v, nitems(v), &n), DB_OK);
	assert_int_equal(n, 2);
	assert_true(v[0].id == id_ca && v[1].id == id_up);
	assert_string_equal(v[1].chain, chain_pem);
	db_cert_free(&v[0]);
	db_cert_free(&v[1]);
	assert_int_equal(db_certs_by_serial(db, ep1, "77", v, 1, &n), DB_OK);
	assert_int_equal(n, 1);
	db_cert_free(&v[0]);
	assert_int_equal(db_certs_by_serial(db, ep2, "77", v, nitems(v), &n), DB_OK);
	assert_int_equal(n, 1);
	assert_true(v[0].upstream_id == up2);
	db_cert_free(&v[0]);
	assert_int_equal(db_certs_by_serial(db, ep1, "78", v, nitems(v), &n),
	    DB_NOTFOUND);
	assert_int_equal(n, 0);
	assert_int_equal(db_certs_by_serial(db, ep_dead, "77", v, nitems(v), &n),
	    DB_NOTFOUND);

	assert_int_equal(db_cert_renewal_info(db, id_up, &json, &until), DB_NOTFOUND);
	assert_null(json);
	assert_int_equal(db_cert_set_renewal_info(db, id_up,
	    "{\"suggestedWindow\":{}}", 1700021600), DB_OK);
	assert_int_equal(db_cert_renewal_info(db, id_up, &json, &until), DB_OK);
	assert_string_equal(json, "{\"suggestedWindow\":{}}");
	assert_true(until == 1700021600);
	free(json);
	/* Not JSON, or a local CA's certificate: refused, nothing kept. */
	assert_int_equal(db_cert_set_renewal_info(db, id_up, "{", 1), DB_ERROR);
	assert_int_equal(db_cert_set_renewal_info(db, id_ca, "{}", 1), DB_NOTFOUND);
	assert_int_equal(db_cert_renewal_info(db, id_ca, &json, &until), DB_NOTFOUND);
	assert_int_equal(db_cert_renewal_info(db, id_up, &json, &until), DB_OK);
	assert_true(until == 1700021600);
	free(json);
}

/*
 * RFC 8555 §7.6: a revocation is recorded once, with its time and reason
 * (none: NULL, read back as -1); a second one changes nothing.
 */
static void
test_cert_revoke(void **state)
{
	struct db_account	a;
	struct db_cert		c1, c2, got;
	int64_t			ca, acct;

	(void)state;
	ca = ca_add("ca1");
	account(&a, ep1, tp1);
	acct = account_add(&a);
	cert_of(&c1, order_add(acct), acct, "0101");
	c1.ca_id = ca;
	assert_int_equal(db_cert_insert(db, &c1), DB_OK);
	cert_of(&c2, order_add(acct), acct, "0102");
	c2.ca_id = ca;
	assert_int_equal(db_cert_insert(db, &c2), DB_OK);

	assert_int_equal(db_cert_by_id(db, c1.id, &got), DB_OK);
	assert_string_equal(got.uid, c1.uid);
	assert_int_equal(got.revoked, 0);
	assert_true(got.revoked_at == 0);
	assert_int_equal(got.reason, -1);
	db_cert_free(&got);

	assert_int_equal(db_cert_revoke(db, c1.id, 1700000500, 4), DB_OK);
	assert_int_equal(db_cert_by_id(db, c1.id, &got), DB_OK);
	assert_int_equal(got.revoked, 1);
	assert_true(got.revoked_at == 1700000500);
	assert_int_equal(got.reason, 4);
	db_cert_free(&got);
	/* Again: refused, the first revocation kept. */
	assert_int_equal(db_cert_revoke(db, c1.id, 1700000900, 1), DB_NOTFOUND);
	assert_int_equal(db_cert_by_uid(db, c1.uid, &got), DB_OK);
	assert_true(got.revoked_at == 1700000500);
	assert_int_equal(got.reason, 4);
	db_cert_free(&got);
	/* No reason given. */
	assert_int_equal(db_cert_revoke(db, c2.id, 1700000600, -1), DB_OK);
	assert_int_equal(db_cert_by_id(db, c2.id, &got), DB_OK);
	assert_int_equal(got.revoked, 1);
	assert_int_equal(got.reason, -1);
	db_cert_free(&got);
	/* No such certificate. */
	assert_int_equal(db_cert_revoke(db, c2.id + 99, 1700000600, 0), DB_NOTFOUND);
	assert_int_equal(db_cert_by_id(db, c2.id + 99, &got), DB_NOTFOUND);
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
		DBTEST(test_account_by_id),
		DBTEST(test_order_by_id),
		DBTEST(test_order_by_id_error_and_no_times),
		DBTEST(test_account_unfinished_orders),
		DBTEST(test_upstream_get_every_column),
		DBTEST(test_upstream_get_nulls_and_removed),
		DBTEST(test_upstream_set_account_once),
		DBTEST(test_upstream_set_account_refused),
		DBTEST(test_upstream_order_roundtrip),
		DBTEST(test_upstream_order_missing),
		DBTEST(test_upstream_order_refused),
		DBTEST(test_cert_upstream_roundtrip),
		DBTEST(test_cert_ca_no_chain),
		DBTEST(test_cert_issuer_refused),
		DBTEST(test_cert_serial_per_issuer),
		DBTEST(test_certs_by_serial_and_renewal_info),
		DBTEST(test_cert_revoke),
		DBTEST(test_mchalls_usable_lists_none),
		DBTEST(test_mchalls_usable_no_key),
		DBTEST(test_mchalls_usable_lists_some),
		DBTEST(test_mchalls_usable_listed_all_removed),
		DBTEST(test_mchalls_removed_never),
		DBTEST(test_job_due_queued),
		DBTEST(test_job_due_retry_later),
		DBTEST(test_job_due_running),
		DBTEST(test_job_due_done_or_failed_never),
		DBTEST(test_job_due_past_deadline),
		cmocka_unit_test(test_account_status_names),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
