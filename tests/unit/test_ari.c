/*
 * test_ari.c - ACME Renewal Information (RFC 9773): certIDs (core/ari.c)
 * and of certificates (ca_ari_certid()), the suggested window, renewalInfo
 * objects, and acme_client_renewal_info() against canned responses.
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

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "acme_client.h"
#include "ari.h"
#include "buf.h"
#include "ca.h"
#include "json.h"
#include "key.h"
#include "problem.h"
#include "testutil.h"

/* RFC 9773 §4.1 and Appendix A. */
#define RFC_CERTID	"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"
static const uint8_t rfc_aki[] = {
	0x69, 0x88, 0x5b, 0x6b, 0x87, 0x46, 0x40, 0x41, 0xe1, 0xb3,
	0x7b, 0x84, 0x7b, 0xa0, 0xae, 0x2c, 0xde, 0x01, 0xc8, 0xd4,
};
static const uint8_t rfc_serial[] = { 0x00, 0x87, 0x65, 0x43, 0x21 };
static const char rfc_cert[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBQzCB66ADAgECAgUAh2VDITAKBggqhkjOPQQDAjAVMRMwEQYDVQQDEwpFeGFt\n"
    "cGxlIENBMCIYDzAwMDEwMTAxMDAwMDAwWhgPMDAwMTAxMDEwMDAwMDBaMBYxFDAS\n"
    "BgNVBAMTC2V4YW1wbGUuY29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeBZu\n"
    "7cbpAYNXZLbbh8rNIzuOoqOOtmxA1v7cRm//AwyMwWxyHz4zfwmBhcSrf47NUAFf\n"
    "qzLQ2PPQxdTXREYEnKMjMCEwHwYDVR0jBBgwFoAUaYhba4dGQEHhs3uEe6CuLN4B\n"
    "yNQwCgYIKoZIzj0EAwIDRwAwRAIge09+S5TZAlw5tgtiVvuERV6cT4mfutXIlwTb\n"
    "+FYN/8oCIClDsqBklhB9KAelFiYt9+6FDj3z4KGVelYM5MdsO3pK\n"
    "-----END CERTIFICATE-----\n";

/* 1700000000: Tue, 14 Nov 2023 22:13:20 GMT. */
#define T0	1700000000
#define DAY	86400

/* --- certIDs ----------------------------------------------------------------------- */

static void
test_certid_rfc_example(void **state)
{
	struct ari_certid	id;
	char			text[ARI_CERTID_MAX + 1], hex[ARI_SERIAL_HEX_MAX + 1];

	(void)state;
	assert_true(ari_certid_parse(RFC_CERTID, &id));
	assert_int_equal(id.aki_len, sizeof(rfc_aki));
	assert_memory_equal(id.aki, rfc_aki, sizeof(rfc_aki));
	assert_int_equal(id.serial_len, sizeof(rfc_serial));
	assert_memory_equal(id.serial, rfc_serial, sizeof(rfc_serial));
	assert_true(ari_certid_format(&id, text, sizeof(text)));
	assert_string_equal(text, RFC_CERTID);
	/* As the certificates table has it: no leading zero octet. */
	ari_serial_hex(&id, hex);
	assert_string_equal(hex, "87654321");
	/* The buffer must hold it all. */
	assert_false(ari_certid_format(&id, text, strlen(RFC_CERTID)));
}

/* A string of n copies of c. */
static char *
rep(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void
test_certid_bounds(void **state)
{
	struct ari_certid	 id;
	char			 buf[512], text[ARI_CERTID_MAX + 1];
	char			*aki64, *aki65;

	(void)state;
	/* 64 octets of key identifier: 86 characters; 65 is one too many. */
	aki64 = rep('A', 85);
	aki65 = rep('A', 87);
	snprintf(buf, sizeof(buf), "%sQ.AQ", aki64);
	assert_true(ari_certid_parse(buf, &id));
	assert_int_equal(id.aki_len, 64);
	snprintf(buf, sizeof(buf), "%s.AQ", aki65);
	assert_false(ari_certid_parse(buf, &id));
	/* The longest certID there is still fits ARI_CERTID_MAX. */
	snprintf(buf, sizeof(buf), "%sQ.AICAgICAgICAgICAgICAgICAgICA", aki64);
	assert_true(ari_certid_parse(buf, &id));
	assert_int_equal(id.serial_len, 21);
	assert_true(ari_certid_format(&id, text, sizeof(text)));
	assert_string_equal(text, buf);
	assert_int_equal(strlen(buf), ARI_CERTID_MAX);
	free(aki64);
	free(aki65);
	/* 20 value octets, with and without the sign octet. */
	assert_true(ari_certid_parse("AQ.f_________________________8", &id));
	assert_int_equal(id.serial_len, 20);
	assert_true(ari_certid_parse("AQ.AP__________________________", &id));
	assert_int_equal(id.serial_len, 21);
	/* One octet: the smallest positive serial. */
	assert_true(ari_certid_parse("AQ.AQ", &id));
	assert_int_equal(id.aki_len, 1);
	assert_int_equal(id.serial_len, 1);
}

static void
test_certid_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		".",
		"..",
		"aYhba4dGQEHhs3uEe6CuLN4ByNQ",			/* no period */
		"aYhba4dGQEHhs3uEe6CuLN4ByNQAIdlQyE",
		"aYhba4dGQEHhs3uEe6CuLN4ByNQ.",			/* empty parts */
		".AIdlQyE",
		"aYhba4dGQEHhs3uEe6CuLN4ByNQ..AIdlQyE",		/* two periods */
		"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdl.QyE",
		"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE.",
		"aYhba4dGQEHhs3uEe6CuLN4ByNQ=.AIdlQyE",		/* padding */
		"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE=",
		"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE==",
		"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQy==",
		"aYhba4dGQEHhs3u+e6CuLN4ByNQ.AIdlQyE",		/* base64, not base64url */
		"aYhba4dGQEHhs3u/e6CuLN4ByNQ.AIdlQyE",
		"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdl%51yE",	/* not the alphabet */
		"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdl QyE",
		" aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",		/* garbage around it */
		"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE ",
		"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE\n",
		"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE/x",
		"x/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",
		"aYhba4dGQEHhs3uEe6CuLN4ByNR.AIdlQyE",		/* non-canonical last character */
		"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyF",
		"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQ",		/* a length base64 never has */
		"A.AQ",
		"AQ.A",
		"AQ.AA",					/* zero */
		"AQ.AAA",
		"AQ.gA",					/* negative */
		"AQ._w",
		"AQ.AAE",					/* a redundant zero octet */
		"AQ.AAB_",
		"AQ.AACA",					/* two leading zero octets */
		"AQ.AQEBAQEBAQEBAQEBAQEBAQEBAQEB",			/* 21 value octets */
		"AQ.AP___________________________w",	/* 21 value octets, signed */
	};
	struct ari_certid	 id;
	char			 buf[512];
	char			*aki;

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++) {
		memset(&id, 0x55, sizeof(id));
		if (ari_certid_parse(bad[i], &id))
			fail_msg("accepted \"%s\"", bad[i]);
		/* Nothing half-filled is left behind. */
		assert_int_equal(id.aki_len, 0);
		assert_int_equal(id.serial_len, 0);
	}
	/* Far too long, as a client could send. */
	aki = rep('A', 300);
	snprintf(buf, sizeof(buf), "%s.AQ", aki);
	assert_false(ari_certid_parse(buf, &id));
	snprintf(buf, sizeof(buf), "AQ.%s", aki);
	assert_false(ari_certid_parse(buf, &id));
	free(aki);
}

