#include "autoconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <gnutls/x509-ext.h>

#include "ari.h"
#include "ca.h"
#include "log.h"

#define DAY		86400
#define DAYS_MAX	36500
#define IP_TEXT_MAX	INET6_ADDRSTRLEN

/* RFC 5280 §4.2.1.3 */
#define KU_ROOT		(GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN)
#define KU_ISSUING	(KU_ROOT | GNUTLS_KEY_DIGITAL_SIGNATURE)

/* Signature digests: SHA-256 for P-256 and RSA, SHA-384 for P-384. */
static const struct {
	int				 ca;	/* a CA may have this key */
	gnutls_digest_algorithm_t	 dig;
} types[KEY_TYPE__MAX] = {
	[KEY_EC256] = { 1, GNUTLS_DIG_SHA256 },
	[KEY_EC384] = { 1, GNUTLS_DIG_SHA384 },
	[KEY_EC521] = { 0, GNUTLS_DIG_SHA512 },
	[KEY_RSA2048] = { 0, GNUTLS_DIG_SHA256 },
	[KEY_RSA3072] = { 1, GNUTLS_DIG_SHA256 },
	[KEY_RSA4096] = { 1, GNUTLS_DIG_SHA256 },
	[KEY_ED25519] = { 1, GNUTLS_DIG_UNKNOWN },	/* pure EdDSA */
};

int
ca_key_type_ok(enum key_type t)
{
	return t < KEY_TYPE__MAX && types[t].ca;
}

gnutls_digest_algorithm_t
ca_digest(enum key_type t)
{
	return t < KEY_TYPE__MAX ? types[t].dig : GNUTLS_DIG_UNKNOWN;
}

int
ca_serial_new(uint8_t serial[CA_SERIAL_LEN])
{
	int	rc;

	/*
	 * Top bit clear keeps the INTEGER positive; a non-zero first byte
	 * keeps its DER encoding at exactly CA_SERIAL_LEN bytes.  Drawing
	 * again (rather than forcing a bit) keeps the other bits uniform.
	 */
	do {
		if ((rc = gnutls_rnd(GNUTLS_RND_RANDOM, serial, CA_SERIAL_LEN)) < 0) {
			log_err("ca_serial_new: gnutls_rnd: %s", gnutls_strerror(rc));
			return 0;
		}
		serial[0] &= 0x7f;
	} while (serial[0] == 0);
	return 1;
}

int
ca_validity(time_t now, unsigned days, time_t *not_before, time_t *not_after)
{
	if (days < 1 || days > DAYS_MAX) {
		log_err("ca_validity: %u days: must be 1 to %d", days, DAYS_MAX);
		return 0;
	}
	*not_before = now - CA_BACKDATE;
	*not_after = *not_before + (time_t)days * DAY - 1;
	return 1;
}

/* 1 if s is valid UTF-8 (RFC 3629) without control characters. */
static int
text_ok(const char *s)
{
	static const uint32_t	 min[4] = { 0, 0x80, 0x800, 0x10000 };
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 c;
	int			 n, i;

	while (*p != '\0') {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0)
			n = 1, c = *p & 0x1f;
		else if ((*p & 0xf0) == 0xe0)
			n = 2, c = *p & 0x0f;
		else if ((*p & 0xf8) == 0xf0)
			n = 3, c = *p & 0x07;
		else
			return 0;
		for (i = 0, p++; i < n; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (*p & 0x3f);
		}
		/* Overlong forms, surrogates, beyond U+10FFFF, C1 controls. */
		if (c < min[n] || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff ||
		    (c >= 0x80 && c < 0xa0))
			return 0;
	}
	return 1;
}

/* 1 if gnutls accepts dn as a subject. */
static int
dn_ok(const char *dn)
{
	gnutls_x509_crt_t	 crt;
	const char		*err = NULL;
	int			 rc;

	if (gnutls_x509_crt_init(&crt) < 0)
		return 0;
	rc = gnutls_x509_crt_set_dn(crt, dn, &err);
	gnutls_x509_crt_deinit(crt);
	if (rc < 0) {
		log_err("ca_subject: \"%s\": %s%s%s", dn, gnutls_strerror(rc),
		    err != NULL ? " at " : "", err != NULL ? err : "");
		return 0;
	}
	return 1;
}

/* 1 if the attribute type from type to eq names the common name. */
static int
is_cn_type(const char *type, const char *eq)
{
	size_t	n = (size_t)(eq - type);

	return (n == 2 && strncasecmp(type, "CN", 2) == 0) ||
	    (n == 7 && strncmp(type, "2.5.4.3", 7) == 0);
}

/*
 * Finds the common name in an RFC 4514 string: returns 1 and sets *cn_end
 * to the end of its value (less unescaped trailing spaces), 0 if there is
 * none, -1 if there are several or one that is empty or BER (#hex).
 */
