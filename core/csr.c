/*
 * csr.c - the finalize CSR checks; the rules are in csr.h.
 *
 * GnuTLS parses the request, its key, subject and extension list.  The
 * subjectAltName value is walked here instead, entry by entry, so that each
 * refusal names its entry (GnuTLS refuses a whole extension for one empty
 * name, and names no entry).
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/x509-ext.h>

#include "ca.h"
#include "csr.h"
#include "log.h"
#include "problem.h"

#define OID_SAN		"2.5.29.17"
#define OID_KU		"2.5.29.15"
#define OID_EKU		"2.5.29.37"
#define OID_BC		"2.5.29.19"
#define OID_TLS_FEATURE	"1.3.6.1.5.5.7.1.24"	/* RFC 7633 */
#define OID_MAX		128

/* GeneralName tags (RFC 5280 §4.2.1.6): context-specific, [0] to [8]. */
#define GN_DNS		2
#define GN_IP		7
#define GN_MAX		8
static const char *const gn_names[GN_MAX + 1] = {
	"otherName", "rfc822Name", "dNSName", "x400Address", "directoryName",
	"ediPartyName", "uniformResourceIdentifier", "iPAddress", "registeredID"
};

/*
 * A client's value in a detail: at most SHOW_MAX bytes, each possibly
 * written as \xNN, in quotes, and "..." if cut.
 */
#define SHOW_MAX	80
#define SHOW_BUF	(SHOW_MAX * 4 + 6)

/* The common name as GnuTLS returns it; longer ones are refused anyway. */
#define CN_BUF		256

/* Lengths up to 0xffff are enough for anything inside CSR_MAX_BYTES. */
#if CSR_MAX_BYTES > 0xffff
#error "der_next() reads lengths of at most two bytes"
#endif

/*
 * Writes s as a printable ASCII string for a problem detail: quoted, '"'
 * and '\' escaped, any other byte outside 0x20-0x7e as \xNN.  Returns buf.
 */
static const char *
show(char buf[SHOW_BUF], const uint8_t *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, o = 0;

	buf[o++] = '"';
	for (i = 0; i < len && i < SHOW_MAX; i++) {
		if (s[i] == '"' || s[i] == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)s[i];
		} else if (s[i] >= 0x20 && s[i] < 0x7f)
			buf[o++] = (char)s[i];
		else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[s[i] >> 4];
			buf[o++] = hex[s[i] & 0xf];
		}
	}
	if (i < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* NULL if s is printable ASCII, else what is wrong with it. */
static const char *
text_error(const uint8_t *s, size_t len)
{
	size_t	i;
	int	high = 0;

	for (i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			return "has a control character";
		if (s[i] >= 0x80)
			high = 1;
	}
	return high ? "is not ASCII; use the A-label (xn--) form" : NULL;
}

/*
 * Reads one DER TLV of *left bytes at *p and moves past it: a one-byte
 * tag and a definite length in its shortest form.  Returns 1, or 0 if
 * there is no such TLV.
 */
static int
der_next(const uint8_t **p, size_t *left, uint8_t *tag, const uint8_t **val,
    size_t *len)
{
	const uint8_t	*s = *p;
	size_t		 n = *left, hdr = 2, l, nb, i;

	if (n < 2 || (s[0] & 0x1f) == 0x1f)
		return 0;
	l = s[1];
	if (l & 0x80) {
		nb = l & 0x7f;
		if (nb == 0 || nb > 2 || n < 2 + nb || s[2] == 0)
			return 0;
		for (l = 0, i = 0; i < nb; i++)
			l = (l << 8) | s[2 + i];
		if (l < 0x80)
			return 0;
		hdr += nb;
	}
	if (l > n - hdr)
		return 0;
	*tag = s[0];
	*val = s + hdr;
	*len = l;
	*p = s + hdr + l;
	*left = n - hdr - l;
	return 1;
}

static int
same_ident(const struct identifier *a, const struct identifier *b)
{
	return a->type == b->type && strcmp(a->value, b->value) == 0;
}

static int
has_ident(const struct identifier *list, size_t n, const struct identifier *id)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (same_ident(&list[i], id))
			return 1;
	return 0;
}

