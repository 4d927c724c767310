/*
 * ca.h - the local certificate authority: a self-signed root, the issuing
 * intermediate it signs, and the profile of the leaf certificates the
 * intermediate issues (RFC 5280, RFC 8555 §7.4).
 *
 * This module alone turns keys into certificates.  acme-ca-tool uses it to
 * create a CA; the signer process (the only process that loads an issuing
 * key) uses ca_load() and ca_issue(); request handlers only prepare a
 * struct ca_leaf and never see a struct ca.
 *
 * Every function returns 1, or 0 after one log line (and *out NULL).
 * Certificates handed out through gnutls_x509_crt_t * are the caller's
 * (gnutls_x509_crt_deinit); they are parsed back from their DER, so every
 * gnutls getter and chain check works on them as on a received one.
 */
#ifndef ACME_CA_H
#define ACME_CA_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "key.h"

#define CA_SERIAL_LEN		16	/* 128 bits, first byte 0x01..0x7f */
#define CA_BACKDATE		3600	/* notBefore this far before "now" */
/*
 * How much earlier than now - CA_BACKDATE ca_leaf_check() still accepts a
 * notBefore: the request handler computes it from its own "now", and the
 * signer checks it a moment later with another.
 */
#define CA_CLOCK_SLACK		300
#define CA_DN_MAX		1024	/* an RFC 4514 subject, as text */
#define CA_CN_MAX		64	/* RFC 5280 ub-common-name */
#define CA_LEAF_NAMES_MAX	100	/* subjectAltName entries per leaf */
#define CA_DNS_NAME_MAX		253

/* An issuing CA ready to sign: its certificate and its private key. */
struct ca {
	gnutls_x509_crt_t	 cert;
	struct key		 key;
};

/* Subject alternative names a leaf may carry (RFC 8555 §7.1.4, RFC 8738). */
enum ca_name_type {
	CA_NAME_DNS,	/* lower-case LDH name, "*." wildcard prefix allowed */
	CA_NAME_IP,	/* IPv4 dotted quad or IPv6 text (RFC 5952) */
	CA_NAME_TYPE__MAX
};

struct ca_name {
	enum ca_name_type	 type;
	const char		*value;
};

/* Extended key usages (RFC 5280 §4.2.1.12), as bit flags. */
#define CA_EKU_SERVER_AUTH	0x01u
#define CA_EKU_CLIENT_AUTH	0x02u
#define CA_EKU_ALL		(CA_EKU_SERVER_AUTH | CA_EKU_CLIENT_AUTH)

/*
 * What a leaf certificate says besides the fixed profile.  Everything is
 * borrowed from the caller.  not_before and not_after are inclusive
 * (RFC 5280 §4.1.2.5); ca_leaf_validity() computes them from a lifetime.
 */
struct ca_leaf {
	gnutls_pubkey_t		 pub;
	const struct ca_name	*names;		/* 1..CA_LEAF_NAMES_MAX, distinct */
	size_t			 nnames;
	time_t			 not_before;
	time_t			 not_after;
	unsigned		 eku;		/* CA_EKU_*, at least one */
	uint8_t			 serial[CA_SERIAL_LEN];	/* ca_serial_new() */
};

/* Key types a CA may have: ec256, ec384, rsa3072, rsa4096, ed25519. */
int	 ca_key_type_ok(enum key_type t);

/* A random positive serial of exactly CA_SERIAL_LEN DER bytes. */
int	 ca_serial_new(uint8_t serial[CA_SERIAL_LEN]);
/* A serial in lower-case hex, as the database and the logs write it. */
#define CA_SERIAL_HEX_LEN	(2 * CA_SERIAL_LEN)
void	 ca_serial_hex(const uint8_t serial[CA_SERIAL_LEN],
	    char out[CA_SERIAL_HEX_LEN + 1]);

/*
 * Validity of days whole days (from 1 to 36500) starting CA_BACKDATE before
 * now: *not_before = now - CA_BACKDATE, *not_after = *not_before + days
 * days - 1 second.
 */
int	 ca_validity(time_t now, unsigned days, time_t *not_before,
	    time_t *not_after);

/*
 * The subject of one of a CA's certificates: dn (RFC 4514; NULL or "" for
 * none) with role (" Root CA", " Issuing CA") appended to its common name,
 * or, if dn has no CN, with "CN=<name><role>" in front.  Returns a malloc'd
 * string that gnutls accepts as a DN, or NULL.
 */
char	*ca_subject(const char *dn, const char *name, const char *role);

/*
 * A self-signed root for key k: BasicConstraints CA:TRUE and KeyUsage
 * keyCertSign, cRLSign (both critical), SubjectKeyIdentifier.
 */
int	 ca_make_root(const struct key *k, const char *dn, time_t not_before,
	    time_t not_after, gnutls_x509_crt_t *out);

/*
 * An issuing intermediate for the public key pub, signed by issuer:
 * CA:TRUE pathlen:0 and KeyUsage keyCertSign, cRLSign, digitalSignature
 * (both critical), SKI, AKI.  Its validity must lie within the issuer's.
 */