static int
find_cn(const char *dn, const char **cn_end)
{
	const char	*p = dn, *type, *eq, *end;
	int		 found = 0;

	while (*p != '\0') {
		for (type = p; *type == ' '; type++)
			;
		for (eq = type; *eq != '\0' && *eq != '=' && *eq != ',' &&
		    *eq != '+'; eq++)
			;
		for (end = eq; *end != '\0' && *end != ',' && *end != '+'; end++)
			if (*end == '\\' && end[1] != '\0')
				end++;
		if (*eq == '=' && is_cn_type(type, eq)) {
			if (found || end == eq + 1 || eq[1] == '#')
				return -1;
			found = 1;
			for (*cn_end = end; *cn_end > eq + 2 && (*cn_end)[-1] == ' ' &&
			    (*cn_end)[-2] != '\\'; (*cn_end)--)
				;
		}
		p = *end == '\0' ? end : end + 1;
	}
	return found;
}

char *
ca_subject(const char *dn, const char *name, const char *role)
{
	const char	*end = NULL;
	char		*s = NULL;
	size_t		 n;
	int		 cn;

	if (dn == NULL)
		dn = "";
	if (strlen(dn) > CA_DN_MAX || !text_ok(dn) || !text_ok(role) ||
	    *name == '\0' ||
	    name[strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-")] != '\0') {
		log_err("ca_subject: \"%s\": not UTF-8 text of at most %d bytes",
		    dn, CA_DN_MAX);
		return NULL;
	}
	if ((cn = find_cn(dn, &end)) < 0) {
		log_err("ca_subject: \"%s\": give at most one CN, as text", dn);
		return NULL;
	}
	n = strlen(dn) + strlen(name) + strlen(role) + 8;
	if ((s = malloc(n)) == NULL) {
		log_err("ca_subject: malloc failed");
		return NULL;
	}
	if (cn)
		snprintf(s, n, "%.*s%s%s", (int)(end - dn), dn, role, end);
	else
		snprintf(s, n, "CN=%s%s%s%s", name, role, *dn != '\0' ? "," : "", dn);
	if (!dn_ok(s)) {
		free(s);
		return NULL;
	}
	return s;
}

int
ca_key_id(gnutls_pubkey_t pub, uint8_t id[CA_KEY_ID_LEN])
{
	unsigned char	buf[64];
	size_t		len = sizeof(buf);
	int		rc;

	if ((rc = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, buf,
	    &len)) < 0 || len < CA_KEY_ID_LEN) {
		log_err("ca_key_id: gnutls_pubkey_get_key_id: %s", gnutls_strerror(rc));
		return 0;
	}
	memcpy(id, buf, CA_KEY_ID_LEN);
	return 1;
}

/* The public half of k; *pub is the caller's. */
static int
pubkey_of(const struct key *k, gnutls_pubkey_t *pub)
{
	int	rc;

	if ((rc = gnutls_pubkey_init(pub)) < 0) {
		log_err("ca: gnutls_pubkey_init: %s", gnutls_strerror(rc));
		return 0;
	}
	if ((rc = gnutls_pubkey_import_privkey(*pub, k->priv, 0, 0)) < 0) {
		log_err("ca: gnutls_pubkey_import_privkey: %s", gnutls_strerror(rc));
		gnutls_pubkey_deinit(*pub);
		*pub = NULL;
		return 0;
	}
	return 1;
}

/*
 * A new version 3 certificate with the fields every certificate of ours
 * has: serial, subject (none if dn is NULL), validity, public key, SKI.
 */
