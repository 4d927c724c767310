/*
 * test_acme.c - request authentication (RFC 8555 §6.2-§6.5) end to end:
 * JWS bodies made with key.h against a temporary database.
 */
#include "autoconfig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "acme.h"
#include "b64url.h"
#include "config.h"
#include "db.h"
#include "fixture.h"
#include "ident.h"
#include "json.h"
#include "key.h"
#include "nonce.h"
#include "problem.h"
#include "testutil.h"

#define BASE_URL	"https://ca.test/acme"
#define EP_URL		BASE_URL "/ep"
#define OTHER_URL	BASE_URL "/other"
#define NEW_ACCOUNT_URL	EP_URL "/new-account"

static char			 tmpdir[FIXTURE_PATH_MAX];
static unsigned			 dbcount;
static struct key		 acct_key, other_key, stranger_key;

/* Per test: a database, the server, endpoint "ep" and its account. */
static struct {
	char			 path[FIXTURE_PATH_MAX];
	struct config		 cfg;
	struct db		*db;
	struct acme_server	 srv;
	struct db_endpoint	 ep;
	struct db_account	 acct;		/* acct_key's account on "ep" */
	struct db_account	 foreign;	/* other_key's account on "other" */
	char			 acct_url[256];
	char			 foreign_url[256];	/* as if it were on "ep" */
	struct acme_auth	 a;
	struct problem		 p;
} t;

static int
group_setup(void **state)
{
	(void)state;
	if (!fixture_tmpdir(tmpdir, sizeof(tmpdir)) ||
	    !key_generate(&acct_key, KEY_EC256) ||
	    !key_generate(&other_key, KEY_EC256) ||
	    !key_generate(&stranger_key, KEY_ED25519))
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	key_free(&acct_key);
	key_free(&other_key);
	key_free(&stranger_key);
	fixture_rmtree(tmpdir);
	return 0;
}

/* Inserts an account for key k on endpoint id ep into *a. */
static int
add_account(const struct key *k, int64_t ep, struct db_account *a)
{
	struct json_object	*o;
	struct jwk		 j;
	struct problem		 p;
	static char		 none[] = "[]";
	int			 ok;

	if ((o = key_jwk(k)) == NULL)
		return 0;
	ok = jwk_parse(o, &j, &p);
	json_object_put(o);
	if (!ok)
		return 0;
	memset(a, 0, sizeof(*a));
	ident_new(a->uid);
	a->endpoint_id = ep;
	a->jwk = j.json;
	a->thumbprint = j.thumbprint;
	a->contact = none;
	a->status = ACCT_VALID;
	a->created = time(NULL);
	ok = db_account_insert(t.db, a) == DB_OK;
	a->jwk = a->thumbprint = a->contact = NULL;
	jwk_free(&j);
	return ok;
}

static int
setup(void **state)
{
	struct db_endpoint	other;
	char			name[32], err[256];

	(void)state;
	memset(&t, 0, sizeof(t));
	snprintf(name, sizeof(name), "acme%u.db", dbcount++);
	if (!fixture_path(t.path, sizeof(t.path), tmpdir, name))
		return -1;
	config_defaults(&t.cfg);
	if (!config_set(&t.cfg, "database", t.path, err, sizeof(err)) ||
	    !config_set(&t.cfg, "base_url", BASE_URL, err, sizeof(err)) ||
	    (t.db = db_open(t.path, 1000, 1, err, sizeof(err))) == NULL ||
	    !acme_server_init(&t.srv, &t.cfg, t.db) ||
	    !fixture_endpoint_add(t.path, "ep", 0, "active") ||
	    !fixture_endpoint_add(t.path, "other", 0, "active") ||
	    db_endpoint_get(t.db, "ep", &t.ep) != DB_OK ||
	    db_endpoint_get(t.db, "other", &other) != DB_OK ||
	    !add_account(&acct_key, t.ep.id, &t.acct) ||
	    !add_account(&other_key, other.id, &t.foreign))
		return -1;
	snprintf(t.acct_url, sizeof(t.acct_url), EP_URL "/acct/%s", t.acct.uid);
	snprintf(t.foreign_url, sizeof(t.foreign_url), EP_URL "/acct/%s",
	    t.foreign.uid);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	acme_auth_free(&t.a);
	problem_clear(&t.p);
	db_close(t.db);
	config_free(&t.cfg);
	return 0;
}

