/*
 * contact.h - account contact URLs (RFC 8555 §7.3): mailto only.
 */
#ifndef ACME_CONTACT_H
#define ACME_CONTACT_H

#include <json-c/json.h>

struct problem;

/* Longest contact URL accepted. */
#define CONTACT_MAX_LEN	320

/*
 * Validates a "contact" array of at most max entries: each "mailto:" with
 * one address, no hfields ("?"), no percent-encoding.  Other schemes give
 * unsupportedContact, bad addresses invalidContact, too many entries
 * malformed.  Returns 1 with *out a malloc'd JSON array text (normalised:
 * scheme lower-case, duplicates dropped), or 0 with p set.
 */
int	 contact_parse(struct json_object *arr, unsigned max, char **out,
	    struct problem *p);

#endif