static int
crt_new(gnutls_x509_crt_t *out, gnutls_pubkey_t pub, const char *dn,
    time_t not_before, time_t not_after, const uint8_t serial[CA_SERIAL_LEN])
{
	gnutls_x509_crt_t	 crt = NULL;
	uint8_t			 ski[CA_KEY_ID_LEN];
	const char		*err = NULL, *what = "gnutls_x509_crt_init";
	int			 rc;

	if (not_after <= not_before) {
		log_err("ca: validity ends before it starts");
		return 0;
	}
	if (!ca_key_id(pub, ski))
		return 0;
	if ((rc = gnutls_x509_crt_init(&crt)) < 0 ||
	    (what = "set_version", rc = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (what = "set_serial", rc = gnutls_x509_crt_set_serial(crt, serial,
	    CA_SERIAL_LEN)) < 0 ||
	    (what = "set_dn", rc = dn == NULL ? 0 :
	    gnutls_x509_crt_set_dn(crt, dn, &err)) < 0 ||
	    (what = "set_activation_time", rc =
	    gnutls_x509_crt_set_activation_time(crt, not_before)) < 0 ||
	    (what = "set_expiration_time", rc =
	    gnutls_x509_crt_set_expiration_time(crt, not_after)) < 0 ||
	    (what = "set_pubkey", rc = gnutls_x509_crt_set_pubkey(crt, pub)) < 0 ||
	    (what = "set_subject_key_id", rc =
	    gnutls_x509_crt_set_subject_key_id(crt, ski, sizeof(ski))) < 0) {
		log_err("ca: gnutls_x509_crt_%s: %s", what, gnutls_strerror(rc));
		if (crt != NULL)
			gnutls_x509_crt_deinit(crt);
		return 0;
	}
	*out = crt;
	return 1;
}

/* BasicConstraints CA:TRUE (pathlen -1: none) and KeyUsage, both critical. */
static int
set_ca_exts(gnutls_x509_crt_t crt, int pathlen, unsigned ku)
{
	int	rc;

	if ((rc = gnutls_x509_crt_set_basic_constraints(crt, 1, pathlen)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_usage(crt, ku)) < 0) {
		log_err("ca: CA extensions: %s", gnutls_strerror(rc));
		return 0;
	}
	return 1;
}

/* AKI: the issuer's SKI, or its key identifier if it has none. */
static int
set_aki(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer)
{
	gnutls_pubkey_t	pub = NULL;
	uint8_t		id[64];
	size_t		len = sizeof(id);
	unsigned	crit;
	int		rc;

	if (gnutls_x509_crt_get_subject_key_id(issuer, id, &len, &crit) < 0) {
		len = CA_KEY_ID_LEN;
		if ((rc = gnutls_pubkey_init(&pub)) < 0 ||
		    (rc = gnutls_pubkey_import_x509(pub, issuer, 0)) < 0) {
			log_err("ca: issuer key: %s", gnutls_strerror(rc));
			goto fail;
		}
		if (!ca_key_id(pub, id))
			goto fail;
		gnutls_pubkey_deinit(pub);
		pub = NULL;
	}
	if ((rc = gnutls_x509_crt_set_authority_key_id(crt, id, len)) < 0) {
		log_err("ca: gnutls_x509_crt_set_authority_key_id: %s", gnutls_strerror(rc));
		goto fail;
	}
	return 1;
fail:
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return 0;
}

/*
 * Signs *crt as issuer (NULL: *crt itself, a root) with key k, then
 * replaces *crt by its DER parsed afresh: gnutls fills its caches (raw
 * DNs, subjectAltName) only on import, and chain checks compare raw DNs.
 */
static int
crt_sign(gnutls_x509_crt_t *crt, gnutls_x509_crt_t issuer, const struct key *k)
{
	gnutls_x509_crt_t	fresh = NULL;
	gnutls_datum_t		der = { NULL, 0 };
	int			rc;

	if (!ca_key_type_ok(k->type)) {
		log_err("ca: a %s key cannot sign certificates here",
		    key_type_name(k->type));
		return 0;
	}
	if ((rc = gnutls_x509_crt_privkey_sign(*crt, issuer != NULL ? issuer : *crt,
	    k->priv, ca_digest(k->type), 0)) < 0 ||
	    (rc = gnutls_x509_crt_export2(*crt, GNUTLS_X509_FMT_DER, &der)) < 0 ||
	    (rc = gnutls_x509_crt_init(&fresh)) < 0 ||
	    (rc = gnutls_x509_crt_import(fresh, &der, GNUTLS_X509_FMT_DER)) < 0) {
		log_err("ca: signing: %s", gnutls_strerror(rc));
		if (fresh != NULL)
			gnutls_x509_crt_deinit(fresh);
		gnutls_free(der.data);
		return 0;
	}
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(*crt);
	*crt = fresh;
	return 1;
}

/* A validity that lies within the issuer's. */
static int
within_issuer(gnutls_x509_crt_t issuer, time_t not_before, time_t not_after)
{
	if (not_before < gnutls_x509_crt_get_activation_time(issuer) ||
	    not_after > gnutls_x509_crt_get_expiration_time(issuer)) {
		log_err("ca: the validity does not lie within the issuer's");
		return 0;
	}
	return 1;
}

int
ca_make_root(const struct key *k, const char *dn, time_t not_before,
    time_t not_after, gnutls_x509_crt_t *out)
{
	gnutls_x509_crt_t	crt = NULL;
	gnutls_pubkey_t		pub = NULL;
	uint8_t			serial[CA_SERIAL_LEN];
	int			ok = 0;

	*out = NULL;
	if (!ca_key_type_ok(k->type)) {
		log_err("ca_make_root: a %s key cannot be a CA key",
		    key_type_name(k->type));
		return 0;
	}
	if (!ca_serial_new(serial) || !pubkey_of(k, &pub) ||
	    !crt_new(&crt, pub, dn, not_before, not_after, serial) ||
	    !set_ca_exts(crt, -1, KU_ROOT) || !crt_sign(&crt, NULL, k))
		goto out;
	*out = crt;
	crt = NULL;
	ok = 1;
out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return ok;
}

int
ca_make_intermediate(const struct ca *issuer, gnutls_pubkey_t pub,
    const char *dn, time_t not_before, time_t not_after, gnutls_x509_crt_t *out)
{
	gnutls_x509_crt_t	crt = NULL;
	uint8_t			serial[CA_SERIAL_LEN];

	*out = NULL;
	if (!ca_key_type_ok(key_type_of_pubkey(pub))) {
		log_err("ca_make_intermediate: a %s key cannot be a CA key",
		    key_type_name(key_type_of_pubkey(pub)));
		return 0;
	}
	if (!within_issuer(issuer->cert, not_before, not_after) ||
	    !ca_serial_new(serial) ||
	    !crt_new(&crt, pub, dn, not_before, not_after, serial) ||
	    !set_ca_exts(crt, 0, KU_ISSUING) || !set_aki(crt, issuer->cert) ||
	    !crt_sign(&crt, issuer->cert, &issuer->key)) {
		if (crt != NULL)
			gnutls_x509_crt_deinit(crt);
		return 0;
	}
	*out = crt;
	return 1;
}

/* A lower-case LDH name, optionally "*." in front; not an IPv4 address. */
static int
dns_name_ok(const char *s)
{
	struct in_addr	 a4;
	size_t		 len = strlen(s), label = 0;
	const char	*p = s;

	if (len == 0 || len > CA_DNS_NAME_MAX || inet_pton(AF_INET, s, &a4) == 1)
		return 0;
	if (strncmp(p, "*.", 2) == 0)
		p += 2;
	for (; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return 0;
			label = 0;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    (*p == '-' && label > 0)) {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return label > 0 && p[-1] != '-';
}

/* Parses an IP name into 4 or 16 bytes; returns the length or 0. */
static size_t
ip_parse(const char *s, uint8_t ip[16])
{
	if (inet_pton(AF_INET, s, ip) == 1)
		return 4;
	if (strlen(s) < IP_TEXT_MAX && inet_pton(AF_INET6, s, ip) == 1)
		return 16;
	return 0;
}

/* The name as it appears in the certificate, in dst (CA_DNS_NAME_MAX + 1). */
static size_t
name_bytes(const struct ca_name *n, uint8_t *dst)
{
	size_t	len;

	switch (n->type) {
	case CA_NAME_DNS:
		if (!dns_name_ok(n->value))
			return 0;
		len = strlen(n->value);
		memcpy(dst, n->value, len);
		return len;
	case CA_NAME_IP:
		return ip_parse(n->value, dst);
	default:
		return 0;
	}
}

static int
names_check(const struct ca_name *names, size_t n)
{
	uint8_t	a[CA_DNS_NAME_MAX + 1], b[CA_DNS_NAME_MAX + 1];
	size_t	alen, blen;

	if (n < 1 || n > CA_LEAF_NAMES_MAX) {
		log_err("ca_leaf_check: %zu names: must be 1 to %d", n, CA_LEAF_NAMES_MAX);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (names[i].value == NULL || (alen = name_bytes(&names[i], a)) == 0) {
			log_err("ca_leaf_check: name %zu is not a valid %s name", i,
			    names[i].type == CA_NAME_IP ? "IP" : "DNS");
			return 0;
		}
		for (size_t j = 0; j < i; j++) {
			blen = name_bytes(&names[j], b);
			if (names[j].type == names[i].type && alen == blen &&
			    memcmp(a, b, alen) == 0) {
				log_err("ca_leaf_check: name %zu repeats name %zu", i, j);
				return 0;
			}
		}
	}
	return 1;
}

int
ca_leaf_check(const struct ca *ca, const struct ca_leaf *leaf, time_t now)
{
	if (leaf->pub == NULL || key_type_of_pubkey(leaf->pub) == KEY_TYPE_INVALID) {
		log_err("ca_leaf_check: not a key type we issue certificates for");
		return 0;
	}
	if (!names_check(leaf->names, leaf->nnames))
		return 0;
	if (leaf->eku == 0 || (leaf->eku & ~CA_EKU_ALL) != 0) {
		log_err("ca_leaf_check: extended key usage 0x%x", leaf->eku);
		return 0;
	}
	if (leaf->serial[0] == 0 || (leaf->serial[0] & 0x80) != 0) {
		log_err("ca_leaf_check: serial is not positive or not %d bytes",
		    CA_SERIAL_LEN);
		return 0;
	}
	if (leaf->not_before < now - CA_BACKDATE - CA_CLOCK_SLACK ||
	    leaf->not_after <= leaf->not_before) {
		log_err("ca_leaf_check: validity is backdated more than %ds or empty",
		    CA_BACKDATE + CA_CLOCK_SLACK);
		return 0;
	}
	return within_issuer(ca->cert, leaf->not_before, leaf->not_after);
}

/* The subject CN: the first name that fits, as text; NULL if none. */
static const char *
leaf_cn(const struct ca_leaf *leaf, char *buf, size_t bufsz)
{
	uint8_t	ip[16];
	size_t	len;

	for (size_t i = 0; i < leaf->nnames; i++) {
		if (leaf->names[i].type == CA_NAME_DNS) {
			if (strlen(leaf->names[i].value) <= CA_CN_MAX)
				return leaf->names[i].value;
			continue;
		}
		len = ip_parse(leaf->names[i].value, ip);
		if (inet_ntop(len == 4 ? AF_INET : AF_INET6, ip, buf,
		    (socklen_t)bufsz) != NULL && strlen(buf) <= CA_CN_MAX)
			return buf;
	}
	return NULL;
}

static int
set_sans(gnutls_x509_crt_t crt, const struct ca_leaf *leaf, unsigned critical)
{
	gnutls_subject_alt_names_t	 sans = NULL;
	gnutls_datum_t			 d, der = { NULL, 0 };
	uint8_t				 b[CA_DNS_NAME_MAX + 1];
	int				 rc, ok = 0;

	if ((rc = gnutls_subject_alt_names_init(&sans)) < 0)
		goto out;
	for (size_t i = 0; i < leaf->nnames; i++) {
		d.data = b;
		d.size = (unsigned)name_bytes(&leaf->names[i], b);
		if ((rc = gnutls_subject_alt_names_set(sans,
		    leaf->names[i].type == CA_NAME_IP ? GNUTLS_SAN_IPADDRESS :
		    GNUTLS_SAN_DNSNAME, &d, NULL)) < 0)
			goto out;
	}
	if ((rc = gnutls_x509_ext_export_subject_alt_names(sans, &der)) < 0 ||
	    (rc = gnutls_x509_crt_set_extension_by_oid(crt, GNUTLS_X509EXT_OID_SAN,
	    der.data, der.size, critical)) < 0)
		goto out;
	ok = 1;
out:
	if (!ok)
		log_err("ca_issue: subjectAltName: %s", gnutls_strerror(rc));
	gnutls_free(der.data);
	if (sans != NULL)
		gnutls_subject_alt_names_deinit(sans);
	return ok;
}

/* BasicConstraints CA:FALSE, KeyUsage, ExtendedKeyUsage. */
static int
set_leaf_exts(gnutls_x509_crt_t crt, const struct ca_leaf *leaf)
{
	unsigned	ku = GNUTLS_KEY_DIGITAL_SIGNATURE;
	int		rc;

	/* RFC 5246 §7.4.7.1: RSA key transport needs keyEncipherment. */
	if (gnutls_pubkey_get_pk_algorithm(leaf->pub, NULL) == GNUTLS_PK_RSA)
		ku |= GNUTLS_KEY_KEY_ENCIPHERMENT;
	if ((rc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_usage(crt, ku)) < 0 ||
	    ((leaf->eku & CA_EKU_SERVER_AUTH) && (rc =
	    gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0) ||
	    ((leaf->eku & CA_EKU_CLIENT_AUTH) && (rc =
	    gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_CLIENT, 0)) < 0)) {
		log_err("ca_issue: leaf extensions: %s", gnutls_strerror(rc));
		return 0;
	}
	return 1;
}

int
ca_issue(const struct ca *ca, const struct ca_leaf *leaf, time_t now,
    gnutls_x509_crt_t *out)
{
	gnutls_x509_crt_t	 crt = NULL;
	char			 ipbuf[IP_TEXT_MAX];
	const char		*cn;
	int			 rc;

	*out = NULL;
	if (!ca_leaf_check(ca, leaf, now))
		return 0;
	cn = leaf_cn(leaf, ipbuf, sizeof(ipbuf));
	if (!crt_new(&crt, leaf->pub, NULL, leaf->not_before, leaf->not_after,
	    leaf->serial))
		return 0;
	if (cn != NULL && (rc = gnutls_x509_crt_set_dn_by_oid(crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, cn, (unsigned)strlen(cn))) < 0) {
		log_err("ca_issue: subject: %s", gnutls_strerror(rc));
		goto fail;
	}
	if (!set_sans(crt, leaf, cn == NULL) || !set_leaf_exts(crt, leaf) ||
	    !set_aki(crt, ca->cert) || !crt_sign(&crt, ca->cert, &ca->key))
		goto fail;
	*out = crt;
	return 1;
fail:
	gnutls_x509_crt_deinit(crt);
	return 0;
}

/* 1 if crt may issue certificates: CA:TRUE and, if KeyUsage, keyCertSign. */
static int
is_issuer(gnutls_x509_crt_t crt)
{
	unsigned	crit, ca = 0, ku = 0;
	int		pathlen;

	if (gnutls_x509_crt_get_basic_constraints(crt, &crit, &ca, &pathlen) < 0 ||
	    !ca)
		return 0;
	if (gnutls_x509_crt_get_key_usage(crt, &ku, &crit) >= 0 &&
	    (ku & GNUTLS_KEY_KEY_CERT_SIGN) == 0)
		return 0;
	return 1;
}

/* 1 if k is the private key of crt's public key. */
static int
key_matches(const struct key *k, gnutls_x509_crt_t crt)
{
	gnutls_pubkey_t	a = NULL, b = NULL;
	uint8_t		ida[CA_KEY_ID_LEN], idb[CA_KEY_ID_LEN];
	int		ok = 0;

	if (!pubkey_of(k, &a) || gnutls_pubkey_init(&b) < 0)
		goto out;
	if (gnutls_pubkey_import_x509(b, crt, 0) < 0 || !ca_key_id(a, ida) ||
	    !ca_key_id(b, idb))
		goto out;
	ok = memcmp(ida, idb, sizeof(ida)) == 0;
out:
	if (a != NULL)
		gnutls_pubkey_deinit(a);
	if (b != NULL)
		gnutls_pubkey_deinit(b);
	return ok;
}

int
ca_load(struct ca *ca, const char *cert_pem, size_t len, const char *key_ref)
{
	gnutls_datum_t	d = { (unsigned char *)(uintptr_t)cert_pem, (unsigned)len };
	int		rc;

	memset(ca, 0, sizeof(*ca));
	if ((rc = gnutls_x509_crt_init(&ca->cert)) < 0 ||
	    (rc = gnutls_x509_crt_import(ca->cert, &d, GNUTLS_X509_FMT_PEM)) < 0) {
		log_err("ca_load: certificate: %s", gnutls_strerror(rc));
		goto fail;
	}
	if (!is_issuer(ca->cert)) {
		log_err("ca_load: the certificate is not a CA certificate");
		goto fail;
	}
	if (!key_load(&ca->key, key_ref))
		goto fail;
	if (!ca_key_type_ok(ca->key.type)) {
		log_err("ca_load: %s: a %s key cannot be a CA key", key_ref,
		    key_type_name(ca->key.type));
		goto fail;
	}
	if (!key_matches(&ca->key, ca->cert)) {
		log_err("ca_load: %s is not the key of the certificate", key_ref);
		goto fail;
	}
	return 1;
fail:
	ca_free(ca);
	return 0;
}

void
ca_free(struct ca *ca)
{
	if (ca->cert != NULL)
		gnutls_x509_crt_deinit(ca->cert);
	key_free(&ca->key);
	memset(ca, 0, sizeof(*ca));
}

int
ca_cert_pem(gnutls_x509_crt_t crt, gnutls_datum_t *pem)
{
	int	rc;

	if ((rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, pem)) < 0) {
		log_err("ca_cert_pem: %s", gnutls_strerror(rc));
		return 0;
	}
	return 1;
}

/* The DER SubjectPublicKeyInfo of a public key, gnutls_free'd by the caller. */
static int
spki_der(gnutls_pubkey_t pub, gnutls_datum_t *out)
{
	return gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, out) >= 0;
}