static void
test_certid_equal(void **state)
{
	struct ari_certid a, b;

	(void)state;
	assert_true(ari_certid_parse(RFC_CERTID, &a));
	assert_true(ari_certid_parse(RFC_CERTID, &b));
	assert_true(ari_certid_equal(&a, &b));
	/* Another issuer's certificate with the same serial. */
	assert_true(ari_certid_parse("aYhba4dGQEHhs3uEe6CuLN4ByNA.AIdlQyE", &b));
	assert_false(ari_certid_equal(&a, &b));
	assert_true(ari_certid_parse("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyI", &b));
	assert_false(ari_certid_equal(&a, &b));
	assert_true(ari_certid_parse("aYhba4dGQEHhs3uEe6CuLN4B.AIdlQyE", &b));
	assert_false(ari_certid_equal(&a, &b));
}

/* --- the certID of a certificate ------------------------------------------------------- */

static void
test_certid_of_rfc_cert(void **state)
{
	struct ari_certid	id;
	char			text[ARI_CERTID_MAX + 1];

	(void)state;
	assert_true(ca_ari_certid(rfc_cert, &id));
	assert_true(ari_certid_format(&id, text, sizeof(text)));
	assert_string_equal(text, RFC_CERTID);
}

static gnutls_pubkey_t
pub_of(const struct key *k)
{
	gnutls_pubkey_t pub;

	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_privkey(pub, k->priv, 0, 0), 0);
	return pub;
}

