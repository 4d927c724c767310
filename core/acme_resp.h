/*
 * acme_resp.h - reading what an ACME server answers, for the client
 * (acme_client.c): header fields (RFC 9110, RFC 8288 Link, Retry-After) and
 * problem documents (RFC 7807, RFC 8555 §6.7).  Nothing here trusts the
 * server: every value is bounded and checked before it is used.
 */
#ifndef ACME_RESP_H
#define ACME_RESP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "acme_client.h"
#include "problem.h"

/* Longest problem "type" URI we read. */
#define ACME_PROBLEM_TYPE_MAX	256

/*
 * Copies server text into dst (size bytes) for a problem detail or a log
 * line: whole, valid UTF-8 sequences only (RFC 3629: no overlong forms,
 * surrogates or code points above U+10FFFF), cut short where dst is full;
 * C0 and C1 controls, DEL and bytes that are not UTF-8 become '?'.
 */
void	 acme_text_copy(char *dst, size_t size, const char *src);

/* 1 if s is a URL we may request and sign: 1..ACME_URL_MAX printable, no space. */
int	 acme_url_ok(const char *s);

/*
 * ref (len bytes) resolved against the URL base (RFC 3986 §5).  An
 * absolute reference is kept byte for byte: it must reach the server as it
 * wrote it.  Returns a malloc'd URL that passes acme_url_ok(), or NULL.
 */
char	*acme_url_resolve(const char *base, const char *ref, size_t len);

/*
 * The idx-th (from 0) header field called name (any case), its value
 * trimmed of white space: *val points into r->headers, *len is its length
 * (it may hold any byte).  0 if there is none.
 */
int	 acme_resp_header(const struct acme_http_resp *r, const char *name,
	    size_t idx, const char **val, size_t *len);
/*
 * The first value of header name as 1..max printable ASCII characters into
 * out (max + 1 bytes).  1 if so, 0 if absent, -1 if it is not such a value.
 */
int	 acme_resp_header_text(const struct acme_http_resp *r, const char *name,
	    char *out, size_t max);
/*
 * Appends to out the targets of the Link fields of r (RFC 8288 §3) whose
 * "rel" includes rel (any case), resolved against base, until out has max.
 * What is not a link-value ends the reading of its field; a target that is
 * no usable URL is skipped.  Returns 1, or 0 if memory ran out.
 */
int	 acme_resp_links(const struct acme_http_resp *r, const char *base,
	    const char *rel, struct acme_strlist *out, size_t max);

/*
 * Retry-After (RFC 9110 §10.2.3): delta-seconds or an HTTP-date (IMF-fixdate,
 * RFC 850 or asctime form, §5.6.7) as seconds from now; a date in the past
 * is 0, a longer delay saturates at INT32_MAX.  -1 if the value is neither.
 */
int64_t	 acme_retry_after_parse(const char *value, time_t now);

/* The type of an "urn:ietf:params:acme:error:" URN; PROB_NONE for any other. */
enum problem_type acme_problem_type(const char *urn);
/*
 * A problem document into p.  status is the HTTP status it came with, or 0
 * for one inside an object (then its own "status", or the type's).  A type
 * that is not an ACME error becomes serverInternal with the type in front
 * of the detail.  Read leniently, since it reports trouble: a member of the
 * wrong type is left out rather than losing the rest; at most
 * PROBLEM_SUB_MAX subproblems are kept.
 */
void	 acme_problem_parse(struct json_object *o, int status, struct problem *p);

#endif
