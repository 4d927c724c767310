/*
 * b64url.h - base64url without padding (RFC 4648 §5, RFC 7515 §2).
 */
#ifndef ACME_B64URL_H
#define ACME_B64URL_H

#include <stddef.h>
#include <stdint.h>

/* Length of the encoding of n bytes, without the terminating NUL. */
size_t	 b64url_enclen(size_t n);
/* Encodes n bytes into out, which holds b64url_enclen(n) + 1 bytes. */
void	 b64url_encode_buf(const void *in, size_t n, char *out);
/* Returns a malloc'd NUL-terminated encoding, or NULL on allocation failure. */
char	*b64url_encode(const void *in, size_t n);
/*
 * Decodes exactly len characters.  Strict: only the base64url alphabet, no
 * padding, no whitespace, and the unused bits of the last character must be
 * zero, so that every byte string has exactly one accepted encoding.
 * On success returns 1 and a malloc'd buffer (NUL-terminated for
 * convenience, *outlen excludes the NUL) the caller frees; 0 if invalid.
 */
int	 b64url_decode(const char *in, size_t len, uint8_t **out, size_t *outlen);

#endif