static char *
pem_of(gnutls_x509_crt_t crt)
{
	gnutls_datum_t	 d;
	char		*s;

	assert_true(ca_cert_pem(crt, &d));
	assert_non_null(s = strndup((const char *)d.data, d.size));
	gnutls_free(d.data);
	return s;
}

/* A leaf of our CA: its issuer's key identifier and its serial. */
static void
test_certid_of_our_cert(void **state)
{
	struct key		 rk, ik, lk;
	struct ca		 root, inter;
	struct ca_leaf		 leaf;
	struct ca_name		 name = { CA_NAME_DNS, "www.example.test" };
	struct ari_certid	 id;
	gnutls_pubkey_t		 ipub, lpub;
	gnutls_x509_crt_t	 crt;
	uint8_t			 kid[CA_KEY_ID_LEN];
	time_t			 now = time(NULL), nb, na;
	char			*pem;

	(void)state;
	memset(&root, 0, sizeof(root));
	memset(&inter, 0, sizeof(inter));
	assert_true(key_generate(&rk, KEY_EC256));
	assert_true(key_generate(&ik, KEY_EC256));
	assert_true(key_generate(&lk, KEY_EC256));
	assert_true(ca_validity(now, 30, &nb, &na));
	assert_true(ca_make_root(&rk, "CN=R", nb, na, &root.cert));
	root.key = rk;
	ipub = pub_of(&ik);
	assert_true(ca_make_intermediate(&root, ipub, "CN=I", nb, na, &inter.cert));
	inter.key = ik;
	lpub = pub_of(&lk);
	memset(&leaf, 0, sizeof(leaf));
	leaf.pub = lpub;
	leaf.names = &name;
	leaf.nnames = 1;
	leaf.eku = CA_EKU_SERVER_AUTH;
	assert_true(ca_validity(now, 10, &leaf.not_before, &leaf.not_after));
	assert_true(ca_serial_new(leaf.serial));
	leaf.serial[0] |= 0x40;
	assert_true(ca_issue(&inter, &leaf, now, &crt));
	pem = pem_of(crt);
	assert_true(ca_ari_certid(pem, &id));
	assert_true(ca_key_id(ipub, kid));
	assert_int_equal(id.aki_len, CA_KEY_ID_LEN);
	assert_memory_equal(id.aki, kid, CA_KEY_ID_LEN);
	assert_int_equal(id.serial_len, CA_SERIAL_LEN);
	assert_memory_equal(id.serial, leaf.serial, CA_SERIAL_LEN);
	free(pem);
	/* A self-signed root has no AKI: no certID. */
	pem = pem_of(root.cert);
	assert_false(ca_ari_certid(pem, &id));
	assert_int_equal(id.aki_len, 0);
	free(pem);
	assert_false(ca_ari_certid("-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n", &id));
	gnutls_x509_crt_deinit(crt);
	gnutls_pubkey_deinit(ipub);
	gnutls_pubkey_deinit(lpub);
	ca_free(&root);
	ca_free(&inter);
	key_free(&lk);
}

/* --- the suggested window ----------------------------------------------------------------- */

