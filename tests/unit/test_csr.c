/*
 * test_csr.c - the finalize CSR checks (RFC 8555 §7.4): every request
 * accepted and every reason to refuse one, the comparison with the order's
 * identifiers, the template's key types and the account key.  Each CSR is
 * made here with GnuTLS; its subjectAltName is written as raw DER, so that
 * entries GnuTLS would not write (U-labels, empty names) can be sent.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "csr.h"
#include "fixture.h"
#include "identifier.h"
#include "key.h"
#include "problem.h"
#include "testutil.h"

#define OID_SAN		"2.5.29.17"
#define OID_BC		"2.5.29.19"
#define OID_TLS_FEATURE	"1.3.6.1.5.5.7.1.24"
/* An OID of the same DER length as 2.5.29.17 and 2.5.29.19, to patch. */
#define OID_SPARE	"2.5.29.99"
#define DER_SPARE	"\x06\x03\x55\x1d\x63"
#define DER_SAN		"\x06\x03\x55\x1d\x11"
#define DER_BC		"\x06\x03\x55\x1d\x13"
/* SubjectPublicKeyInfo of an RSA key ends with the exponent 65537. */
#define DER_E65537	"\x02\x03\x01\x00\x01"
/* An uncompressed P-256 point: BIT STRING of 66 bytes, 0x04, X, Y. */
#define DER_P256_POINT	"\x03\x42\x00\x04"

#define ALL_TYPES	"ec256,ec384,ec521,rsa2048,rsa3072,rsa4096,ed25519"

/* Keys of types the CA refuses. */
static gnutls_privkey_t	 rsa1024, dsa, p192;

static gnutls_privkey_t
priv(enum key_type t)
{
	return fixture_keys[t].priv;
}

static gnutls_privkey_t
generate(gnutls_pk_algorithm_t pk, unsigned bits)
{
	gnutls_privkey_t	k;

	if (gnutls_privkey_init(&k) < 0)
		return NULL;
	if (gnutls_privkey_generate2(k, pk, bits, 0, NULL, 0) < 0) {
		gnutls_privkey_deinit(k);
		return NULL;
	}
	return k;
}

static int
group_setup(void **state)
{
	if (fixture_keys_setup(state) != 0)
		return -1;
	rsa1024 = generate(GNUTLS_PK_RSA, 1024);
	dsa = generate(GNUTLS_PK_DSA, 2048);
	p192 = generate(GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP192R1));
	return rsa1024 != NULL && dsa != NULL && p192 != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	gnutls_privkey_deinit(rsa1024);
	gnutls_privkey_deinit(dsa);
	gnutls_privkey_deinit(p192);
	return fixture_keys_teardown(state);
}

/* --- making requests ----------------------------------------------------- */

/* A request being made: the crq and the entries of its subjectAltName. */
struct req {
	gnutls_x509_crq_t	 crq;
	uint8_t			 san[CSR_MAX_BYTES];
	size_t			 sanlen;
	int			 has_san;
};

static struct req *
req_new(void)
{
	struct req	*r;

	assert_non_null(r = calloc(1, sizeof(*r)));
	assert_int_equal(gnutls_x509_crq_init(&r->crq), 0);
	return r;
}

/* A DER header for tag and len into out; returns its length. */
static size_t
der_header(uint8_t *out, uint8_t tag, size_t len)
{
	out[0] = tag;
	if (len < 0x80) {
		out[1] = (uint8_t)len;
		return 2;
	}
	if (len < 0x100) {
		out[1] = 0x81;
		out[2] = (uint8_t)len;
		return 3;
	}
	out[1] = 0x82;
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	return 4;
}

/* Appends a GeneralName with tag and value v to the subjectAltName. */
static void
req_entry(struct req *r, uint8_t tag, const void *v, size_t len)
{
	assert_true(r->sanlen + 4 + len <= sizeof(r->san) - 4);
	r->sanlen += der_header(r->san + r->sanlen, tag, len);
	memcpy(r->san + r->sanlen, v, len);
	r->sanlen += len;
	r->has_san = 1;
}

static void
req_dns(struct req *r, const char *name)
{
	req_entry(r, 0x82, name, strlen(name));
}

static void
req_ip(struct req *r, const char *text)
{
	uint8_t	ip[16];

	if (strchr(text, ':') != NULL) {
		assert_int_equal(inet_pton(AF_INET6, text, ip), 1);
		req_entry(r, 0x87, ip, 16);
	} else {
		assert_int_equal(inet_pton(AF_INET, text, ip), 1);
		req_entry(r, 0x87, ip, 4);
	}
}

static void
req_dn(struct req *r, const char *oid, const char *value)
{
	assert_int_equal(gnutls_x509_crq_set_dn_by_oid(r->crq, oid, 0, value,
	    (unsigned)strlen(value)), 0);
}

static void
req_cn(struct req *r, const char *value)
{
	req_dn(r, GNUTLS_OID_X520_COMMON_NAME, value);
}

static void
req_ext(struct req *r, const char *oid, const void *der, size_t len,
    unsigned critical)
{
	assert_int_equal(gnutls_x509_crq_set_extension_by_oid(r->crq, oid, der,
	    len, critical), 0);
}

