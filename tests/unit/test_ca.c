/*
 * test_ca.c - the local CA: root and intermediate profiles, the leaf
 * profile of RFC 8555 issuance, every refusal of the leaf check, subjects,
 * serials, and loading a CA for signing.  Every certificate is parsed back
 * with GnuTLS and its chain verified.
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "fixture.h"
#include "key.h"
#include "testutil.h"

#define DAY		86400
/* A value ca_* must overwrite with NULL when it fails. */
#define NOT_NULL	((gnutls_x509_crt_t)(uintptr_t)1)
#define OID_BC		"2.5.29.19"
#define OID_KU		"2.5.29.15"
#define OID_EKU		"2.5.29.37"
#define OID_SKI		"2.5.29.14"
#define OID_AKI		"2.5.29.35"
#define OID_SAN		"2.5.29.17"

/* CA key types, and the types of the leaf keys the tests issue for. */
static const enum key_type ca_types[] = {
	KEY_EC256, KEY_EC384, KEY_RSA3072, KEY_ED25519
};
static const enum key_type leaf_types[] = {
	KEY_EC256, KEY_EC384, KEY_RSA2048, KEY_ED25519
};

static time_t		 now;
static struct ca	 root;			/* ec384 root */
static struct ca	 iss[KEY_TYPE__MAX];	/* one intermediate per CA type */
static struct key	 leaf_keys[KEY_TYPE__MAX];
static gnutls_pubkey_t	 leaf_pub[KEY_TYPE__MAX];

static gnutls_pubkey_t
pub_of(const struct key *k)
{
	gnutls_pubkey_t	pub;

	if (gnutls_pubkey_init(&pub) < 0)
		return NULL;
	if (gnutls_pubkey_import_privkey(pub, k->priv, 0, 0) < 0) {
		gnutls_pubkey_deinit(pub);
		return NULL;
	}
	return pub;
}

static int
make_intermediate(enum key_type t)
{
	gnutls_pubkey_t	pub;
	time_t		nb, na;
	int		ok;

	if (!key_generate(&iss[t].key, t) || (pub = pub_of(&iss[t].key)) == NULL)
		return 0;
	ok = ca_validity(now, 365, &nb, &na) &&
	    ca_make_intermediate(&root, pub, "CN=Test Issuing CA", nb, na,
	    &iss[t].cert);
	gnutls_pubkey_deinit(pub);
	return ok;
}

static int
group_setup(void **state)
{
	time_t	nb, na;

	(void)state;
	now = time(NULL);
	if (!key_generate(&root.key, KEY_EC384) ||
	    !ca_validity(now, 730, &nb, &na) ||
	    !ca_make_root(&root.key, "CN=Test Root CA,O=acme-fcgi tests", nb, na,
	    &root.cert))
		return -1;
	for (size_t i = 0; i < nitems(ca_types); i++)
		if (!make_intermediate(ca_types[i]))
			return -1;
	for (size_t i = 0; i < nitems(leaf_types); i++) {
		enum key_type t = leaf_types[i];

		if (!key_generate(&leaf_keys[t], t) ||
		    (leaf_pub[t] = pub_of(&leaf_keys[t])) == NULL)
			return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	ca_free(&root);
	for (size_t i = 0; i < KEY_TYPE__MAX; i++) {
		ca_free(&iss[i]);
		key_free(&leaf_keys[i]);
		if (leaf_pub[i] != NULL)
			gnutls_pubkey_deinit(leaf_pub[i]);
	}
	return 0;
}

/* --- assertions on parsed certificates ------------------------------------ */

/* The certificate as a client sees it: its DER, parsed afresh. */
static gnutls_x509_crt_t
copy_of(gnutls_x509_crt_t crt)
{
	gnutls_datum_t		der = { NULL, 0 };
	gnutls_x509_crt_t	out;

	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der), 0);
	assert_int_equal(gnutls_x509_crt_init(&out), 0);
	assert_int_equal(gnutls_x509_crt_import(out, &der, GNUTLS_X509_FMT_DER), 0);
	gnutls_free(der.data);
	return out;
}

/* copy_of(crt), freeing crt. */
static gnutls_x509_crt_t
reparse(gnutls_x509_crt_t crt)
{
	gnutls_x509_crt_t	out = copy_of(crt);

	gnutls_x509_crt_deinit(crt);
	return out;
}

/* Whether crt has the extension oid; *critical says how it is marked. */
static int
ext_find(gnutls_x509_crt_t crt, const char *oid, unsigned *critical)
{
	char	buf[128];
	size_t	len;

	for (unsigned i = 0;; i++) {
		len = sizeof(buf);
		if (gnutls_x509_crt_get_extension_info(crt, i, buf, &len, critical) < 0)
			return 0;
		if (strcmp(buf, oid) == 0)
			return 1;
	}
}

static void
assert_ext(gnutls_x509_crt_t crt, const char *oid, unsigned want_critical)
{
	unsigned	critical = 2;

	if (!ext_find(crt, oid, &critical))
		fail_msg("extension %s missing", oid);
	if (critical != want_critical)
		fail_msg("extension %s: critical %u, want %u", oid, critical,
		    want_critical);
}

static void
assert_no_ext(gnutls_x509_crt_t crt, const char *oid)
{
	unsigned	critical;

	if (ext_find(crt, oid, &critical))
		fail_msg("extension %s present", oid);
}

/* Positive, exactly CA_SERIAL_LEN bytes; copied to out if not NULL. */
static void
assert_serial(gnutls_x509_crt_t crt, uint8_t *out)
{
	uint8_t	buf[64];
	size_t	len = sizeof(buf);

	assert_int_equal(gnutls_x509_crt_get_serial(crt, buf, &len), 0);
	assert_int_equal(len, CA_SERIAL_LEN);
	assert_true(buf[0] != 0 && (buf[0] & 0x80) == 0);
	if (out != NULL)
		memcpy(out, buf, len);
}

static void
assert_basic_constraints(gnutls_x509_crt_t crt, unsigned want_ca, int want_pathlen)
{
	unsigned	critical, ca;
	int		pathlen;

	assert_ext(crt, OID_BC, 1);
	assert_true(gnutls_x509_crt_get_basic_constraints(crt, &critical, &ca,
	    &pathlen) >= 0);
	assert_int_equal(ca, want_ca);
	if (want_ca)
		assert_int_equal(pathlen, want_pathlen);
}

