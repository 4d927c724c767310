/*
 * test_acme_client.c - the ACME client (core/acme_client.c) against canned
 * responses: every request it makes is checked against a script, every
 * response it gets comes from it, and time passes only when it sleeps.
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

#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "acme_client.h"
#include "acme_resp.h"
#include "b64url.h"
#include "buf.h"
#include "ca.h"
#include "eab.h"
#include "json.h"
#include "jwk.h"
#include "jws.h"
#include "key.h"
#include "problem.h"
#include "testutil.h"

#define B		"https://ca.test/acme/ep"
#define DIR_URL		B "/directory"
#define NONCE_URL	B "/new-nonce"
#define ACCT_URL	B "/new-account"
#define ORDER_URL	B "/new-order"
#define KID		B "/acct/A1"
#define O1		B "/order/O1"
#define FIN1		B "/order/O1/finalize"
#define AZ1		B "/authz/Z1"
#define AZ2		B "/authz/Z2"
#define CH1		B "/chall/C1"
#define CERT1		B "/cert/X1"
#define EAB_KID		"kid-1"
/* 1700000000: Tue, 14 Nov 2023 22:13:20 GMT. */
#define T0		1700000000

/* --- the canned transport ---------------------------------------------------------- */

struct canned {
	enum acme_method	 method;
	const char		*url;		/* expected; NULL: any */
	long			 status;
	const char		*headers;	/* "Name: value\n" lines */
	const char		*body;
	int			 fail;		/* no answer: a connection error */
	int			 repeat;	/* answers every request from here on */
};

struct sent {
	enum acme_method	 method;
	char			*url;
	char			*body;
	char			*accept;
};

#define SENT_MAX	256

static struct {
	const struct canned	*script;
	size_t			 n;
	size_t			 next;
	struct sent		 sent[SENT_MAX];
	size_t			 nsent;
	time_t			 now;
	unsigned		 slept[SENT_MAX];
	size_t			 nslept;
	int			 frozen;	/* sleeping does not advance the clock */
	char			*big;		/* a body over the bound, for one test */
} T;

static struct key		 acct, other_key;
static struct acme_client	*C;

static const uint8_t eab_key[32] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
	0xdd, 0xee, 0xff, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
};

static int
fake_http(void *ctx, const struct acme_http_req *req, struct acme_http_resp *resp,
    struct problem *p)
{
	const struct canned	*cn;
	struct sent		*s;

	(void)ctx;
	assert_true(T.nsent < SENT_MAX);
	s = &T.sent[T.nsent++];
	s->method = req->method;
	assert_non_null(s->url = strdup(req->url));
	s->body = req->body != NULL ? strndup(req->body, req->body_len) : NULL;
	s->accept = req->accept != NULL ? strdup(req->accept) : NULL;
	if (T.next >= T.n)
		fail_msg("unexpected request %d %s", (int)req->method, req->url);
	cn = &T.script[T.next];
	if (!cn->repeat)
		T.next++;
	if ((int)cn->method != (int)req->method || (cn->url != NULL &&
	    strcmp(cn->url, req->url) != 0))
		fail_msg("request %zu: got %d %s, want %d %s", T.nsent, (int)req->method,
		    req->url, (int)cn->method, cn->url != NULL ? cn->url : "*");
	if (cn->fail)
		return problem_set(p, PROB_CONNECTION, "Failed to connect to ca.test port 443");
	resp->status = cn->status;
	if (cn->headers != NULL)
		buf_puts(&resp->headers, cn->headers);
	if (cn->body != NULL)
		buf_puts(&resp->body, cn->body);
	return 1;
}

static time_t
fake_now(void *ctx)
{
	(void)ctx;
	return T.now;
}

static void
fake_sleep(void *ctx, unsigned s)
{
	(void)ctx;
	assert_true(T.nslept < SENT_MAX);
	T.slept[T.nslept++] = s;
	if (!T.frozen)
		T.now += s;
}

static void
reset_sent(void)
{
	for (size_t i = 0; i < T.nsent; i++) {
		free(T.sent[i].url);
		free(T.sent[i].body);
		free(T.sent[i].accept);
	}
	T.nsent = 0;
	T.nslept = 0;
}

/* Runs the client on script (n answers), from a fresh client when fresh. */
static void
play(const struct canned *script, size_t n)
{
	reset_sent();
	T.script = script;
	T.n = n;
	T.next = 0;
}

#define PLAY(s)		play((s), nitems(s))

/* Every answer of the script was asked for. */
#define assert_played() do {						\
	if (T.next != T.n && !T.script[T.next].repeat)			\
		fail_msg("%zu of %zu answers used", T.next, T.n);	\
} while (0)

static struct acme_client *
client(unsigned poll_min, unsigned poll_max, unsigned poll_total)
{
	struct acme_client_opts	 o;
	struct acme_client	*c;
	struct problem		 p;

	memset(&o, 0, sizeof(o));
	memset(&p, 0, sizeof(p));
	o.directory_url = DIR_URL;
	o.key = &acct;
	o.http.fn = fake_http;
	o.clock.now = fake_now;
	o.clock.sleep = fake_sleep;
	o.poll_min = poll_min;
	o.poll_max = poll_max;
	o.poll_total = poll_total;
	if ((c = acme_client_new(&o, &p)) == NULL)
		fail_msg("acme_client_new: %s", p.detail);
	return c;
}

static int
setup(void **state)
{
	(void)state;
	memset(&T, 0, sizeof(T));
	T.now = T0;
	C = client(1, 30, 100);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	acme_client_free(C);
	C = NULL;
	reset_sent();
	free(T.big);
	T.big = NULL;
	return 0;
}

/* --- canned bodies ------------------------------------------------------------------ */

#define DIRECTORY \
	"{\"newNonce\":\"" NONCE_URL "\",\"newAccount\":\"" ACCT_URL "\"," \
	"\"newOrder\":\"" ORDER_URL "\",\"revokeCert\":\"" B "/revoke-cert\"," \
	"\"keyChange\":\"" B "/key-change\",\"renewalInfo\":\"" B "/renewal-info\"," \
	"\"meta\":{\"termsOfService\":\"https://ca.test/tos\"," \
	"\"website\":\"https://ca.test/\",\"externalAccountRequired\":true," \
	"\"caaIdentities\":[\"ca.test\"]}}"

#define NONCE(n)	"Replay-Nonce: " n "\n"
#define ANS_DIR		{ ACME_GET, DIR_URL, 200, "Content-Type: application/json\n", DIRECTORY, 0, 0 }
#define ANS_NONCE(n)	{ ACME_HEAD, NONCE_URL, 200, NONCE(n) "Cache-Control: no-store\n", NULL, 0, 0 }

#define ACCOUNT_BODY \
	"{\"status\":\"valid\",\"contact\":[\"mailto:a@example.test\"]," \
	"\"orders\":\"" KID "/orders\"}"
#define ANS_ACCOUNT(n) \
	{ ACME_POST, ACCT_URL, 201, NONCE(n) "Location: " KID "\n", ACCOUNT_BODY, 0, 0 }

#define ORDER_PENDING \
	"{\"status\":\"pending\",\"expires\":\"2023-11-21T22:13:20Z\"," \
	"\"identifiers\":[{\"type\":\"dns\",\"value\":\"www.example.test\"}," \
	"{\"type\":\"dns\",\"value\":\"*.example.test\"}]," \
	"\"authorizations\":[\"" AZ1 "\",\"" AZ2 "\"],\"finalize\":\"" FIN1 "\"}"
#define ORDER_WITH(st, extra) \
	"{\"status\":\"" st "\",\"identifiers\":[{\"type\":\"dns\",\"value\":\"www.example.test\"}]," \
	"\"authorizations\":[\"" AZ1 "\"],\"finalize\":\"" FIN1 "\"" extra "}"
#define ORDER_VALID	ORDER_WITH("valid", ",\"certificate\":\"" CERT1 "\"")

#define BAD_NONCE_BODY \
	"{\"type\":\"urn:ietf:params:acme:error:badNonce\",\"detail\":\"stale nonce\",\"status\":400}"

/* Starts every account-holding test: directory, nonce, newAccount. */
#define ACCOUNT_PRELUDE	ANS_DIR, ANS_NONCE("n1"), ANS_ACCOUNT("n2")

static void
have_account(void)
{
	static const struct canned s[] = { ACCOUNT_PRELUDE };
	struct acme_account	a;
	struct problem		p;

	memset(&p, 0, sizeof(p));
	PLAY(s);
	if (!acme_client_account(C, NULL, &a, &p))
		fail_msg("account: %s", p.detail);
	acme_account_free(&a);
	reset_sent();
}

/* --- looking into what was sent ----------------------------------------------------- */

/*
 * The JWS of request i, parsed; its signature checked with the key it
 * names (jwk) or the account key (kid).
 */
static void
sent_jws(size_t i, struct jws *j)
{
	struct json_object	*o;
	struct problem		 p;
	struct jwk		 k;
	const char		*err;
	char			*text;

	assert_true(i < T.nsent);
	assert_int_equal(T.sent[i].method, ACME_POST);
	assert_non_null(T.sent[i].body);
	memset(&p, 0, sizeof(p));
	assert_non_null(o = json_parse(T.sent[i].body, strlen(T.sent[i].body), 8, &err));
	if (!jws_parse(o, j, &p))
		fail_msg("request %zu: %s", i, p.detail);
	json_object_put(o);
	assert_non_null(o = key_jwk(&acct));
	assert_non_null(text = strdup(json_out_compact(o)));
	json_object_put(o);
	assert_true(jwk_parse_text(text, &k, &p));
	free(text);
	assert_true(jwk_verify(&k, j->alg, j->signing_input, j->signing_input_len,
	    j->sig, j->sig_len));
	jwk_free(&k);
	assert_int_equal(j->alg, JWS_ES256);
	assert_string_equal(j->url, T.sent[i].url);
}

/* The payload of request i as JSON (new reference); NULL for POST-as-GET. */
static struct json_object *
sent_payload(size_t i)
{
	struct json_object	*o;
	struct jws		 j;
	const char		*err;

	sent_jws(i, &j);
	if (j.post_as_get) {
		jws_free(&j);
		return NULL;
	}
	if ((o = json_parse((const char *)j.payload, j.payload_len, 8, &err)) == NULL)
		fail_msg("payload of request %zu: %s", i, err);
	jws_free(&j);
	return o;
}

static const char *
str_member(struct json_object *o, const char *key)
{
	const char *s;

	if (json_get_string(o, key, 100000, &s) != JGET_OK)
		fail_msg("no string \"%s\"", key);
	return s;
}

/* --- the directory ------------------------------------------------------------------ */