/* ident_parse(), its refusal turned into badCSR about where in the CSR. */
static int
parse_name(const char *type, const char *value, const char *where,
    struct identifier *id, struct problem *p)
{
	struct problem	why;

	memset(&why, 0, sizeof(why));
	if (ident_parse(type, value, id, &why))
		return 1;
	problem_set(p, PROB_BAD_CSR, "the CSR's %s: %s", where, why.detail);
	problem_clear(&why);
	return 0;
}

/* --- the key ------------------------------------------------------------- */

/* What a key is, for a detail: "RSA of 1024 bits", "ECDSA on SECP192R1". */
static void
key_describe(gnutls_pubkey_t pub, char *buf, size_t size)
{
	gnutls_ecc_curve_t	 curve;
	unsigned		 bits = 0;
	int			 pk = gnutls_pubkey_get_pk_algorithm(pub, &bits);
	const char		*name = gnutls_pk_get_name((gnutls_pk_algorithm_t)pk);

	if (name == NULL)
		snprintf(buf, size, "of an unknown algorithm");
	else if (pk == GNUTLS_PK_ECDSA &&
	    gnutls_pubkey_export_ecc_raw2(pub, &curve, NULL, NULL, 0) >= 0)
		snprintf(buf, size, "ECDSA on %s", gnutls_ecc_curve_get_name(curve));
	else
		snprintf(buf, size, "%s of %u bits", name, bits);
}

/* CA/Browser Forum BR §6.1.6: an odd modulus, an odd exponent of 3 or more. */
static int
rsa_check(gnutls_pubkey_t pub, struct problem *p)
{
	gnutls_datum_t	 m = { NULL, 0 }, e = { NULL, 0 };
	int		 ok = 0;

	if (gnutls_pubkey_export_rsa_raw2(pub, &m, &e, GNUTLS_EXPORT_FLAG_NO_LZ) < 0)
		problem_set(p, PROB_BAD_PUBLIC_KEY, "the CSR's RSA key cannot be read");
	else if (m.size == 0 || !(m.data[m.size - 1] & 1))
		problem_set(p, PROB_BAD_PUBLIC_KEY, "the CSR's RSA modulus is even");
	else if (e.size == 0 || !(e.data[e.size - 1] & 1) ||
	    (e.size == 1 && e.data[0] < 3))
		problem_set(p, PROB_BAD_PUBLIC_KEY,
		    "the CSR's RSA public exponent is even or less than 3");
	else
		ok = 1;
	gnutls_free(m.data);
	gnutls_free(e.data);
	return ok;
}

static int
check_key(struct csr *c, struct problem *p)
{
	char	what[64], types[128];
	size_t	o = 0;
	int	rc, t;

	if ((rc = gnutls_pubkey_import_x509_crq(c->pub, c->crq, 0)) < 0)
		return problem_set(p, PROB_BAD_PUBLIC_KEY,
		    "the CSR's public key cannot be read: %s", gnutls_strerror(rc));
	if ((c->key_type = key_type_of_pubkey(c->pub)) == KEY_TYPE_INVALID) {
		key_describe(c->pub, what, sizeof(what));
		for (t = 0; t < KEY_TYPE__MAX; t++)
			o += (size_t)snprintf(types + o, sizeof(types) - o, "%s%s",
			    t > 0 ? ", " : "", key_type_name((enum key_type)t));
		return problem_set(p, PROB_BAD_PUBLIC_KEY,
		    "the CSR's key is %s, which is not a key type this CA "
		    "issues for (%s)", what, types);
	}
	if (gnutls_pubkey_verify_params(c->pub) < 0)
		return problem_set(p, PROB_BAD_PUBLIC_KEY,
		    "the CSR's %s key is not valid (an EC point must be on its curve)",
		    key_type_name(c->key_type));
	if (gnutls_pubkey_get_pk_algorithm(c->pub, NULL) == GNUTLS_PK_RSA)
		return rsa_check(c->pub, p);
	return 1;
}