static void
assert_window(const struct ari_info *ri, time_t start, time_t end,
    const char *start_text, const char *end_text)
{
	assert_int_equal(ri->start, start);
	assert_int_equal(ri->end, end);
	assert_string_equal(ri->start_text, start_text);
	assert_string_equal(ri->end_text, end_text);
	assert_string_equal(ri->explanation_url, "");
}

static void
test_window_normal(void **state)
{
	struct ari_info	ri;
	time_t		nb = T0, na = T0 + 90 * DAY - 1;

	(void)state;
	/* 90 days: centred 30 days before the end, 0.9 days either side. */
	ari_window(nb, na, 0, T0 + DAY, &ri);
	assert_window(&ri, T0 + 60 * DAY - 1 - 77760, T0 + 60 * DAY - 1 + 77760,
	    "2024-01-13T00:37:19Z", "2024-01-14T19:49:19Z");
	assert_true(ri.start > nb && ri.end < na);
	/* Short-lived (6 days): half-way, 1.44 hours either side. */
	ari_window(nb, nb + 6 * DAY - 1, 0, T0, &ri);
	assert_int_equal(ri.start, T0 + 3 * DAY - 1 - 5184);
	assert_int_equal(ri.end, T0 + 3 * DAY - 1 + 5184);
	/* Lifetimes so short the margin rounds to nothing still give a window. */
	ari_window(nb, nb + 9, 0, T0, &ri);
	assert_true(ri.start < ri.end);
	assert_int_equal(ri.end - ri.start, 2);
	ari_window(nb, nb, 0, T0, &ri);
	assert_true(ri.start < ri.end);
}

/* Revoked: a window that ended in the past, whatever the validity. */
static void
test_window_revoked(void **state)
{
	struct ari_info ri;

	(void)state;
	ari_window(T0, T0 + 90 * DAY - 1, 1, T0 + DAY, &ri);
	assert_window(&ri, T0 + DAY - 3600, T0 + DAY - 1800,
	    "2023-11-15T21:13:20Z", "2023-11-15T21:43:20Z");
}

/* Expired: the usual window, long past. */
static void
test_window_expired(void **state)
{
	struct ari_info ri;

	(void)state;
	ari_window(T0 - 90 * DAY, T0 - 1, 0, T0 + 5 * DAY, &ri);
	assert_true(ri.start < ri.end);
	assert_true(ri.end < T0);
	assert_int_equal(ri.start, T0 - 30 * DAY - 1 - 77760);
}

/* --- renewalInfo objects ---------------------------------------------------------------------- */

/* ari_info_parse() of text: 1 with *ri, or 0 with why containing want. */
static int
parse_text(const char *text, struct ari_info *ri, const char *want)
{
	struct json_object	*o;
	const char		*err;
	char			 why[128] = "";
	int			 ok;

	if ((o = json_parse(text, strlen(text), 8, &err)) == NULL)
		fail_msg("json_parse: %s: %s", err, text);
	ok = ari_info_parse(o, ri, why, sizeof(why));
	json_object_put(o);
	if (want != NULL) {
		if (ok)
			fail_msg("accepted %s", text);
		assert_contains(why, want);
		assert_int_equal(ri->start, 0);
		assert_string_equal(ri->start_text, "");
	}
	return ok;
}

static void
test_info_parse(void **state)
{
	struct ari_info		 ri;
	struct json_object	*o;

	(void)state;
	assert_true(parse_text("{\"suggestedWindow\": {\"start\": \"2021-01-03T00:00:00Z\", "
	    "\"end\": \"2021-01-07T00:00:00Z\"}, \"explanationURL\": "
	    "\"https://example.com/docs/ari\"}", &ri, NULL));
	assert_int_equal(ri.start, 1609632000);
	assert_int_equal(ri.end, 1609977600);
	assert_string_equal(ri.explanation_url, "https://example.com/docs/ari");
	/* Relayed as the issuer wrote it: fraction and offset kept. */
	assert_true(parse_text("{\"suggestedWindow\": {\"start\": \"2021-01-03T01:00:00.123+01:00\", "
	    "\"end\": \"2021-01-07T00:00:00.5Z\", \"x\": 1}, \"other\": [1]}", &ri, NULL));
	assert_int_equal(ri.start, 1609632000);
	assert_string_equal(ri.start_text, "2021-01-03T01:00:00.123+01:00");
	assert_string_equal(ri.end_text, "2021-01-07T00:00:00.5Z");
	assert_string_equal(ri.explanation_url, "");
	assert_non_null(o = ari_info_json(&ri));
	assert_string_equal(json_out_compact(o), "{\"suggestedWindow\":{\"start\":"
	    "\"2021-01-03T01:00:00.123+01:00\",\"end\":\"2021-01-07T00:00:00.5Z\"}}");
	json_object_put(o);
	strcpy(ri.explanation_url, "https://ca.test/why");
	assert_non_null(o = ari_info_json(&ri));
	assert_contains(json_out_compact(o), ",\"explanationURL\":\"https://ca.test/why\"}");
	json_object_put(o);
}

