/*
 * json.h - strict JSON input and typed getters over json-c.
 *
 * Every JSON document from the network goes through json_parse(): RFC 8259
 * syntax only, valid UTF-8, no NUL bytes, bounded depth, no duplicate member
 * names (RFC 7515 §4 lets a JWS parser reject them, and we do, everywhere),
 * no trailing data.  Handlers then read members through the getters below,
 * which check type and length and never hand out raw trees.
 *
 * json-c children returned by getters are borrowed from their parent.
 */
#ifndef ACME_JSON_H
#define ACME_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* Most members an object may have; ACME objects have about ten. */
#define JSON_MAX_MEMBERS	256

/*
 * Parses len bytes.  Returns a new reference, or NULL with *err set to a
 * static string saying what was wrong.
 */
struct json_object *json_parse(const char *buf, size_t len, int max_depth,
	    const char **err);

/* Results of the getters. */
enum jget {
	JGET_OK,	/* present and valid, *out set */
	JGET_ABSENT,	/* member not present (or JSON null where allowed) */
	JGET_BAD	/* present but of the wrong type, too long or with NUL */
};

/* String member of at most maxlen bytes, without embedded NUL. */
enum jget json_get_string(struct json_object *obj, const char *key,
	    size_t maxlen, const char **out);
enum jget json_get_bool(struct json_object *obj, const char *key, int *out);
enum jget json_get_int(struct json_object *obj, const char *key,
	    int64_t min, int64_t max, int64_t *out);
enum jget json_get_object(struct json_object *obj, const char *key,
	    struct json_object **out);
enum jget json_get_array(struct json_object *obj, const char *key,
	    size_t maxlen, struct json_object **out);
/* Element i of an array as a string (same rules as json_get_string). */
int	 json_array_string(struct json_object *arr, size_t i, size_t maxlen,
	    const char **out);

/*
 * Length of the UTF-8 sequence at p, before end (RFC 3629 §4), or 0 if it
 * is not one: no overlong forms, no surrogates, nothing above U+10FFFF.
 */
size_t	 utf8_len(const unsigned char *p, const unsigned char *end);

/* Serialises for output (plain, no slash escaping); the string is owned by obj. */
const char *json_out(struct json_object *obj);
/* The same without white space, for storage. */
const char *json_out_compact(struct json_object *obj);
/* Adds a string member; returns 1, or 0 on allocation failure. */
int	 json_add_string(struct json_object *obj, const char *key, const char *val);

#endif