/* --- the signature ------------------------------------------------------- */

static int
check_signature(struct csr *c, struct problem *p)
{
	gnutls_digest_algorithm_t	 dig = GNUTLS_DIG_UNKNOWN;
	char				 oid[OID_MAX];
	size_t				 len = sizeof(oid);
	const char			*name = NULL;
	int				 sa;

	if ((sa = gnutls_x509_crq_get_signature_algorithm(c->crq)) > 0) {
		dig = gnutls_sign_get_hash_algorithm((gnutls_sign_algorithm_t)sa);
		name = gnutls_sign_get_name((gnutls_sign_algorithm_t)sa);
	}
	/* Ed25519 signs the message itself; GnuTLS calls its hash SHA-512. */
	if (dig != GNUTLS_DIG_SHA256 && dig != GNUTLS_DIG_SHA384 &&
	    dig != GNUTLS_DIG_SHA512) {
		if (name == NULL)
			name = gnutls_x509_crq_get_signature_oid(c->crq, oid, &len) >= 0 ?
			    oid : "an unknown algorithm";
		return problem_set(p, PROB_BAD_CSR, "the CSR is signed with %s; "
		    "accepted are SHA-256, SHA-384, SHA-512 and Ed25519", name);
	}
	if (gnutls_x509_crq_verify(c->crq, 0) < 0)
		return problem_set(p, PROB_BAD_CSR,
		    "the CSR's signature does not verify with the CSR's key");
	return 1;
}

/* --- extensions ---------------------------------------------------------- */

static int
check_basic_constraints(struct csr *c, unsigned i, struct problem *p)
{
	gnutls_datum_t	d = { NULL, 0 };
	unsigned	ca = 0;
	int		pathlen, rc;

	if ((rc = gnutls_x509_crq_get_extension_data2(c->crq, i, &d)) >= 0)
		rc = gnutls_x509_ext_import_basic_constraints(&d, &ca, &pathlen);
	gnutls_free(d.data);
	if (rc < 0)
		return problem_set(p, PROB_BAD_CSR,
		    "the CSR's basicConstraints extension is not valid: %s",
		    gnutls_strerror(rc));
	if (ca)
		return problem_set(p, PROB_BAD_CSR, "the CSR asks for a CA "
		    "certificate (basicConstraints CA:TRUE); only end-entity "
		    "certificates are issued");
	return 1;
}

/*
 * Applies the extension rules.  Returns 1 with the subjectAltName value in
 * *san (empty if there is none; the caller gnutls_free's it), or 0.
 */
static int
check_extensions(struct csr *c, gnutls_datum_t *san, struct problem *p)
{
	char		oid[OID_MAX];
	size_t		len;
	unsigned	i, critical, nbc = 0;
	int		rc;

	for (i = 0;; i++) {
		len = sizeof(oid);
		rc = gnutls_x509_crq_get_extension_info(c->crq, i, oid, &len,
		    &critical);
		if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			return 1;
		if (rc < 0)
			return problem_set(p, PROB_BAD_CSR,
			    "the CSR's extension request cannot be read: %s",
			    gnutls_strerror(rc));
		if (i == CSR_EXTENSIONS_MAX)
			return problem_set(p, PROB_BAD_CSR,
			    "the CSR requests more than %d extensions",
			    CSR_EXTENSIONS_MAX);
		if (strcmp(oid, OID_TLS_FEATURE) == 0)
			return problem_set(p, PROB_BAD_CSR, "OCSP must-staple (the "
			    "TLS feature extension) is not supported: this CA "
			    "runs no OCSP responder");
		if (strcmp(oid, OID_SAN) == 0) {
			if (san->data != NULL)
				return problem_set(p, PROB_BAD_CSR,
				    "the CSR has two subjectAltName extensions");
			if ((rc = gnutls_x509_crq_get_extension_data2(c->crq, i,
			    san)) < 0 || san->size == 0)
				return problem_set(p, PROB_BAD_CSR,
				    "the CSR's subjectAltName extension cannot be read");
		} else if (strcmp(oid, OID_BC) == 0) {
			if (nbc++ > 0)
				return problem_set(p, PROB_BAD_CSR,
				    "the CSR has two basicConstraints extensions");
			if (!check_basic_constraints(c, i, p))
				return 0;
		} else if (critical && strcmp(oid, OID_KU) != 0 &&
		    strcmp(oid, OID_EKU) != 0)
			return problem_set(p, PROB_BAD_CSR, "the CSR requests the "
			    "critical extension %s, which this CA does not know", oid);
	}
}

