/*
 * key.h - private keys on the client side of JWS: account keys of the
 * upstream ACME client, of the load generator and of the test probe.
 */
#ifndef ACME_KEY_H
#define ACME_KEY_H

#include <stddef.h>
#include <stdint.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <json-c/json.h>

#include "jwk.h"

enum key_type {
	KEY_EC256,
	KEY_EC384,
	KEY_EC521,
	KEY_RSA2048,
	KEY_RSA3072,
	KEY_RSA4096,
	KEY_ED25519,
	KEY_TYPE__MAX,
	KEY_TYPE_INVALID = KEY_TYPE__MAX
};

struct key {
	gnutls_privkey_t	 priv;
	enum key_type		 type;	/* KEY_TYPE_INVALID: an RSA key of another size */
	enum jws_alg		 alg;
};

const char	*key_type_name(enum key_type t);	/* "ec256", ... */
enum key_type	 key_type_parse(const char *s);		/* KEY_TYPE_INVALID if unknown */
/* The key type of a public key, or KEY_TYPE_INVALID if not one we name. */
enum key_type	 key_type_of_pubkey(gnutls_pubkey_t pub);

/* Each returns 1, or 0 with a log line. */
int	 key_generate(struct key *k, enum key_type t);
/*
 * Loads a PEM private key from a file (which key_file_safe() must accept),
 * or a pkcs11: URL.  RSA keys of sizes
 * we do not name load with type KEY_TYPE_INVALID (tests use them to prove
 * the server refuses them); other unnamed keys fail.
 */
int	 key_load(struct key *k, const char *path);
/*
 * Whether the private key file path is safe to load: stat(2), so a symlink
 * is followed and its target is what counts; the file must be a regular
 * file, neither readable nor writable by others (the group is the
 * administrator's business).  A pkcs11: URL is no file and is safe.
 * Returns 1; 0 if unsafe, -1 if stat(2) fails, each with why in err
 * (naming path and the fix, never the key).  key_load() refuses a file
 * this does not return 1 for.
 */
int	 key_file_safe(const char *path, char *err, size_t errlen);
/* Writes PKCS#8 PEM to a new file of mode 0600; fails if path exists. */
int	 key_save(const struct key *k, const char *path);
void	 key_free(struct key *k);

/* The public JWK (RFC 7638 members only); new reference or NULL. */
struct json_object *key_jwk(const struct key *k);
/* JWS signature of data: raw R||S for ECDSA.  *sig is gnutls_free'd. */
int	 key_sign(const struct key *k, const void *data, size_t len,
	    uint8_t **sig, size_t *siglen);
/*
 * A flattened JWS (RFC 7515 §7.2.2) with hdr as protected header ("alg" is
 * added) over payload; payload NULL means POST-as-GET.  Returns a malloc'd
 * JSON string or NULL.
 */
char	*key_jws(const struct key *k, struct json_object *hdr, const char *payload);

#endif