static void
assert_key_usage(gnutls_x509_crt_t crt, unsigned want)
{
	unsigned	ku, critical;

	assert_ext(crt, OID_KU, 1);
	assert_int_equal(gnutls_x509_crt_get_key_usage(crt, &ku, &critical), 0);
	assert_int_equal(ku, want);
}

/* SKI is the key identifier of the certificate's own key. */
static void
assert_ski(gnutls_x509_crt_t crt, uint8_t ski[CA_KEY_ID_LEN])
{
	gnutls_pubkey_t	pub;
	uint8_t		buf[64], id[CA_KEY_ID_LEN];
	size_t		len = sizeof(buf);
	unsigned	critical;

	assert_ext(crt, OID_SKI, 0);
	assert_int_equal(gnutls_x509_crt_get_subject_key_id(crt, buf, &len,
	    &critical), 0);
	assert_int_equal(len, CA_KEY_ID_LEN);
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_x509(pub, crt, 0), 0);
	assert_true(ca_key_id(pub, id));
	gnutls_pubkey_deinit(pub);
	assert_memory_equal(buf, id, CA_KEY_ID_LEN);
	if (ski != NULL)
		memcpy(ski, buf, CA_KEY_ID_LEN);
}

/* AKI is the issuer's SKI. */
static void
assert_aki(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer)
{
	uint8_t		aki[64], ski[64];
	size_t		alen = sizeof(aki), slen = sizeof(ski);
	unsigned	critical;

	assert_ext(crt, OID_AKI, 0);
	assert_int_equal(gnutls_x509_crt_get_authority_key_id(crt, aki, &alen,
	    &critical), 0);
	assert_int_equal(gnutls_x509_crt_get_subject_key_id(issuer, ski, &slen,
	    &critical), 0);
	assert_int_equal(alen, slen);
	assert_memory_equal(aki, ski, alen);
}

static void
assert_dn(gnutls_x509_crt_t crt, int issuer, const char *want)
{
	gnutls_datum_t	d = { NULL, 0 };

	assert_int_equal(issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &d, 0) :
	    gnutls_x509_crt_get_dn3(crt, &d, 0), 0);
	assert_string_equal((const char *)d.data, want);
	gnutls_free(d.data);
}

static void
assert_validity(gnutls_x509_crt_t crt, time_t nb, time_t na)
{
	assert_int_equal(gnutls_x509_crt_get_activation_time(crt), nb);
	assert_int_equal(gnutls_x509_crt_get_expiration_time(crt), na);
}

static gnutls_sign_algorithm_t
want_sign(enum key_type t)
{
	switch (t) {
	case KEY_EC256:
		return GNUTLS_SIGN_ECDSA_SHA256;
	case KEY_EC384:
		return GNUTLS_SIGN_ECDSA_SHA384;
	case KEY_ED25519:
		return GNUTLS_SIGN_EDDSA_ED25519;
	default:
		return GNUTLS_SIGN_RSA_SHA256;
	}
}

/* The chain (leaf first) verifies up to the test root. */
static void
assert_chain(gnutls_x509_crt_t *chain, unsigned n)
{
	unsigned	status = 0xffff;

	assert_int_equal(gnutls_x509_crt_list_verify(chain, n, &root.cert, 1,
	    NULL, 0, 0, &status), 0);
	assert_int_equal(status, 0);
}

/* --- small functions ------------------------------------------------------ */

static void
test_key_types(void **state)
{
	(void)state;
	assert_true(ca_key_type_ok(KEY_EC256));
	assert_true(ca_key_type_ok(KEY_EC384));
	assert_true(ca_key_type_ok(KEY_RSA3072));
	assert_true(ca_key_type_ok(KEY_RSA4096));
	assert_true(ca_key_type_ok(KEY_ED25519));
	assert_false(ca_key_type_ok(KEY_RSA2048));
	assert_false(ca_key_type_ok(KEY_EC521));
	assert_false(ca_key_type_ok(KEY_TYPE_INVALID));
	assert_int_equal(ca_digest(KEY_EC256), GNUTLS_DIG_SHA256);
	assert_int_equal(ca_digest(KEY_EC384), GNUTLS_DIG_SHA384);
	assert_int_equal(ca_digest(KEY_RSA3072), GNUTLS_DIG_SHA256);
	assert_int_equal(ca_digest(KEY_RSA4096), GNUTLS_DIG_SHA256);
	assert_int_equal(ca_digest(KEY_ED25519), GNUTLS_DIG_UNKNOWN);
}

static void
test_serial_new(void **state)
{
	uint8_t	a[CA_SERIAL_LEN], b[CA_SERIAL_LEN];
	int	top_seen = 0;

	(void)state;
	for (int i = 0; i < 2000; i++) {
		assert_true(ca_serial_new(a));
		assert_true(a[0] >= 0x01 && a[0] <= 0x7f);
		top_seen |= a[0] >= 0x40;
	}
	assert_true(top_seen);
	assert_true(ca_serial_new(b));
	assert_memory_not_equal(a, b, CA_SERIAL_LEN);
}

static void
test_validity(void **state)
{
	time_t	nb, na;

	(void)state;
	assert_true(ca_validity(1000000, 90, &nb, &na));
	assert_int_equal(nb, 1000000 - CA_BACKDATE);
	/* Inclusive bounds: exactly 90 days. */
	assert_int_equal(na - nb + 1, 90 * DAY);
	assert_true(ca_validity(1000000, 36500, &nb, &na));
	assert_false(ca_validity(1000000, 0, &nb, &na));
	assert_false(ca_validity(1000000, 36501, &nb, &na));
}

static void
check_subject(const char *dn, const char *want)
{
	char	*s = ca_subject(dn, "demo", " Root CA");

	if (s == NULL)
		fail_msg("ca_subject(\"%s\") failed", dn != NULL ? dn : "(null)");
	assert_string_equal(s, want);
	free(s);
}

static void
test_subject(void **state)
{
	(void)state;
	check_subject(NULL, "CN=demo Root CA");
	check_subject("", "CN=demo Root CA");
	check_subject("O=Example Org,C=DE", "CN=demo Root CA,O=Example Org,C=DE");
	check_subject("CN=Example,O=Org", "CN=Example Root CA,O=Org");
	check_subject("O=Org,cn=Example", "O=Org,cn=Example Root CA");
	check_subject("2.5.4.3=Ex", "2.5.4.3=Ex Root CA");
	check_subject("CN=Ex  ,O=Org", "CN=Ex Root CA  ,O=Org");
	check_subject("CN=a\\,b,O=x\\+y", "CN=a\\,b Root CA,O=x\\+y");
	check_subject("CN=M\xc3\xbcller", "CN=M\xc3\xbcller Root CA");
	check_subject("O=\xe4\xb8\xad\xe6\x96\x87", "CN=demo Root CA,O=\xe4\xb8\xad\xe6\x96\x87");
}