/* The crq signed by k with dig (0: the key's default), in fmt; frees r. */
static gnutls_datum_t
req_export(struct req *r, gnutls_privkey_t k, gnutls_digest_algorithm_t dig,
    gnutls_x509_crt_fmt_t fmt)
{
	gnutls_datum_t	 out = { NULL, 0 };
	gnutls_pubkey_t	 pub;
	uint8_t		*seq;
	size_t		 hdr;

	if (r->has_san) {
		assert_non_null(seq = malloc(r->sanlen + 4));
		hdr = der_header(seq, 0x30, r->sanlen);
		memcpy(seq + hdr, r->san, r->sanlen);
		req_ext(r, OID_SAN, seq, hdr + r->sanlen, 0);
		free(seq);
	}
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_privkey(pub, k, 0, 0), 0);
	assert_int_equal(gnutls_x509_crq_set_pubkey(r->crq, pub), 0);
	gnutls_pubkey_deinit(pub);
	assert_int_equal(gnutls_x509_crq_privkey_sign(r->crq, k, dig, 0), 0);
	assert_int_equal(gnutls_x509_crq_export2(r->crq, fmt, &out), 0);
	gnutls_x509_crq_deinit(r->crq);
	free(r);
	return out;
}

static gnutls_datum_t
req_sign_with(struct req *r, gnutls_privkey_t k, gnutls_digest_algorithm_t dig)
{
	return req_export(r, k, dig, GNUTLS_X509_FMT_DER);
}

static gnutls_datum_t
req_sign(struct req *r, gnutls_privkey_t k)
{
	return req_sign_with(r, k, GNUTLS_DIG_UNKNOWN);
}

/* A P-256 request with the one dNSName name and no subject. */
static gnutls_datum_t
simple(const char *name)
{
	struct req	*r = req_new();

	req_dns(r, name);
	return req_sign(r, priv(KEY_EC256));
}

/*
 * der with the first n bytes equal to from replaced by to, signed again
 * with k: a request GnuTLS would not write, or whose key does not match
 * its signature.  Frees der.
 */
static gnutls_datum_t
patched(gnutls_datum_t der, const void *from, const void *to, size_t n,
    gnutls_privkey_t k)
{
	gnutls_x509_crq_t	crq;
	gnutls_datum_t		out = { NULL, 0 };
	size_t			i;

	for (i = 0; i + n <= der.size; i++)
		if (memcmp(der.data + i, from, n) == 0)
			break;
	if (i + n > der.size)
		fail_msg("patched: bytes to replace not found");
	memcpy(der.data + i, to, n);
	assert_int_equal(gnutls_x509_crq_init(&crq), 0);
	assert_int_equal(gnutls_x509_crq_import(crq, &der, GNUTLS_X509_FMT_DER), 0);
	assert_int_equal(gnutls_x509_crq_privkey_sign(crq, k, 0, 0), 0);
	assert_int_equal(gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, &out), 0);
	gnutls_x509_crq_deinit(crq);
	gnutls_free(der.data);
	return out;
}

/* --- assertions ---------------------------------------------------------- */

static void
assert_printable(const char *s)
{
	assert_true(strlen(s) < PROBLEM_DETAIL_MAX);
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			fail_msg("detail has byte 0x%02x", (unsigned char)*s);
}

/* Parses der, which must be accepted, into c; frees der. */
static void
accepted(gnutls_datum_t der, struct csr *c)
{
	struct problem	p;

	memset(&p, 0, sizeof(p));
	if (!csr_parse(der.data, der.size, c, &p))
		fail_msg("CSR refused: %s", p.detail);
	gnutls_free(der.data);
	assert_non_null(c->crq);
	assert_non_null(c->pub);
	assert_true(c->key_type < KEY_TYPE__MAX);
	assert_true(c->nnames >= 1 && c->nnames <= CA_LEAF_NAMES_MAX);
}

/* csr_parse() of len bytes at der refuses with type t and a detail with s. */
#define refused_raw(der, len, t, s) do {				\
	struct csr	c_;						\
	struct problem	p_;						\
									\
	memset(&p_, 0, sizeof(p_));					\
	if (csr_parse((der), (len), &c_, &p_)) {			\
		csr_free(&c_);						\
		fail_msg("CSR accepted");				\
	}								\
	assert_problem(&p_, (t), (s));					\
	assert_printable(p_.detail);					\
	/* Nothing to free, nothing half made. */			\
	assert_null(c_.crq);						\
	assert_null(c_.pub);						\
	assert_null(c_.names);						\
	assert_int_equal(c_.nnames, 0);					\
	assert_int_equal(c_.key_type, KEY_TYPE_INVALID);		\
} while (0)

/* As refused_raw() for a made request, which it frees. */
#define refused(der, t, s) do {						\
	gnutls_datum_t d_ = (der);					\
									\
	refused_raw(d_.data, d_.size, (t), (s));			\
	gnutls_free(d_.data);						\
} while (0)

/* The names are want[], each "dns:value" or "ip:value", in this order. */
static void
assert_names(const struct csr *c, const char *const *want, size_t n)
{
	char	got[IDENT_MAX + 8];

	assert_int_equal(c->nnames, n);
	for (size_t i = 0; i < n; i++) {
		snprintf(got, sizeof(got), "%s:%s",
		    ident_type_name(c->names[i].type), c->names[i].value);
		assert_string_equal(got, want[i]);
		assert_int_equal(c->names[i].wildcard,
		    strncmp(c->names[i].value, "*.", 2) == 0);
	}
}

static struct identifier
ident(const char *type, const char *value)
{
	struct identifier	id;
	struct problem		p;

	memset(&p, 0, sizeof(p));
	if (!ident_parse(type, value, &id, &p))
		fail_msg("%s", p.detail);
	return id;
}

/* --- accepted ------------------------------------------------------------ */