static void
test_directory(void **state)
{
	static const struct canned	 s[] = { ANS_DIR };
	const struct acme_directory	*d;
	struct problem			 p = { 0 };

	(void)state;
	PLAY(s);
	assert_true(acme_client_directory(C, &d, &p));
	assert_string_equal(d->new_nonce, NONCE_URL);
	assert_string_equal(d->new_account, ACCT_URL);
	assert_string_equal(d->new_order, ORDER_URL);
	assert_string_equal(d->revoke_cert, B "/revoke-cert");
	assert_string_equal(d->key_change, B "/key-change");
	assert_string_equal(d->renewal_info, B "/renewal-info");
	assert_null(d->new_authz);
	assert_string_equal(d->terms_of_service, "https://ca.test/tos");
	assert_string_equal(d->website, "https://ca.test/");
	assert_true(d->eab_required);
	/* Kept: no second request. */
	assert_true(acme_client_directory(C, &d, &p));
	assert_int_equal(T.nsent, 1);
	assert_null(T.sent[0].body);
	assert_played();
}

static void
directory_refused(const char *body, long status, enum problem_type t,
    const char *detail)
{
	const struct canned		 s[] = { { ACME_GET, DIR_URL, status, NULL, body, 0, 0 } };
	const struct acme_directory	*d;
	struct problem			 p = { 0 };

	play(s, 1);
	assert_false(acme_client_directory(C, &d, &p));
	assert_null(d);
	assert_problem(&p, t, detail);
	problem_clear(&p);
}

static void
test_directory_refused(void **state)
{
	(void)state;
	directory_refused("{\"newAccount\":\"" ACCT_URL "\",\"newOrder\":\"" ORDER_URL "\"}",
	    200, PROB_SERVER_INTERNAL, "\"newNonce\" is missing");
	directory_refused("{\"newNonce\":\"" NONCE_URL "\",\"newOrder\":\"" ORDER_URL "\"}",
	    200, PROB_SERVER_INTERNAL, "\"newAccount\" is missing");
	directory_refused("{\"newNonce\":\"" NONCE_URL "\",\"newAccount\":\"" ACCT_URL "\"}",
	    200, PROB_SERVER_INTERNAL, "\"newOrder\" is missing");
	directory_refused("{\"newNonce\":7,\"newAccount\":\"" ACCT_URL "\",\"newOrder\":\""
	    ORDER_URL "\"}", 200, PROB_SERVER_INTERNAL, "\"newNonce\" is not a string");
	directory_refused("{\"newNonce\":\"https://ca.test/a b\",\"newAccount\":\"" ACCT_URL
	    "\",\"newOrder\":\"" ORDER_URL "\"}", 200, PROB_SERVER_INTERNAL,
	    "\"newNonce\" is not a URL");
	directory_refused("{\"newNonce\":\"" NONCE_URL "\",\"newAccount\":\"" ACCT_URL
	    "\",\"newOrder\":\"" ORDER_URL "\",\"meta\":[]}", 200, PROB_SERVER_INTERNAL,
	    "\"meta\" is not an object");
	directory_refused("{\"newNonce\":\"" NONCE_URL "\",\"newAccount\":\"" ACCT_URL
	    "\",\"newOrder\":\"" ORDER_URL "\",\"meta\":{\"externalAccountRequired\":\"yes\"}}",
	    200, PROB_SERVER_INTERNAL, "externalAccountRequired");
	directory_refused("<html>Welcome to nginx!</html>", 200, PROB_SERVER_INTERNAL,
	    "directory: JSON syntax error");
	directory_refused("", 200, PROB_SERVER_INTERNAL, "directory: empty JSON document");
	directory_refused("[\"newNonce\"]", 200, PROB_SERVER_INTERNAL, "not a JSON object");
	directory_refused("{\"newNonce\":1,\"newNonce\":2}", 200, PROB_SERVER_INTERNAL,
	    "duplicate member");
	directory_refused("{}", 301, PROB_SERVER_INTERNAL, "unexpected HTTP status 301");
	directory_refused("{\"type\":\"urn:ietf:params:acme:error:malformed\","
	    "\"detail\":\"no such endpoint\"}", 404, PROB_MALFORMED, "no such endpoint");
	assert_int_equal(T.nsent, 1);
}

/* Anything but a problem document with an error status. */
static void
test_error_without_problem(void **state)
{
	static const struct canned s[] = {
		{ ACME_GET, DIR_URL, 502, "Content-Type: text/html\n", "<h1>Bad Gateway</h1>", 0, 0 },
	};
	const struct acme_directory	*d;
	struct problem			 p = { 0 };

	(void)state;
	PLAY(s);
	assert_false(acme_client_directory(C, &d, &p));
	assert_problem(&p, PROB_SERVER_INTERNAL, "HTTP status 502 without a problem document");
	assert_int_equal(p.status, 502);
}

static void
test_connection_error(void **state)
{
	static const struct canned s[] = { { ACME_GET, DIR_URL, 0, NULL, NULL, 1, 0 } };
	const struct acme_directory	*d;
	struct problem			 p = { 0 };

	(void)state;
	PLAY(s);
	assert_false(acme_client_directory(C, &d, &p));
	assert_problem(&p, PROB_CONNECTION, "Failed to connect");
}

/* The real transport: nothing listens on port 1. */
static void
test_connection_error_curl(void **state)
{
	struct acme_client_opts	 o;
	struct acme_client	*c;
	const struct acme_directory *d;
	struct problem		 p = { 0 };

	(void)state;
	memset(&o, 0, sizeof(o));
	o.directory_url = "https://127.0.0.1:1/directory";
	o.key = &acct;
	o.connect_timeout = 5;
	assert_non_null(c = acme_client_new(&o, &p));
	assert_false(acme_client_directory(c, &d, &p));
	assert_problem(&p, PROB_CONNECTION, "127.0.0.1");
	acme_client_free(c);
	/* Plain HTTP is refused before any request (RFC 8555 §6.1). */
	o.directory_url = "http://127.0.0.1:1/directory";
	assert_null(acme_client_new(&o, &p));
	assert_problem(&p, PROB_MALFORMED, "https://");
}

static void
test_response_too_large(void **state)
{
	struct canned			 s[] = { { ACME_GET, DIR_URL, 200, NULL, NULL, 0, 0 } };
	const struct acme_directory	*d;
	struct problem			 p = { 0 };

	(void)state;
	assert_non_null(T.big = malloc(ACME_BODY_MAX + 2));
	memset(T.big, ' ', ACME_BODY_MAX + 1);
	T.big[ACME_BODY_MAX + 1] = '\0';
	s[0].body = T.big;
	PLAY(s);
	assert_false(acme_client_directory(C, &d, &p));
	assert_problem(&p, PROB_CONNECTION, "larger than");
}

static void
test_new_refuses_options(void **state)
{
	struct acme_client_opts	o;
	struct key		none;
	struct problem		p = { 0 };

	(void)state;
	memset(&o, 0, sizeof(o));
	memset(&none, 0, sizeof(none));
	o.http.fn = fake_http;
	o.key = &acct;
	assert_null(acme_client_new(&o, &p));
	assert_problem(&p, PROB_MALFORMED, "directory URL");
	o.directory_url = "https://ca.test/a\x01";
	assert_null(acme_client_new(&o, &p));
	o.directory_url = DIR_URL;
	o.key = &none;
	assert_null(acme_client_new(&o, &p));
	assert_problem(&p, PROB_MALFORMED, "no account key");
	o.key = &acct;
	o.account_url = "not a url";
	assert_null(acme_client_new(&o, &p));
	assert_problem(&p, PROB_MALFORMED, "account URL");
}

/* --- nonces ------------------------------------------------------------------------- */

/* HEAD newNonce once; after that every answer's Replay-Nonce signs the next POST. */
static void
test_nonce_kept(void **state)
{
	static const struct canned s[] = {
		ACCOUNT_PRELUDE,
		{ ACME_POST, O1, 200, NONCE("n3"), ORDER_PENDING, 0, 0 },
		/* An answer without a nonce: the next POST needs a fresh one. */
		{ ACME_POST, O1, 200, NULL, ORDER_PENDING, 0, 0 },
		ANS_NONCE("n4"),
		{ ACME_POST, O1, 200, NONCE("bad nonce!"), ORDER_PENDING, 0, 0 },
		ANS_NONCE("n5"),
		{ ACME_POST, O1, 200, NONCE("n6"), ORDER_PENDING, 0, 0 },
	};
	struct acme_account	a;
	struct acme_order	o;
	struct problem		p = { 0 };
	struct jws		j;
	static const char *const want[] = { NULL, NULL, "n1", "n2", "n3", NULL, "n4", NULL, "n5" };

	(void)state;
	PLAY(s);
	assert_true(acme_client_account(C, NULL, &a, &p));
	acme_account_free(&a);
	for (int i = 0; i < 4; i++) {
		assert_true(acme_client_order_get(C, O1, &o, &p));
		acme_order_free(&o);
	}
	assert_played();
	assert_int_equal(T.nsent, nitems(want));
	for (size_t i = 0; i < nitems(want); i++) {
		if (want[i] == NULL) {
			assert_int_not_equal(T.sent[i].method, ACME_POST);
			continue;
		}
		sent_jws(i, &j);
		assert_string_equal(j.nonce, want[i]);
		jws_free(&j);
	}
}

static void
test_bad_nonce_retried_once(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, O1, 400, NONCE("n3") "Content-Type: application/problem+json\n",
		    BAD_NONCE_BODY, 0, 0 },
		{ ACME_POST, O1, 200, NONCE("n4"), ORDER_PENDING, 0, 0 },
	};
	struct acme_order	o;
	struct problem		p = { 0 };
	struct jws		j;

	(void)state;
	have_account();
	PLAY(s);
	assert_true(acme_client_order_get(C, O1, &o, &p));
	assert_int_equal(o.status, ACME_PENDING);
	acme_order_free(&o);
	assert_played();
	assert_int_equal(T.nsent, 2);
	sent_jws(0, &j);
	assert_string_equal(j.nonce, "n2");
	jws_free(&j);
	/* Retried with the nonce of the refusal. */
	sent_jws(1, &j);
	assert_string_equal(j.nonce, "n3");
	jws_free(&j);
}

static void
test_bad_nonce_twice(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, O1, 400, NONCE("n3"), BAD_NONCE_BODY, 0, 0 },
		{ ACME_POST, O1, 400, NONCE("n4"), BAD_NONCE_BODY, 0, 0 },
	};
	struct acme_order	o;
	struct problem		p = { 0 };

	(void)state;
	have_account();
	PLAY(s);
	assert_false(acme_client_order_get(C, O1, &o, &p));
	assert_problem(&p, PROB_BAD_NONCE, "stale nonce");
	assert_int_equal(p.status, 400);
	assert_null(o.url);
	assert_played();
	assert_int_equal(T.nsent, 2);
}