static void
test_info_parse_refused(void **state)
{
	struct ari_info ri;

	(void)state;
	parse_text("[]", &ri, "not a JSON object");
	parse_text("{}", &ri, "\"suggestedWindow\" is missing");
	parse_text("{\"suggestedWindow\": \"soon\"}", &ri, "\"suggestedWindow\" is missing");
	parse_text("{\"suggestedWindow\": {\"end\": \"2021-01-07T00:00:00Z\"}}", &ri,
	    "start\" is not");
	parse_text("{\"suggestedWindow\": {\"start\": \"2021-01-07T00:00:00Z\"}}", &ri,
	    "end\" is not");
	parse_text("{\"suggestedWindow\": {\"start\": 1609632000, "
	    "\"end\": \"2021-01-07T00:00:00Z\"}}", &ri, "start\" is not");
	parse_text("{\"suggestedWindow\": {\"start\": \"2021-01-03 00:00:00Z\", "
	    "\"end\": \"2021-01-07T00:00:00Z\"}}", &ri, "start\" is not");
	parse_text("{\"suggestedWindow\": {\"start\": \"2021-01-03T00:00:00Z\", "
	    "\"end\": \"2021-01-07T00:00:00\"}}", &ri, "end\" is not");
	parse_text("{\"suggestedWindow\": {\"start\": \"2021-01-03T00:00:00Z\", "
	    "\"end\": \"2021-13-07T00:00:00Z\"}}", &ri, "end\" is not");
	/* RFC 9773 §4.2: end must follow start. */
	parse_text("{\"suggestedWindow\": {\"start\": \"2021-01-07T00:00:00Z\", "
	    "\"end\": \"2021-01-07T00:00:00Z\"}}", &ri, "ends before it starts");
	parse_text("{\"suggestedWindow\": {\"start\": \"2021-01-07T00:00:00Z\", "
	    "\"end\": \"2021-01-03T00:00:00Z\"}}", &ri, "ends before it starts");
	parse_text("{\"suggestedWindow\": {\"start\": \"2021-01-07T00:00:00Z\", "
	    "\"end\": \"2021-01-07T01:00:00+02:00\"}}", &ri, "ends before it starts");
	parse_text("{\"suggestedWindow\": {\"start\": \"2021-01-03T00:00:00Z\", "
	    "\"end\": \"2021-01-07T00:00:00Z\"}, \"explanationURL\": "
	    "\"http://example.com/\"}", &ri, "explanationURL");
	parse_text("{\"suggestedWindow\": {\"start\": \"2021-01-03T00:00:00Z\", "
	    "\"end\": \"2021-01-07T00:00:00Z\"}, \"explanationURL\": "
	    "\"https://example.com/a b\"}", &ri, "explanationURL");
	parse_text("{\"suggestedWindow\": {\"start\": \"2021-01-03T00:00:00Z\", "
	    "\"end\": \"2021-01-07T00:00:00Z\"}, \"explanationURL\": 5}", &ri,
	    "explanationURL");
	parse_text("{\"suggestedWindow\": {\"start\": \"2021-01-03T00:00:00Z\", "
	    "\"end\": \"2021-01-07T00:00:00Z\"}, \"explanationURL\": \"https://\"}", &ri,
	    "explanationURL");
}