/* A fresh nonce of this server. */
static const char *
nonce(void)
{
	static char n[NONCE_TEXT_LEN + 1];

	assert_true(acme_nonce(&t.srv, n));
	return n;
}

/*
 * A flattened JWS body.  alg NULL is the signer's own; signer NULL gives a
 * fake signature.  url, nonce and kid are left out when NULL, as is "jwk"
 * when jwk_of is NULL.  payload NULL is POST-as-GET.
 */
static char *
body(const struct key *signer, const char *alg, const char *url,
    const char *n, const char *kid, const struct key *jwk_of,
    const char *payload)
{
	struct json_object	*hdr, *o;
	const char		*htext;
	uint8_t			*sig = NULL;
	size_t			 siglen = 3;
	char			*prot, *pl, *input, *sigb, *res;

	assert_non_null(hdr = json_object_new_object());
	json_add_string(hdr, "alg", alg != NULL ? alg : jws_alg_name(signer->alg));
	if (url != NULL)
		json_add_string(hdr, "url", url);
	if (n != NULL)
		json_add_string(hdr, "nonce", n);
	if (kid != NULL)
		json_add_string(hdr, "kid", kid);
	if (jwk_of != NULL)
		json_object_object_add(hdr, "jwk", key_jwk(jwk_of));
	htext = json_object_to_json_string_ext(hdr, JSON_C_TO_STRING_PLAIN);
	prot = b64url_encode(htext, strlen(htext));
	pl = b64url_encode(payload != NULL ? payload : "",
	    payload != NULL ? strlen(payload) : 0);
	assert_non_null(input = malloc(strlen(prot) + strlen(pl) + 2));
	sprintf(input, "%s.%s", prot, pl);
	if (signer != NULL)
		assert_true(key_sign(signer, input, strlen(input), &sig, &siglen));
	sigb = b64url_encode(sig != NULL ? sig : (const uint8_t *)"sig", siglen);
	assert_non_null(o = json_object_new_object());
	json_add_string(o, "protected", prot);
	json_add_string(o, "payload", pl);
	json_add_string(o, "signature", sigb);
	assert_non_null(res = strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN)));
	json_object_put(o);
	json_object_put(hdr);
	gnutls_free(sig);
	free(prot);
	free(pl);
	free(input);
	free(sigb);
	return res;
}

/* acme_auth() of a body at url in mode; frees the body. */
static int
auth(char *b, const char *url, enum auth_mode mode)
{
	int ok;

	acme_auth_free(&t.a);
	problem_clear(&t.p);
	ok = acme_auth(&t.srv, &t.ep, EP_URL, url, (const uint8_t *)b, strlen(b),
	    mode, &t.a, &t.p);
	free(b);
	return ok;
}

/* Asserts that the last acme_auth() failed with type ty and detail s. */
#define assert_refused(ok, ty, s) do {					\
	assert_false(ok);						\
	assert_null(t.a.jws.hdr);					\
	assert_null(t.a.key.pub);					\
	assert_problem(&t.p, (ty), (s));				\
} while (0)

/* The usual account request: kid of the account, signed by its key. */
static char *
kid_body(const char *n)
{
	return body(&acct_key, NULL, t.acct_url, n, t.acct_url, NULL, "{}");
}

static void
test_kid_request_accepted(void **state)
{
	struct json_object	*hdr;
	char			*b;

	(void)state;
	/* Made by key_jws(), the way the clients of this project sign. */
	assert_non_null(hdr = json_object_new_object());
	json_add_string(hdr, "url", t.acct_url);
	json_add_string(hdr, "nonce", nonce());
	json_add_string(hdr, "kid", t.acct_url);
	assert_non_null(b = key_jws(&acct_key, hdr, NULL));
	json_object_put(hdr);
	assert_true(auth(b, t.acct_url, AUTH_KID));
	assert_true(t.a.has_acct);
	assert_string_equal(t.a.acct.uid, t.acct.uid);
	assert_int_equal(t.a.key.alg, JWS_ES256);
	assert_true(t.a.jws.post_as_get);
	assert_true(t.a.nonce_expires > time(NULL));
	assert_int_equal(t.p.type, PROB_NONE);
}