/* A refusal without a nonce: a fresh one from newNonce, then once more. */
static void
test_bad_nonce_without_nonce(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, O1, 400, NULL, BAD_NONCE_BODY, 0, 0 },
		ANS_NONCE("n9"),
		{ ACME_POST, O1, 200, NONCE("n10"), ORDER_PENDING, 0, 0 },
	};
	struct acme_order	o;
	struct problem		p = { 0 };
	struct jws		j;

	(void)state;
	have_account();
	PLAY(s);
	assert_true(acme_client_order_get(C, O1, &o, &p));
	acme_order_free(&o);
	assert_played();
	sent_jws(2, &j);
	assert_string_equal(j.nonce, "n9");
	jws_free(&j);
}

static void
test_new_nonce_refused(void **state)
{
	static const struct canned s1[] = {
		ANS_DIR,
		{ ACME_HEAD, NONCE_URL, 200, "Cache-Control: no-store\n", NULL, 0, 0 },
	};
	static const struct canned s2[] = {
		{ ACME_HEAD, NONCE_URL, 503, NULL, NULL, 0, 0 },
	};
	struct acme_account	a;
	struct problem		p = { 0 };

	(void)state;
	PLAY(s1);
	assert_false(acme_client_account(C, NULL, &a, &p));
	assert_problem(&p, PROB_SERVER_INTERNAL, "newNonce: no usable Replay-Nonce");
	assert_played();
	PLAY(s2);
	assert_false(acme_client_account(C, NULL, &a, &p));
	assert_problem(&p, PROB_SERVER_INTERNAL, "HTTP status 503");
	assert_int_equal(p.status, 503);
	assert_played();
}

/* --- the account -------------------------------------------------------------------- */

static void
test_account_new(void **state)
{
	static const struct canned s[] = {
		ACCOUNT_PRELUDE,
		{ ACME_POST, ORDER_URL, 201, NONCE("n3") "Location: " O1 "\n", ORDER_PENDING, 0, 0 },
	};
	static const char *const contact[] = { "mailto:a@example.test", "mailto:b@example.test" };
	struct acme_account_req	 r;
	struct acme_account	 a;
	struct acme_order_req	 or;
	struct acme_order	 o;
	struct identifier	 id;
	struct problem		 p = { 0 };
	struct json_object	*pl, *arr, *jwk;
	struct jws		 j;
	int			 b;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.contact = contact;
	r.ncontact = 2;
	r.agree_tos = 1;
	PLAY(s);
	assert_null(acme_client_account_url(C));
	assert_true(acme_client_account(C, &r, &a, &p));
	assert_string_equal(a.url, KID);
	assert_string_equal(a.orders, KID "/orders");
	assert_int_equal(a.status, ACME_VALID);
	assert_true(a.created);
	assert_string_equal(acme_client_account_url(C), KID);
	acme_account_free(&a);

	/* newAccount: signed with "jwk", the account key, no "kid". */
	sent_jws(2, &j);
	assert_string_equal(j.url, ACCT_URL);
	assert_string_equal(j.nonce, "n1");
	assert_null(j.kid);
	assert_non_null(j.jwk);
	assert_non_null(jwk = key_jwk(&acct));
	assert_true(json_object_equal(j.jwk, jwk));
	json_object_put(jwk);
	jws_free(&j);
	pl = sent_payload(2);
	assert_int_equal(json_get_bool(pl, "termsOfServiceAgreed", &b), JGET_OK);
	assert_true(b);
	assert_int_equal(json_get_array(pl, "contact", 10, &arr), JGET_OK);
	assert_int_equal(json_object_array_length(arr), 2);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(arr, 1)),
	    "mailto:b@example.test");
	assert_int_equal(json_get_object(pl, "externalAccountBinding", &arr), JGET_ABSENT);
	json_object_put(pl);

	/* Afterwards: "kid", no "jwk". */
	memset(&or, 0, sizeof(or));
	assert_true(ident_parse("dns", "www.example.test", &id, &p));
	or.ids = &id;
	or.nids = 1;
	assert_true(acme_client_order_new(C, &or, &o, &p));
	acme_order_free(&o);
	sent_jws(3, &j);
	assert_string_equal(j.kid, KID);
	assert_null(j.jwk);
	assert_string_equal(j.nonce, "n2");
	jws_free(&j);
	assert_played();
}

static void
test_account_eab(void **state)
{
	static const struct canned s[] = { ACCOUNT_PRELUDE };
	struct acme_account_req	 r;
	struct acme_account	 a;
	struct problem		 p = { 0 };
	struct json_object	*pl, *binding, *o;
	struct jwk		 outer;
	struct eab		 e;
	char			*hmac, *text;
	uint8_t			 wrong[sizeof(eab_key)];

	(void)state;
	assert_non_null(hmac = b64url_encode(eab_key, sizeof(eab_key)));
	memset(&r, 0, sizeof(r));
	r.agree_tos = 1;
	r.eab_kid = EAB_KID;
	r.eab_hmac = hmac;
	PLAY(s);
	assert_true(acme_client_account(C, &r, &a, &p));
	acme_account_free(&a);
	free(hmac);

	pl = sent_payload(2);
	assert_int_equal(json_get_object(pl, "externalAccountBinding", &binding), JGET_OK);
	assert_non_null(o = key_jwk(&acct));
	assert_non_null(text = strdup(json_out_compact(o)));
	json_object_put(o);
	assert_true(jwk_parse_text(text, &outer, &p));
	free(text);
	if (!eab_parse(binding, ACCT_URL, &outer, &e, &p))
		fail_msg("binding: %s", p.detail);
	assert_int_equal(e.jws.alg, JWS_HS256);
	assert_string_equal(e.kid, EAB_KID);
	assert_true(eab_verify_mac(&e, eab_key, sizeof(eab_key)));
	memcpy(wrong, eab_key, sizeof(wrong));
	wrong[31] ^= 0x80;
	assert_false(eab_verify_mac(&e, wrong, sizeof(wrong)));
	eab_free(&e);
	jwk_free(&outer);
	json_object_put(pl);
	assert_played();
}

/* A key handed out with base64 padding, and HS512. */
static void
test_account_eab_padded_hs512(void **state)
{
	static const struct canned s[] = { ACCOUNT_PRELUDE };
	struct acme_account_req	 r;
	struct acme_account	 a;
	struct problem		 p = { 0 };
	struct json_object	*pl, *binding;
	struct jws		 j;
	char			 padded[64];
	char			*hmac;

	(void)state;
	assert_non_null(hmac = b64url_encode(eab_key, sizeof(eab_key)));
	snprintf(padded, sizeof(padded), "%s=", hmac);
	free(hmac);
	memset(&r, 0, sizeof(r));
	r.eab_kid = EAB_KID;
	r.eab_hmac = padded;
	r.eab_alg = JWS_HS512;
	PLAY(s);
	assert_true(acme_client_account(C, &r, &a, &p));
	acme_account_free(&a);
	pl = sent_payload(2);
	assert_int_equal(json_get_object(pl, "externalAccountBinding", &binding), JGET_OK);
	assert_true(jws_parse(binding, &j, &p));
	assert_int_equal(j.alg, JWS_HS512);
	assert_int_equal(j.sig_len, 64);
	jws_free(&j);
	json_object_put(pl);
}

static void
test_account_eab_refused(void **state)
{
	static const struct canned s[] = { ANS_DIR };
	struct acme_account_req	 r;
	struct acme_account	 a;
	struct problem		 p = { 0 };

	(void)state;
	memset(&r, 0, sizeof(r));
	r.eab_kid = EAB_KID;
	PLAY(s);
	assert_false(acme_client_account(C, &r, &a, &p));
	assert_problem(&p, PROB_MALFORMED, "needs its MAC key");
	r.eab_hmac = "not+base64url/";
	assert_false(acme_client_account(C, &r, &a, &p));
	assert_problem(&p, PROB_MALFORMED, "not base64url");
	r.eab_hmac = "c2hvcnQ";
	assert_false(acme_client_account(C, &r, &a, &p));
	assert_problem(&p, PROB_MALFORMED, "shorter than 16 bytes");
	r.eab_hmac = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY";
	r.eab_alg = JWS_ES256;
	assert_false(acme_client_account(C, &r, &a, &p));
	assert_problem(&p, PROB_MALFORMED, "externalAccountBinding");
	r.eab_alg = JWS_HS256;
	r.eab_kid = "a kid";
	assert_false(acme_client_account(C, &r, &a, &p));
	assert_problem(&p, PROB_MALFORMED, "externalAccountBinding");
	/* Nothing was posted. */
	assert_int_equal(T.nsent, 1);
	assert_null(a.url);
	assert_null(acme_client_account_url(C));
}

static void
test_account_existing(void **state)
{
	static const struct canned s[] = {
		ANS_DIR, ANS_NONCE("n1"),
		{ ACME_POST, ACCT_URL, 200, NONCE("n2") "Location: /acme/ep/acct/A7\n",
		    "{\"status\":\"valid\"}", 0, 0 },
		{ ACME_POST, ACCT_URL, 400, NONCE("n3"),
		    "{\"type\":\"urn:ietf:params:acme:error:accountDoesNotExist\","
		    "\"detail\":\"no account for this key\"}", 0, 0 },
	};
	struct acme_account	 a;
	struct problem		 p = { 0 };
	struct json_object	*pl;
	int			 b;

	(void)state;
	PLAY(s);
	assert_true(acme_client_account_find(C, &a, &p));
	assert_false(a.created);
	/* A relative Location, resolved against the request URL. */
	assert_string_equal(a.url, B "/acct/A7");
	assert_null(a.orders);
	assert_string_equal(acme_client_account_url(C), B "/acct/A7");
	acme_account_free(&a);
	pl = sent_payload(2);
	assert_int_equal(json_get_bool(pl, "onlyReturnExisting", &b), JGET_OK);
	assert_true(b);
	assert_int_equal(json_object_object_length(pl), 1);
	json_object_put(pl);
	assert_false(acme_client_account_find(C, &a, &p));
	assert_problem(&p, PROB_ACCOUNT_DOES_NOT_EXIST, "no account for this key");
	assert_null(a.url);
	assert_played();
}

static void
account_refused(const struct canned *ans, const char *detail)
{
	const struct canned	s[] = { ANS_DIR, ANS_NONCE("n1"), *ans };
	struct acme_account	a;
	struct problem		p = { 0 };

	acme_client_free(C);
	C = client(1, 30, 100);
	play(s, 3);
	assert_false(acme_client_account(C, NULL, &a, &p));
	assert_problem(&p, PROB_SERVER_INTERNAL, detail);
	assert_null(a.url);
	assert_null(acme_client_account_url(C));
}