int
ca_leaf_received(const gnutls_datum_t *der, const struct ca_leaf *leaf,
    gnutls_datum_t *pem)
{
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_pubkey_t		 pub = NULL;
	gnutls_datum_t		 want = { NULL, 0 }, got = { NULL, 0 };
	uint8_t			 serial[CA_SERIAL_LEN + 1];
	size_t			 len = sizeof(serial);
	char			 name[CA_DNS_NAME_MAX + 1];
	const char		*why = NULL;
	unsigned		 i;
	int			 rc;

	pem->data = NULL;
	pem->size = 0;
	if (gnutls_x509_crt_init(&crt) < 0 || gnutls_pubkey_init(&pub) < 0 ||
	    gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) < 0)
		why = "not a certificate";
	else if (gnutls_x509_crt_get_serial(crt, serial, &len) < 0 ||
	    len != CA_SERIAL_LEN || memcmp(serial, leaf->serial, len) != 0)
		why = "serial";
	else if (gnutls_pubkey_import_x509(pub, crt, 0) < 0 ||
	    !spki_der(pub, &got) || !spki_der(leaf->pub, &want) ||
	    got.size != want.size || memcmp(got.data, want.data, got.size) != 0)
		why = "public key";
	else if (gnutls_x509_crt_get_activation_time(crt) != leaf->not_before ||
	    gnutls_x509_crt_get_expiration_time(crt) != leaf->not_after)
		why = "validity";
	for (i = 0; why == NULL; i++) {
		len = sizeof(name) - 1;
		rc = gnutls_x509_crt_get_subject_alt_name(crt, i, name, &len, NULL);
		if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
			if (i != leaf->nnames)
				why = "fewer names";
			break;
		}
		if (i >= leaf->nnames)
			why = "more names";
		else if (rc == GNUTLS_SAN_DNSNAME && leaf->names[i].type == CA_NAME_DNS) {
			name[len] = '\0';
			if (len != strlen(leaf->names[i].value) ||
			    strcmp(name, leaf->names[i].value) != 0)
				why = "a name";
		} else if (rc == GNUTLS_SAN_IPADDRESS && leaf->names[i].type == CA_NAME_IP) {
			uint8_t	ip[16];
			int	af = len == 4 ? AF_INET : AF_INET6;

			if ((len != 4 && len != 16) ||
			    inet_pton(af, leaf->names[i].value, ip) != 1 ||
			    memcmp(ip, name, len) != 0)
				why = "an address";
		} else
			why = "the kind of a name";
	}
	if (why == NULL && !ca_cert_pem(crt, pem))
		why = "cannot be written as PEM";
	gnutls_free(got.data);
	gnutls_free(want.data);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	if (why != NULL) {
		log_err("ca_leaf_received: the signed certificate is not what "
		    "was asked for: %s", why);
		return 0;
	}
	return 1;
}