static void
test_jwk_request_new_key(void **state)
{
	(void)state;
	assert_true(auth(body(&stranger_key, NULL, NEW_ACCOUNT_URL, nonce(), NULL,
	    &stranger_key, "{}"), NEW_ACCOUNT_URL, AUTH_JWK));
	assert_false(t.a.has_acct);
	assert_int_equal(t.a.key.alg, JWS_EDDSA);
}

static void
test_jwk_request_known_key(void **state)
{
	(void)state;
	assert_true(auth(body(&acct_key, NULL, NEW_ACCOUNT_URL, nonce(), NULL,
	    &acct_key, "{}"), NEW_ACCOUNT_URL, AUTH_JWK));
	assert_true(t.a.has_acct);
	assert_string_equal(t.a.acct.uid, t.acct.uid);
}

/* A key with an account on another endpoint has none on this one. */
static void
test_jwk_request_key_of_other_endpoint(void **state)
{
	(void)state;
	assert_true(auth(body(&other_key, NULL, NEW_ACCOUNT_URL, nonce(), NULL,
	    &other_key, "{}"), NEW_ACCOUNT_URL, AUTH_JWK));
	assert_false(t.a.has_acct);
}

static void
test_any_mode_takes_either(void **state)
{
	(void)state;
	assert_true(auth(kid_body(nonce()), t.acct_url, AUTH_ANY));
	assert_true(t.a.has_acct);
	assert_true(auth(body(&stranger_key, NULL, t.acct_url, nonce(), NULL,
	    &stranger_key, "{}"), t.acct_url, AUTH_ANY));
	assert_false(t.a.has_acct);
}

static void
test_rejects_bad_json(void **state)
{
	(void)state;
	assert_refused(auth(strdup("{\"protected\":"), t.acct_url, AUTH_KID),
	    PROB_MALFORMED, "request body: truncated");
	assert_refused(auth(strdup("{\"a\":1,\"a\":1}"), t.acct_url, AUTH_KID),
	    PROB_MALFORMED, "request body: duplicate");
}

static void
test_rejects_non_jws(void **state)
{
	(void)state;
	assert_refused(auth(strdup("{}"), t.acct_url, AUTH_KID),
	    PROB_MALFORMED, "needs string members");
}

/* RFC 8555 §6.2: "none" and MAC algorithms are refused with the list. */
static void
test_rejects_alg_none(void **state)
{
	(void)state;
	assert_refused(auth(body(NULL, "none", t.acct_url, nonce(), t.acct_url,
	    NULL, "{}"), t.acct_url, AUTH_KID), PROB_BAD_SIGNATURE_ALGORITHM,
	    "\"none\" is not supported");
	assert_true(t.p.algorithms);
}

static void
test_rejects_alg_hs256(void **state)
{
	(void)state;
	assert_refused(auth(body(NULL, "HS256", t.acct_url, nonce(), t.acct_url,
	    NULL, "{}"), t.acct_url, AUTH_KID), PROB_BAD_SIGNATURE_ALGORITHM,
	    "\"HS256\" is not supported");
	assert_true(t.p.algorithms);
}

/* A supported algorithm that is not the key's. */
static void
test_rejects_alg_of_other_key_type(void **state)
{
	(void)state;
	assert_refused(auth(body(&acct_key, "ES384", t.acct_url, nonce(),
	    t.acct_url, NULL, "{}"), t.acct_url, AUTH_KID),
	    PROB_BAD_SIGNATURE_ALGORITHM, "does not match the key");
	assert_true(t.p.algorithms);
}