static void
test_account_malformed(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, ACCT_URL, 201, NULL, ACCOUNT_BODY, 0, 0 },
		{ ACME_POST, ACCT_URL, 201, "Location: \n", ACCOUNT_BODY, 0, 0 },
		{ ACME_POST, ACCT_URL, 201, "Location: " KID "\n", "{\"status\":\"pending\"}", 0, 0 },
		{ ACME_POST, ACCT_URL, 201, "Location: " KID "\n", "{\"orders\":\"" KID "\"}", 0, 0 },
		{ ACME_POST, ACCT_URL, 202, "Location: " KID "\n", ACCOUNT_BODY, 0, 0 },
		{ ACME_POST, ACCT_URL, 201, "Location: " KID "\n",
		    "{\"status\":\"valid\",\"orders\":false}", 0, 0 },
	};
	static const char *const why[] = {
		"no Location header", "not a usable URL", "\"status\" \"pending\"",
		"\"status\" is missing", "unexpected HTTP status 202", "\"orders\" is not a string",
	};

	(void)state;
	for (size_t i = 0; i < nitems(s); i++)
		account_refused(&s[i], why[i]);
}

/* Without an account, nothing that needs one is sent. */
static void
test_no_account(void **state)
{
	struct acme_order	o;
	struct problem		p = { 0 };

	(void)state;
	play(NULL, 0);
	assert_false(acme_client_order_get(C, O1, &o, &p));
	assert_problem(&p, PROB_MALFORMED, "no account yet");
	assert_int_equal(T.nsent, 0);
}

/* --- orders -------------------------------------------------------------------------- */

static void
test_order_new(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, ORDER_URL, 201, NONCE("n3") "Location: " O1 "\n"
		    "Content-Type: application/json\n", ORDER_PENDING, 0, 0 },
	};
	struct identifier	 ids[3];
	struct acme_order_req	 r;
	struct acme_order	 o;
	struct problem		 p = { 0 };
	struct json_object	*pl, *arr, *id;

	(void)state;
	have_account();
	assert_true(ident_parse("dns", "WWW.Example.Test", &ids[0], &p));
	assert_true(ident_parse("dns", "*.example.test", &ids[1], &p));
	assert_true(ident_parse("ip", "192.0.2.1", &ids[2], &p));
	memset(&r, 0, sizeof(r));
	r.ids = ids;
	r.nids = 3;
	r.not_before = T0;
	r.not_after = T0 + 86400;
	r.profile = "shortlived";
	PLAY(s);
	assert_true(acme_client_order_new(C, &r, &o, &p));
	assert_string_equal(o.url, O1);
	assert_int_equal(o.status, ACME_PENDING);
	assert_int_equal(o.expires, T0 + 7 * 86400);
	assert_int_equal(o.nids, 2);
	assert_int_equal(o.ids[0].type, IDENT_DNS);
	assert_string_equal(o.ids[0].value, "www.example.test");
	assert_true(o.ids[1].wildcard);
	assert_int_equal(o.nauthzs, 2);
	assert_string_equal(o.authzs[1], AZ2);
	assert_string_equal(o.finalize, FIN1);
	assert_null(o.certificate);
	assert_int_equal(o.error.type, PROB_NONE);
	assert_int_equal(o.retry_after, -1);
	acme_order_free(&o);

	pl = sent_payload(0);
	assert_string_equal(str_member(pl, "notBefore"), "2023-11-14T22:13:20Z");
	assert_string_equal(str_member(pl, "notAfter"), "2023-11-15T22:13:20Z");
	assert_string_equal(str_member(pl, "profile"), "shortlived");
	assert_int_equal(json_get_array(pl, "identifiers", 10, &arr), JGET_OK);
	assert_int_equal(json_object_array_length(arr), 3);
	id = json_object_array_get_idx(arr, 2);
	assert_string_equal(str_member(id, "type"), "ip");
	assert_string_equal(str_member(id, "value"), "192.0.2.1");
	id = json_object_array_get_idx(arr, 1);
	assert_string_equal(str_member(id, "value"), "*.example.test");
	json_object_put(pl);
	assert_played();
}

static void
test_order_new_refused_locally(void **state)
{
	struct identifier	id;
	struct acme_order_req	r;
	struct acme_order	o;
	struct problem		p = { 0 };

	(void)state;
	have_account();
	play(NULL, 0);
	memset(&r, 0, sizeof(r));
	assert_false(acme_client_order_new(C, &r, &o, &p));
	assert_problem(&p, PROB_MALFORMED, "1 to 100 identifiers");
	memset(&id, 0, sizeof(id));
	id.type = IDENT_DNS;
	strcpy(id.value, "bad_name..test");
	r.ids = &id;
	r.nids = 1;
	assert_false(acme_client_order_new(C, &r, &o, &p));
	assert_int_equal(p.type, PROB_REJECTED_IDENTIFIER);
	assert_int_equal(T.nsent, 0);
}

/* The server's problem with its subproblems, as the caller will report it. */
static void
test_order_problem(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, ORDER_URL, 400, NONCE("n3") "Content-Type: application/problem+json\n",
		    "{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\","
		    "\"detail\":\"Some \\u0007names\\nare not allowed: \\u00e9t\\u00e9\",\"status\":400,"
		    "\"subproblems\":["
		    "{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\","
		    "\"detail\":\"not in policy\",\"identifier\":{\"type\":\"dns\",\"value\":\"a.test\"}},"
		    "{\"type\":\"urn:ietf:params:acme:error:caa\",\"detail\":\"CAA forbids\","
		    "\"identifier\":{\"type\":\"dns\",\"value\":\"b.test\"}},"
		    "{\"type\":\"https://ca.test/errors/custom\",\"detail\":\"no identifier\"},"
		    "17]}", 0, 0 },
	};
	struct identifier	id;
	struct acme_order_req	r;
	struct acme_order	o;
	struct problem		p = { 0 };

	(void)state;
	have_account();
	assert_true(ident_parse("dns", "a.test", &id, &p));
	memset(&r, 0, sizeof(r));
	r.ids = &id;
	r.nids = 1;
	PLAY(s);
	assert_false(acme_client_order_new(C, &r, &o, &p));
	/* Control characters replaced; UTF-8 kept. */
	assert_problem(&p, PROB_REJECTED_IDENTIFIER, "Some ?names?are not allowed: \xc3\xa9t\xc3\xa9");
	assert_int_equal(p.status, 400);
	assert_int_equal(p.nsub, 3);
	assert_int_equal(p.sub[0].type, PROB_REJECTED_IDENTIFIER);
	assert_string_equal(p.sub[0].id_type, "dns");
	assert_string_equal(p.sub[0].id_value, "a.test");
	assert_string_equal(p.sub[0].detail, "not in policy");
	assert_int_equal(p.sub[1].type, PROB_CAA);
	assert_string_equal(p.sub[1].id_value, "b.test");
	assert_int_equal(p.sub[2].type, PROB_SERVER_INTERNAL);
	assert_string_equal(p.sub[2].id_type, "");
	assert_null(o.url);
	problem_clear(&p);
}

/* A type that is not an ACME error: kept in the detail. */
static void
test_problem_other_type(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, O1, 403, NONCE("n3"),
		    "{\"type\":\"about:blank\",\"detail\":\"Forbidden\",\"status\":451}", 0, 0 },
		{ ACME_POST, O1, 429, NONCE("n4") "Retry-After: 60\n",
		    "{\"type\":\"urn:ietf:params:acme:error:rateLimited\"}", 0, 0 },
	};
	struct acme_order	o;
	struct problem		p = { 0 };

	(void)state;
	have_account();
	PLAY(s);
	assert_false(acme_client_order_get(C, O1, &o, &p));
	assert_problem(&p, PROB_SERVER_INTERNAL, "about:blank: Forbidden");
	/* The HTTP status wins over the document's. */
	assert_int_equal(p.status, 403);
	assert_false(acme_client_order_get(C, O1, &o, &p));
	assert_problem(&p, PROB_RATE_LIMITED, "");
	assert_int_equal(p.status, 429);
}

static void
order_refused(const char *body, const char *detail)
{
	const struct canned	s[] = { { ACME_POST, O1, 200, NONCE("nx"), body, 0, 0 } };
	struct acme_order	o;
	struct problem		p = { 0 };

	play(s, 1);
	if (acme_client_order_get(C, O1, &o, &p))
		fail_msg("order accepted: %s", body);
	assert_problem(&p, PROB_SERVER_INTERNAL, detail);
	assert_null(o.url);
	assert_null(o.ids);
	assert_null(o.authzs);
	assert_played();
}

static void
test_order_malformed(void **state)
{
	static const char ids[] = "\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.test\"}]";
	static const char az[] = "\"authorizations\":[\"" AZ1 "\"]";
	static const char fin[] = "\"finalize\":\"" FIN1 "\"";
	char	body[1024];

	(void)state;
	have_account();
	order_refused("{\"identifiers\":[],\"authorizations\":[],\"finalize\":\"" FIN1 "\"}",
	    "\"status\" is missing");
	snprintf(body, sizeof(body), "{\"status\":\"revoked\",%s,%s,%s}", ids, az, fin);
	order_refused(body, "\"status\" \"revoked\" is not one it may have");
	snprintf(body, sizeof(body), "{\"status\":\"pending\",%s,%s}", ids, az);
	order_refused(body, "\"finalize\" is missing");
	snprintf(body, sizeof(body), "{\"status\":\"pending\",%s,%s,\"finalize\":[]}", ids, az);
	order_refused(body, "\"finalize\" is not a string");
	snprintf(body, sizeof(body), "{\"status\":\"pending\",%s,%s}", az, fin);
	order_refused(body, "\"identifiers\" is not an array");
	snprintf(body, sizeof(body), "{\"status\":\"pending\",\"identifiers\":[],%s,%s}", az, fin);
	order_refused(body, "\"identifiers\" is not an array of 1 to 100");
	snprintf(body, sizeof(body), "{\"status\":\"pending\",\"identifiers\":[\"a.test\"],%s,%s}",
	    az, fin);
	order_refused(body, "not {\"type\", \"value\"}");
	snprintf(body, sizeof(body), "{\"status\":\"pending\",\"identifiers\":[{\"type\":\"email\","
	    "\"value\":\"a@b.test\"}],%s,%s}", az, fin);
	order_refused(body, "identifier:");
	snprintf(body, sizeof(body), "{\"status\":\"pending\",%s,%s}", ids, fin);
	order_refused(body, "\"authorizations\" is not an array");
	snprintf(body, sizeof(body), "{\"status\":\"pending\",%s,\"authorizations\":[1],%s}", ids, fin);
	order_refused(body, "authorization 0 is not a URL");
	snprintf(body, sizeof(body), "{\"status\":\"pending\",%s,\"authorizations\":[\"a b\"],%s}",
	    ids, fin);
	order_refused(body, "authorization 0 is not a URL");
	snprintf(body, sizeof(body), "{\"status\":\"pending\",\"expires\":\"tomorrow\",%s,%s,%s}",
	    ids, az, fin);
	order_refused(body, "\"expires\" is not an RFC 3339 date-time");
	snprintf(body, sizeof(body), "{\"status\":\"pending\",\"notBefore\":1700000000,%s,%s,%s}",
	    ids, az, fin);
	order_refused(body, "\"notBefore\" is not an RFC 3339");
	snprintf(body, sizeof(body), "{\"status\":\"invalid\",\"error\":\"bad\",%s,%s,%s}",
	    ids, az, fin);
	order_refused(body, "\"error\" is not an object");
	snprintf(body, sizeof(body), "{\"status\":\"valid\",\"certificate\":true,%s,%s,%s}",
	    ids, az, fin);
	order_refused(body, "\"certificate\" is not a string");
	order_refused("{\"status\":\"pending\"", "truncated JSON document");
	order_refused("null", "JSON document is null");
}