static void
test_retry_clamp(void **state)
{
	(void)state;
	assert_int_equal(ari_retry_clamp(-1), ARI_RETRY_AFTER);
	assert_int_equal(ari_retry_clamp(0), ARI_RETRY_MIN);
	assert_int_equal(ari_retry_clamp(59), 60);
	assert_int_equal(ari_retry_clamp(60), 60);
	assert_int_equal(ari_retry_clamp(3600), 3600);
	assert_int_equal(ari_retry_clamp(86400), 86400);
	assert_int_equal(ari_retry_clamp(86401), 86400);
	assert_int_equal(ari_retry_clamp(INT64_MAX), 86400);
}

/* --- acme_client_renewal_info() against canned answers ------------------------------------------ */

#define B		"https://ca.test/acme"
#define DIR_URL		B "/directory"
#define DIR_BODY(ri)	"{\"newNonce\": \"" B "/new-nonce\", \"newAccount\": \"" B \
			"/new-account\", \"newOrder\": \"" B "/new-order\"" ri "}"
#define WINDOW		"{\"suggestedWindow\": {\"start\": \"2023-11-20T00:00:00Z\", " \
			"\"end\": \"2023-11-21T00:00:00Z\"}}"

struct canned {
	const char	*url;
	long		 status;
	const char	*headers;
	const char	*body;
};

static struct {
	const struct canned	*script;
	size_t			 n, next;
	int			 posts;
} T;

static int
fake_http(void *ctx, const struct acme_http_req *req, struct acme_http_resp *resp,
    struct problem *p)
{
	const struct canned *cn;

	(void)ctx;
	(void)p;
	if (req->method != ACME_GET)
		T.posts++;
	if (T.next >= T.n)
		fail_msg("unexpected request %s", req->url);
	cn = &T.script[T.next++];
	if (req->method != ACME_GET || strcmp(cn->url, req->url) != 0)
		fail_msg("request %zu: got %d %s, want GET %s", T.next,
		    (int)req->method, req->url, cn->url);
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
	return T0;
}

/* A client without a key, on script. */
static struct acme_client *
client(const struct canned *script, size_t n)
{
	struct acme_client_opts	 o;
	struct acme_client	*c;
	struct problem		 p = { 0 };

	memset(&T, 0, sizeof(T));
	T.script = script;
	T.n = n;
	memset(&o, 0, sizeof(o));
	o.directory_url = DIR_URL;
	o.http.fn = fake_http;
	o.clock.now = fake_now;
	if ((c = acme_client_new(&o, &p)) == NULL)
		fail_msg("acme_client_new: %s", p.detail);
	return c;
}

/* Runs one renewalInfo request on script: 1, or 0 with *p. */
static int
ask(const struct canned *script, size_t n, struct ari_info *ri, int *ra,
    struct problem *p)
{
	struct acme_client	*c = client(script, n);
	int			 ok;

	ok = acme_client_renewal_info(c, RFC_CERTID, ri, ra, p);
	if (T.next != T.n)
		fail_msg("%zu of %zu answers used", T.next, T.n);
	acme_client_free(c);
	return ok;
}

#define ASK(s, ri, ra, p)	ask((s), nitems(s), (ri), (ra), (p))

static void
test_client_good(void **state)
{
	static const struct canned s[] = {
		{ DIR_URL, 200, NULL, DIR_BODY(", \"renewalInfo\": \"" B "/renewal-info\"") },
		{ B "/renewal-info/" RFC_CERTID, 200, "Retry-After: 3600\n",
		    "{\"suggestedWindow\": {\"start\": \"2023-11-20T00:00:00Z\", "
		    "\"end\": \"2023-11-21T00:00:00Z\"}, "
		    "\"explanationURL\": \"https://ca.test/ari\"}" },
	};
	struct ari_info	ri;
	struct problem	p = { 0 };
	int		ra;

	(void)state;
	assert_true(ASK(s, &ri, &ra, &p));
	assert_int_equal(ra, 3600);
	assert_string_equal(ri.start_text, "2023-11-20T00:00:00Z");
	assert_string_equal(ri.end_text, "2023-11-21T00:00:00Z");
	assert_string_equal(ri.explanation_url, "https://ca.test/ari");
	assert_int_equal(T.posts, 0);
}

