/*
 * problem.h - RFC 7807 problem documents with RFC 8555 §6.7 error types.
 */
#ifndef ACME_PROBLEM_H
#define ACME_PROBLEM_H

#include <stddef.h>

#include <json-c/json.h>

enum problem_type {
	PROB_NONE,
	PROB_ACCOUNT_DOES_NOT_EXIST,
	PROB_ALREADY_REPLACED,		/* RFC 9773 */
	PROB_ALREADY_REVOKED,
	PROB_BAD_CSR,
	PROB_BAD_NONCE,
	PROB_BAD_PUBLIC_KEY,
	PROB_BAD_REVOCATION_REASON,
	PROB_BAD_SIGNATURE_ALGORITHM,
	PROB_CAA,
	PROB_COMPOUND,
	PROB_CONNECTION,
	PROB_DNS,
	PROB_EXTERNAL_ACCOUNT_REQUIRED,
	PROB_INCORRECT_RESPONSE,
	PROB_INVALID_CONTACT,
	PROB_MALFORMED,
	PROB_ORDER_NOT_READY,
	PROB_RATE_LIMITED,
	PROB_REJECTED_IDENTIFIER,
	PROB_SERVER_INTERNAL,
	PROB_TLS,
	PROB_UNAUTHORIZED,
	PROB_UNSUPPORTED_CONTACT,
	PROB_UNSUPPORTED_IDENTIFIER,
	PROB_USER_ACTION_REQUIRED,
	PROB__MAX
};

#define PROBLEM_DETAIL_MAX	512
#define PROBLEM_SUB_MAX		100

/* A subproblem about one identifier (RFC 8555 §6.7.1). */
struct subproblem {
	enum problem_type	 type;
	char			*detail;
	char			*id_type;
	char			*id_value;
};

struct problem {
	enum problem_type	 type;		/* PROB_NONE: no problem */
	int			 status;	/* HTTP status */
	char			 detail[PROBLEM_DETAIL_MAX];
	int			 algorithms;	/* add the "algorithms" member */
	struct subproblem	*sub;
	size_t			 nsub;
};

/* "urn:ietf:params:acme:error:<name>". */
const char	*problem_type_urn(enum problem_type t);
/* The short name ("malformed"), or NULL for PROB_NONE and unknown values. */
const char	*problem_type_name(enum problem_type t);
/* Parses a URN or short name back; PROB_NONE if unknown. */
enum problem_type problem_type_parse(const char *s);
int		 problem_type_status(enum problem_type t);

/* Sets type, its default status and the detail; returns 0 for "return problem_set(...)". */
int	 problem_set(struct problem *p, enum problem_type t, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* As problem_set() with an explicit HTTP status (404, 405, 413, 415...). */
int	 problem_set_status(struct problem *p, enum problem_type t, int status,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Appends an identifier subproblem; returns 1, or 0 when full or out of memory. */
int	 problem_add_sub(struct problem *p, enum problem_type t,
	    const char *id_type, const char *id_value, const char *detail);
void	 problem_clear(struct problem *p);
/* New json-c object for the document; NULL on allocation failure. */
struct json_object *problem_to_json(const struct problem *p);

#endif