/* Members we do not know are not our business. */
static void
test_order_unknown_members(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, O1, 200, NONCE("n3"), ORDER_WITH("ready",
		    ",\"profile\":\"tlsserver\",\"replaces\":\"abc.def\",\"x-ext\":{\"a\":[1,2]}"), 0, 0 },
	};
	struct acme_order	o;
	struct problem		p = { 0 };

	(void)state;
	have_account();
	PLAY(s);
	assert_true(acme_client_order_get(C, O1, &o, &p));
	assert_int_equal(o.status, ACME_READY);
	assert_int_equal(o.expires, 0);
	acme_order_free(&o);
}

/* --- authorizations and challenges ------------------------------------------------------ */

#define AUTHZ_BODY \
	"{\"status\":\"pending\",\"expires\":\"2023-11-21T22:13:20+01:00\"," \
	"\"identifier\":{\"type\":\"dns\",\"value\":\"example.test\"},\"wildcard\":true," \
	"\"challenges\":[" \
	"{\"type\":\"http-01\",\"url\":\"" CH1 "\",\"status\":\"pending\",\"token\":\"tok_en-1\"}," \
	"{\"type\":\"dns-01\",\"url\":\"" B "/chall/C2\",\"status\":\"invalid\",\"token\":\"tok2\"," \
	"\"validated\":\"2023-11-14T22:13:20.123Z\",\"error\":{\"type\":" \
	"\"urn:ietf:params:acme:error:dns\",\"detail\":\"NXDOMAIN\",\"status\":400}}," \
	"{\"type\":\"x-new-01\",\"url\":\"" B "/chall/C3\",\"status\":\"pending\"}]}"

static void
test_authz(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, AZ1, 200, NONCE("n3") "Retry-After: 3\n", AUTHZ_BODY, 0, 0 },
	};
	const struct acme_chall	*ch;
	struct acme_authz	 a;
	struct problem		 p = { 0 };
	struct jws		 j;

	(void)state;
	have_account();
	PLAY(s);
	assert_true(acme_client_authz_get(C, AZ1, &a, &p));
	assert_string_equal(a.url, AZ1);
	assert_int_equal(a.status, ACME_PENDING);
	assert_int_equal(a.expires, T0 + 7 * 86400 - 3600);
	assert_int_equal(a.id.type, IDENT_DNS);
	assert_string_equal(a.id.value, "example.test");
	assert_true(a.wildcard);
	assert_int_equal(a.retry_after, 3);
	assert_int_equal(a.nchalls, 3);
	assert_non_null(ch = acme_authz_chall(&a, "http-01"));
	assert_string_equal(ch->url, CH1);
	assert_string_equal(ch->token, "tok_en-1");
	assert_int_equal(ch->status, ACME_PENDING);
	assert_int_equal(ch->error.type, PROB_NONE);
	assert_non_null(ch = acme_authz_chall(&a, "dns-01"));
	assert_int_equal(ch->status, ACME_INVALID);
	assert_int_equal(ch->validated, T0);
	assert_int_equal(ch->error.type, PROB_DNS);
	assert_string_equal(ch->error.detail, "NXDOMAIN");
	assert_non_null(ch = acme_authz_chall(&a, "x-new-01"));
	assert_null(ch->token);
	assert_null(acme_authz_chall(&a, "tls-alpn-01"));
	acme_authz_free(&a);
	sent_jws(0, &j);
	assert_true(j.post_as_get);
	jws_free(&j);
}

static void
authz_refused(const char *body, const char *detail)
{
	const struct canned	s[] = { { ACME_POST, AZ1, 200, NONCE("nx"), body, 0, 0 } };
	struct acme_authz	a;
	struct problem		p = { 0 };

	play(s, 1);
	if (acme_client_authz_get(C, AZ1, &a, &p))
		fail_msg("authorization accepted: %s", body);
	assert_problem(&p, PROB_SERVER_INTERNAL, detail);
	assert_null(a.url);
	assert_null(a.challs);
}

#define AZ_ID	"\"identifier\":{\"type\":\"dns\",\"value\":\"example.test\"}"
#define CH(x)	"\"challenges\":[{\"type\":\"http-01\",\"url\":\"" CH1 "\",\"status\":\"pending\"" x "}]"

static void
test_authz_malformed(void **state)
{
	char	body[4096];
	size_t	n;

	(void)state;
	have_account();
	authz_refused("{\"status\":\"pending\"," CH("") "}", "\"identifier\" is missing");
	authz_refused("{\"status\":\"pending\",\"identifier\":\"example.test\"," CH("") "}",
	    "\"identifier\" is missing or not an object");
	authz_refused("{\"status\":\"ready\"," AZ_ID "," CH("") "}",
	    "\"status\" \"ready\" is not one it may have");
	authz_refused("{\"status\":\"pending\"," AZ_ID ",\"wildcard\":\"yes\"," CH("") "}",
	    "\"wildcard\" is not a boolean");
	authz_refused("{\"status\":\"pending\"," AZ_ID "}", "\"challenges\" is not an array");
	authz_refused("{\"status\":\"pending\"," AZ_ID "," CH(",\"token\":\"../../etc/passwd\"") "}",
	    "\"token\" is not base64url");
	authz_refused("{\"status\":\"pending\"," AZ_ID "," CH(",\"token\":\"\"") "}",
	    "\"token\" is not base64url");
	authz_refused("{\"status\":\"pending\"," AZ_ID "," CH(",\"token\":7") "}",
	    "\"token\" is not base64url");
	authz_refused("{\"status\":\"pending\"," AZ_ID ",\"challenges\":[{\"url\":\"" CH1
	    "\",\"status\":\"pending\"}]}", "\"type\" is missing");
	authz_refused("{\"status\":\"pending\"," AZ_ID ",\"challenges\":[{\"type\":\"http-01\","
	    "\"status\":\"pending\"}]}", "\"url\" is missing");
	authz_refused("{\"status\":\"pending\"," AZ_ID ",\"challenges\":[{\"type\":\"http-01\","
	    "\"url\":\"" CH1 "\",\"status\":\"ready\"}]}", "\"status\" \"ready\"");
	authz_refused("{\"status\":\"pending\"," AZ_ID ",\"challenges\":[[]]}", "challenge: not an object");
	/* More challenges than we look at. */
	n = (size_t)snprintf(body, sizeof(body), "{\"status\":\"pending\"," AZ_ID ",\"challenges\":[");
	for (int i = 0; i <= ACME_AUTHZ_CHALL_MAX; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
		    "%s{\"type\":\"t%d\",\"url\":\"" CH1 "\",\"status\":\"pending\"}",
		    i > 0 ? "," : "", i);
	snprintf(body + n, sizeof(body) - n, "]}");
	authz_refused(body, "at most 16");
}

static void
test_chall_respond(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, CH1, 200, NONCE("n3") "Link: <" AZ1 ">;rel=\"up\"\n",
		    "{\"type\":\"http-01\",\"url\":\"" CH1 "\",\"status\":\"processing\","
		    "\"token\":\"tok\"}", 0, 0 },
		{ ACME_POST, CH1, 400, NONCE("n4"),
		    "{\"type\":\"urn:ietf:params:acme:error:malformed\",\"detail\":\"nope\"}", 0, 0 },
	};
	struct acme_chall	 ch;
	struct problem		 p = { 0 };
	struct json_object	*pl;

	(void)state;
	have_account();
	PLAY(s);
	assert_true(acme_client_chall_respond(C, CH1, &ch, &p));
	assert_int_equal(ch.status, ACME_PROCESSING);
	assert_string_equal(ch.type, "http-01");
	acme_chall_free(&ch);
	/* §7.5.1: the payload is the empty object. */
	pl = sent_payload(0);
	assert_non_null(pl);
	assert_int_equal(json_object_object_length(pl), 0);
	json_object_put(pl);
	assert_false(acme_client_chall_respond(C, CH1, &ch, &p));
	assert_problem(&p, PROB_MALFORMED, "nope");
	assert_null(ch.url);
}

static void
test_authz_deactivate(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, AZ1, 200, NONCE("n3"), "{\"status\":\"deactivated\"," AZ_ID
		    ",\"challenges\":[]}", 0, 0 },
	};
	struct acme_authz	 a;
	struct problem		 p = { 0 };
	struct json_object	*pl;

	(void)state;
	have_account();
	PLAY(s);
	assert_true(acme_client_authz_deactivate(C, AZ1, &a, &p));
	assert_int_equal(a.status, ACME_DEACTIVATED);
	assert_int_equal(a.nchalls, 0);
	acme_authz_free(&a);
	pl = sent_payload(0);
	assert_string_equal(str_member(pl, "status"), "deactivated");
	assert_int_equal(json_object_object_length(pl), 1);
	json_object_put(pl);
}

