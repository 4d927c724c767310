/*
 * order.h - ACME orders (RFC 8555 §7.1.3, §7.4): the newOrder request as a
 * typed struct, and the order and authorization state machine (§7.1.6).
 */
#ifndef ACME_ORDER_H
#define ACME_ORDER_H

#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "db.h"
#include "identifier.h"

struct problem;

/* Identifiers an order may have, whatever the configuration says. */
#define ORDER_IDENTIFIERS_MAX	100
/* Seconds a client is asked to wait before it polls a processing order. */
#define ORDER_RETRY_AFTER	3

struct order_req {
	struct identifier	*ids;		/* normal form, in request order */
	size_t			 nids;
	time_t			 not_before;	/* 0: not asked */
	time_t			 not_after;	/* 0: not asked */
};

/*
 * Parses a newOrder payload: "identifiers" (1 to max objects of "type" and
 * "value", each normalised by ident_parse(); distinct after normalisation)
 * and optional "notBefore" and "notAfter" (RFC 3339).  Unknown members are
 * ignored (RFC 8555 §7.4 has none, extensions may).  Returns 1, or 0 with
 * p set: malformed for the shape, the count, duplicates and the dates;
 * for identifiers that can never be issued one subproblem each under a
 * rejectedIdentifier (unsupportedIdentifier if every one is of an
 * unsupported type).
 */
int	 order_req_parse(struct json_object *payload, size_t max,
	    struct order_req *out, struct problem *p);
void	 order_req_free(struct order_req *r);

/*
 * The identifiers of a stored order (the JSON array order_ids_json wrote).
 * Returns a calloc'd array of *n, or NULL.
 */
struct identifier *order_ids_parse(const char *json, size_t *n);
/* The identifiers as a JSON array of {"type", "value"}: new reference or NULL. */
struct json_object *order_ids_json(const struct identifier *ids, size_t n);

/*
 * RFC 3339 date-time ("2026-01-02T03:04:05Z", fraction and offset
 * allowed) to Unix time; fractions are truncated.  Returns 1, or 0.
 */
int	 rfc3339_parse(const char *s, time_t *out);

/*
 * The status of an order as of now (RFC 8555 §7.1.6): a pending or ready
 * order past its expiry is invalid; every other status is what was stored.
 */
enum order_status order_status_at(enum order_status stored, time_t expires,
	    time_t now);
/* The same for an authorization: pending or valid past expiry is expired. */
enum authz_status authz_status_at(enum authz_status stored, time_t expires,
	    time_t now);
/*
 * The order status that its authorizations imply for a pending order:
 * ready when all are valid, invalid when one is invalid, deactivated,
 * expired or revoked, else pending.
 */
enum order_status order_status_from_authzs(const enum authz_status *s, size_t n);

#endif