/* RFC 8555 §6.4: the signed "url" is the URL the request went to. */
static void
test_rejects_url_mismatch(void **state)
{
	(void)state;
	assert_refused(auth(body(&acct_key, NULL, EP_URL "/new-nonce", nonce(),
	    t.acct_url, NULL, "{}"), t.acct_url, AUTH_KID), PROB_UNAUTHORIZED,
	    "is not the URL of this request");
	assert_refused(auth(body(&acct_key, NULL, OTHER_URL "/new-account",
	    nonce(), NULL, &acct_key, "{}"), NEW_ACCOUNT_URL, AUTH_JWK),
	    PROB_UNAUTHORIZED, "is not the URL of this request");
}

static void
test_rejects_url_missing(void **state)
{
	(void)state;
	assert_refused(auth(body(&acct_key, NULL, NULL, nonce(), t.acct_url, NULL,
	    "{}"), t.acct_url, AUTH_KID), PROB_MALFORMED, "no \"url\"");
}

static void
test_rejects_nonce_missing(void **state)
{
	(void)state;
	assert_refused(auth(body(&acct_key, NULL, t.acct_url, NULL, t.acct_url,
	    NULL, "{}"), t.acct_url, AUTH_KID), PROB_BAD_NONCE, "no \"nonce\"");
}

static void
test_rejects_foreign_nonce(void **state)
{
	struct nonce_key	other = t.srv.nonce;
	char			n[NONCE_TEXT_LEN + 1];

	(void)state;
	other.key[0] ^= 0x01;
	assert_true(nonce_make(&other, time(NULL), n));
	assert_refused(auth(kid_body(n), t.acct_url, AUTH_KID), PROB_BAD_NONCE,
	    "not issued by this server");
	assert_refused(auth(kid_body("not-a-nonce"), t.acct_url, AUTH_KID),
	    PROB_BAD_NONCE, "not issued by this server");
}

static void
test_rejects_expired_nonce(void **state)
{
	char n[NONCE_TEXT_LEN + 1];

	(void)state;
	assert_true(nonce_make(&t.srv.nonce,
	    time(NULL) - (time_t)t.cfg.nonce_lifetime - 10, n));
	assert_refused(auth(kid_body(n), t.acct_url, AUTH_KID), PROB_BAD_NONCE,
	    "expired");
}

static void
test_rejects_jwk_and_kid(void **state)
{
	(void)state;
	assert_refused(auth(body(&acct_key, NULL, t.acct_url, nonce(), t.acct_url,
	    &acct_key, "{}"), t.acct_url, AUTH_ANY), PROB_MALFORMED,
	    "both \"jwk\" and \"kid\"");
}

static void
test_rejects_neither_jwk_nor_kid(void **state)
{
	(void)state;
	assert_refused(auth(body(&acct_key, NULL, t.acct_url, nonce(), NULL, NULL,
	    "{}"), t.acct_url, AUTH_ANY), PROB_MALFORMED,
	    "neither \"jwk\" nor \"kid\"");
}

static void
test_rejects_jwk_in_kid_mode(void **state)
{
	(void)state;
	assert_refused(auth(body(&acct_key, NULL, t.acct_url, nonce(), NULL,
	    &acct_key, "{}"), t.acct_url, AUTH_KID), PROB_MALFORMED,
	    "must be signed by an account");
}

static void
test_rejects_kid_in_jwk_mode(void **state)
{
	(void)state;
	assert_refused(auth(body(&acct_key, NULL, NEW_ACCOUNT_URL, nonce(),
	    t.acct_url, NULL, "{}"), NEW_ACCOUNT_URL, AUTH_JWK), PROB_MALFORMED,
	    "must be signed with a \"jwk\"");
}

static void
test_rejects_unknown_account(void **state)
{
	char kid[128];

	(void)state;
	snprintf(kid, sizeof(kid), EP_URL "/acct/%s", "AAAAAAAAAAAAAAAAAAAAAA");
	assert_refused(auth(body(&acct_key, NULL, t.acct_url, nonce(), kid, NULL,
	    "{}"), t.acct_url, AUTH_KID), PROB_ACCOUNT_DOES_NOT_EXIST,
	    "no account");
}