/* --- names --------------------------------------------------------------- */

/* Appends id unless the CSR already has it. */
static int
add_name(struct csr *c, const struct identifier *id, struct problem *p)
{
	if (has_ident(c->names, c->nnames, id))
		return problem_set(p, PROB_BAD_CSR,
		    "the CSR's subjectAltName lists %s \"%s\" twice",
		    ident_type_name(id->type), id->value);
	c->names[c->nnames++] = *id;
	return 1;
}

static int
dns_entry(const uint8_t *v, size_t len, struct identifier *id,
    struct problem *p)
{
	char		 name[IDENT_MAX + 1], shown[SHOW_BUF];
	uint8_t		 ip[16];
	const char	*err;

	if (len == 0)
		return problem_set(p, PROB_BAD_CSR,
		    "the CSR's subjectAltName has an empty dNSName");
	if ((err = text_error(v, len)) != NULL)
		return problem_set(p, PROB_BAD_CSR, "the CSR's dNSName %s %s",
		    show(shown, v, len), err);
	if (len > IDENT_MAX)
		return problem_set(p, PROB_BAD_CSR,
		    "the CSR's dNSName %s is longer than %d characters",
		    show(shown, v, len), IDENT_MAX);
	memcpy(name, v, len);
	name[len] = '\0';
	if (inet_pton(AF_INET, name, ip) == 1 || inet_pton(AF_INET6, name, ip) == 1)
		return problem_set(p, PROB_BAD_CSR, "the CSR's dNSName \"%s\" is "
		    "an IP address; list it as an iPAddress", name);
	return parse_name("dns", name, "dNSName", id, p);
}

static int
ip_entry(const uint8_t *v, size_t len, struct identifier *id,
    struct problem *p)
{
	char	text[INET6_ADDRSTRLEN];

	if ((len != 4 && len != 16) ||
	    inet_ntop(len == 4 ? AF_INET : AF_INET6, v, text, sizeof(text)) == NULL)
		return problem_set(p, PROB_BAD_CSR, "the CSR's subjectAltName "
		    "has an iPAddress of %zu bytes; an address has 4 or 16", len);
	return parse_name("ip", text, "iPAddress", id, p);
}

/*
 * Walks the subjectAltName value (RFC 5280 §4.2.1.6, SEQUENCE SIZE (1..MAX)
 * OF GeneralName).  With c->names NULL, only counts the entries into
 * *count; otherwise adds each entry to c->names.
 */
static int
san_walk(struct csr *c, const gnutls_datum_t *san, size_t *count,
    struct problem *p)
{
	const uint8_t		*s = san->data, *seq, *v;
	size_t			 left = san->size, n, len;
	uint8_t			 tag;
	unsigned		 num;
	char			 shown[SHOW_BUF];
	struct identifier	 id;