static void
test_each_key_type(void **state)
{
	static const enum key_type types[] = {
		KEY_EC256, KEY_EC384, KEY_EC521, KEY_RSA2048, KEY_ED25519
	};
	static const char *const want[] = { "dns:www.example.com" };
	struct csr	c;

	(void)state;
	for (size_t i = 0; i < nitems(types); i++) {
		struct req *r = req_new();

		req_cn(r, "www.example.com");
		req_dns(r, "www.example.com");
		accepted(req_sign(r, priv(types[i])), &c);
		assert_int_equal(c.key_type, types[i]);
		assert_names(&c, want, nitems(want));
		csr_free(&c);
	}
}

static void
test_cn_only(void **state)
{
	static const char *const want[] = { "dns:www.example.com" };
	struct req	*r = req_new();
	struct csr	 c;

	(void)state;
	req_cn(r, "www.example.com");
	accepted(req_sign(r, priv(KEY_EC256)), &c);
	assert_names(&c, want, nitems(want));
	csr_free(&c);
}

static void
test_san_only(void **state)
{
	static const char *const want[] = {
		"dns:b.example.com", "dns:a.example.com", "ip:192.0.2.1"
	};
	struct req	*r = req_new();
	struct csr	 c;

	(void)state;
	req_dns(r, "b.example.com");
	req_dns(r, "a.example.com");
	req_ip(r, "192.0.2.1");
	accepted(req_sign(r, priv(KEY_RSA2048)), &c);
	assert_names(&c, want, nitems(want));
	csr_free(&c);
}

static void
test_cn_not_in_san_is_added(void **state)
{
	static const char *const want[] = { "dns:b.example.com", "dns:a.example.com" };
	struct req	*r = req_new();
	struct csr	 c;

	(void)state;
	req_cn(r, "a.example.com");
	req_dns(r, "b.example.com");
	accepted(req_sign(r, priv(KEY_EC256)), &c);
	assert_names(&c, want, nitems(want));
	csr_free(&c);
}

static void
test_upper_case_normalised(void **state)
{
	static const char *const want[] = {
		"dns:www.example.com", "dns:*.example.org"
	};
	struct req	*r = req_new();
	struct csr	 c;

	(void)state;
	/* The CN is the first entry in another case: one name, not two. */
	req_cn(r, "Www.Example.Com");
	req_dns(r, "WWW.EXAMPLE.COM");
	req_dns(r, "*.Example.ORG");
	accepted(req_sign(r, priv(KEY_EC256)), &c);
	assert_names(&c, want, nitems(want));
	csr_free(&c);
}

static void
test_ip_names(void **state)
{
	static const char *const want[] = {
		"ip:192.0.2.1", "ip:2001:db8::1", "ip:::ffff:192.0.2.2"
	};
	struct req	*r = req_new();
	struct csr	 c;

	(void)state;
	req_cn(r, "192.0.2.1");
	req_ip(r, "192.0.2.1");
	req_ip(r, "2001:db8:0:0:0:0:0:1");
	req_ip(r, "::ffff:192.0.2.2");
	accepted(req_sign(r, priv(KEY_EC256)), &c);
	assert_names(&c, want, nitems(want));
	csr_free(&c);
}

/* lego and uacme put the first name in the CN, an IP address too. */
static void
test_cn_ip_only(void **state)
{
	static const char *const want[] = { "ip:2001:db8::1" };
	struct req	*r = req_new();
	struct csr	 c;

	(void)state;
	req_cn(r, "2001:DB8::1");
	accepted(req_sign(r, priv(KEY_EC256)), &c);
	assert_names(&c, want, nitems(want));
	csr_free(&c);
}

/* What openssl req and acme.sh add; the usages are the template's to set. */
static void
test_usual_extensions_accepted(void **state)
{
	static const char *const want[] = { "dns:www.example.com" };
	static const uint8_t null[] = { 0x05, 0x00 };
	struct req	*r = req_new();
	struct csr	 c;

	(void)state;
	req_cn(r, "www.example.com");
	req_dns(r, "www.example.com");
	assert_int_equal(gnutls_x509_crq_set_key_usage(r->crq,
	    GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_ENCIPHERMENT), 0);
	assert_int_equal(gnutls_x509_crq_set_key_purpose_oid(r->crq,
	    GNUTLS_KP_TLS_WWW_SERVER, 0), 0);
	assert_int_equal(gnutls_x509_crq_set_basic_constraints(r->crq, 0, -1), 0);
	assert_int_equal(gnutls_x509_crq_set_challenge_password(r->crq, "secret"), 0);
	req_ext(r, "1.3.6.1.4.1.99999.1", null, sizeof(null), 0);
	accepted(req_sign(r, priv(KEY_RSA2048)), &c);
	assert_names(&c, want, nitems(want));
	csr_free(&c);
}

/* 100 names of 253 characters: the largest request fits CSR_MAX_BYTES. */
static void
test_largest_request(void **state)
{
	struct req	*r = req_new();
	struct csr	 c;
	char		 name[IDENT_MAX + 1];

	(void)state;
	for (int i = 0; i < CA_LEAF_NAMES_MAX; i++) {
		memset(name, 'a', IDENT_MAX);
		name[IDENT_MAX] = '\0';
		for (int l = 63; l < IDENT_MAX; l += 64)
			name[l] = '.';
		snprintf(name, 4, "%03d", i);
		name[3] = 'a';
		req_dns(r, name);
	}
	accepted(req_sign(r, priv(KEY_EC256)), &c);
	assert_int_equal(c.nnames, CA_LEAF_NAMES_MAX);
	assert_int_equal(strlen(c.names[99].value), IDENT_MAX);
	csr_free(&c);
}

