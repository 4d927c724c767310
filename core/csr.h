/*
 * csr.h - the certificate signing request of a finalize request
 * (RFC 8555 §7.4, RFC 2986) and the checks it must pass before an order
 * may be issued.
 *
 * csr_parse() accepts a CSR when all of these hold, and otherwise returns
 * badCSR, or badPublicKey for the key rules, with a detail that names the
 * offending value (printable ASCII only, non-printable bytes as \xNN):
 *
 *   Encoding   one DER CertificationRequest of 1 to CSR_MAX_BYTES bytes,
 *              with nothing after it.
 *   Key        RSA, ECDSA or Ed25519 of a type key_type_of_pubkey() names
 *              (ec256, ec384, ec521, rsa2048, rsa3072, rsa4096, ed25519);
 *              an EC point on its curve; an RSA modulus and public
 *              exponent that are odd, the exponent at least 3 (CA/B BR
 *              §6.1.6).  Anything else is badPublicKey.
 *   Signature  made with SHA-256, SHA-384 or SHA-512 (or pure Ed25519) and
 *              verifying under the CSR's own key.  SHA-1 and MD5 are refused.
 *   Extensions subjectAltName, keyUsage, extendedKeyUsage and
 *              basicConstraints with CA:FALSE are accepted; the usages are
 *              ignored (the issuing template decides them).  The TLS
 *              feature extension (RFC 7633, OCSP must-staple) is refused:
 *              there is no OCSP responder.  A critical extension of any
 *              other kind is refused, other non-critical ones are ignored;
 *              subjectAltName and basicConstraints appear once.  Attributes
 *              other than the extension request (challengePassword...)
 *              are ignored: nothing of them reaches a certificate.
 *   Names      subjectAltName entries are dNSName or iPAddress (4 or 16
 *              bytes) only.  A dNSName is printable ASCII and passes
 *              ident_parse("dns"): upper case is accepted and lowered, but
 *              a trailing dot, a U-label, an empty value or an IP address
 *              is refused.  No name may be listed twice.  The subject has
 *              no attribute but at most one common name of at most
 *              CA_CN_MAX characters, a DNS name or an IP address in text;
 *              a common name that is not among the subjectAltName entries
 *              is one more name.  There are 1 to CA_LEAF_NAMES_MAX names.
 *
 * What clients send passes: certbot (no subject), lego, uacme and acme.sh
 * (CN = the first name, which for lego and uacme may be an IP address;
 * keyUsage or extendedKeyUsage), unless they are asked for must-staple.
 */
#ifndef ACME_CSR_H
#define ACME_CSR_H

#include <stddef.h>
#include <stdint.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "identifier.h"
#include "key.h"

struct problem;

/*
 * Largest DER CSR: 100 names of 253 characters and an RSA 4096 key take
 * about 27000 bytes.  Its base64url fits the default max_body of 65536.
 */
#define CSR_MAX_BYTES		32768
/* Extensions in one request; real clients send at most five. */
#define CSR_EXTENSIONS_MAX	32

/* A parsed CSR; csr_free() releases everything it holds. */
struct csr {
	gnutls_x509_crq_t	 crq;
	gnutls_pubkey_t		 pub;
	enum key_type		 key_type;	/* never KEY_TYPE_INVALID after csr_parse */
	struct identifier	*names;		/* SAN entries in order, then the CN if it is not among them; normal form */
	size_t			 nnames;
};

/*
 * Parses DER (the finalize "csr" member after base64url decoding) and
 * applies every rule above.  Returns 1 and fills out, or 0 with p set
 * (badCSR or badPublicKey; serverInternal if memory runs out) and out
 * empty, so that csr_free(out) is harmless either way.
 */
int	 csr_parse(const uint8_t *der, size_t len, struct csr *out,
	    struct problem *p);

/*
 * The CSR's names must be exactly the order's identifiers ids[0..n-1], as
 * sets (RFC 8555 §7.4).  Returns 1, or 0 with p = badCSR naming the first
 * identifier the CSR lacks and the first name the order lacks.
 */
int	 csr_check_names(const struct csr *c, const struct identifier *ids,
	    size_t n, struct problem *p);

/*
 * key_types: a template's comma-separated key type names ("ec256,rsa2048").
 * Returns 1 if the CSR's key type is among them, or 0 with p =
 * badPublicKey ("key type rsa2048 is not allowed here; allowed: ec256, ec384").
 */
int	 csr_check_key(const struct csr *c, const char *key_types,
	    struct problem *p);

/*
 * The certificate key must not be the account key (as Let's Encrypt
 * requires): a leaked server key would otherwise control the account.
 * Returns 1 if they differ, or 0 with p = badCSR.
 */
int	 csr_check_account_key(const struct csr *c, gnutls_pubkey_t account,
	    struct problem *p);

void	 csr_free(struct csr *c);

#endif