int	 ca_make_intermediate(const struct ca *issuer, gnutls_pubkey_t pub,
	    const char *dn, time_t not_before, time_t not_after,
	    gnutls_x509_crt_t *out);

/*
 * Checks a leaf request against the profile and the issuer, given the time
 * now: names well formed and distinct, eku known and not empty, serial
 * positive and CA_SERIAL_LEN bytes long, not_before no earlier than
 * now - CA_BACKDATE - CA_CLOCK_SLACK, not_after after not_before and within the issuer's
 * validity, key of a type we issue for.  ca_issue() calls it; the caller
 * may call it first to refuse a request early.
 */
int	 ca_leaf_check(const struct ca *ca, const struct ca_leaf *leaf,
	    time_t now);

/*
 * Issues a leaf: version 3, the serial, subject CN = the first name of at
 * most CA_CN_MAX characters (no subject at all if none fits, and then a
 * critical subjectAltName, RFC 5280 §4.2.1.6), subjectAltName = the names
 * in order, BasicConstraints CA:FALSE (critical), KeyUsage
 * digitalSignature, plus keyEncipherment for an RSA key (critical),
 * ExtendedKeyUsage from eku, SKI, AKI = the issuer's SKI.
 */
int	 ca_issue(const struct ca *ca, const struct ca_leaf *leaf, time_t now,
	    gnutls_x509_crt_t *out);

/*
 * Loads an issuing CA: cert_pem (one PEM certificate) and its key (a PEM
 * file or a pkcs11: URL).  Fails unless the certificate is a CA allowed to
 * sign certificates and the key is its key and of a CA key type.
 */
int	 ca_load(struct ca *ca, const char *cert_pem, size_t len,
	    const char *key_ref);
void	 ca_free(struct ca *ca);

/* The digest a CA with key type t signs with; GNUTLS_DIG_UNKNOWN for Ed25519. */
gnutls_digest_algorithm_t ca_digest(enum key_type t);

/*
 * Key identifier of pub for SKI and AKI: the leftmost 160 bits of the
 * SHA-256 of its SubjectPublicKeyInfo (RFC 7093 §2).  id has 20 bytes.
 */
#define CA_KEY_ID_LEN	20
int	 ca_key_id(gnutls_pubkey_t pub, uint8_t id[CA_KEY_ID_LEN]);

/* One certificate as PEM; *pem is gnutls_free'd. */
int	 ca_cert_pem(gnutls_x509_crt_t crt, gnutls_datum_t *pem);

/*
 * A certificate the signer returned for leaf, checked to be exactly that
 * leaf (serial, public key, validity, names in order) before anyone relies
 * on it; then as PEM in *pem (gnutls_free'd).  1, or 0 logged.
 */
int	 ca_leaf_received(const gnutls_datum_t *der, const struct ca_leaf *leaf,
	    gnutls_datum_t *pem);

/* A certificate an upstream ACME CA issued (core/upstream.h), split and read. */
struct ca_upstream_leaf {
	char		 serial[41];	/* lower-case hex, no leading zero bytes */
	time_t		 not_before;
	time_t		 not_after;
	char		*leaf_pem;	/* the first certificate (malloc'd) */
	char		*chain_pem;	/* the ones after it (malloc'd) */
};

/*
 * Reads chain, the PEM chain an upstream sent (leaf first, then at least
 * one issuer certificate), and checks that the leaf certifies pub and
 * exactly the n names (as a set; DNS names compared without case).
 * Returns 1 with out filled (free with ca_upstream_leaf_free()), or 0 with
 * why.
 */
int	 ca_upstream_leaf(const char *chain, gnutls_pubkey_t pub,
	    const struct ca_name *names, size_t n, struct ca_upstream_leaf *out,
	    char *why, size_t whylen);
void	 ca_upstream_leaf_free(struct ca_upstream_leaf *l);

/* The first certificate of a PEM text as DER (gnutls_free'd).  1, or 0. */
int	 ca_pem_to_der(const char *pem, gnutls_datum_t *der);

struct ari_certid;

/*
 * The RFC 9773 certID parts of the first certificate of a PEM text: its
 * AKI keyIdentifier and its serial number's DER content octets, bounded
 * as ari.h says.  1, or 0 (logged) if it has no AKI keyIdentifier or they
 * do not fit.
 */
int	 ca_ari_certid(const char *pem, struct ari_certid *out);

/*
 * The serial number of a DER certificate as the database writes it
 * (lower-case hex, no leading zero octets, at most 20 octets) into serial,
 * which holds 41 bytes: how a revocation request (RFC 8555 §7.6) finds the
 * certificate it names.  Nothing else of it is trusted: the caller
 * compares it byte for byte with the one it issued.  1, or 0 if der is not
 * a certificate or its serial does not fit (not logged: untrusted input).
 */
int	 ca_der_serial(const uint8_t *der, size_t len, char serial[41]);
/*
 * 1 if the first certificate of a PEM text certifies pub (their
 * SubjectPublicKeyInfo DER are equal), 0 if not or if it is unreadable.
 */
int	 ca_cert_key_is(const char *pem, gnutls_pubkey_t pub);

#endif