/* --- refused: the encoding ----------------------------------------------- */

static void
test_empty_input(void **state)
{
	(void)state;
	refused_raw((const uint8_t *)"", 0, PROB_BAD_CSR, "the CSR is empty");
}

static void
test_too_large(void **state)
{
	uint8_t	*big;

	(void)state;
	assert_non_null(big = calloc(1, CSR_MAX_BYTES + 1));
	refused_raw(big, CSR_MAX_BYTES + 1, PROB_BAD_CSR, "at most 32768");
	free(big);
}

static void
test_garbage(void **state)
{
	static const uint8_t	garbage[] = "this is not a request";

	(void)state;
	refused_raw(garbage, sizeof(garbage) - 1, PROB_BAD_CSR, "not a DER PKCS#10");
}

static void
test_pem(void **state)
{
	struct req	*r = req_new();

	(void)state;
	req_dns(r, "www.example.com");
	refused(req_export(r, priv(KEY_EC256), GNUTLS_DIG_UNKNOWN,
	    GNUTLS_X509_FMT_PEM), PROB_BAD_CSR, "is PEM");
}

static void
test_truncated(void **state)
{
	gnutls_datum_t	der = simple("www.example.com");

	(void)state;
	refused_raw(der.data, der.size - 1, PROB_BAD_CSR, "not a DER PKCS#10");
	refused_raw(der.data, der.size / 2, PROB_BAD_CSR, "not a DER PKCS#10");
	refused_raw(der.data, 1, PROB_BAD_CSR, "not a DER PKCS#10");
	gnutls_free(der.data);
}

static void
test_trailing_bytes(void **state)
{
	gnutls_datum_t	 der = simple("www.example.com");
	uint8_t		*buf;

	(void)state;
	assert_non_null(buf = malloc(der.size + 1));
	memcpy(buf, der.data, der.size);
	buf[der.size] = 0;
	refused_raw(buf, der.size + 1, PROB_BAD_CSR, "not a DER PKCS#10");
	free(buf);
	gnutls_free(der.data);
}

/* --- refused: the signature ---------------------------------------------- */

static void
test_tampered_signature(void **state)
{
	gnutls_datum_t	der = simple("www.example.com");

	(void)state;
	der.data[der.size - 1] ^= 0x01;
	refused(der, PROB_BAD_CSR, "the CSR's signature does not verify");
}

static void
test_tampered_name(void **state)
{
	gnutls_datum_t	der = simple("www.example.com");
	uint8_t		*w;

	(void)state;
	assert_non_null(w = memmem(der.data, der.size, "www", 3));
	w[2] = 'x';
	refused(der, PROB_BAD_CSR, "the CSR's signature does not verify");
}

static void
test_sha1_signature(void **state)
{
	struct req	*r = req_new();

	(void)state;
	req_dns(r, "www.example.com");
	refused(req_sign_with(r, priv(KEY_RSA2048), GNUTLS_DIG_SHA1),
	    PROB_BAD_CSR, "signed with RSA-SHA1");
}

/* --- refused: the key ---------------------------------------------------- */

static void
test_rsa_1024(void **state)
{
	struct req	*r = req_new();

	(void)state;
	req_dns(r, "www.example.com");
	refused(req_sign(r, rsa1024), PROB_BAD_PUBLIC_KEY, "RSA of 1024 bits");
}

static void
test_dsa(void **state)
{
	struct req	*r = req_new();

	(void)state;
	req_dns(r, "www.example.com");
	refused(req_sign(r, dsa), PROB_BAD_PUBLIC_KEY, "DSA of 2048 bits");
}

static void
test_other_curve(void **state)
{
	struct req	*r = req_new();

	(void)state;
	req_dns(r, "www.example.com");
	refused(req_sign(r, p192), PROB_BAD_PUBLIC_KEY, "ECDSA on SECP192R1");
}

static void
test_point_off_curve(void **state)
{
	gnutls_datum_t	 der = simple("www.example.com");
	uint8_t		*pt, from[8], to[8];

	(void)state;
	assert_non_null(pt = memmem(der.data, der.size, DER_P256_POINT, 4));
	memcpy(from, pt + 4 + 32, sizeof(from));	/* Y */
	memcpy(to, from, sizeof(to));
	to[7] ^= 0x01;
	refused(patched(der, from, to, sizeof(from), priv(KEY_EC256)),
	    PROB_BAD_PUBLIC_KEY, "not valid (an EC point must be on its curve)");
}

static void
test_rsa_even_exponent(void **state)
{
	struct req	*r = req_new();

	(void)state;
	req_dns(r, "www.example.com");
	refused(patched(req_sign(r, priv(KEY_RSA2048)), DER_E65537,
	    "\x02\x03\x01\x00\x02", 5, priv(KEY_RSA2048)),
	    PROB_BAD_PUBLIC_KEY, "exponent is even");
}

static void
test_rsa_even_modulus(void **state)
{
	struct req	*r = req_new();
	gnutls_datum_t	 der;
	uint8_t		*e, from[6], to[6];

	(void)state;
	req_dns(r, "www.example.com");
	der = req_sign(r, priv(KEY_RSA2048));
	/* The modulus's last byte is just before the exponent. */
	assert_non_null(e = memmem(der.data, der.size, DER_E65537, 5));
	memcpy(from, e - 1, sizeof(from));
	memcpy(to, from, sizeof(to));
	to[0] &= 0xfe;
	refused(patched(der, from, to, sizeof(from), priv(KEY_RSA2048)),
	    PROB_BAD_PUBLIC_KEY, "modulus is even");
}