/* Pebble's renewalInfo ends in "/": no second one. */
static void
test_client_trailing_slash(void **state)
{
	static const struct canned s[] = {
		{ DIR_URL, 200, NULL,
		    DIR_BODY(", \"renewalInfo\": \"" B "/draft-ietf-acme-ari-03/renewalInfo/\"") },
		{ B "/draft-ietf-acme-ari-03/renewalInfo/" RFC_CERTID, 200,
		    "Retry-After: Tue, 14 Nov 2023 23:13:20 GMT\n", WINDOW },
	};
	struct ari_info	ri;
	struct problem	p = { 0 };
	int		ra;

	(void)state;
	assert_true(ASK(s, &ri, &ra, &p));
	/* An HTTP-date an hour after the clock's now. */
	assert_int_equal(ra, 3600);
}

static void
test_client_retry_after(void **state)
{
	static const char *const bad[] = { NULL, "Retry-After: soon\n",
	    "Retry-After: -5\n", "Retry-After: 1.5\n" };
	struct canned	s[2] = {
		{ DIR_URL, 200, NULL, DIR_BODY(", \"renewalInfo\": \"" B "/ri\"") },
		{ B "/ri/" RFC_CERTID, 200, NULL, WINDOW },
	};
	struct ari_info	ri;
	struct problem	p = { 0 };
	int		ra;

	(void)state;
	/* Absent or not a Retry-After: -1, for the caller's default. */
	for (size_t i = 0; i < nitems(bad); i++) {
		s[1].headers = bad[i];
		ra = 7;
		assert_true(ASK(s, &ri, &ra, &p));
		assert_int_equal(ra, -1);
		assert_int_equal(ari_retry_clamp(ra), ARI_RETRY_AFTER);
	}
	s[1].headers = "Retry-After: 0\n";
	assert_true(ASK(s, &ri, &ra, &p));
	assert_int_equal(ra, 0);
	assert_int_equal(ari_retry_clamp(ra), ARI_RETRY_MIN);
	s[1].headers = "Retry-After: 604800\n";
	assert_true(ASK(s, &ri, &ra, &p));
	assert_int_equal(ari_retry_clamp(ra), ARI_RETRY_MAX);
}

/* Each refusal: 0, the problem, nothing left in out. */
static void
refused(const char *status_headers, long status, const char *body,
    enum problem_type t, const char *detail)
{
	const struct canned s[] = {
		{ DIR_URL, 200, NULL, DIR_BODY(", \"renewalInfo\": \"" B "/ri\"") },
		{ B "/ri/" RFC_CERTID, status, status_headers, body },
	};
	struct ari_info	ri;
	struct problem	p = { 0 };
	int		ra = 7;

	if (ASK(s, &ri, &ra, &p))
		fail_msg("accepted %ld %s", status, body);
	assert_problem(&p, t, detail);
	assert_int_equal(ra, -1);
	assert_string_equal(ri.start_text, "");
	problem_clear(&p);
}