int
ca_pem_to_der(const char *pem, gnutls_datum_t *der)
{
	gnutls_x509_crt_t	crt;
	gnutls_datum_t		in = { (unsigned char *)(uintptr_t)pem,
				    (unsigned)strlen(pem) };
	int			rc;

	der->data = NULL;
	der->size = 0;
	if (gnutls_x509_crt_init(&crt) < 0)
		return 0;
	if ((rc = gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_PEM)) < 0 ||
	    (rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, der)) < 0)
		log_err("ca_pem_to_der: %s", gnutls_strerror(rc));
	gnutls_x509_crt_deinit(crt);
	return rc >= 0;
}

void
ca_serial_hex(const uint8_t serial[CA_SERIAL_LEN], char out[CA_SERIAL_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < CA_SERIAL_LEN; i++) {
		out[2 * i] = digits[serial[i] >> 4];
		out[2 * i + 1] = digits[serial[i] & 0x0f];
	}
	out[CA_SERIAL_HEX_LEN] = '\0';
}

/* Appends crt as PEM to *s (malloc'd).  1, or 0. */
static int
pem_append(char **s, gnutls_x509_crt_t crt)
{
	gnutls_datum_t	 pem = { NULL, 0 };
	size_t		 have = *s != NULL ? strlen(*s) : 0;
	char		*ns;

	if (!ca_cert_pem(crt, &pem))
		return 0;
	if ((ns = realloc(*s, have + pem.size + 1)) == NULL) {
		gnutls_free(pem.data);
		return 0;
	}
	memcpy(ns + have, pem.data, pem.size);
	ns[have + pem.size] = '\0';
	*s = ns;
	gnutls_free(pem.data);
	return 1;
}