/* --- refused: the names -------------------------------------------------- */

static void
test_trailing_dot(void **state)
{
	(void)state;
	refused(simple("www.example.com."), PROB_BAD_CSR, "ends with a dot");
}

static void
test_u_label(void **state)
{
	struct req	*r = req_new();

	(void)state;
	refused(simple("b\xc3\xbc" "cher.example"), PROB_BAD_CSR,
	    "dNSName \"b\\xc3\\xbccher.example\" is not ASCII; use the A-label");
	req_cn(r, "b\xc3\xbc" "cher.example");
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "common name \"b\\xc3\\xbccher.example\" is not ASCII");
}

static void
test_control_character(void **state)
{
	struct req	*r = req_new();

	(void)state;
	req_entry(r, 0x82, "a\0b.example", 11);
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "dNSName \"a\\x00b.example\" has a control character");
}

static void
test_bad_dns_name(void **state)
{
	(void)state;
	refused(simple("a_b.example"), PROB_BAD_CSR,
	    "dNSName: dns identifier \"a_b.example\" has a character");
	refused(simple("www.*.example"), PROB_BAD_CSR, "wildcard");
}

static void
test_empty_dns_name(void **state)
{
	(void)state;
	refused(simple(""), PROB_BAD_CSR, "has an empty dNSName");
}

static void
test_long_dns_name(void **state)
{
	char	name[IDENT_MAX + 2];

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	refused(simple(name), PROB_BAD_CSR, "...\" is longer than 253 characters");
}

static void
test_duplicate_name(void **state)
{
	struct req	*r = req_new();

	(void)state;
	req_dns(r, "www.example.com");
	req_dns(r, "a.example.com");
	req_dns(r, "WWW.example.com");
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "lists dns \"www.example.com\" twice");
	r = req_new();
	req_ip(r, "2001:db8::1");
	req_ip(r, "2001:db8:0::1");
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "lists ip \"2001:db8::1\" twice");
}

static void
test_ip_in_dns_name(void **state)
{
	(void)state;
	refused(simple("192.0.2.1"), PROB_BAD_CSR,
	    "dNSName \"192.0.2.1\" is an IP address; list it as an iPAddress");
	refused(simple("2001:db8::1"), PROB_BAD_CSR, "is an IP address");
}

static void
test_ip_bad_length(void **state)
{
	struct req	*r = req_new();

	(void)state;
	req_entry(r, 0x87, "\xc0\x00\x02\x01\x00", 5);
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "iPAddress of 5 bytes");
	r = req_new();
	req_entry(r, 0x87, "", 0);
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "iPAddress of 0 bytes");
}

static void
test_other_entry_types(void **state)
{
	/* otherName: an OID and [0] EXPLICIT UTF8String "x". */
	static const uint8_t other[] = {
		0x06, 0x03, 0x2a, 0x03, 0x04, 0xa0, 0x03, 0x0c, 0x01, 'x'
	};
	static const uint8_t empty_name[] = { 0x30, 0x00 };
	static const uint8_t oid[] = { 0x2a, 0x03, 0x04 };
	static const struct {
		uint8_t		 tag;
		const void	*v;
		size_t		 len;
		const char	*want;
	} cases[] = {
		{ 0x81, "a@example.com", 13,
		    "lists rfc822Name \"a@example.com\"; only dNSName and iPAddress" },
		{ 0x86, "https://example.com/", 20,
		    "lists uniformResourceIdentifier \"https://example.com/\"" },
		{ 0xa0, other, sizeof(other), "entry of type otherName" },
		{ 0xa4, empty_name, sizeof(empty_name), "entry of type directoryName" },
		{ 0x88, oid, sizeof(oid), "entry of type registeredID" },
	};

	(void)state;
	for (size_t i = 0; i < nitems(cases); i++) {
		struct req *r = req_new();

		req_dns(r, "www.example.com");
		req_entry(r, cases[i].tag, cases[i].v, cases[i].len);
		refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR, cases[i].want);
	}
}

static void
test_san_not_der(void **state)
{
	static const struct {
		const char	*der;
		size_t		 len;
		const char	*want;
	} cases[] = {
		{ "\x30\x00", 2, "subjectAltName extension is empty" },
		{ "\x30\x05\x82\x05" "a.b", 7, "not valid DER" },	/* overrun */
		{ "\x30\x03\x82\x01" "a" "\x00", 6, "not valid DER" },	/* trailing */
		{ "\x31\x03\x82\x01" "a", 5, "not valid DER" },		/* SET */
		{ "\x30\x80\x82\x01" "a\x00\x00", 7, "not valid DER" },	/* BER */
		{ "\x30\x81\x03\x82\x01" "a", 6, "not valid DER" },	/* long form */
		{ "\x30\x03\x04\x01" "a", 5, "not valid DER" },		/* universal */
		{ "\x30\x03\x89\x01" "a", 5, "not valid DER" },		/* [9] */
		{ "\x30\x03\xa2\x01" "a", 5, "not valid DER" },		/* constructed */
		{ "\x30\x04\x9f\x02\x01" "a", 6, "not valid DER" },	/* high tag */
		{ "\x05\x00", 2, "not valid DER" },
	};

	(void)state;
	for (size_t i = 0; i < nitems(cases); i++) {
		struct req *r = req_new();

		req_ext(r, OID_SAN, cases[i].der, cases[i].len, 0);
		refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR, cases[i].want);
	}
}

