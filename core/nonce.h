/*
 * nonce.h - anti-replay nonces (RFC 8555 §6.5).
 *
 * A nonce is a self-authenticating token: expiry time, random bytes and a
 * truncated HMAC under a key kept in the database, so that any worker of any
 * process, before or after a restart, can tell a nonce we issued from one we
 * did not without storing issued nonces.  Single use is enforced by recording
 * each consumed nonce's identifier in the database until it would have
 * expired anyway; storage is bounded by the consumption rate times the
 * lifetime.
 */
#ifndef ACME_NONCE_H
#define ACME_NONCE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define NONCE_KEY_LEN	32
#define NONCE_ID_LEN	16	/* expiry time + random: what is recorded */
#define NONCE_TEXT_LEN	43	/* base64url of 32 bytes */
/* A nonce dated this far in the future (clock steps) is still accepted. */
#define NONCE_SKEW	60

struct nonce_key {
	uint8_t		 key[NONCE_KEY_LEN];
	unsigned	 lifetime;	/* seconds */
};

enum nonce_status {
	NONCE_VALID,
	NONCE_INVALID,		/* not one of ours */
	NONCE_EXPIRED
};

/* Writes a new nonce (NONCE_TEXT_LEN + 1 bytes).  Returns 1, or 0 on failure. */
int	 nonce_make(const struct nonce_key *k, time_t now, char *out);
/*
 * Checks a nonce statelessly.  On NONCE_VALID fills id (NONCE_ID_LEN bytes)
 * and *expires, which the caller records as consumed.
 */
enum nonce_status nonce_check(const struct nonce_key *k, const char *text,
	    time_t now, uint8_t *id, time_t *expires);

#endif