	if (!der_next(&s, &left, &tag, &seq, &n) || tag != 0x30 || left != 0)
		return problem_set(p, PROB_BAD_CSR,
		    "the CSR's subjectAltName extension is not valid DER");
	if (n == 0)
		return problem_set(p, PROB_BAD_CSR,
		    "the CSR's subjectAltName extension is empty");
	for (*count = 0; n > 0; (*count)++) {
		if (!der_next(&seq, &n, &tag, &v, &len) || (tag & 0xc0) != 0x80 ||
		    (num = tag & 0x1f) > GN_MAX ||
		    ((num == GN_DNS || num == GN_IP) && (tag & 0x20)))
			return problem_set(p, PROB_BAD_CSR,
			    "the CSR's subjectAltName extension is not valid DER");
		if (*count == CA_LEAF_NAMES_MAX)
			return problem_set(p, PROB_BAD_CSR, "the CSR's "
			    "subjectAltName has more than %d entries",
			    CA_LEAF_NAMES_MAX);
		if (c->names == NULL)
			continue;
		if (num == 1 || num == 6)	/* IA5String */
			return problem_set(p, PROB_BAD_CSR, "the CSR's "
			    "subjectAltName lists %s %s; only dNSName and "
			    "iPAddress entries are certified", gn_names[num],
			    show(shown, v, len));
		if (num != GN_DNS && num != GN_IP)
			return problem_set(p, PROB_BAD_CSR, "the CSR's "
			    "subjectAltName has an entry of type %s; only dNSName "
			    "and iPAddress entries are certified", gn_names[num]);
		if (!(num == GN_DNS ? dns_entry(v, len, &id, p) :
		    ip_entry(v, len, &id, p)) || !add_name(c, &id, p))
			return 0;
	}
	return 1;
}

/* Reads the one common name, if any, into cn; *len 0 if there is none. */
static int
subject_cn(struct csr *c, char cn[CN_BUF], size_t *len, struct problem *p)
{
	char		 oid[OID_MAX];
	const char	*name;
	size_t		 olen;
	unsigned	 i;
	int		 rc;

	*len = 0;
	for (i = 0;; i++) {
		olen = sizeof(oid);
		rc = gnutls_x509_crq_get_dn_oid(c->crq, i, oid, &olen);
		if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (rc < 0)
			return problem_set(p, PROB_BAD_CSR,
			    "the CSR's subject cannot be read: %s", gnutls_strerror(rc));
		if (strcmp(oid, GNUTLS_OID_X520_COMMON_NAME) != 0) {
			name = gnutls_x509_dn_oid_name(oid, 0);
			return problem_set(p, PROB_BAD_CSR, "the CSR's subject has "
			    "%s (%s); only a common name is accepted, since "
			    "certificates name no organisation, place or person",
			    name != NULL ? name : "an attribute", oid);
		}
		if (i > 0)
			return problem_set(p, PROB_BAD_CSR,
			    "the CSR's subject has more than one common name");
	}
	if (i == 0)
		return 1;
	*len = CN_BUF;
	rc = gnutls_x509_crq_get_dn_by_oid(c->crq, GNUTLS_OID_X520_COMMON_NAME,
	    0, 0, cn, len);
	if (rc == GNUTLS_E_SHORT_MEMORY_BUFFER)
		return problem_set(p, PROB_BAD_CSR, "the CSR's common name is "
		    "longer than %d characters (RFC 5280 ub-common-name)", CA_CN_MAX);
	if (rc < 0)
		return problem_set(p, PROB_BAD_CSR,
		    "the CSR's common name cannot be read: %s", gnutls_strerror(rc));
	if (*len == 0)
		return problem_set(p, PROB_BAD_CSR, "the CSR's common name is empty");
	return 1;
}

/*
 * The common name, if any: a DNS name or an IP address in text, added to
 * the names unless a subjectAltName entry already has it.
 */