static void
test_two_san_extensions(void **state)
{
	static const uint8_t	san[] = { 0x30, 0x03, 0x82, 0x01, 'b' };
	struct req		*r = req_new();

	(void)state;
	req_dns(r, "a");
	req_ext(r, OID_SPARE, san, sizeof(san), 0);
	refused(patched(req_sign(r, priv(KEY_EC256)), DER_SPARE, DER_SAN, 5,
	    priv(KEY_EC256)), PROB_BAD_CSR, "two subjectAltName extensions");
}

static void
test_too_many_names(void **state)
{
	struct req	*r = req_new();
	char		 name[32];

	(void)state;
	for (int i = 0; i <= CA_LEAF_NAMES_MAX; i++) {
		snprintf(name, sizeof(name), "n%d.example.com", i);
		req_dns(r, name);
	}
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "subjectAltName has more than 100 entries");
}

static void
test_cn_makes_too_many_names(void **state)
{
	struct req	*r = req_new();
	char		 name[32];

	(void)state;
	for (int i = 0; i < CA_LEAF_NAMES_MAX; i++) {
		snprintf(name, sizeof(name), "n%d.example.com", i);
		req_dns(r, name);
	}
	req_cn(r, "other.example.com");
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "names more than 100 identifiers");
}

static void
test_no_names(void **state)
{
	(void)state;
	refused(req_sign(req_new(), priv(KEY_EC256)), PROB_BAD_CSR,
	    "names nothing");
}

/* --- refused: the subject ------------------------------------------------ */

static void
test_subject_attributes(void **state)
{
	static const struct {
		const char	*oid;
		const char	*value;
		const char	*want;
	} cases[] = {
		{ GNUTLS_OID_X520_ORGANIZATION_NAME, "Example Ltd", "has O (2.5.4.10)" },
		{ GNUTLS_OID_X520_COUNTRY_NAME, "FR", "has C (2.5.4.6)" },
		{ GNUTLS_OID_PKCS9_EMAIL, "a@example.com",
		    "has EMAIL (1.2.840.113549.1.9.1)" },
	};
	/* An attribute GnuTLS has no name for, as DER: UTF8String "x". */
	static const char	unknown[] = "\x0c\x01x";
	struct req		*r;

	(void)state;
	for (size_t i = 0; i < nitems(cases); i++) {
		r = req_new();
		req_cn(r, "www.example.com");
		req_dn(r, cases[i].oid, cases[i].value);
		req_dns(r, "www.example.com");
		refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR, cases[i].want);
	}
	r = req_new();
	assert_int_equal(gnutls_x509_crq_set_dn_by_oid(r->crq,
	    "1.3.6.1.4.1.99999.7", 1, unknown, 3), 0);
	req_dns(r, "www.example.com");
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "has an attribute (1.3.6.1.4.1.99999.7)");
}

static void
test_two_common_names(void **state)
{
	struct req	*r = req_new();

	(void)state;
	req_cn(r, "a.example.com");
	req_cn(r, "b.example.com");
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "more than one common name");
}

static void
test_long_common_name(void **state)
{
	struct req	*r = req_new();
	char		 cn[CA_CN_MAX + 2];

	(void)state;
	/* 65 characters: a valid DNS name, but not a valid CN. */
	memset(cn, 'a', sizeof(cn) - 1);
	cn[sizeof(cn) - 1] = '\0';
	memcpy(cn + CA_CN_MAX - 7, ".example", 8);
	req_cn(r, cn);
	req_dns(r, cn);
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "longer than 64 characters (RFC 5280 ub-common-name)");
}

static void
test_bad_common_name(void **state)
{
	struct req	*r = req_new();

	(void)state;
	req_cn(r, "Example Web Server");
	req_dns(r, "www.example.com");
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "common name: dns identifier \"Example Web Server\" has a character");
	r = req_new();
	req_cn(r, "www.example.com.");
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "common name: dns identifier \"www.example.com.\" ends with a dot");
}

/* --- refused: extensions ------------------------------------------------- */

static void
test_ca_requested(void **state)
{
	struct req	*r = req_new();

	(void)state;
	req_dns(r, "www.example.com");
	assert_int_equal(gnutls_x509_crq_set_basic_constraints(r->crq, 1, 0), 0);
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "asks for a CA certificate (basicConstraints CA:TRUE)");
}

static void
test_bad_basic_constraints(void **state)
{
	static const uint8_t	not_bc[] = { 0x04, 0x00 };
	static const uint8_t	bc[] = { 0x30, 0x00 };
	struct req		*r = req_new();

	(void)state;
	req_dns(r, "www.example.com");
	req_ext(r, OID_BC, not_bc, sizeof(not_bc), 1);
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "basicConstraints extension is not valid");
	r = req_new();
	req_dns(r, "www.example.com");
	req_ext(r, OID_BC, bc, sizeof(bc), 1);
	req_ext(r, OID_SPARE, bc, sizeof(bc), 1);
	refused(patched(req_sign(r, priv(KEY_EC256)), DER_SPARE, DER_BC, 5,
	    priv(KEY_EC256)), PROB_BAD_CSR, "two basicConstraints extensions");
}