static void
test_client_refused(void **state)
{
	(void)state;
	refused("Retry-After: 60\n", 200, "{\"explanationURL\": \"https://ca.test/\"}",
	    PROB_SERVER_INTERNAL, "renewalInfo: \"suggestedWindow\" is missing");
	refused(NULL, 200, "{\"suggestedWindow\": {\"start\": \"2023-11-21T00:00:00Z\", "
	    "\"end\": \"2023-11-20T00:00:00Z\"}}", PROB_SERVER_INTERNAL,
	    "renewalInfo: the suggested window ends before it starts");
	refused(NULL, 200, "{\"suggestedWindow\": {\"start\": \"2023-11-20T00:00:00Z\", "
	    "\"end\": \"2023-11-20T00:00:00Z\"}}", PROB_SERVER_INTERNAL,
	    "ends before it starts");
	refused(NULL, 200, "{\"suggestedWindow\": {\"start\": \"yesterday\", "
	    "\"end\": \"2023-11-20T00:00:00Z\"}}", PROB_SERVER_INTERNAL,
	    "\"suggestedWindow.start\" is not an RFC 3339 date-time");
	refused(NULL, 200, "{\"suggestedWindow\": {\"start\": \"2023-11-20T00:00:00Z\", "
	    "\"end\": \"2023-11-21T00:00:00Z\"}, \"explanationURL\": \"javascript:x\"}",
	    PROB_SERVER_INTERNAL, "explanationURL");
	refused(NULL, 200, "not json", PROB_SERVER_INTERNAL, "renewalInfo: ");
	refused(NULL, 200, "[]", PROB_SERVER_INTERNAL, "not a JSON object");
	refused(NULL, 204, NULL, PROB_SERVER_INTERNAL, "renewalInfo: unexpected HTTP status 204");
	/* The server's own problem document. */
	refused(NULL, 404, "{\"type\": \"urn:ietf:params:acme:error:malformed\", "
	    "\"detail\": \"no such certificate\"}", PROB_MALFORMED, "no such certificate");
	refused(NULL, 503, NULL, PROB_SERVER_INTERNAL, "HTTP status 503");
}

static void
test_client_no_renewal_info(void **state)
{
	static const struct canned s[] = { { DIR_URL, 200, NULL, DIR_BODY("") } };
	struct ari_info	ri;
	struct problem	p = { 0 };
	int		ra;

	(void)state;
	assert_false(ASK(s, &ri, &ra, &p));
	assert_problem(&p, PROB_SERVER_INTERNAL, "renewalInfo: the directory has no renewalInfo");
}

/* A bad certID is the caller's: nothing is sent. */
static void
test_client_bad_certid(void **state)
{
	struct acme_client	*c = client(NULL, 0);
	struct ari_info		 ri;
	struct problem		 p = { 0 };
	int			 ra;

	(void)state;
	assert_false(acme_client_renewal_info(c, "nodot", &ri, &ra, &p));
	assert_problem(&p, PROB_MALFORMED, "certificate identifier");
	assert_false(acme_client_renewal_info(c, RFC_CERTID "=", &ri, &ra, &p));
	assert_int_equal(T.next, 0);
	acme_client_free(c);
}

/* A client without a key reads, and refuses to POST. */
static void
test_client_without_key(void **state)
{
	static const struct canned s[] = {
		{ DIR_URL, 200, NULL, DIR_BODY("") },
	};
	struct acme_client	*c = client(s, nitems(s));
	struct acme_account	 a;
	struct acme_order	 o;
	struct problem		 p = { 0 };

	(void)state;
	assert_string_equal(acme_client_thumbprint(c), "");
	assert_null(acme_client_key_authz(c, "token"));
	assert_false(acme_client_account(c, NULL, &a, &p));
	assert_problem(&p, PROB_MALFORMED, "no account key");
	assert_false(acme_client_account_find(c, &a, &p));
	assert_problem(&p, PROB_MALFORMED, "no account key");
	assert_false(acme_client_order_get(c, B "/order/1", &o, &p));
	assert_problem(&p, PROB_MALFORMED, "no account key");
	assert_int_equal(T.posts, 0);
	acme_client_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_certid_rfc_example),
		cmocka_unit_test(test_certid_bounds),
		cmocka_unit_test(test_certid_malformed),
		cmocka_unit_test(test_certid_equal),
		cmocka_unit_test(test_certid_of_rfc_cert),
		cmocka_unit_test(test_certid_of_our_cert),
		cmocka_unit_test(test_window_normal),
		cmocka_unit_test(test_window_revoked),
		cmocka_unit_test(test_window_expired),
		cmocka_unit_test(test_info_parse),
		cmocka_unit_test(test_info_parse_refused),
		cmocka_unit_test(test_retry_clamp),
		cmocka_unit_test(test_client_good),
		cmocka_unit_test(test_client_trailing_slash),
		cmocka_unit_test(test_client_retry_after),
		cmocka_unit_test(test_client_refused),
		cmocka_unit_test(test_client_no_renewal_info),
		cmocka_unit_test(test_client_bad_certid),
		cmocka_unit_test(test_client_without_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