/* Whether SAN number i of crt (type rc, len bytes in name) is one of names. */
static int
san_among(int rc, const char *name, size_t len, const struct ca_name *names,
    size_t n, unsigned char *seen)
{
	uint8_t ip[16];

	for (size_t k = 0; k < n; k++) {
		if (rc == GNUTLS_SAN_DNSNAME && names[k].type == CA_NAME_DNS) {
			if (len != strlen(names[k].value) ||
			    strncasecmp(name, names[k].value, len) != 0)
				continue;
		} else if (rc == GNUTLS_SAN_IPADDRESS && names[k].type == CA_NAME_IP) {
			if ((len != 4 && len != 16) || inet_pton(len == 4 ? AF_INET :
			    AF_INET6, names[k].value, ip) != 1 || memcmp(ip, name, len) != 0)
				continue;
		} else
			continue;
		seen[k] = 1;
		return 1;
	}
	return 0;
}

int
ca_upstream_leaf(const char *chain, gnutls_pubkey_t pub,
    const struct ca_name *names, size_t n, struct ca_upstream_leaf *out,
    char *why, size_t whylen)
{
	gnutls_x509_crt_t	*crts = NULL;
	gnutls_pubkey_t		 lpub = NULL;
	gnutls_datum_t		 in = { (unsigned char *)(uintptr_t)chain,
				    (unsigned)strlen(chain) };
	gnutls_datum_t		 want = { NULL, 0 }, got = { NULL, 0 };
	unsigned char		*seen = NULL;
	uint8_t			 serial[64];
	char			 name[CA_DNS_NAME_MAX + 1];
	size_t			 len, k, z;
	unsigned		 ncrts = 0, i;
	const char		*bad = NULL;
	int			 rc;

	memset(out, 0, sizeof(*out));
	if (gnutls_x509_crt_list_import2(&crts, &ncrts, &in, GNUTLS_X509_FMT_PEM,
	    0) < 0 || ncrts == 0)
		bad = "not a PEM certificate chain";
	else if (ncrts < 2)
		bad = "the chain has no issuer certificate";
	else if ((seen = calloc(n + 1, 1)) == NULL)
		bad = "out of memory";
	else if (gnutls_pubkey_init(&lpub) < 0 ||
	    gnutls_pubkey_import_x509(lpub, crts[0], 0) < 0 ||
	    !spki_der(lpub, &got) || !spki_der(pub, &want) ||
	    got.size != want.size || memcmp(got.data, want.data, got.size) != 0)
		bad = "the certificate is not for the key of the CSR";
	for (i = 0; bad == NULL; i++) {
		len = sizeof(name) - 1;
		rc = gnutls_x509_crt_get_subject_alt_name(crts[0], i, name, &len, NULL);
		if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (rc < 0 || !san_among(rc, name, len, names, n, seen))
			bad = "the certificate names what the order did not";
	}
	for (k = 0; bad == NULL && k < n; k++)
		if (!seen[k])
			bad = "the certificate lacks a name of the order";
	len = sizeof(serial);
	if (bad == NULL && (gnutls_x509_crt_get_serial(crts[0], serial, &len) < 0 ||
	    len == 0 || len > sizeof(serial)))
		bad = "unreadable serial number";
	if (bad == NULL) {
		for (z = 0; z + 1 < len && serial[z] == 0; z++)
			;
		if (len - z > 20)
			bad = "serial number longer than 20 bytes";
		for (k = 0; bad == NULL && z < len; z++, k += 2)
			snprintf(out->serial + k, 3, "%02x", serial[z]);
	}
	if (bad == NULL) {
		out->not_before = gnutls_x509_crt_get_activation_time(crts[0]);
		out->not_after = gnutls_x509_crt_get_expiration_time(crts[0]);
		if (out->not_before == (time_t)-1 || out->not_after == (time_t)-1 ||
		    out->not_after < out->not_before)
			bad = "unreadable validity";
	}
	if (bad == NULL && !pem_append(&out->leaf_pem, crts[0]))
		bad = "cannot be written as PEM";
	for (i = 1; bad == NULL && i < ncrts; i++)
		if (!pem_append(&out->chain_pem, crts[i]))
			bad = "cannot be written as PEM";
	gnutls_free(got.data);
	gnutls_free(want.data);
	if (lpub != NULL)
		gnutls_pubkey_deinit(lpub);
	for (i = 0; i < ncrts; i++)
		gnutls_x509_crt_deinit(crts[i]);
	gnutls_free(crts);
	free(seen);
	if (bad != NULL) {
		ca_upstream_leaf_free(out);
		snprintf(why, whylen, "%s", bad);
		return 0;
	}
	return 1;
}