static void
test_must_staple(void **state)
{
	/* RFC 7633: SEQUENCE { INTEGER 5 } (status_request). */
	static const uint8_t	staple[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	struct req		*r = req_new();

	(void)state;
	req_dns(r, "www.example.com");
	req_ext(r, OID_TLS_FEATURE, staple, sizeof(staple), 0);
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "OCSP must-staple (the TLS feature extension) is not supported");
}

static void
test_critical_unknown_extension(void **state)
{
	static const uint8_t	null[] = { 0x05, 0x00 };
	struct req		*r = req_new();

	(void)state;
	req_dns(r, "www.example.com");
	req_ext(r, "1.3.6.1.4.1.99999.1", null, sizeof(null), 1);
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "critical extension 1.3.6.1.4.1.99999.1, which this CA does not know");
}

static void
test_too_many_extensions(void **state)
{
	static const uint8_t	null[] = { 0x05, 0x00 };
	struct req		*r = req_new();
	char			 oid[32];

	(void)state;
	req_dns(r, "www.example.com");
	for (int i = 0; i < CSR_EXTENSIONS_MAX; i++) {
		snprintf(oid, sizeof(oid), "1.3.6.1.4.1.99999.%d", i);
		req_ext(r, oid, null, sizeof(null), 0);
	}
	refused(req_sign(r, priv(KEY_EC256)), PROB_BAD_CSR,
	    "requests more than 32 extensions");
}

/* --- csr_check_names() --------------------------------------------------- */

/* A parsed P-256 request for the dNSNames names[]. */
static void
parsed(struct csr *c, const char *const *names, size_t n)
{
	struct req	*r = req_new();

	for (size_t i = 0; i < n; i++)
		req_dns(r, names[i]);
	accepted(req_sign(r, priv(KEY_EC256)), c);
}

static void
test_names_equal_in_any_order(void **state)
{
	static const char *const names[] = {
		"a.example.com", "*.example.com", "B.example.com"
	};
	struct identifier	ids[3];
	struct problem		p;
	struct csr		c;

	(void)state;
	memset(&p, 0, sizeof(p));
	ids[0] = ident("dns", "b.example.com");
	ids[1] = ident("dns", "a.example.com");
	ids[2] = ident("dns", "*.example.com");
	parsed(&c, names, nitems(names));
	assert_int_equal(csr_check_names(&c, ids, nitems(ids), &p), 1);
	assert_int_equal(p.type, PROB_NONE);
	csr_free(&c);
}

static void
test_names_missing(void **state)
{
	static const char *const names[] = { "a.example.com" };
	struct identifier	ids[2];
	struct problem		p;
	struct csr		c;

	(void)state;
	memset(&p, 0, sizeof(p));
	ids[0] = ident("dns", "a.example.com");
	ids[1] = ident("ip", "192.0.2.1");
	parsed(&c, names, nitems(names));
	assert_int_equal(csr_check_names(&c, ids, nitems(ids), &p), 0);
	assert_problem(&p, PROB_BAD_CSR, "it lacks ip \"192.0.2.1\"");
	assert_true(strstr(p.detail, "which the order does not") == NULL);
	csr_free(&c);
}

static void
test_names_extra(void **state)
{
	static const char *const names[] = { "a.example.com", "*.a.example.com" };
	struct identifier	ids[1];
	struct problem		p;
	struct csr		c;

	(void)state;
	memset(&p, 0, sizeof(p));
	ids[0] = ident("dns", "a.example.com");
	parsed(&c, names, nitems(names));
	assert_int_equal(csr_check_names(&c, ids, nitems(ids), &p), 0);
	assert_problem(&p, PROB_BAD_CSR,
	    "it has dns \"*.a.example.com\", which the order does not");
	assert_true(strstr(p.detail, "lacks") == NULL);
	csr_free(&c);
}

static void
test_names_missing_and_extra(void **state)
{
	static const char *const names[] = {
		"a.example.com", "c.example.com", "d.example.com"
	};
	struct identifier	ids[3];
	struct problem		p;
	struct csr		c;

	(void)state;
	memset(&p, 0, sizeof(p));
	ids[0] = ident("dns", "a.example.com");
	ids[1] = ident("dns", "b.example.com");
	ids[2] = ident("dns", "*.example.com");
	parsed(&c, names, nitems(names));
	assert_int_equal(csr_check_names(&c, ids, nitems(ids), &p), 0);
	assert_problem(&p, PROB_BAD_CSR, "it lacks dns \"b.example.com\" and "
	    "has dns \"c.example.com\", which the order does not");
	csr_free(&c);
}

/* --- csr_check_key() and csr_check_account_key() ------------------------- */

static void
test_key_allowed(void **state)
{
	struct problem	p;
	struct csr	c;
	struct req	*r = req_new();

	(void)state;
	memset(&p, 0, sizeof(p));
	req_dns(r, "www.example.com");
	accepted(req_sign(r, priv(KEY_RSA2048)), &c);
	assert_int_equal(csr_check_key(&c, "ec256,rsa2048", &p), 1);
	assert_int_equal(csr_check_key(&c, "rsa2048", &p), 1);
	assert_int_equal(csr_check_key(&c, ALL_TYPES, &p), 1);
	assert_int_equal(p.type, PROB_NONE);
	csr_free(&c);
}