static void
test_authz_wait(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, AZ1, 200, NONCE("n3"), "{\"status\":\"pending\"," AZ_ID "," CH("") "}", 0, 0 },
		{ ACME_POST, AZ1, 200, NONCE("n4"), "{\"status\":\"valid\"," AZ_ID "," CH("") "}", 0, 0 },
		{ ACME_POST, AZ2, 200, NONCE("n5"), "{\"status\":\"invalid\"," AZ_ID ","
		    "\"challenges\":[{\"type\":\"http-01\",\"url\":\"" CH1 "\",\"status\":\"invalid\","
		    "\"error\":{\"type\":\"urn:ietf:params:acme:error:connection\","
		    "\"detail\":\"connection refused\"}}]}", 0, 0 },
		{ ACME_POST, AZ2, 200, NONCE("n6"), "{\"status\":\"expired\"," AZ_ID ",\"challenges\":[]}", 0, 0 },
	};
	struct acme_authz	a;
	struct problem		p = { 0 };

	(void)state;
	have_account();
	PLAY(s);
	assert_true(acme_client_authz_get(C, AZ1, &a, &p));
	assert_true(acme_client_authz_wait(C, &a, &p));
	assert_int_equal(a.status, ACME_VALID);
	/* No Retry-After: poll_min. */
	assert_int_equal(T.nslept, 1);
	assert_int_equal(T.slept[0], 1);
	acme_authz_free(&a);
	assert_true(acme_client_authz_get(C, AZ2, &a, &p));
	assert_false(acme_client_authz_wait(C, &a, &p));
	assert_problem(&p, PROB_CONNECTION, "connection refused");
	acme_authz_free(&a);
	assert_true(acme_client_authz_get(C, AZ2, &a, &p));
	assert_false(acme_client_authz_wait(C, &a, &p));
	assert_problem(&p, PROB_UNAUTHORIZED, "example.test is expired");
	acme_authz_free(&a);
	assert_played();
}

static void
test_key_authz(void **state)
{
	uint8_t	 digest[32];
	char	*ka, want[128], txt[44], b64[44];

	(void)state;
	assert_int_equal(strlen(acme_client_thumbprint(C)), JWK_THUMBPRINT_LEN);
	assert_non_null(ka = acme_client_key_authz(C, "tok_en-1"));
	snprintf(want, sizeof(want), "tok_en-1.%s", acme_client_thumbprint(C));
	assert_string_equal(ka, want);
	assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, ka, strlen(ka), digest), 0);
	b64url_encode_buf(digest, sizeof(digest), b64);
	free(ka);
	assert_true(acme_client_dns01_value(C, "tok_en-1", txt));
	assert_string_equal(txt, b64);
	assert_null(acme_client_key_authz(C, "a/b"));
	assert_null(acme_client_key_authz(C, ""));
	assert_false(acme_client_dns01_value(C, "a.b", txt));
}

/* --- finalize and polling ------------------------------------------------------------------ */

static void
order_ready(struct acme_order *o)
{
	static const struct canned s[] = {
		{ ACME_POST, O1, 200, NONCE("n3"), ORDER_WITH("ready", ""), 0, 0 },
	};
	struct problem p = { 0 };

	PLAY(s);
	assert_true(acme_client_order_get(C, O1, o, &p));
	reset_sent();
}

static const uint8_t fake_csr[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };

/* processing -> valid: Retry-After as delta-seconds, then as an HTTP-date. */
static void
test_finalize_poll(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, FIN1, 200, NONCE("n4") "Retry-After: 2\nLocation: " O1 "\n",
		    ORDER_WITH("processing", ""), 0, 0 },
		/* At T0 + 2: eight seconds from then. */
		{ ACME_POST, O1, 200, NONCE("n5") "Retry-After: Tue, 14 Nov 2023 22:13:30 GMT\n",
		    ORDER_WITH("processing", ""), 0, 0 },
		{ ACME_POST, O1, 200, NONCE("n6"), ORDER_VALID, 0, 0 },
	};
	struct acme_order	 o;
	struct problem		 p = { 0 };
	struct json_object	*pl;
	char			*b64;

	(void)state;
	have_account();
	order_ready(&o);
	PLAY(s);
	assert_true(acme_client_finalize(C, &o, fake_csr, sizeof(fake_csr), &p));
	assert_int_equal(o.status, ACME_PROCESSING);
	assert_string_equal(o.url, O1);
	assert_int_equal(o.retry_after, 2);
	pl = sent_payload(0);
	assert_non_null(b64 = b64url_encode(fake_csr, sizeof(fake_csr)));
	assert_string_equal(str_member(pl, "csr"), b64);
	free(b64);
	json_object_put(pl);
	assert_true(acme_client_order_wait(C, &o, &p));
	assert_int_equal(o.status, ACME_VALID);
	assert_string_equal(o.certificate, CERT1);
	assert_int_equal(T.nslept, 2);
	assert_int_equal(T.slept[0], 2);
	assert_int_equal(T.slept[1], 8);
	acme_order_free(&o);
	assert_played();
}

/* Absurd and broken Retry-After values stay within [poll_min, poll_max]. */
static void
test_poll_clamped(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, O1, 200, NONCE("a") "Retry-After: 99999999999999999999\n",
		    ORDER_WITH("processing", ""), 0, 0 },
		{ ACME_POST, O1, 200, NONCE("b") "Retry-After: 0\n", ORDER_WITH("processing", ""), 0, 0 },
		{ ACME_POST, O1, 200, NONCE("c") "Retry-After: Mon, 01 Jan 2001 00:00:00 GMT\n",
		    ORDER_WITH("processing", ""), 0, 0 },
		{ ACME_POST, O1, 200, NONCE("d") "Retry-After: soon\n", ORDER_WITH("processing", ""), 0, 0 },
		{ ACME_POST, O1, 200, NONCE("e") "Retry-After: -5\n", ORDER_WITH("processing", ""), 0, 0 },
		{ ACME_POST, O1, 200, NONCE("f"), ORDER_WITH("processing", ""), 0, 0 },
		{ ACME_POST, O1, 200, NONCE("g"), ORDER_VALID, 0, 0 },
	};
	static const unsigned want[] = { 1, 30, 1, 1, 2, 4, 8 };
	struct acme_order	o;
	struct problem		p = { 0 };

	(void)state;
	have_account();
	order_ready(&o);
	o.status = ACME_PROCESSING;
	o.retry_after = -1;
	PLAY(s);
	assert_true(acme_client_order_wait(C, &o, &p));
	assert_int_equal(o.status, ACME_VALID);
	assert_int_equal(T.nslept, nitems(want));
	for (size_t i = 0; i < nitems(want); i++)
		if (T.slept[i] != want[i])
			fail_msg("wait %zu: %u s, want %u", i, T.slept[i], want[i]);
	acme_order_free(&o);
	assert_played();
}

/* A server that never finishes: the wait ends after poll_total (100 s). */
static void
test_poll_bounded(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, O1, 200, NONCE("a") "Retry-After: 30\n", ORDER_WITH("processing", ""), 0, 1 },
	};
	struct acme_order	o;
	struct problem		p = { 0 };
	unsigned		total = 0;

	(void)state;
	have_account();
	order_ready(&o);
	o.status = ACME_PROCESSING;
	PLAY(s);
	assert_false(acme_client_order_wait(C, &o, &p));
	assert_problem(&p, PROB_SERVER_INTERNAL, "still processing after 100 seconds");
	assert_int_equal(o.status, ACME_PROCESSING);
	for (size_t i = 0; i < T.nslept; i++)
		total += T.slept[i];
	assert_int_equal(total, 100);
	/* After 1 s (no Retry-After yet), 31, 61, 91 and 100 s. */
	assert_int_equal(T.nsent, 5);
	assert_int_equal(T.slept[0], 1);
	assert_int_equal(T.slept[3], 30);
	assert_int_equal(T.slept[4], 9);
	acme_order_free(&o);
}

/* Even when the clock stands still, the wait ends. */
static void
test_poll_bounded_frozen_clock(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, O1, 200, NONCE("a"), ORDER_WITH("pending", ""), 0, 1 },
	};
	struct acme_order	o;
	struct problem		p = { 0 };

	(void)state;
	have_account();
	order_ready(&o);
	o.status = ACME_PENDING;
	T.frozen = 1;
	PLAY(s);
	assert_false(acme_client_order_wait(C, &o, &p));
	assert_problem(&p, PROB_SERVER_INTERNAL, "still pending");
	assert_true(T.nsent <= 100);
	acme_order_free(&o);
}

static void
test_poll_invalid(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, O1, 200, NONCE("a"), ORDER_WITH("invalid",
		    ",\"error\":{\"type\":\"urn:ietf:params:acme:error:badCSR\","
		    "\"detail\":\"upstream refused the key\",\"status\":400,\"subproblems\":"
		    "[{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\",\"detail\":\"no\","
		    "\"identifier\":{\"type\":\"dns\",\"value\":\"www.example.test\"}}]}"), 0, 0 },
		{ ACME_POST, O1, 200, NONCE("b"), ORDER_WITH("invalid", ""), 0, 0 },
	};
	struct acme_order	o;
	struct problem		p = { 0 };

	(void)state;
	have_account();
	order_ready(&o);
	o.status = ACME_PROCESSING;
	PLAY(s);
	assert_false(acme_client_order_wait(C, &o, &p));
	assert_problem(&p, PROB_BAD_CSR, "upstream refused the key");
	assert_int_equal(p.status, 400);
	assert_int_equal(p.nsub, 1);
	assert_string_equal(p.sub[0].id_value, "www.example.test");
	assert_int_equal(o.status, ACME_INVALID);
	assert_int_equal(o.error.type, PROB_BAD_CSR);
	o.status = ACME_PROCESSING;
	assert_false(acme_client_order_wait(C, &o, &p));
	assert_problem(&p, PROB_SERVER_INTERNAL, "gave no reason");
	assert_int_equal(p.nsub, 0);
	acme_order_free(&o);
}

static void
test_finalize_refused(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, FIN1, 403, NONCE("a"), "{\"type\":\"urn:ietf:params:acme:error:"
		    "orderNotReady\",\"detail\":\"order is pending\"}", 0, 0 },
	};
	struct acme_order	o;
	struct problem		p = { 0 };

	(void)state;
	have_account();
	order_ready(&o);
	PLAY(s);
	assert_false(acme_client_finalize(C, &o, fake_csr, sizeof(fake_csr), &p));
	assert_problem(&p, PROB_ORDER_NOT_READY, "order is pending");
	/* The order is as it was. */
	assert_int_equal(o.status, ACME_READY);
	assert_string_equal(o.url, O1);
	assert_false(acme_client_finalize(C, &o, fake_csr, 0, &p));
	assert_problem(&p, PROB_MALFORMED, "CSR");
	assert_int_equal(T.nsent, 1);
	acme_order_free(&o);
}

