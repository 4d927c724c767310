/*
 * ident.h - random identifiers for URLs (DESIGN: >= 128 bits, base64url).
 */
#ifndef ACME_IDENT_H
#define ACME_IDENT_H

#define IDENT_BYTES	16
#define IDENT_LEN	22	/* base64url of 16 bytes */

/* Writes a fresh identifier (IDENT_LEN + 1 bytes).  Returns 1, or 0 on failure. */
int	 ident_new(char *out);
/* 1 if s looks like one of ours: IDENT_LEN base64url characters. */
int	 ident_valid(const char *s);

#endif