static void
test_key_not_allowed(void **state)
{
	struct problem	p;
	struct csr	c;
	struct req	*r = req_new();

	(void)state;
	memset(&p, 0, sizeof(p));
	req_dns(r, "www.example.com");
	accepted(req_sign(r, priv(KEY_RSA2048)), &c);
	assert_int_equal(csr_check_key(&c, "ec256,ec384", &p), 0);
	assert_problem(&p, PROB_BAD_PUBLIC_KEY,
	    "key type rsa2048 is not allowed here; allowed: ec256, ec384");
	/* Whole names only. */
	assert_int_equal(csr_check_key(&c, "rsa20480,rsa204,,", &p), 0);
	assert_problem(&p, PROB_BAD_PUBLIC_KEY, "allowed: rsa20480, rsa204");
	assert_int_equal(csr_check_key(&c, "", &p), 0);
	assert_problem(&p, PROB_BAD_PUBLIC_KEY, "allowed: none");
	csr_free(&c);
}

/* P-521 is a type we name, so it is allowed where a template lists it. */
static void
test_key_ec521(void **state)
{
	struct problem	p;
	struct csr	c;
	struct req	*r = req_new();

	(void)state;
	memset(&p, 0, sizeof(p));
	req_dns(r, "www.example.com");
	accepted(req_sign(r, priv(KEY_EC521)), &c);
	assert_int_equal(c.key_type, KEY_EC521);
	assert_int_equal(csr_check_key(&c, "ec256,ec384,rsa2048,rsa3072,"
	    "rsa4096,ed25519", &p), 0);
	assert_problem(&p, PROB_BAD_PUBLIC_KEY, "key type ec521 is not allowed here");
	assert_int_equal(csr_check_key(&c, "ec384,ec521", &p), 1);
	csr_free(&c);
}

static void
test_key_type_invalid_never_allowed(void **state)
{
	struct problem	p;
	struct csr	c;

	(void)state;
	memset(&p, 0, sizeof(p));
	memset(&c, 0, sizeof(c));
	c.key_type = KEY_TYPE_INVALID;
	assert_int_equal(csr_check_key(&c, "invalid," ALL_TYPES, &p), 0);
	assert_problem(&p, PROB_BAD_PUBLIC_KEY, "key type invalid is not allowed");
}

static void
test_account_key(void **state)
{
	gnutls_pubkey_t	 account;
	struct problem	 p;
	struct csr	 c;

	(void)state;
	memset(&p, 0, sizeof(p));
	accepted(simple("www.example.com"), &c);
	assert_int_equal(gnutls_pubkey_init(&account), 0);
	assert_int_equal(gnutls_pubkey_import_privkey(account,
	    priv(KEY_EC384), 0, 0), 0);
	assert_int_equal(csr_check_account_key(&c, account, &p), 1);
	gnutls_pubkey_deinit(account);

	assert_int_equal(gnutls_pubkey_init(&account), 0);
	assert_int_equal(gnutls_pubkey_import_privkey(account,
	    priv(KEY_EC256), 0, 0), 0);
	assert_int_equal(csr_check_account_key(&c, account, &p), 0);
	assert_problem(&p, PROB_BAD_CSR, "the CSR's key is the account key");
	gnutls_pubkey_deinit(account);
	csr_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_key_type),
		cmocka_unit_test(test_cn_only),
		cmocka_unit_test(test_san_only),
		cmocka_unit_test(test_cn_not_in_san_is_added),
		cmocka_unit_test(test_upper_case_normalised),
		cmocka_unit_test(test_ip_names),
		cmocka_unit_test(test_cn_ip_only),
		cmocka_unit_test(test_usual_extensions_accepted),
		cmocka_unit_test(test_largest_request),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_pem),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_tampered_signature),
		cmocka_unit_test(test_tampered_name),
		cmocka_unit_test(test_sha1_signature),
		cmocka_unit_test(test_rsa_1024),
		cmocka_unit_test(test_dsa),
		cmocka_unit_test(test_other_curve),
		cmocka_unit_test(test_point_off_curve),
		cmocka_unit_test(test_rsa_even_exponent),
		cmocka_unit_test(test_rsa_even_modulus),
		cmocka_unit_test(test_trailing_dot),
		cmocka_unit_test(test_u_label),
		cmocka_unit_test(test_control_character),
		cmocka_unit_test(test_bad_dns_name),
		cmocka_unit_test(test_empty_dns_name),
		cmocka_unit_test(test_long_dns_name),
		cmocka_unit_test(test_duplicate_name),
		cmocka_unit_test(test_ip_in_dns_name),
		cmocka_unit_test(test_ip_bad_length),
		cmocka_unit_test(test_other_entry_types),
		cmocka_unit_test(test_san_not_der),
		cmocka_unit_test(test_two_san_extensions),
		cmocka_unit_test(test_too_many_names),
		cmocka_unit_test(test_cn_makes_too_many_names),
		cmocka_unit_test(test_no_names),
		cmocka_unit_test(test_subject_attributes),
		cmocka_unit_test(test_two_common_names),
		cmocka_unit_test(test_long_common_name),
		cmocka_unit_test(test_bad_common_name),
		cmocka_unit_test(test_ca_requested),
		cmocka_unit_test(test_bad_basic_constraints),
		cmocka_unit_test(test_must_staple),
		cmocka_unit_test(test_critical_unknown_extension),
		cmocka_unit_test(test_too_many_extensions),
		cmocka_unit_test(test_names_equal_in_any_order),
		cmocka_unit_test(test_names_missing),
		cmocka_unit_test(test_names_extra),
		cmocka_unit_test(test_names_missing_and_extra),
		cmocka_unit_test(test_key_allowed),
		cmocka_unit_test(test_key_not_allowed),
		cmocka_unit_test(test_key_ec521),
		cmocka_unit_test(test_key_type_invalid_never_allowed),
		cmocka_unit_test(test_account_key),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