static void
test_subject_rejects(void **state)
{
	static const char *const bad[] = {
		"CN=a,CN=b",		/* two common names */
		"CN=",			/* empty */
		"CN=#0c0161",		/* BER value */
		"=x",			/* no type */
		"O",			/* no value */
		"XX=y",			/* unknown type */
		"O=a\nb",		/* control character */
		"O=\xc3\x28",		/* invalid UTF-8 */
		"O=\xc0\xaf",		/* overlong */
		"O=\xed\xa0\x80",	/* surrogate */
		"O=\xf4\x90\x80\x80",	/* beyond U+10FFFF */
	};
	char	long_dn[CA_DN_MAX + 8];

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++) {
		char *s = ca_subject(bad[i], "demo", " Root CA");

		if (s != NULL)
			fail_msg("ca_subject accepted \"%s\" as \"%s\"", bad[i], s);
	}
	memset(long_dn, 'a', sizeof(long_dn) - 1);
	memcpy(long_dn, "O=", 2);
	long_dn[sizeof(long_dn) - 1] = '\0';
	assert_null(ca_subject(long_dn, "demo", " Root CA"));
	assert_null(ca_subject(NULL, "Bad Name", " Root CA"));
}

/* --- root and intermediate ------------------------------------------------ */

static void
test_root_profile(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(ca_types); i++) {
		enum key_type		t = ca_types[i];
		gnutls_x509_crt_t	crt;
		time_t			nb, na;
		unsigned		status = 0xffff;

		assert_true(ca_validity(now, 3650, &nb, &na));
		assert_true(ca_make_root(&iss[t].key, "CN=R,O=Org", nb, na, &crt));
		crt = reparse(crt);
		assert_int_equal(gnutls_x509_crt_get_version(crt), 3);
		assert_dn(crt, 0, "CN=R,O=Org");
		assert_dn(crt, 1, "CN=R,O=Org");
		assert_serial(crt, NULL);
		assert_validity(crt, nb, na);
		assert_basic_constraints(crt, 1, -1);
		assert_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN);
		assert_ski(crt, NULL);
		assert_no_ext(crt, OID_EKU);
		assert_int_equal(gnutls_x509_crt_get_signature_algorithm(crt),
		    want_sign(t));
		/* Self-signed: it verifies against itself. */
		assert_int_equal(gnutls_x509_crt_verify(crt, &crt, 1, 0, &status), 0);
		assert_int_equal(status, 0);
		gnutls_x509_crt_deinit(crt);
	}
}

/* Directory strings are UTF8String (RFC 5280 §4.1.2.6); C is printable. */
static void
test_subject_utf8string(void **state)
{
	static const struct {
		const char	*oid;
		const char	*value;
		unsigned char	 tag;
	} want[] = {
		{ GNUTLS_OID_X520_COMMON_NAME, "M\xc3\xbcller Root CA", 0x0c },
		{ GNUTLS_OID_X520_ORGANIZATION_NAME, "\xe4\xb8\xad\xe6\x96\x87", 0x0c },
		{ GNUTLS_OID_X520_COUNTRY_NAME, "DE", 0x13 },
	};
	gnutls_x509_crt_t	crt;
	unsigned char		buf[128];
	size_t			len;
	time_t			nb, na;
	char			*dn;

	(void)state;
	dn = ca_subject("CN=M\xc3\xbcller,O=\xe4\xb8\xad\xe6\x96\x87,C=DE", "x",
	    " Root CA");
	assert_non_null(dn);
	assert_true(ca_validity(now, 30, &nb, &na));
	assert_true(ca_make_root(&root.key, dn, nb, na, &crt));
	crt = reparse(crt);
	for (size_t i = 0; i < nitems(want); i++) {
		size_t n = strlen(want[i].value);

		len = sizeof(buf);
		assert_int_equal(gnutls_x509_crt_get_dn_by_oid(crt, want[i].oid, 0, 1,
		    buf, &len), 0);
		assert_int_equal(buf[0], want[i].tag);
		assert_int_equal(buf[1], n);
		assert_memory_equal(buf + 2, want[i].value, n);
	}
	gnutls_x509_crt_deinit(crt);
	free(dn);
}

static void
test_root_rejects_non_ca_key(void **state)
{
	gnutls_x509_crt_t	crt = NOT_NULL;
	time_t			nb, na;

	(void)state;
	assert_true(ca_validity(now, 30, &nb, &na));
	assert_false(ca_make_root(&leaf_keys[KEY_RSA2048], "CN=R", nb, na, &crt));
	assert_null(crt);
	/* An empty validity. */
	assert_false(ca_make_root(&root.key, "CN=R", na, nb, &crt));
	assert_null(crt);
	/* A subject gnutls cannot parse. */
	assert_false(ca_make_root(&root.key, "=nonsense", nb, na, &crt));
	assert_null(crt);
}

static void
test_intermediate_profile(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(ca_types); i++) {
		gnutls_x509_crt_t	crt = copy_of(iss[ca_types[i]].cert);
		gnutls_x509_crt_t	chain[2] = { crt, root.cert };
		time_t			nb, na;

		assert_int_equal(gnutls_x509_crt_get_version(crt), 3);
		assert_dn(crt, 0, "CN=Test Issuing CA");
		assert_dn(crt, 1, "CN=Test Root CA,O=acme-fcgi tests");
		assert_serial(crt, NULL);
		assert_true(ca_validity(now, 365, &nb, &na));
		assert_validity(crt, nb, na);
		assert_basic_constraints(crt, 1, 0);
		assert_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN |
		    GNUTLS_KEY_DIGITAL_SIGNATURE);
		assert_ski(crt, NULL);
		assert_aki(crt, root.cert);
		/* Signed by the ec384 root. */
		assert_int_equal(gnutls_x509_crt_get_signature_algorithm(crt),
		    GNUTLS_SIGN_ECDSA_SHA384);
		assert_chain(chain, 2);
		gnutls_x509_crt_deinit(crt);
	}
}