/* A kid that is not an account URL of this endpoint names no account. */
static void
test_rejects_kid_of_other_endpoint_url(void **state)
{
	char kid[128];

	(void)state;
	snprintf(kid, sizeof(kid), OTHER_URL "/acct/%s", t.foreign.uid);
	assert_refused(auth(body(&other_key, NULL, t.acct_url, nonce(), kid, NULL,
	    "{}"), t.acct_url, AUTH_KID), PROB_ACCOUNT_DOES_NOT_EXIST,
	    "not an account URL of this endpoint");
	assert_refused(auth(body(&acct_key, NULL, t.acct_url, nonce(),
	    t.acct.uid, NULL, "{}"), t.acct_url, AUTH_KID),
	    PROB_ACCOUNT_DOES_NOT_EXIST, "not an account URL of this endpoint");
	assert_refused(auth(body(&acct_key, NULL, t.acct_url, nonce(),
	    EP_URL "/acct/short", NULL, "{}"), t.acct_url, AUTH_KID),
	    PROB_ACCOUNT_DOES_NOT_EXIST, "not an account URL of this endpoint");
}

/* An account of endpoint "other" presented under this endpoint's URL. */
static void
test_rejects_account_of_other_endpoint(void **state)
{
	(void)state;
	assert_refused(auth(body(&other_key, NULL, t.acct_url, nonce(),
	    t.foreign_url, NULL, "{}"), t.acct_url, AUTH_KID),
	    PROB_ACCOUNT_DOES_NOT_EXIST, "no account");
}

static void
test_rejects_signature_by_other_key(void **state)
{
	(void)state;
	assert_refused(auth(body(&other_key, NULL, t.acct_url, nonce(), t.acct_url,
	    NULL, "{}"), t.acct_url, AUTH_KID), PROB_MALFORMED,
	    "signature does not verify");
	/* In jwk mode: the key in the header did not sign. */
	assert_refused(auth(body(&other_key, NULL, NEW_ACCOUNT_URL, nonce(), NULL,
	    &acct_key, "{}"), NEW_ACCOUNT_URL, AUTH_JWK), PROB_MALFORMED,
	    "signature does not verify");
}

static void
test_rejects_bad_public_key(void **state)
{
	static const char bad_jwk[] = "{\"alg\":\"ES256\",\"url\":\"" NEW_ACCOUNT_URL
	    "\",\"nonce\":\"%s\",\"jwk\":{\"kty\":\"EC\",\"crv\":\"P-192\","
	    "\"x\":\"AAAA\",\"y\":\"AAAA\"}}";
	struct json_object	*o;
	char			 hdr[512], *prot, *b;

	(void)state;
	snprintf(hdr, sizeof(hdr), bad_jwk, nonce());
	prot = b64url_encode(hdr, strlen(hdr));
	assert_non_null(o = json_object_new_object());
	json_add_string(o, "protected", prot);
	json_add_string(o, "payload", "e30");
	json_add_string(o, "signature", "c2ln");
	b = strdup(json_object_to_json_string(o));
	json_object_put(o);
	free(prot);
	assert_refused(auth(b, NEW_ACCOUNT_URL, AUTH_JWK), PROB_BAD_PUBLIC_KEY,
	    "\"P-192\" is not supported");
}

/*
 * RFC 8555 §7.6: in AUTH_ANY a "jwk" is a certificate's key, never an
 * account's, even when an account has that key, and whatever its status;
 * the transaction does not make it one either.  Its twin in AUTH_JWK.
 */
static void
test_any_mode_jwk_is_no_account(void **state)
{
	struct db_account a;

	(void)state;
	assert_int_equal(db_account_by_uid(t.db, t.acct.uid, &a), DB_OK);
	a.status = ACCT_DEACTIVATED;
	assert_int_equal(db_account_update(t.db, &a), DB_OK);
	db_account_free(&a);
	assert_true(auth(body(&acct_key, NULL, t.acct_url, nonce(), NULL,
	    &acct_key, "{}"), t.acct_url, AUTH_ANY));
	assert_false(t.a.has_acct);
	assert_non_null(t.a.key.pub);
	assert_true(acme_txn_begin(&t.srv, &t.a, &t.p));
	assert_false(t.a.has_acct);
	acme_txn_rollback(&t.srv);
	assert_true(auth(body(&acct_key, NULL, NEW_ACCOUNT_URL, nonce(), NULL,
	    &acct_key, "{}"), NEW_ACCOUNT_URL, AUTH_JWK));
	assert_true(t.a.has_acct);
}

