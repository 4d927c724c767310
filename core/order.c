#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "order.h"
#include "problem.h"

/* A DNS identifier's value is at most 253 characters; JSON text a bit more. */
#define ID_VALUE_MAX	(IDENT_MAX + 8)
#define DATE_MAX	64

static int
parse_date(struct json_object *payload, const char *key, time_t *out,
    struct problem *p)
{
	const char *s;

	switch (json_get_string(payload, key, DATE_MAX, &s)) {
	case JGET_ABSENT:
		*out = 0;
		return 1;
	case JGET_OK:
		if (rfc3339_parse(s, out) && *out > 0)
			return 1;
		/* FALLTHROUGH */
	default:
		return problem_set(p, PROB_MALFORMED,
		    "\"%s\" is not an RFC 3339 date-time", key);
	}
}

/* One element of "identifiers"; 1, or 0 with p set (or a subproblem added). */
static int
parse_one(struct json_object *arr, size_t i, struct identifier *id,
    struct problem *p, struct problem *sub)
{
	struct json_object	*o = json_object_array_get_idx(arr, i);
	const char		*type, *value;

	if (!json_object_is_type(o, json_type_object))
		return problem_set(p, PROB_MALFORMED,
		    "identifiers[%zu] is not an object", i);
	if (json_get_string(o, "type", 16, &type) != JGET_OK)
		return problem_set(p, PROB_MALFORMED,
		    "identifiers[%zu].type is missing or not a short string", i);
	if (json_get_string(o, "value", ID_VALUE_MAX, &value) != JGET_OK)
		return problem_set(p, PROB_MALFORMED,
		    "identifiers[%zu].value is missing or not a string of at most %d bytes",
		    i, ID_VALUE_MAX);
	memset(sub, 0, sizeof(*sub));
	if (ident_parse(type, value, id, sub))
		return 1;
	if (sub->type == PROB_MALFORMED) {
		problem_set(p, PROB_MALFORMED, "identifiers[%zu]: %s", i, sub->detail);
		problem_clear(sub);
		return 0;
	}
	/* Rejected for its value: reported with the others, below. */
	id->type = strcmp(type, "ip") == 0 ? IDENT_IP : IDENT_DNS;
	return -1;
}

int
order_req_parse(struct json_object *payload, size_t max, struct order_req *out,
    struct problem *p)
{
	struct json_object	*arr, *o;
	struct problem		 sub;
	const char		*type, *value;
	size_t			 n, i, j, rejected = 0, unsupported = 0;
	int			 rc;

	memset(out, 0, sizeof(*out));
	if (max > ORDER_IDENTIFIERS_MAX)
		max = ORDER_IDENTIFIERS_MAX;
	if (json_get_array(payload, "identifiers", max, &arr) != JGET_OK) {
		if (json_get_array(payload, "identifiers", (size_t)-1, &arr) == JGET_OK)
			return problem_set(p, PROB_MALFORMED,
			    "an order may have at most %zu identifiers", max);
		return problem_set(p, PROB_MALFORMED,
		    "\"identifiers\" is missing or not an array");
	}
	if ((n = json_object_array_length(arr)) == 0)
		return problem_set(p, PROB_MALFORMED, "\"identifiers\" is empty");
	if (!parse_date(payload, "notBefore", &out->not_before, p) ||
	    !parse_date(payload, "notAfter", &out->not_after, p))
		return 0;
	if (out->not_before != 0 && out->not_after != 0 &&
	    out->not_after <= out->not_before)
		return problem_set(p, PROB_MALFORMED,
		    "\"notAfter\" is not after \"notBefore\"");
	if ((out->ids = calloc(n, sizeof(*out->ids))) == NULL)
		return problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
	for (i = 0; i < n; i++) {
		if ((rc = parse_one(arr, i, &out->ids[i], p, &sub)) == 0)
			goto fail;
		if (rc > 0)
			continue;
		/* The request's own text, since there is no normal form. */
		o = json_object_array_get_idx(arr, i);
		json_get_string(o, "type", 16, &type);
		json_get_string(o, "value", ID_VALUE_MAX, &value);
		unsupported += sub.type == PROB_UNSUPPORTED_IDENTIFIER;
		rejected++;
		if (!problem_add_sub(p, sub.type, type, value, sub.detail)) {
			problem_clear(&sub);
			problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
			goto fail;
		}
		problem_clear(&sub);
	}
	if (rejected > 0) {
		problem_set(p, rejected == unsupported ? PROB_UNSUPPORTED_IDENTIFIER :
		    PROB_REJECTED_IDENTIFIER, "%zu of %zu identifier%s cannot be "
		    "issued (see subproblems)", rejected, n, n == 1 ? "" : "s");
		goto fail;
	}
	for (i = 1; i < n; i++)
		for (j = 0; j < i; j++)
			if (out->ids[i].type == out->ids[j].type &&
			    strcmp(out->ids[i].value, out->ids[j].value) == 0) {
				problem_set(p, PROB_MALFORMED,
				    "identifier %s \"%s\" is listed twice",
				    ident_type_name(out->ids[i].type), out->ids[i].value);
				goto fail;
			}
	out->nids = n;
	return 1;
fail:
	order_req_free(out);
	return 0;
}