static void
test_intermediate_rejects(void **state)
{
	gnutls_x509_crt_t	crt = NOT_NULL;
	time_t			nb, na, rnb, rna;

	(void)state;
	assert_true(ca_validity(now, 30, &nb, &na));
	/* Not a CA key type. */
	assert_false(ca_make_intermediate(&root, leaf_pub[KEY_RSA2048], "CN=I",
	    nb, na, &crt));
	assert_null(crt);
	/* Outliving the root, or starting before it. */
	rnb = gnutls_x509_crt_get_activation_time(root.cert);
	rna = gnutls_x509_crt_get_expiration_time(root.cert);
	assert_false(ca_make_intermediate(&root, leaf_pub[KEY_EC256], "CN=I",
	    nb, rna + 1, &crt));
	assert_null(crt);
	assert_false(ca_make_intermediate(&root, leaf_pub[KEY_EC256], "CN=I",
	    rnb - 1, na, &crt));
	assert_null(crt);
	/* Exactly the root's validity is fine. */
	assert_true(ca_make_intermediate(&root, leaf_pub[KEY_EC256], "CN=I",
	    rnb, rna, &crt));
	gnutls_x509_crt_deinit(crt);
}

/* --- leaves --------------------------------------------------------------- */

static const struct ca_name two_names[] = {
	{ CA_NAME_DNS, "www.example.test" },
	{ CA_NAME_IP, "192.0.2.10" },
};

/* A valid leaf request for pub with the given names. */
static void
leaf_init(struct ca_leaf *l, gnutls_pubkey_t pub, const struct ca_name *names,
    size_t n)
{
	memset(l, 0, sizeof(*l));
	l->pub = pub;
	l->names = names;
	l->nnames = n;
	l->eku = CA_EKU_SERVER_AUTH;
	assert_true(ca_validity(now, 90, &l->not_before, &l->not_after));
	assert_true(ca_serial_new(l->serial));
}

static gnutls_x509_crt_t
issue_ok(const struct ca *ca, const struct ca_leaf *l)
{
	gnutls_x509_crt_t	crt = NULL;

	assert_true(ca_issue(ca, l, now, &crt));
	assert_non_null(crt);
	return reparse(crt);
}

static void
assert_cn(gnutls_x509_crt_t crt, const char *want)
{
	char	buf[256];
	size_t	len = sizeof(buf);
	int	rc;

	rc = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0,
	    buf, &len);
	if (want == NULL) {
		assert_true(rc < 0);
		return;
	}
	assert_int_equal(rc, 0);
	assert_string_equal(buf, want);
	len = sizeof(buf);
	assert_true(gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
	    1, 0, buf, &len) < 0);
}

/* The SAN entry idx has type and (for DNS, text; for IP, bytes) value. */
static void
assert_san(gnutls_x509_crt_t crt, unsigned idx, int want_type,
    const void *want, size_t want_len)
{
	char		buf[300];
	size_t		len = sizeof(buf);
	unsigned	type, critical;

	assert_int_equal(gnutls_x509_crt_get_subject_alt_name2(crt, idx, buf, &len,
	    &type, &critical), want_type);
	assert_int_equal(type, (unsigned)want_type);
	assert_int_equal(len, want_len);
	assert_memory_equal(buf, want, want_len);
}

static void
assert_no_san(gnutls_x509_crt_t crt, unsigned idx)
{
	char		buf[300];
	size_t		len = sizeof(buf);
	unsigned	type, critical;

	assert_true(gnutls_x509_crt_get_subject_alt_name2(crt, idx, buf, &len,
	    &type, &critical) < 0);
}

/* The EKU OIDs, in order, are exactly want[0..n). */
static void
assert_eku(gnutls_x509_crt_t crt, const char *const *want, size_t n)
{
	char		buf[128];
	size_t		len;
	unsigned	critical;

	assert_ext(crt, OID_EKU, 0);
	for (size_t i = 0; i <= n; i++) {
		len = sizeof(buf);
		if (i == n) {
			assert_true(gnutls_x509_crt_get_key_purpose_oid(crt, (unsigned)i,
			    buf, &len, &critical) < 0);
			break;
		}
		assert_int_equal(gnutls_x509_crt_get_key_purpose_oid(crt, (unsigned)i,
		    buf, &len, &critical), 0);
		assert_string_equal(buf, want[i]);
	}
}

static void
check_leaf(const struct ca *ca, enum key_type issuer_type, enum key_type t)
{
	static const uint8_t	 ip[4] = { 192, 0, 2, 10 };
	static const char *const server[] = { GNUTLS_KP_TLS_WWW_SERVER };
	struct ca_leaf		 l;
	gnutls_x509_crt_t	 crt, chain[3];
	uint8_t			 serial[CA_SERIAL_LEN];
	unsigned		 ku = GNUTLS_KEY_DIGITAL_SIGNATURE;

	leaf_init(&l, leaf_pub[t], two_names, nitems(two_names));
	crt = issue_ok(ca, &l);
	assert_int_equal(gnutls_x509_crt_get_version(crt), 3);
	assert_serial(crt, serial);
	assert_memory_equal(serial, l.serial, CA_SERIAL_LEN);
	assert_validity(crt, l.not_before, l.not_after);
	assert_int_equal(l.not_before, now - CA_BACKDATE);
	assert_dn(crt, 0, "CN=www.example.test");
	assert_dn(crt, 1, "CN=Test Issuing CA");
	assert_cn(crt, "www.example.test");
	assert_ext(crt, OID_SAN, 0);
	assert_san(crt, 0, GNUTLS_SAN_DNSNAME, "www.example.test", 16);
	assert_san(crt, 1, GNUTLS_SAN_IPADDRESS, ip, sizeof(ip));
	assert_no_san(crt, 2);
	assert_basic_constraints(crt, 0, -1);
	if (t == KEY_RSA2048)
		ku |= GNUTLS_KEY_KEY_ENCIPHERMENT;
	assert_key_usage(crt, ku);
	assert_eku(crt, server, 1);
	assert_ski(crt, NULL);
	assert_aki(crt, ca->cert);
	assert_int_equal(gnutls_x509_crt_get_signature_algorithm(crt),
	    want_sign(issuer_type));
	chain[0] = crt;
	chain[1] = ca->cert;
	chain[2] = root.cert;
	assert_chain(chain, 3);
	gnutls_x509_crt_deinit(crt);
}

static void
test_leaf_profile_each_key_type(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(leaf_types); i++)
		check_leaf(&iss[KEY_EC384], KEY_EC384, leaf_types[i]);
}