static int
cn_name(struct csr *c, struct problem *p)
{
	char			 cn[CN_BUF], shown[SHOW_BUF];
	uint8_t			 ip[16];
	const char		*err, *type = "dns";
	size_t			 len;
	struct identifier	 id;

	if (!subject_cn(c, cn, &len, p))
		return 0;
	if (len == 0)
		return 1;
	if ((err = text_error((const uint8_t *)cn, len)) != NULL)
		return problem_set(p, PROB_BAD_CSR, "the CSR's common name %s %s",
		    show(shown, (const uint8_t *)cn, len), err);
	if (len > CA_CN_MAX)
		return problem_set(p, PROB_BAD_CSR, "the CSR's common name %s is "
		    "longer than %d characters (RFC 5280 ub-common-name); leave it "
		    "out, the subjectAltName is enough",
		    show(shown, (const uint8_t *)cn, len), CA_CN_MAX);
	if (strchr(cn, ':') != NULL || inet_pton(AF_INET, cn, ip) == 1)
		type = "ip";
	if (!parse_name(type, cn, "common name", &id, p))
		return 0;
	if (has_ident(c->names, c->nnames, &id))
		return 1;
	if (c->nnames == CA_LEAF_NAMES_MAX)
		return problem_set(p, PROB_BAD_CSR, "the CSR names more than %d "
		    "identifiers: its common name is not among its subjectAltName "
		    "entries", CA_LEAF_NAMES_MAX);
	c->names[c->nnames++] = id;
	return 1;
}

static int
collect_names(struct csr *c, const gnutls_datum_t *san, struct problem *p)
{
	size_t	count = 0;

	if (san->data != NULL && !san_walk(c, san, &count, p))
		return 0;
	/* One more for a common name that is not among the entries. */
	if ((c->names = calloc(count + 1, sizeof(*c->names))) == NULL) {
		log_err("csr_parse: calloc: out of memory");
		return problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
	}
	if ((san->data != NULL && !san_walk(c, san, &count, p)) ||
	    !cn_name(c, p))
		return 0;
	if (c->nnames == 0)
		return problem_set(p, PROB_BAD_CSR, "the CSR names nothing: it "
		    "has neither a subjectAltName nor a common name");
	return 1;
}

/* --- the API ------------------------------------------------------------- */

int
csr_parse(const uint8_t *der, size_t len, struct csr *out, struct problem *p)
{
	gnutls_datum_t	 d = { (unsigned char *)(uintptr_t)der, (unsigned)len };
	gnutls_datum_t	 san = { NULL, 0 };
	int		 rc, ok = 0;

	memset(out, 0, sizeof(*out));
	out->key_type = KEY_TYPE_INVALID;
	if (len == 0)
		return problem_set(p, PROB_BAD_CSR, "the CSR is empty");
	if (len > CSR_MAX_BYTES)
		return problem_set(p, PROB_BAD_CSR,
		    "the CSR is %zu bytes long; at most %d are accepted",
		    len, CSR_MAX_BYTES);
	if ((rc = gnutls_x509_crq_init(&out->crq)) < 0 ||
	    (rc = gnutls_pubkey_init(&out->pub)) < 0) {
		log_err("csr_parse: gnutls init: %s", gnutls_strerror(rc));
		problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
		goto out;
	}
	/* GnuTLS refuses BER and bytes after the request. */
	if ((rc = gnutls_x509_crq_import(out->crq, &d, GNUTLS_X509_FMT_DER)) < 0) {
		if (len >= 10 && memcmp(der, "-----BEGIN", 10) == 0)
			problem_set(p, PROB_BAD_CSR, "the CSR is PEM; RFC 8555 "
			    "section 7.4 asks for the base64url of its DER");
		else
			problem_set(p, PROB_BAD_CSR, "the CSR is not a DER "
			    "PKCS#10 request: %s", gnutls_strerror(rc));
		goto out;
	}
	if (!check_key(out, p) || !check_signature(out, p) ||
	    !check_extensions(out, &san, p) || !collect_names(out, &san, p))
		goto out;
	ok = 1;
out:
	gnutls_free(san.data);
	if (!ok)
		csr_free(out);
	return ok;
}