/* RFC 8555 §7.3.6: a deactivated account is refused as unauthorized. */
static void
test_rejects_deactivated_account(void **state)
{
	struct db_account a;

	(void)state;
	assert_int_equal(db_account_by_uid(t.db, t.acct.uid, &a), DB_OK);
	a.status = ACCT_DEACTIVATED;
	assert_int_equal(db_account_update(t.db, &a), DB_OK);
	db_account_free(&a);
	assert_refused(auth(kid_body(nonce()), t.acct_url, AUTH_KID),
	    PROB_UNAUTHORIZED, "account is deactivated");
}

static void
test_rejects_deactivated_endpoint(void **state)
{
	(void)state;
	assert_true(fixture_endpoint_set_status(t.path, "ep", "deactivated"));
	assert_int_equal(db_endpoint_get(t.db, "ep", &t.ep), DB_OK);
	assert_refused(auth(kid_body(nonce()), t.acct_url, AUTH_KID),
	    PROB_UNAUTHORIZED, "endpoint has been deactivated");
}

/* acme_txn_begin() consumes the nonce: the same body twice is a replay. */
static void
test_txn_begin_consumes_nonce(void **state)
{
	char *b, *again;

	(void)state;
	assert_non_null(b = kid_body(nonce()));
	assert_non_null(again = strdup(b));
	assert_true(auth(b, t.acct_url, AUTH_KID));
	assert_true(acme_txn_begin(&t.srv, &t.a, &t.p));
	assert_true(acme_txn_commit(&t.srv, &t.p));
	/* Authentication itself is stateless: the replay gets this far. */
	assert_true(auth(again, t.acct_url, AUTH_KID));
	assert_false(acme_txn_begin(&t.srv, &t.a, &t.p));
	assert_problem(&t.p, PROB_BAD_NONCE, "already been used");
	/* And it left no transaction open. */
	assert_true(db_begin(t.db));
	db_rollback(t.db);
}

/*
 * acme_txn_begin() re-reads the account, which may have been deactivated
 * since acme_auth() looked: the request is refused and nothing stays open.
 */
static void
test_txn_begin_rereads_account(void **state)
{
	struct db_account a;

	(void)state;
	assert_true(auth(kid_body(nonce()), t.acct_url, AUTH_KID));
	assert_int_equal(t.a.acct.status, ACCT_VALID);
	assert_int_equal(db_account_by_uid(t.db, t.acct.uid, &a), DB_OK);
	a.status = ACCT_DEACTIVATED;
	assert_int_equal(db_account_update(t.db, &a), DB_OK);
	db_account_free(&a);
	assert_false(acme_txn_begin(&t.srv, &t.a, &t.p));
	assert_problem(&t.p, PROB_UNAUTHORIZED, "account is deactivated");
	assert_true(db_begin(t.db));
	db_rollback(t.db);
}

/*
 * A nonce that expired while the request waited for the write lock is
 * refused inside the transaction, and its use is not recorded.
 */
static void
test_txn_begin_rechecks_nonce_expiry(void **state)
{
	(void)state;
	assert_true(auth(kid_body(nonce()), t.acct_url, AUTH_KID));
	t.a.nonce_expires = time(NULL) - 1;
	assert_false(acme_txn_begin(&t.srv, &t.a, &t.p));
	assert_problem(&t.p, PROB_BAD_NONCE, "expired");
	assert_int_equal(fixture_nonce_count(t.path), 0);
	assert_true(db_begin(t.db));
	db_rollback(t.db);
}