static void
test_leaf_profile_each_issuer_type(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(ca_types); i++)
		check_leaf(&iss[ca_types[i]], ca_types[i], KEY_EC256);
}

static void
test_leaf_eku(void **state)
{
	static const char *const client[] = { GNUTLS_KP_TLS_WWW_CLIENT };
	static const char *const both[] = {
		GNUTLS_KP_TLS_WWW_SERVER, GNUTLS_KP_TLS_WWW_CLIENT
	};
	struct ca_leaf		l;
	gnutls_x509_crt_t	crt;

	(void)state;
	leaf_init(&l, leaf_pub[KEY_EC256], two_names, 1);
	l.eku = CA_EKU_CLIENT_AUTH;
	crt = issue_ok(&iss[KEY_EC256], &l);
	assert_eku(crt, client, 1);
	gnutls_x509_crt_deinit(crt);
	l.eku = CA_EKU_SERVER_AUTH | CA_EKU_CLIENT_AUTH;
	crt = issue_ok(&iss[KEY_EC256], &l);
	assert_eku(crt, both, 2);
	gnutls_x509_crt_deinit(crt);
}

/* A 70-character name cannot be the CN: the next one that fits is. */
static void
test_leaf_cn_first_name_that_fits(void **state)
{
	static const struct ca_name names[] = {
		{ CA_NAME_DNS, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.example" },
		{ CA_NAME_DNS, "short.example" },
		{ CA_NAME_DNS, "other.example" },
	};
	struct ca_leaf		l;
	gnutls_x509_crt_t	crt;

	(void)state;
	assert_true(strlen(names[0].value) > CA_CN_MAX);
	leaf_init(&l, leaf_pub[KEY_EC256], names, nitems(names));
	crt = issue_ok(&iss[KEY_EC256], &l);
	assert_cn(crt, "short.example");
	assert_san(crt, 0, GNUTLS_SAN_DNSNAME, names[0].value, strlen(names[0].value));
	assert_san(crt, 2, GNUTLS_SAN_DNSNAME, "other.example", 13);
	assert_ext(crt, OID_SAN, 0);
	gnutls_x509_crt_deinit(crt);
}

/* No name fits: an empty subject, and then the SAN is critical. */
static void
test_leaf_no_cn_critical_san(void **state)
{
	static const struct ca_name names[] = {
		{ CA_NAME_DNS, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.example" },
	};
	struct ca_leaf		l;
	gnutls_x509_crt_t	crt;
	gnutls_datum_t		raw = { NULL, 0 };

	(void)state;
	leaf_init(&l, leaf_pub[KEY_EC256], names, nitems(names));
	crt = issue_ok(&iss[KEY_EC256], &l);
	assert_cn(crt, NULL);
	assert_int_equal(gnutls_x509_crt_get_raw_dn(crt, &raw), 0);
	assert_int_equal(raw.size, 2);		/* SEQUENCE {} */
	assert_int_equal(raw.data[0], 0x30);
	assert_int_equal(raw.data[1], 0x00);
	gnutls_free(raw.data);
	assert_ext(crt, OID_SAN, 1);
	gnutls_x509_crt_deinit(crt);
}

static void
test_leaf_ip_names(void **state)
{
	static const struct ca_name names[] = {
		{ CA_NAME_IP, "2001:DB8:0:0::1" },
		{ CA_NAME_IP, "127.0.0.1" },
		{ CA_NAME_DNS, "*.example.test" },
		{ CA_NAME_DNS, "localhost" },
	};
	static const uint8_t	v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t	v4[4] = { 127, 0, 0, 1 };
	struct ca_leaf		l;
	gnutls_x509_crt_t	crt;

	(void)state;
	leaf_init(&l, leaf_pub[KEY_ED25519], names, nitems(names));
	crt = issue_ok(&iss[KEY_ED25519], &l);
	assert_cn(crt, "2001:db8::1");		/* RFC 5952 text */
	assert_san(crt, 0, GNUTLS_SAN_IPADDRESS, v6, sizeof(v6));
	assert_san(crt, 1, GNUTLS_SAN_IPADDRESS, v4, sizeof(v4));
	assert_san(crt, 2, GNUTLS_SAN_DNSNAME, "*.example.test", 14);
	assert_san(crt, 3, GNUTLS_SAN_DNSNAME, "localhost", 9);
	gnutls_x509_crt_deinit(crt);
}

static void
test_leaf_max_names(void **state)
{
	struct ca_name		names[CA_LEAF_NAMES_MAX + 1];
	char			text[CA_LEAF_NAMES_MAX + 1][32];
	struct ca_leaf		l;
	gnutls_x509_crt_t	crt = NOT_NULL;

	(void)state;
	for (size_t i = 0; i < nitems(names); i++) {
		snprintf(text[i], sizeof(text[i]), "n%zu.example.test", i);
		names[i].type = CA_NAME_DNS;
		names[i].value = text[i];
	}
	leaf_init(&l, leaf_pub[KEY_EC256], names, CA_LEAF_NAMES_MAX);
	crt = issue_ok(&iss[KEY_EC256], &l);
	assert_san(crt, CA_LEAF_NAMES_MAX - 1, GNUTLS_SAN_DNSNAME,
	    text[CA_LEAF_NAMES_MAX - 1], strlen(text[CA_LEAF_NAMES_MAX - 1]));
	gnutls_x509_crt_deinit(crt);
	l.nnames = CA_LEAF_NAMES_MAX + 1;
	assert_false(ca_issue(&iss[KEY_EC256], &l, now, &crt));
	assert_null(crt);
}

/* ca_issue refuses l: no certificate comes out. */
static void
assert_refused(const struct ca_leaf *l, const char *why)
{
	gnutls_x509_crt_t	crt = NOT_NULL;

	if (ca_leaf_check(&iss[KEY_EC256], l, now))
		fail_msg("ca_leaf_check accepted: %s", why);
	if (ca_issue(&iss[KEY_EC256], l, now, &crt))
		fail_msg("ca_issue accepted: %s", why);
	assert_null(crt);
}

static void
test_leaf_rejects_bad_names(void **state)
{
	static const struct {
		enum ca_name_type	 type;
		const char		*value;
	} bad[] = {
		{ CA_NAME_DNS, "" },
		{ CA_NAME_DNS, "Upper.example" },
		{ CA_NAME_DNS, "under_score.example" },
		{ CA_NAME_DNS, "trailing.dot." },
		{ CA_NAME_DNS, ".leading.dot" },
		{ CA_NAME_DNS, "empty..label" },
		{ CA_NAME_DNS, "-hyphen.example" },
		{ CA_NAME_DNS, "hyphen-.example" },
		{ CA_NAME_DNS, "a.*.example" },
		{ CA_NAME_DNS, "*" },
		{ CA_NAME_DNS, "*.*.example" },
		{ CA_NAME_DNS, "192.0.2.1" },
		{ CA_NAME_DNS, "sp ace.example" },
		{ CA_NAME_DNS, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example" },
		{ CA_NAME_IP, "192.0.2" },
		{ CA_NAME_IP, "192.0.2.256" },
		{ CA_NAME_IP, "www.example" },
		{ CA_NAME_IP, "2001:db8::1/64" },
		{ CA_NAME_IP, "" },
		{ CA_NAME_TYPE__MAX, "www.example" },
	};
	struct ca_name	name;
	struct ca_leaf	l;
	char		longname[CA_DNS_NAME_MAX + 2];

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++) {
		name.type = bad[i].type;
		name.value = bad[i].value;
		leaf_init(&l, leaf_pub[KEY_EC256], &name, 1);
		assert_refused(&l, bad[i].value);
	}
	/* 254 characters in labels of 50. */
	for (size_t i = 0; i < sizeof(longname) - 1; i++)
		longname[i] = i % 51 == 50 ? '.' : 'a';
	longname[sizeof(longname) - 1] = '\0';
	name.type = CA_NAME_DNS;
	name.value = longname;
	leaf_init(&l, leaf_pub[KEY_EC256], &name, 1);
	assert_refused(&l, "a name of 254 characters");
	name.value = NULL;
	assert_refused(&l, "a NULL name");
	leaf_init(&l, leaf_pub[KEY_EC256], &name, 0);
	assert_refused(&l, "no names");
}

static void
test_leaf_rejects_duplicates(void **state)
{
	static const struct ca_name dns[] = {
		{ CA_NAME_DNS, "a.example" }, { CA_NAME_DNS, "b.example" },
		{ CA_NAME_DNS, "a.example" },
	};
	static const struct ca_name ip[] = {
		{ CA_NAME_IP, "2001:db8::1" }, { CA_NAME_IP, "2001:0db8:0::1" },
	};
	struct ca_leaf	l;

	(void)state;
	leaf_init(&l, leaf_pub[KEY_EC256], dns, nitems(dns));
	assert_refused(&l, "a repeated DNS name");
	leaf_init(&l, leaf_pub[KEY_EC256], ip, nitems(ip));
	assert_refused(&l, "one IPv6 address written twice");
}

static void
test_leaf_rejects_bad_eku(void **state)
{
	struct ca_leaf	l;

	(void)state;
	leaf_init(&l, leaf_pub[KEY_EC256], two_names, 1);
	l.eku = 0;
	assert_refused(&l, "no EKU");
	l.eku = CA_EKU_SERVER_AUTH | 0x80;
	assert_refused(&l, "an unknown EKU bit");
}

static void
test_leaf_rejects_bad_serial(void **state)
{
	struct ca_leaf	l;

	(void)state;
	leaf_init(&l, leaf_pub[KEY_EC256], two_names, 1);
	l.serial[0] = 0x80;
	assert_refused(&l, "a negative serial");
	l.serial[0] = 0x00;
	assert_refused(&l, "a serial shorter than 16 DER bytes");
}

static void
test_leaf_rejects_bad_validity(void **state)
{
	struct ca_leaf	l;
	struct ca	late;
	time_t		ina = gnutls_x509_crt_get_expiration_time(iss[KEY_EC256].cert);

	(void)state;
	leaf_init(&l, leaf_pub[KEY_EC256], two_names, 1);
	l.not_before = now - CA_BACKDATE - CA_CLOCK_SLACK - 1;
	assert_refused(&l, "backdated by more than an hour and the clock slack");
	leaf_init(&l, leaf_pub[KEY_EC256], two_names, 1);
	l.not_after = l.not_before;
	assert_refused(&l, "an empty validity");
	l.not_after = l.not_before - 1;
	assert_refused(&l, "a validity that ends before it starts");
	leaf_init(&l, leaf_pub[KEY_EC256], two_names, 1);
	l.not_after = ina + 1;
	assert_refused(&l, "a leaf that outlives its issuer");
	l.not_after = ina;
	assert_true(ca_leaf_check(&iss[KEY_EC256], &l, now));
	/* notBefore before the issuer's, even if within the hour. */
	leaf_init(&l, leaf_pub[KEY_EC256], two_names, 1);
	l.not_before = now - 10;
	assert_true(ca_leaf_check(&iss[KEY_EC256], &l, now));
	assert_true(ca_make_intermediate(&root, leaf_pub[KEY_EC384], "CN=Late",
	    now, now + 30 * DAY, &late.cert));
	late.key = leaf_keys[KEY_EC384];	/* borrowed */
	assert_false(ca_leaf_check(&late, &l, now));
	gnutls_x509_crt_deinit(late.cert);
}

static void
test_leaf_rejects_bad_key(void **state)
{
	gnutls_privkey_t	priv;
	gnutls_pubkey_t		pub;
	struct ca_leaf		l;

	(void)state;
	leaf_init(&l, NULL, two_names, 1);
	assert_refused(&l, "no public key");
	/* RSA 1024 is no key type we name. */
	assert_int_equal(gnutls_privkey_init(&priv), 0);
	assert_int_equal(gnutls_privkey_generate2(priv, GNUTLS_PK_RSA, 1024, 0,
	    NULL, 0), 0);
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_privkey(pub, priv, 0, 0), 0);
	leaf_init(&l, pub, two_names, 1);
	assert_refused(&l, "an RSA-1024 key");
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(priv);
}

/* --- loading a CA --------------------------------------------------------- */

static char *
pem_of(gnutls_x509_crt_t crt)
{
	gnutls_datum_t	pem = { NULL, 0 };
	char		*s;

	assert_true(ca_cert_pem(crt, &pem));
	s = strndup((const char *)pem.data, pem.size);
	gnutls_free(pem.data);
	assert_non_null(s);
	return s;
}

static void
test_load_and_issue(void **state)
{
	char			dir[FIXTURE_PATH_MAX], path[FIXTURE_PATH_MAX];
	char			*pem;
	struct ca		ca;
	struct ca_leaf		l;
	gnutls_x509_crt_t	crt, chain[3];

	(void)state;
	for (size_t i = 0; i < nitems(ca_types); i++) {
		enum key_type t = ca_types[i];

		assert_true(fixture_tmpdir(dir, sizeof(dir)));
		assert_true(fixture_path(path, sizeof(path), dir, "issuing.key"));
		assert_true(key_save(&iss[t].key, path));
		pem = pem_of(iss[t].cert);
		assert_true(ca_load(&ca, pem, strlen(pem), path));
		assert_int_equal(ca.key.type, t);
		leaf_init(&l, leaf_pub[KEY_EC384], two_names, nitems(two_names));
		crt = issue_ok(&ca, &l);
		chain[0] = crt;
		chain[1] = ca.cert;
		chain[2] = root.cert;
		assert_chain(chain, 3);
		gnutls_x509_crt_deinit(crt);
		ca_free(&ca);
		ca_free(&ca);		/* idempotent */
		free(pem);
		fixture_rmtree(dir);
	}
}

static void
test_load_rejects(void **state)
{
	char		dir[FIXTURE_PATH_MAX], path[FIXTURE_PATH_MAX];
	char		leafkey[FIXTURE_PATH_MAX];
	char		*pem, *leaf_pem;
	struct ca	ca;
	struct ca_leaf	l;
	gnutls_x509_crt_t crt;

	(void)state;
	assert_true(fixture_tmpdir(dir, sizeof(dir)));
	assert_true(fixture_path(path, sizeof(path), dir, "ec256.key"));
	assert_true(key_save(&iss[KEY_EC256].key, path));
	assert_true(fixture_path(leafkey, sizeof(leafkey), dir, "leaf.key"));
	assert_true(key_save(&leaf_keys[KEY_EC256], leafkey));
	pem = pem_of(iss[KEY_EC384].cert);

	/* The key of another certificate. */
	assert_false(ca_load(&ca, pem, strlen(pem), path));
	assert_null(ca.cert);
	assert_null(ca.key.priv);
	/* A key that cannot be loaded: a missing file, a pkcs11: URL of no token. */
	assert_false(ca_load(&ca, pem, strlen(pem), "/nonexistent/acme-ca.key"));
	assert_false(ca_load(&ca, pem, strlen(pem),
	    "pkcs11:token=acme-fcgi-no-such-token;object=none;type=private"));
	assert_null(ca.cert);
	/* Not a certificate. */
	assert_false(ca_load(&ca, "garbage", 7, path));
	/* A leaf is no CA, even with its own key. */
	leaf_init(&l, leaf_pub[KEY_EC256], two_names, 1);
	crt = issue_ok(&iss[KEY_EC256], &l);
	leaf_pem = pem_of(crt);
	gnutls_x509_crt_deinit(crt);
	assert_false(ca_load(&ca, leaf_pem, strlen(leaf_pem), leafkey));
	/* The matching pair loads. */
	free(pem);
	pem = pem_of(iss[KEY_EC256].cert);
	assert_true(ca_load(&ca, pem, strlen(pem), path));
	ca_free(&ca);
	free(pem);
	free(leaf_pem);
	fixture_rmtree(dir);
}

/* PEM of crt appended to buf (of size n). */
static void
pem_cat(char *buf, size_t n, gnutls_x509_crt_t crt)
{
	gnutls_datum_t pem = { NULL, 0 };

	assert_true(ca_cert_pem(crt, &pem));
	assert_true(strlen(buf) + pem.size < n);
	strncat(buf, (const char *)pem.data, pem.size);
	gnutls_free(pem.data);
}

/* An upstream's chain is read, split and checked against the CSR and order. */
/* A key file by mode and type: key_file_safe() and key_load() agree. */
static void
test_key_file_modes(void **state)
{
	static const struct {
		mode_t	mode;
		int	safe;
	} modes[] = {
		{ 0600, 1 }, { 0400, 1 },
		{ 0640, 1 }, { 0660, 1 },	/* the group is the admin's business */
		{ 0644, 0 }, { 0604, 0 }, { 0602, 0 }, { 0666, 0 },
	};
	char		dir[FIXTURE_PATH_MAX], path[FIXTURE_PATH_MAX];
	char		link[FIXTURE_PATH_MAX], sub[FIXTURE_PATH_MAX];
	char		err[FIXTURE_PATH_MAX + 64];
	char		*pem;
	struct key	k;
	struct ca	ca;

	(void)state;
	assert_true(fixture_tmpdir(dir, sizeof(dir)));
	assert_true(fixture_path(path, sizeof(path), dir, "issuing.key"));
	assert_true(fixture_path(link, sizeof(link), dir, "link.key"));
	assert_true(fixture_path(sub, sizeof(sub), dir, "sub"));
	assert_true(key_save(&iss[KEY_EC256].key, path));
	pem = pem_of(iss[KEY_EC256].cert);
	for (size_t i = 0; i < nitems(modes); i++) {
		assert_int_equal(chmod(path, modes[i].mode), 0);
		err[0] = '\0';
		assert_int_equal(key_file_safe(path, err, sizeof(err)), modes[i].safe);
		assert_int_equal(key_load(&k, path), modes[i].safe);
		assert_int_equal(ca_load(&ca, pem, strlen(pem), path), modes[i].safe);
		if (modes[i].safe) {
			key_free(&k);
			ca_free(&ca);
		} else {
			assert_null(k.priv);
			/* The message names the file and the fix, never the key. */
			assert_non_null(strstr(err, path));
			assert_non_null(strstr(err, "run chmod o-rwx on it"));
			assert_null(strstr(err, "PRIVATE"));
		}
	}
	/* A symlink counts by its target (stat, not lstat). */
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(key_file_safe(link, err, sizeof(err)), 1);
	assert_true(key_load(&k, link));
	key_free(&k);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(key_file_safe(link, err, sizeof(err)), 0);
	assert_false(key_load(&k, link));
	/* A directory, even of a safe mode, and a missing file are refused. */
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(key_file_safe(sub, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "not a regular file"));
	assert_false(key_load(&k, sub));
	assert_int_equal(key_file_safe("/nonexistent/acme.key", err, sizeof(err)), -1);
	assert_false(key_load(&k, "/nonexistent/acme.key"));
	/* A pkcs11: URL is no file: key_file_safe() lets it through. */
	assert_int_equal(key_file_safe("pkcs11:token=none;object=none", err,
	    sizeof(err)), 1);
	free(pem);
	fixture_rmtree(dir);
}

static void
test_upstream_leaf(void **state)
{
	/* The order's names, in another order and case than the certificate's. */
	static const struct ca_name order[] = {
		{ CA_NAME_IP, "192.0.2.10" },
		{ CA_NAME_DNS, "WWW.example.test" },
	};
	static const struct ca_name more[] = {
		{ CA_NAME_IP, "192.0.2.10" },
		{ CA_NAME_DNS, "www.example.test" },
		{ CA_NAME_DNS, "other.example.test" },
	};
	struct ca_upstream_leaf	 u;
	struct ca_leaf		 l;
	gnutls_x509_crt_t	 crt;
	char			 chain[16384] = "", leaf_only[8192] = "", why[128];
	char			 hex[2 * CA_SERIAL_LEN + 1];

	(void)state;
	leaf_init(&l, leaf_pub[KEY_EC256], two_names, nitems(two_names));
	crt = issue_ok(&iss[KEY_EC256], &l);
	pem_cat(chain, sizeof(chain), crt);
	pem_cat(leaf_only, sizeof(leaf_only), crt);
	pem_cat(chain, sizeof(chain), iss[KEY_EC256].cert);
	gnutls_x509_crt_deinit(crt);

	assert_true(ca_upstream_leaf(chain, leaf_pub[KEY_EC256], order,
	    nitems(order), &u, why, sizeof(why)));
	ca_serial_hex(l.serial, hex);
	assert_string_equal(u.serial, hex);
	assert_int_equal(u.not_before, l.not_before);
	assert_int_equal(u.not_after, l.not_after);
	assert_string_equal(u.leaf_pem, leaf_only);
	assert_string_equal(u.chain_pem, chain + strlen(leaf_only));
	ca_upstream_leaf_free(&u);
	assert_null(u.leaf_pem);

	/* Refused, with why, and nothing kept. */
	assert_false(ca_upstream_leaf(chain, leaf_pub[KEY_EC384], order,
	    nitems(order), &u, why, sizeof(why)));
	assert_string_equal(why, "the certificate is not for the key of the CSR");
	assert_null(u.leaf_pem);
	assert_false(ca_upstream_leaf(chain, leaf_pub[KEY_EC256], more,
	    nitems(more), &u, why, sizeof(why)));
	assert_string_equal(why, "the certificate lacks a name of the order");
	assert_false(ca_upstream_leaf(chain, leaf_pub[KEY_EC256], order, 1, &u,
	    why, sizeof(why)));
	assert_string_equal(why, "the certificate names what the order did not");
	assert_false(ca_upstream_leaf(leaf_only, leaf_pub[KEY_EC256], order,
	    nitems(order), &u, why, sizeof(why)));
	assert_string_equal(why, "the chain has no issuer certificate");
	assert_false(ca_upstream_leaf("-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n", leaf_pub[KEY_EC256], order,
	    nitems(order), &u, why, sizeof(why)));
	assert_string_equal(why, "not a PEM certificate chain");
	assert_false(ca_upstream_leaf("", leaf_pub[KEY_EC256], order,
	    nitems(order), &u, why, sizeof(why)));
	assert_null(u.chain_pem);
}

/*
 * RFC 8555 §7.6: the serial a revocation request's DER is looked up by, as
 * the database writes it; and whether a certificate is for a key.
 */
static void
test_der_serial_and_key(void **state)
{
	static const uint8_t	 junk[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	struct ca_leaf		 l;
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 der = { NULL, 0 }, pem = { NULL, 0 };
	char			 serial[41], want[CA_SERIAL_HEX_LEN + 1];

	(void)state;
	leaf_init(&l, leaf_pub[KEY_EC256], two_names, nitems(two_names));
	crt = issue_ok(&iss[KEY_EC384], &l);
	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der), 0);
	assert_true(ca_cert_pem(crt, &pem));
	ca_serial_hex(l.serial, want);
	assert_true(ca_der_serial(der.data, der.size, serial));
	assert_string_equal(serial, want);
	assert_true(ca_cert_key_is((const char *)pem.data, leaf_pub[KEY_EC256]));

	/* Failing twins: not a certificate, cut short, nothing; another key. */
	assert_false(ca_der_serial(junk, sizeof(junk), serial));
	assert_string_equal(serial, "");
	assert_false(ca_der_serial(der.data, der.size - 1, serial));
	assert_false(ca_der_serial(der.data, 0, serial));
	assert_false(ca_cert_key_is((const char *)pem.data, leaf_pub[KEY_EC384]));
	assert_false(ca_cert_key_is((const char *)pem.data, leaf_pub[KEY_RSA2048]));
	assert_false(ca_cert_key_is("-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n", leaf_pub[KEY_EC256]));
	gnutls_free(der.data);
	gnutls_free(pem.data);
	gnutls_x509_crt_deinit(crt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_types),
		cmocka_unit_test(test_serial_new),
		cmocka_unit_test(test_validity),
		cmocka_unit_test(test_subject),
		cmocka_unit_test(test_subject_rejects),
		cmocka_unit_test(test_root_profile),
		cmocka_unit_test(test_subject_utf8string),
		cmocka_unit_test(test_root_rejects_non_ca_key),
		cmocka_unit_test(test_intermediate_profile),
		cmocka_unit_test(test_intermediate_rejects),
		cmocka_unit_test(test_leaf_profile_each_key_type),
		cmocka_unit_test(test_leaf_profile_each_issuer_type),
		cmocka_unit_test(test_leaf_eku),
		cmocka_unit_test(test_leaf_cn_first_name_that_fits),
		cmocka_unit_test(test_leaf_no_cn_critical_san),
		cmocka_unit_test(test_leaf_ip_names),
		cmocka_unit_test(test_leaf_max_names),
		cmocka_unit_test(test_leaf_rejects_bad_names),
		cmocka_unit_test(test_leaf_rejects_duplicates),
		cmocka_unit_test(test_leaf_rejects_bad_eku),
		cmocka_unit_test(test_leaf_rejects_bad_serial),
		cmocka_unit_test(test_leaf_rejects_bad_validity),
		cmocka_unit_test(test_leaf_rejects_bad_key),
		cmocka_unit_test(test_load_and_issue),
		cmocka_unit_test(test_load_rejects),
		cmocka_unit_test(test_key_file_modes),
		cmocka_unit_test(test_upstream_leaf),
		cmocka_unit_test(test_der_serial_and_key),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