int
csr_check_names(const struct csr *c, const struct identifier *ids, size_t n,
    struct problem *p)
{
	const struct identifier	*lacks = NULL, *extra = NULL;
	char			 a[SHOW_BUF], b[SHOW_BUF];
	size_t			 i;

	for (i = 0; i < n && lacks == NULL; i++)
		if (!has_ident(c->names, c->nnames, &ids[i]))
			lacks = &ids[i];
	for (i = 0; i < c->nnames && extra == NULL; i++)
		if (!has_ident(ids, n, &c->names[i]))
			extra = &c->names[i];
	if (lacks != NULL)
		show(a, (const uint8_t *)lacks->value, strlen(lacks->value));
	if (extra != NULL)
		show(b, (const uint8_t *)extra->value, strlen(extra->value));
	if (lacks != NULL && extra != NULL)
		return problem_set(p, PROB_BAD_CSR, "the CSR's names are not the "
		    "order's identifiers: it lacks %s %s and has %s %s, which the "
		    "order does not", ident_type_name(lacks->type), a,
		    ident_type_name(extra->type), b);
	if (lacks != NULL)
		return problem_set(p, PROB_BAD_CSR, "the CSR's names are not the "
		    "order's identifiers: it lacks %s %s",
		    ident_type_name(lacks->type), a);
	if (extra != NULL)
		return problem_set(p, PROB_BAD_CSR, "the CSR's names are not the "
		    "order's identifiers: it has %s %s, which the order does not",
		    ident_type_name(extra->type), b);
	return 1;
}

int
csr_check_key(const struct csr *c, const char *key_types, struct problem *p)
{
	const char	*name = key_type_name(c->key_type), *s, *end;
	char		 allowed[128] = "";
	size_t		 nlen = strlen(name), o = 0;

	for (s = key_types; ; s = end + 1) {
		if ((end = strchr(s, ',')) == NULL)
			end = s + strlen(s);
		if (c->key_type < KEY_TYPE__MAX && (size_t)(end - s) == nlen &&
		    strncmp(s, name, nlen) == 0)
			return 1;
		if (end > s && o < sizeof(allowed))
			o += (size_t)snprintf(allowed + o, sizeof(allowed) - o,
			    "%s%.*s", o > 0 ? ", " : "", (int)(end - s), s);
		if (*end == '\0')
			break;
	}
	return problem_set(p, PROB_BAD_PUBLIC_KEY,
	    "key type %s is not allowed here; allowed: %s", name,
	    o > 0 ? allowed : "none");
}

int
csr_check_account_key(const struct csr *c, gnutls_pubkey_t account,
    struct problem *p)
{
	gnutls_datum_t	a = { NULL, 0 }, b = { NULL, 0 };
	int		rc, same;

	if ((rc = gnutls_pubkey_export2(c->pub, GNUTLS_X509_FMT_DER, &a)) < 0 ||
	    (rc = gnutls_pubkey_export2(account, GNUTLS_X509_FMT_DER, &b)) < 0) {
		log_err("csr_check_account_key: gnutls_pubkey_export2: %s",
		    gnutls_strerror(rc));
		gnutls_free(a.data);
		return problem_set(p, PROB_SERVER_INTERNAL,
		    "the CSR's key cannot be compared with the account key");
	}
	same = a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
	gnutls_free(a.data);
	gnutls_free(b.data);
	if (same)
		return problem_set(p, PROB_BAD_CSR, "the CSR's key is the account "
		    "key; a certificate needs a key of its own");
	return 1;
}

void
csr_free(struct csr *c)
{
	if (c->crq != NULL)
		gnutls_x509_crq_deinit(c->crq);
	if (c->pub != NULL)
		gnutls_pubkey_deinit(c->pub);
	free(c->names);
	memset(c, 0, sizeof(*c));
	c->key_type = KEY_TYPE_INVALID;
}