void
order_req_free(struct order_req *r)
{
	free(r->ids);
	memset(r, 0, sizeof(*r));
}

struct json_object *
order_ids_json(const struct identifier *ids, size_t n)
{
	struct json_object *arr, *o;

	if ((arr = json_object_new_array_ext((int)n)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if ((o = json_object_new_object()) == NULL ||
		    json_object_array_add(arr, o) != 0 ||
		    !json_add_string(o, "type", ident_type_name(ids[i].type)) ||
		    !json_add_string(o, "value", ids[i].value)) {
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

struct identifier *
order_ids_parse(const char *text, size_t *n)
{
	struct json_object	*arr, *wrap;
	struct order_req	 req;
	struct problem		 p;
	const char		*err;
	int			 ok = 0;

	*n = 0;
	memset(&p, 0, sizeof(p));
	if ((arr = json_parse(text, strlen(text), 4, &err)) == NULL)
		return NULL;
	/* The stored array is what a request would carry: parse it as one. */
	if ((wrap = json_object_new_object()) != NULL) {
		json_object_object_add(wrap, "identifiers", arr);
		ok = order_req_parse(wrap, ORDER_IDENTIFIERS_MAX, &req, &p);
		json_object_put(wrap);
	} else
		json_object_put(arr);
	problem_clear(&p);
	if (!ok)
		return NULL;
	*n = req.nids;
	return req.ids;
}

int
rfc3339_parse(const char *s, time_t *out)
{
	struct tm	tm;
	int		y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0, len = 0;
	const char	*p;
	time_t		t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &len) != 3 || len != 10 ||
	    (s[10] != 'T' && s[10] != 't') ||
	    sscanf(s + 11, "%2d:%2d:%2d%n", &h, &mi, &sec, &len) != 3 || len != 8)
		return 0;
	for (p = s; p < s + 19; p++)
		if (p - s != 4 && p - s != 7 && p - s != 10 && p - s != 13 &&
		    p - s != 16 && (*p < '0' || *p > '9'))
			return 0;
	p = s + 19;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return 0;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &len) != 2 || len != 5 ||
		    p[1] < '0' || p[1] > '9' || p[4] < '0' || p[4] > '9' ||
		    oh > 23 || om > 59)
			return 0;
		p += 6;
	} else
		return 0;
	if (*p != '\0' || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 60)
		return 0;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec == 60 ? 59 : sec;	/* a leap second: its previous */
	if ((t = timegm(&tm)) == (time_t)-1)
		return 0;
	/* timegm() normalises 31 February into March: refuse it instead. */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return 0;
	*out = t - sign * (oh * 3600 + om * 60);
	return 1;
}

enum order_status
order_status_at(enum order_status stored, time_t expires, time_t now)
{
	if ((stored == ORDER_PENDING || stored == ORDER_READY) && now >= expires)
		return ORDER_INVALID;
	return stored;
}

enum authz_status
authz_status_at(enum authz_status stored, time_t expires, time_t now)
{
	if ((stored == AUTHZ_PENDING || stored == AUTHZ_VALID) && now >= expires)
		return AUTHZ_EXPIRED;
	return stored;
}

enum order_status
order_status_from_authzs(const enum authz_status *s, size_t n)
{
	size_t valid = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == AUTHZ_VALID)
			valid++;
		else if (s[i] != AUTHZ_PENDING)
			return ORDER_INVALID;
	}
	return n > 0 && valid == n ? ORDER_READY : ORDER_PENDING;
}