/* A newAccount that committed in between: the transaction sees the account. */
static void
test_txn_begin_sees_parallel_new_account(void **state)
{
	struct db_account a;

	(void)state;
	assert_true(auth(body(&stranger_key, NULL, NEW_ACCOUNT_URL, nonce(), NULL,
	    &stranger_key, "{}"), NEW_ACCOUNT_URL, AUTH_JWK));
	assert_false(t.a.has_acct);
	assert_true(add_account(&stranger_key, t.ep.id, &a));
	assert_true(acme_txn_begin(&t.srv, &t.a, &t.p));
	assert_true(t.a.has_acct);
	assert_string_equal(t.a.acct.uid, a.uid);
	acme_txn_rollback(&t.srv);
	db_account_free(&a);
}

/* An endpoint deactivated after acme_auth(): refused inside the transaction. */
static void
test_txn_begin_rereads_endpoint(void **state)
{
	(void)state;
	assert_true(auth(kid_body(nonce()), t.acct_url, AUTH_KID));
	assert_true(fixture_endpoint_set_status(t.path, "ep", "deactivated"));
	assert_false(acme_txn_begin(&t.srv, &t.a, &t.p));
	assert_problem(&t.p, PROB_UNAUTHORIZED, "deactivated");
	/* Refused after the nonce was spent: it stays spent. */
	assert_int_equal(fixture_nonce_count(t.path), 1);
	assert_true(db_begin(t.db));
	db_rollback(t.db);
}

/*
 * A request its handler refuses: its changes are undone, its nonce stays
 * spent, so the same JWS sent again gets badNonce (RFC 8555 §6.5).
 */
static void
test_txn_rollback_keeps_nonce_spent(void **state)
{
	struct db_account	a, gone;
	char			*b;

	(void)state;
	b = kid_body(nonce());
	assert_true(auth(strdup(b), t.acct_url, AUTH_KID));
	assert_true(acme_txn_begin(&t.srv, &t.a, &t.p));
	/* The handler changes something, then refuses the request. */
	assert_true(add_account(&stranger_key, t.ep.id, &a));
	acme_txn_rollback(&t.srv);
	assert_int_equal(fixture_nonce_count(t.path), 1);
	assert_int_equal(db_account_by_uid(t.db, a.uid, &gone), DB_NOTFOUND);
	acme_auth_free(&t.a);
	memset(&t.p, 0, sizeof(t.p));
	assert_true(auth(b, t.acct_url, AUTH_KID));
	assert_false(acme_txn_begin(&t.srv, &t.a, &t.p));
	assert_problem(&t.p, PROB_BAD_NONCE, "already been used");
	db_account_free(&a);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_kid_request_accepted),
		T(test_jwk_request_new_key),
		T(test_jwk_request_known_key),
		T(test_jwk_request_key_of_other_endpoint),
		T(test_any_mode_takes_either),
		T(test_any_mode_jwk_is_no_account),
		T(test_rejects_bad_json),
		T(test_rejects_non_jws),
		T(test_rejects_alg_none),
		T(test_rejects_alg_hs256),
		T(test_rejects_alg_of_other_key_type),
		T(test_rejects_url_mismatch),
		T(test_rejects_url_missing),
		T(test_rejects_nonce_missing),
		T(test_rejects_foreign_nonce),
		T(test_rejects_expired_nonce),
		T(test_rejects_jwk_and_kid),
		T(test_rejects_neither_jwk_nor_kid),
		T(test_rejects_jwk_in_kid_mode),
		T(test_rejects_kid_in_jwk_mode),
		T(test_rejects_unknown_account),
		T(test_rejects_kid_of_other_endpoint_url),
		T(test_rejects_account_of_other_endpoint),
		T(test_rejects_signature_by_other_key),
		T(test_rejects_bad_public_key),
		T(test_rejects_deactivated_account),
		T(test_rejects_deactivated_endpoint),
		T(test_txn_begin_consumes_nonce),
		T(test_txn_begin_rereads_account),
		T(test_txn_begin_rechecks_nonce_expiry),
		T(test_txn_begin_sees_parallel_new_account),
		T(test_txn_begin_rereads_endpoint),
		T(test_txn_rollback_keeps_nonce_spent),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