static void
test_retry_after_parse(void **state)
{
	static const struct {
		const char	*v;
		int64_t		 want;
	} cases[] = {
		{ "2", 2 },
		{ "0", 0 },
		{ "007", 7 },
		{ "4294967296", INT32_MAX },
		{ "99999999999999999999999999", INT32_MAX },
		{ "Tue, 14 Nov 2023 22:13:30 GMT", 10 },
		{ "Tuesday, 14-Nov-23 22:13:30 GMT", 10 },
		{ "Tue Nov 14 22:13:30 2023", 10 },
		{ "Wed Nov  1 00:00:00 2023", 0 },	/* past */
		{ "Tue, 14 Nov 2023 22:13:20 GMT", 0 },
		{ "Thu, 01 Jan 2037 00:00:00 GMT", 2114380800 - T0 },
		{ "Thu, 01 Jan 2099 00:00:00 GMT", INT32_MAX },
		{ "Sat, 01 Jan 10000 00:00:00 GMT", -1 },
		{ "", -1 },
		{ "-1", -1 },
		{ "+5", -1 },
		{ "1.5", -1 },
		{ "5s", -1 },
		{ "tue, 14 Nov 2023 22:13:30 GMT", -1 },
		{ "Tue, 14 nov 2023 22:13:30 GMT", -1 },
		{ "Tue, 31 Feb 2023 22:13:30 GMT", -1 },
		{ "Tue, 14 Nov 2023 24:13:30 GMT", -1 },
		{ "Tue, 14 Nov 2023 22:13:30 UTC", -1 },
		{ "Tue, 14 Nov 2023 22:13:30 GMT ", -1 },
		{ "Tue,14 Nov 2023 22:13:30 GMT", -1 },
		{ "Tuesday, 14-Nov-2023 22:13:30 GMT", -1 },
		{ "Tue Nov 14 22:13:30 23", -1 },
	};

	(void)state;
	for (size_t i = 0; i < nitems(cases); i++) {
		int64_t got = acme_retry_after_parse(cases[i].v, T0);

		if (got != cases[i].want)
			fail_msg("\"%s\": %lld, want %lld", cases[i].v, (long long)got,
			    (long long)cases[i].want);
	}
	/* RFC 850 two-digit years: more than 50 years ahead means the past century. */
	assert_int_equal(acme_retry_after_parse("Friday, 01-Jan-99 00:00:00 GMT", T0), 0);
	assert_int_equal(acme_retry_after_parse("Thursday, 01-Jan-60 00:00:00 GMT", T0),
	    2840140800 - T0);
}

/* --- certificates --------------------------------------------------------------------------- */

/*
 * One leaf under one intermediate, cross-signed by three roots: three
 * chains of two certificates whose tops were issued by "Root One", "Root
 * Two" and "Root Three".
 */
static char	*chain_pem[3];
static char	*other_leaf_pem;

static char *
pem_of(gnutls_x509_crt_t a, gnutls_x509_crt_t b)
{
	gnutls_datum_t	d1, d2;
	char		*s;

	assert_true(ca_cert_pem(a, &d1));
	assert_true(ca_cert_pem(b, &d2));
	assert_non_null(s = malloc(d1.size + d2.size + 1));
	memcpy(s, d1.data, d1.size);
	memcpy(s + d1.size, d2.data, d2.size);
	s[d1.size + d2.size] = '\0';
	gnutls_free(d1.data);
	gnutls_free(d2.data);
	return s;
}

static void
make_chains(void)
{
	static const char *const roots[3] = { "CN=Root One", "CN=Root Two", "CN=Root Three" };
	struct key		 rk[3], ik, lk;
	struct ca		 root, inter;
	gnutls_x509_crt_t	 icrt[3], leaf, leaf2;
	gnutls_pubkey_t		 ipub, lpub;
	struct ca_name		 name = { CA_NAME_DNS, "www.example.test" };
	struct ca_leaf		 l;
	time_t			 now = time(NULL), nb = now - 3600, na = now + 30 * 86400;

	assert_true(key_generate(&ik, KEY_EC256));
	assert_true(key_generate(&lk, KEY_EC256));
	assert_int_equal(gnutls_pubkey_init(&ipub), 0);
	assert_int_equal(gnutls_pubkey_import_privkey(ipub, ik.priv, 0, 0), 0);
	assert_int_equal(gnutls_pubkey_init(&lpub), 0);
	assert_int_equal(gnutls_pubkey_import_privkey(lpub, lk.priv, 0, 0), 0);
	for (int i = 0; i < 3; i++) {
		assert_true(key_generate(&rk[i], KEY_EC256));
		memset(&root, 0, sizeof(root));
		assert_true(ca_make_root(&rk[i], roots[i], nb, na + 86400, &root.cert));
		root.key = rk[i];
		assert_true(ca_make_intermediate(&root, ipub, "CN=Issuing X", nb, na, &icrt[i]));
		gnutls_x509_crt_deinit(root.cert);
		key_free(&rk[i]);
	}
	memset(&l, 0, sizeof(l));
	l.pub = lpub;
	l.names = &name;
	l.nnames = 1;
	l.not_before = now - 60;
	l.not_after = now + 86400;
	l.eku = CA_EKU_SERVER_AUTH;
	assert_true(ca_serial_new(l.serial));
	inter.cert = icrt[0];
	inter.key = ik;
	assert_true(ca_issue(&inter, &l, now, &leaf));
	assert_true(ca_serial_new(l.serial));
	assert_true(ca_issue(&inter, &l, now, &leaf2));
	for (int i = 0; i < 3; i++)
		chain_pem[i] = pem_of(leaf, icrt[i]);
	other_leaf_pem = pem_of(leaf2, icrt[1]);
	for (int i = 0; i < 3; i++)
		gnutls_x509_crt_deinit(icrt[i]);
	gnutls_x509_crt_deinit(leaf);
	gnutls_x509_crt_deinit(leaf2);
	gnutls_pubkey_deinit(ipub);
	gnutls_pubkey_deinit(lpub);
	key_free(&ik);
	key_free(&lk);
}

static void
test_cert_alternates(void **state)
{
	char			 h0[1024];
	struct canned		 s[] = {
		{ ACME_POST, CERT1, 200, h0, NULL, 0, 0 },
		{ ACME_POST, CERT1 "/1", 200, NONCE("c2") "Link: <" CERT1 ">;rel=\"alternate\"\n",
		    NULL, 0, 0 },
		{ ACME_POST, CERT1 "/2", 200, NONCE("c3"), NULL, 0, 0 },
	};
	const struct acme_chain	*ch;
	struct acme_chains	 cs;
	struct problem		 p = { 0 };

	(void)state;
	snprintf(h0, sizeof(h0), NONCE("c1")
	    "Content-Type: application/pem-certificate-chain\n"
	    "Link: <" B "/directory>;rel=\"index\"\n"
	    "Link: <" CERT1 "/1>; rel=\"alternate\", <" B "/issuer/x>;rel=up\n"
	    "link: </acme/ep/cert/X1/2>;title=\"a, b; c\";rel=\"Alternate other\"\n");
	s[0].body = chain_pem[0];
	s[1].body = chain_pem[1];
	s[2].body = chain_pem[2];
	have_account();
	PLAY(s);
	assert_true(acme_client_cert(C, CERT1, &cs, &p));
	assert_played();
	assert_int_equal(cs.n, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(cs.v[i].pem, chain_pem[i]);
		assert_int_equal(cs.v[i].ncerts, 2);
		assert_string_equal(T.sent[i].accept, "application/pem-certificate-chain");
	}
	assert_string_equal(cs.v[0].top_issuer_cn, "Root One");
	assert_string_equal(cs.v[2].top_issuer_cn, "Root Three");
	assert_non_null(ch = acme_chains_pick(&cs, "Root Two"));
	assert_ptr_equal(ch, &cs.v[1]);
	assert_ptr_equal(acme_chains_pick(&cs, "Root Three"), &cs.v[2]);
	assert_ptr_equal(acme_chains_pick(&cs, "Root Nine"), &cs.v[0]);
	assert_ptr_equal(acme_chains_pick(&cs, NULL), &cs.v[0]);
	acme_chains_free(&cs);
	assert_null(acme_chains_pick(&cs, "Root One"));
}

static void
cert_refused(const char *body, const char *alt_body, const char *detail)
{
	const struct canned	s[] = {
		{ ACME_POST, CERT1, 200, NONCE("c1") "Link: <" CERT1 "/1>;rel=alternate\n",
		    body, 0, 0 },
		{ ACME_POST, CERT1 "/1", 200, NONCE("c2"), alt_body, 0, 0 },
	};
	struct acme_chains	cs;
	struct problem		p = { 0 };

	play(s, alt_body != NULL ? 2 : 1);
	assert_false(acme_client_cert(C, CERT1, &cs, &p));
	assert_problem(&p, PROB_SERVER_INTERNAL, detail);
	assert_int_equal(cs.n, 0);
	assert_null(cs.v);
	assert_played();
}

static void
test_cert_refused(void **state)
{
	char	*s, *t;
	size_t	 n;

	(void)state;
	have_account();
	cert_refused(chain_pem[0], other_leaf_pem, "alternate chain 1 has another leaf");
	cert_refused("", NULL, "not a PEM chain");
	cert_refused("hello", NULL, "a chain has 1 to 10 certificates, not 0");
	assert_non_null(s = malloc(strlen(chain_pem[0]) + 100));
	sprintf(s, "%s-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
	    chain_pem[0]);
	cert_refused(s, NULL, "something else than certificates");
	/* Out of order: the intermediate first. */
	t = strstr(chain_pem[0] + 1, "-----BEGIN");
	n = (size_t)(t - chain_pem[0]);
	sprintf(s, "%s%.*s", t, (int)n, chain_pem[0]);
	cert_refused(s, NULL, "not a PEM chain in order");
	free(s);
	/* Eleven certificates. */
	assert_non_null(s = malloc(11 * strlen(chain_pem[0]) + 1));
	s[0] = '\0';
	for (int i = 0; i < 11; i++)
		strcat(s, chain_pem[0]);
	cert_refused(s, NULL, "1 to 10 certificates, not 22");
	free(s);
}

/* --- the orders list --------------------------------------------------------------------- */

static void
test_orders_pages(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, KID "/orders", 200, NONCE("p1")
		    "Link: <" KID "/orders?cursor=2>;rel=\"next\"\n",
		    "{\"orders\":[\"" B "/order/1\",\"" B "/order/2\"]}", 0, 0 },
		{ ACME_POST, KID "/orders?cursor=2", 200, NONCE("p2")
		    "Link: <?cursor=4>;rel=\"next\", <" B "/directory>;rel=\"index\"\n",
		    "{\"orders\":[\"" B "/order/3\",\"" B "/order/4\"]}", 0, 0 },
		{ ACME_POST, KID "/orders?cursor=4", 200, NONCE("p3")
		    "Link: <" B "/directory>;rel=\"index\"\n",
		    "{\"orders\":[\"" B "/order/5\"]}", 0, 0 },
	};
	struct acme_strlist	l;
	struct problem		p = { 0 };
	char			want[128];
	struct jws		j;

	(void)state;
	have_account();
	PLAY(s);
	assert_true(acme_client_orders(C, KID "/orders", &l, &p));
	assert_played();
	assert_int_equal(l.n, 5);
	for (size_t i = 0; i < l.n; i++) {
		snprintf(want, sizeof(want), B "/order/%zu", i + 1);
		assert_string_equal(l.v[i], want);
	}
	acme_strlist_free(&l);
	for (size_t i = 0; i < 3; i++) {
		sent_jws(i, &j);
		assert_true(j.post_as_get);
		assert_string_equal(j.kid, KID);
		jws_free(&j);
	}
}