void
ca_upstream_leaf_free(struct ca_upstream_leaf *l)
{
	free(l->leaf_pem);
	free(l->chain_pem);
	memset(l, 0, sizeof(*l));
}

int
ca_ari_certid(const char *pem, struct ari_certid *out)
{
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 in = { (unsigned char *)(uintptr_t)pem,
				    (unsigned)strlen(pem) };
	unsigned		 critical;
	const char		*bad = NULL;
	int			 rc;

	memset(out, 0, sizeof(*out));
	if (gnutls_x509_crt_init(&crt) < 0)
		return 0;
	out->aki_len = sizeof(out->aki);
	out->serial_len = sizeof(out->serial);
	if ((rc = gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_PEM)) < 0)
		bad = gnutls_strerror(rc);
	else if ((rc = gnutls_x509_crt_get_authority_key_id(crt, out->aki,
	    &out->aki_len, &critical)) < 0 || out->aki_len == 0)
		bad = "no authority key identifier of at most 64 bytes";
	else if ((rc = gnutls_x509_crt_get_serial(crt, out->serial,
	    &out->serial_len)) < 0 || out->serial_len == 0)
		bad = "serial number longer than 20 bytes";
	gnutls_x509_crt_deinit(crt);
	if (bad != NULL) {
		log_err("ca_ari_certid: %s", bad);
		memset(out, 0, sizeof(*out));
		return 0;
	}
	return 1;
}

