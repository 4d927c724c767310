/*
 * test_nonce.c - self-authenticating nonces (RFC 8555 §6.5) and the record
 * of consumed ones in the database.
 */
#include "autoconfig.h"

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
#include "nonce.h"
#include "testutil.h"

/* A fixed clock: nothing here depends on the time of day. */
#define NOW		((time_t)1700000000)
#define LIFETIME	3600

static const struct nonce_key key1 = {
	.key = "0123456789abcdef0123456789abcdef",
	.lifetime = LIFETIME,
};
static const struct nonce_key key2 = {
	.key = "0123456789abcdef0123456789abcdeF",
	.lifetime = LIFETIME,
};

#define tmpdir	fixture_dir
static char		 dbpath[FIXTURE_PATH_MAX];
static struct db	*db;
static unsigned		 dbcount;

/* A fresh database per test, so that no test sees another's nonces. */
static int
db_setup(void **state)
{
	char	name[32], err[256];

	(void)state;
	snprintf(name, sizeof(name), "nonce%u.db", dbcount++);
	if (!fixture_path(dbpath, sizeof(dbpath), tmpdir, name) ||
	    (db = db_open(dbpath, 1000, 1, err, sizeof(err))) == NULL)
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

/* Checks text at now; returns the status (id and expires discarded). */
static enum nonce_status
check(const struct nonce_key *k, const char *text, time_t now)
{
	uint8_t	id[NONCE_ID_LEN];
	time_t	expires;

	return nonce_check(k, text, now, id, &expires);
}

static void
test_make_and_check(void **state)
{
	char	 text[NONCE_TEXT_LEN + 1];
	uint8_t	 id[NONCE_ID_LEN];
	time_t	 expires = 0;

	(void)state;
	assert_true(nonce_make(&key1, NOW, text));
	assert_int_equal(strlen(text), NONCE_TEXT_LEN);
	assert_int_equal(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789-_"), NONCE_TEXT_LEN);
	assert_int_equal(nonce_check(&key1, text, NOW, id, &expires), NONCE_VALID);
	assert_true(expires == NOW + LIFETIME);
	/* The recorded id starts with the expiry time, big-endian. */
	assert_int_equal(id[0], ((NOW + LIFETIME) >> 24) & 0xff);
	assert_int_equal(id[1], ((NOW + LIFETIME) >> 16) & 0xff);
	assert_int_equal(id[2], ((NOW + LIFETIME) >> 8) & 0xff);
	assert_int_equal(id[3], (NOW + LIFETIME) & 0xff);
}

/*
 * The MAC covers the expiry: a longer lifetime configured later does not
 * extend nonces already issued, whose records may have been pruned.
 */
static void
test_longer_lifetime_does_not_revive(void **state)
{
	struct nonce_key	 longer = key1;
	char			 text[NONCE_TEXT_LEN + 1];
	uint8_t			 id[NONCE_ID_LEN];
	time_t			 expires = 0;

	(void)state;
	longer.lifetime = LIFETIME * 10;
	assert_true(nonce_make(&key1, NOW, text));
	assert_int_equal(nonce_check(&longer, text, NOW + LIFETIME + 1, id, &expires),
	    NONCE_EXPIRED);
	assert_int_equal(nonce_check(&longer, text, NOW + LIFETIME, id, &expires),
	    NONCE_VALID);
	assert_true(expires == NOW + LIFETIME);
}

static void
test_nonces_differ(void **state)
{
	char	a[NONCE_TEXT_LEN + 1], b[NONCE_TEXT_LEN + 1];
	uint8_t	ida[NONCE_ID_LEN], idb[NONCE_ID_LEN];
	time_t	e;

	(void)state;
	assert_true(nonce_make(&key1, NOW, a));
	assert_true(nonce_make(&key1, NOW, b));
	assert_string_not_equal(a, b);
	assert_int_equal(nonce_check(&key1, a, NOW, ida, &e), NONCE_VALID);
	assert_int_equal(nonce_check(&key1, b, NOW, idb, &e), NONCE_VALID);
	assert_memory_not_equal(ida, idb, NONCE_ID_LEN);
}

/* Every single character changed makes the nonce not ours. */
static void
test_tampered_character(void **state)
{
	char	text[NONCE_TEXT_LEN + 1];

	(void)state;
	assert_true(nonce_make(&key1, NOW, text));
	for (size_t i = 0; i < NONCE_TEXT_LEN; i++) {
		char c = text[i];

		text[i] = c == 'A' ? 'B' : 'A';
		assert_int_equal(check(&key1, text, NOW), NONCE_INVALID);
		text[i] = c;
	}
	assert_int_equal(check(&key1, text, NOW), NONCE_VALID);
}

static void
test_other_key(void **state)
{
	char text[NONCE_TEXT_LEN + 1];

	(void)state;
	assert_true(nonce_make(&key2, NOW, text));
	assert_int_equal(check(&key1, text, NOW), NONCE_INVALID);
	assert_int_equal(check(&key2, text, NOW), NONCE_VALID);
}

/* Valid up to issued + lifetime, expired one second later. */
static void
test_expired(void **state)
{
	char text[NONCE_TEXT_LEN + 1];

	(void)state;
	assert_true(nonce_make(&key1, NOW, text));
	assert_int_equal(check(&key1, text, NOW + LIFETIME), NONCE_VALID);
	assert_int_equal(check(&key1, text, NOW + LIFETIME + 1), NONCE_EXPIRED);
	assert_int_equal(check(&key1, text, NOW + 10 * LIFETIME), NONCE_EXPIRED);
}

/* A clock step back of up to NONCE_SKEW seconds is tolerated, not more. */
static void
test_from_the_future(void **state)
{
	char text[NONCE_TEXT_LEN + 1];

	(void)state;
	assert_true(nonce_make(&key1, NOW + NONCE_SKEW, text));
	assert_int_equal(check(&key1, text, NOW), NONCE_VALID);
	assert_true(nonce_make(&key1, NOW + NONCE_SKEW + 1, text));
	assert_int_equal(check(&key1, text, NOW), NONCE_EXPIRED);
}

static void
test_wrong_length(void **state)
{
	char	text[NONCE_TEXT_LEN + 2];

	(void)state;
	assert_true(nonce_make(&key1, NOW, text));
	text[NONCE_TEXT_LEN] = 'A';
	text[NONCE_TEXT_LEN + 1] = '\0';
	assert_int_equal(check(&key1, text, NOW), NONCE_INVALID);
	text[NONCE_TEXT_LEN - 1] = '\0';
	assert_int_equal(check(&key1, text, NOW), NONCE_INVALID);
	assert_int_equal(check(&key1, "", NOW), NONCE_INVALID);
}

static void
test_not_base64url(void **state)
{
	char text[NONCE_TEXT_LEN + 1];

	(void)state;
	assert_true(nonce_make(&key1, NOW, text));
	text[5] = '+';
	assert_int_equal(check(&key1, text, NOW), NONCE_INVALID);
	text[5] = '=';
	assert_int_equal(check(&key1, text, NOW), NONCE_INVALID);
}

static void
test_consume_once(void **state)
{
	char	text[NONCE_TEXT_LEN + 1];
	uint8_t	id[NONCE_ID_LEN];
	time_t	expires;

	(void)state;
	assert_true(nonce_make(&key1, NOW, text));
	assert_int_equal(nonce_check(&key1, text, NOW, id, &expires), NONCE_VALID);
	assert_int_equal(db_nonce_consume(db, id, sizeof(id), expires), DB_OK);
	assert_int_equal(db_nonce_consume(db, id, sizeof(id), expires), DB_CONFLICT);
	assert_int_equal(fixture_nonce_count(dbpath), 1);
}

static void
test_consume_distinct(void **state)
{
	uint8_t	a[NONCE_ID_LEN] = { 1 }, b[NONCE_ID_LEN] = { 2 };

	(void)state;
	assert_int_equal(db_nonce_consume(db, a, sizeof(a), NOW), DB_OK);
	assert_int_equal(db_nonce_consume(db, b, sizeof(b), NOW), DB_OK);
	assert_int_equal(fixture_nonce_count(dbpath), 2);
}

/* Pruning forgets nonces that expired before now and keeps the others. */
static void
test_prune(void **state)
{
	uint8_t	old[NONCE_ID_LEN] = { 1 }, edge[NONCE_ID_LEN] = { 2 };
	uint8_t	live[NONCE_ID_LEN] = { 3 };

	(void)state;
	assert_int_equal(db_nonce_consume(db, old, sizeof(old), NOW - 1), DB_OK);
	assert_int_equal(db_nonce_consume(db, edge, sizeof(edge), NOW), DB_OK);
	assert_int_equal(db_nonce_consume(db, live, sizeof(live), NOW + 1), DB_OK);
	assert_true(db_nonce_prune(db, NOW));
	assert_int_equal(fixture_nonce_count(dbpath), 2);
	assert_int_equal(db_nonce_consume(db, old, sizeof(old), NOW - 1), DB_OK);
	assert_int_equal(db_nonce_consume(db, edge, sizeof(edge), NOW), DB_CONFLICT);
	assert_int_equal(db_nonce_consume(db, live, sizeof(live), NOW + 1),
	    DB_CONFLICT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_and_check),
		cmocka_unit_test(test_longer_lifetime_does_not_revive),
		cmocka_unit_test(test_nonces_differ),
		cmocka_unit_test(test_tampered_character),
		cmocka_unit_test(test_other_key),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_from_the_future),
		cmocka_unit_test(test_wrong_length),
		cmocka_unit_test(test_not_base64url),
		cmocka_unit_test_setup_teardown(test_consume_once, db_setup,
		    db_teardown),
		cmocka_unit_test_setup_teardown(test_consume_distinct, db_setup,
		    db_teardown),
		cmocka_unit_test_setup_teardown(test_prune, db_setup, db_teardown),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