static void
test_orders_refused(void **state)
{
	static const struct canned endless[] = {
		{ ACME_POST, NULL, 200, NONCE("p") "Link: <" KID "/orders?again>;rel=next\n",
		    "{\"orders\":[\"" B "/order/1\"]}", 0, 1 },
	};
	static const struct canned bad[] = {
		{ ACME_POST, KID "/orders", 200, NONCE("p1")
		    "Link: <" KID "/orders?cursor=2>;rel=\"next\"\n",
		    "{\"orders\":[\"" B "/order/1\"]}", 0, 0 },
		{ ACME_POST, KID "/orders?cursor=2", 200, NONCE("p2"), "{\"orders\":[7]}", 0, 0 },
		{ ACME_POST, KID "/orders", 200, NONCE("p3"), "{\"list\":[]}", 0, 0 },
	};
	struct acme_strlist	l;
	struct problem		p = { 0 };

	(void)state;
	have_account();
	PLAY(endless);
	assert_false(acme_client_orders(C, KID "/orders", &l, &p));
	assert_problem(&p, PROB_SERVER_INTERNAL, "more than 100 pages");
	assert_int_equal(T.nsent, ACME_ORDERS_PAGES_MAX);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
	PLAY(bad);
	assert_false(acme_client_orders(C, KID "/orders", &l, &p));
	assert_problem(&p, PROB_SERVER_INTERNAL, "order 0 is not a URL");
	assert_null(l.v);
	assert_false(acme_client_orders(C, KID "/orders", &l, &p));
	assert_problem(&p, PROB_SERVER_INTERNAL, "\"orders\" is not an array");
	assert_played();
}

/* --- revocation ---------------------------------------------------------------------- */

#define REVOKE_URL	B "/revoke-cert"

static const uint8_t revoke_der[] = { 0x30, 0x82, 0x01, 0x0a, 0xfb, 0xff };

/* Request i revoked revoke_der with reason (-1: no member), signed by kid. */
static void
assert_revoke_sent(size_t i, int reason)
{
	struct json_object	*pl;
	struct jws		 j;
	int64_t			 got;
	char			*b64;

	sent_jws(i, &j);
	assert_string_equal(j.url, REVOKE_URL);
	assert_non_null(j.kid);
	assert_string_equal(j.kid, KID);
	assert_null(j.jwk);
	jws_free(&j);
	assert_non_null(pl = sent_payload(i));
	assert_non_null(b64 = b64url_encode(revoke_der, sizeof(revoke_der)));
	assert_string_equal(str_member(pl, "certificate"), b64);
	free(b64);
	if (reason < 0)
		assert_int_equal(json_get_int(pl, "reason", 0, 10, &got), JGET_ABSENT);
	else {
		assert_int_equal(json_get_int(pl, "reason", 0, 10, &got), JGET_OK);
		assert_int_equal(got, reason);
	}
	json_object_put(pl);
}

/* 200, with a reason and without one. */
static void
test_revoke(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, REVOKE_URL, 200, NONCE("n3"), NULL, 0, 0 },
		{ ACME_POST, REVOKE_URL, 200, NONCE("n4") "Content-Length: 0\n", "", 0, 0 },
	};
	struct problem	p = { 0 };

	(void)state;
	have_account();
	PLAY(s);
	assert_true(acme_client_revoke(C, revoke_der, sizeof(revoke_der), 1, &p));
	assert_int_equal(p.type, PROB_NONE);
	assert_revoke_sent(0, 1);
	reset_sent();
	assert_true(acme_client_revoke(C, revoke_der, sizeof(revoke_der), -1, &p));
	assert_revoke_sent(0, -1);
	assert_played();
}

/* alreadyRevoked is the server's problem, for the caller to judge. */
static void
test_revoke_already_revoked(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, REVOKE_URL, 400, NONCE("n3")
		    "Content-Type: application/problem+json\n",
		    "{\"type\":\"urn:ietf:params:acme:error:alreadyRevoked\","
		    "\"detail\":\"Certificate has already been revoked.\",\"status\":400}", 0, 0 },
	};
	struct problem	p = { 0 };

	(void)state;
	have_account();
	PLAY(s);
	assert_false(acme_client_revoke(C, revoke_der, sizeof(revoke_der), 4, &p));
	assert_problem(&p, PROB_ALREADY_REVOKED, "already been revoked");
	assert_int_equal(p.status, 400);
	assert_played();
	assert_int_equal(T.nsent, 1);
}

/*
 * A reason the server does not take (Boulder: 0, 1, 4, 5 only) is its
 * badRevocationReason; one that is no RFC 5280 reason, a certificate of
 * no or too many bytes, never leave the client.
 */
static void
test_revoke_bad_reason(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, REVOKE_URL, 400, NONCE("n3"),
		    "{\"type\":\"urn:ietf:params:acme:error:badRevocationReason\","
		    "\"detail\":\"unsupported revocation reason code provided\"}", 0, 0 },
	};
	static const int local[] = { 6, 7, 8, 11, -2, 1000 };
	struct problem	 p = { 0 };
	uint8_t		*big;

	(void)state;
	have_account();
	PLAY(s);
	assert_false(acme_client_revoke(C, revoke_der, sizeof(revoke_der), 2, &p));
	assert_problem(&p, PROB_BAD_REVOCATION_REASON, "unsupported revocation reason");
	assert_int_equal(p.status, 400);
	assert_revoke_sent(0, 2);
	assert_played();
	reset_sent();
	for (size_t i = 0; i < nitems(local); i++) {
		assert_false(acme_client_revoke(C, revoke_der, sizeof(revoke_der),
		    local[i], &p));
		assert_problem(&p, PROB_MALFORMED, "reason code");
	}
	assert_false(acme_client_revoke(C, revoke_der, 0, 1, &p));
	assert_problem(&p, PROB_MALFORMED, "1 to 16384 bytes");
	assert_non_null(big = calloc(1, 16385));
	assert_false(acme_client_revoke(C, big, 16385, 1, &p));
	assert_problem(&p, PROB_MALFORMED, "1 to 16384 bytes");
	free(big);
	assert_int_equal(T.nsent, 0);
}

/* badNonce: once more with the refusal's nonce. */
static void
test_revoke_bad_nonce(void **state)
{
	static const struct canned s[] = {
		{ ACME_POST, REVOKE_URL, 400, NONCE("n3"), BAD_NONCE_BODY, 0, 0 },
		{ ACME_POST, REVOKE_URL, 200, NONCE("n4"), NULL, 0, 0 },
	};
	struct problem	p = { 0 };
	struct jws	j;

	(void)state;
	have_account();
	PLAY(s);
	assert_true(acme_client_revoke(C, revoke_der, sizeof(revoke_der), 0, &p));
	assert_played();
	assert_int_equal(T.nsent, 2);
	sent_jws(0, &j);
	assert_string_equal(j.nonce, "n2");
	jws_free(&j);
	sent_jws(1, &j);
	assert_string_equal(j.nonce, "n3");
	jws_free(&j);
	assert_revoke_sent(1, 0);
}

/* A directory without revokeCert: nothing is sent. */
static void
test_revoke_no_resource(void **state)
{
	static const struct canned s[] = {
		{ ACME_GET, DIR_URL, 200, NULL, "{\"newNonce\":\"" NONCE_URL "\","
		    "\"newAccount\":\"" ACCT_URL "\",\"newOrder\":\"" ORDER_URL "\"}", 0, 0 },
	};
	struct acme_client_opts	 o;
	struct acme_client	*c;
	struct problem		 p = { 0 };

	(void)state;
	memset(&o, 0, sizeof(o));
	o.directory_url = DIR_URL;
	o.key = &acct;
	o.account_url = KID;
	o.http.fn = fake_http;
	assert_non_null(c = acme_client_new(&o, &p));
	PLAY(s);
	assert_false(acme_client_revoke(c, revoke_der, sizeof(revoke_der), 1, &p));
	assert_problem(&p, PROB_SERVER_INTERNAL, "no revokeCert");
	assert_played();
	assert_int_equal(T.nsent, 1);
	acme_client_free(c);
}

/* --- the group --------------------------------------------------------------------------- */

static int
group_setup(void **state)
{
	(void)state;
	if (!key_generate(&acct, KEY_EC256) || !key_generate(&other_key, KEY_EC256))
		return -1;
	make_chains();
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	key_free(&acct);
	key_free(&other_key);
	for (int i = 0; i < 3; i++)
		free(chain_pem[i]);
	free(other_leaf_pem);
	return 0;
}

#define T_(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T_(test_directory),
		T_(test_directory_refused),
		T_(test_error_without_problem),
		T_(test_connection_error),
		T_(test_connection_error_curl),
		T_(test_response_too_large),
		T_(test_new_refuses_options),
		T_(test_nonce_kept),
		T_(test_bad_nonce_retried_once),
		T_(test_bad_nonce_twice),
		T_(test_bad_nonce_without_nonce),
		T_(test_new_nonce_refused),
		T_(test_account_new),
		T_(test_account_eab),
		T_(test_account_eab_padded_hs512),
		T_(test_account_eab_refused),
		T_(test_account_existing),
		T_(test_account_malformed),
		T_(test_no_account),
		T_(test_order_new),
		T_(test_order_new_refused_locally),
		T_(test_order_problem),
		T_(test_problem_other_type),
		T_(test_order_malformed),
		T_(test_order_unknown_members),
		T_(test_authz),
		T_(test_authz_malformed),
		T_(test_chall_respond),
		T_(test_authz_deactivate),
		T_(test_authz_wait),
		T_(test_key_authz),
		T_(test_finalize_poll),
		T_(test_poll_clamped),
		T_(test_poll_bounded),
		T_(test_poll_bounded_frozen_clock),
		T_(test_poll_invalid),
		T_(test_finalize_refused),
		T_(test_retry_after_parse),
		T_(test_cert_alternates),
		T_(test_cert_refused),
		T_(test_orders_pages),
		T_(test_orders_refused),
		T_(test_revoke),
		T_(test_revoke_already_revoked),
		T_(test_revoke_bad_reason),
		T_(test_revoke_bad_nonce),
		T_(test_revoke_no_resource),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