int
ca_der_serial(const uint8_t *der, size_t len, char serial[41])
{
	gnutls_x509_crt_t	crt;
	gnutls_datum_t		in = { (unsigned char *)(uintptr_t)der, (unsigned)len };
	uint8_t			raw[64];
	size_t			n = sizeof(raw), z, k;
	int			ok = 0;

	serial[0] = '\0';
	if (len == 0 || len > UINT32_MAX || gnutls_x509_crt_init(&crt) < 0)
		return 0;
	if (gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_DER) >= 0 &&
	    gnutls_x509_crt_get_serial(crt, raw, &n) >= 0 && n > 0 && n <= sizeof(raw)) {
		for (z = 0; z + 1 < n && raw[z] == 0; z++)
			;
		if (n - z <= 20) {
			for (k = 0; z < n; z++, k += 2)
				snprintf(serial + k, 3, "%02x", raw[z]);
			ok = 1;
		}
	}
	gnutls_x509_crt_deinit(crt);
	return ok;
}

int
ca_cert_key_is(const char *pem, gnutls_pubkey_t pub)
{
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_pubkey_t		 cpub = NULL;
	gnutls_datum_t		 in = { (unsigned char *)(uintptr_t)pem,
				    (unsigned)strlen(pem) };
	gnutls_datum_t		 a = { NULL, 0 }, b = { NULL, 0 };
	int			 same = 0;

	if (gnutls_x509_crt_init(&crt) >= 0 && gnutls_pubkey_init(&cpub) >= 0 &&
	    gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_PEM) >= 0 &&
	    gnutls_pubkey_import_x509(cpub, crt, 0) >= 0 &&
	    spki_der(cpub, &a) && spki_der(pub, &b))
		same = a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
	gnutls_free(a.data);
	gnutls_free(b.data);
	if (cpub != NULL)
		gnutls_pubkey_deinit(cpub);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	return same;
}
