/*
 * ari.c - ACME Renewal Information (RFC 9773): certificate identifiers,
 * renewalInfo objects and the suggested window.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "ari.h"
#include "b64url.h"
#include "json.h"
#include "order.h"

/* Decodes one part of a certID into buf (at most max octets).  1, or 0. */
static int
part_decode(const char *s, size_t len, uint8_t *buf, size_t max, size_t *n)
{
	uint8_t	*d;
	size_t	 dlen;

	if (len == 0 || len > b64url_enclen(max) || !b64url_decode(s, len, &d, &dlen))
		return 0;
	if (dlen == 0 || dlen > max) {
		free(d);
		return 0;
	}
	memcpy(buf, d, dlen);
	*n = dlen;
	free(d);
	return 1;
}

/*
 * The DER content octets of a positive INTEGER (X.690 §8.3.2: no
 * redundant leading octet) of at most 20 value octets (RFC 5280 §4.1.2.2).
 */
static int
serial_ok(const uint8_t *s, size_t n)
{
	size_t i;

	if (n == 0 || (s[0] & 0x80) != 0)
		return 0;
	if (n > 1 && s[0] == 0x00 && (s[1] & 0x80) == 0)
		return 0;
	if (n == ARI_SERIAL_MAX && s[0] != 0x00)
		return 0;
	for (i = 0; i < n && s[i] == 0; i++)
		;
	return i < n;
}

int
ari_certid_parse(const char *s, struct ari_certid *out)
{
	const char	*dot;

	memset(out, 0, sizeof(*out));
	if ((dot = strchr(s, '.')) == NULL || strchr(dot + 1, '.') != NULL ||
	    !part_decode(s, (size_t)(dot - s), out->aki, sizeof(out->aki),
	    &out->aki_len) ||
	    !part_decode(dot + 1, strlen(dot + 1), out->serial, sizeof(out->serial),
	    &out->serial_len) ||
	    !serial_ok(out->serial, out->serial_len)) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	return 1;
}

int
ari_certid_format(const struct ari_certid *id, char *out, size_t size)
{
	size_t a = b64url_enclen(id->aki_len), b = b64url_enclen(id->serial_len);

	if (id->aki_len == 0 || id->aki_len > ARI_AKI_MAX || id->serial_len == 0 ||
	    id->serial_len > ARI_SERIAL_MAX || a + 1 + b + 1 > size)
		return 0;
	b64url_encode_buf(id->aki, id->aki_len, out);
	out[a] = '.';
	b64url_encode_buf(id->serial, id->serial_len, out + a + 1);
	return 1;
}

int
ari_certid_equal(const struct ari_certid *a, const struct ari_certid *b)
{
	return a->aki_len == b->aki_len && a->serial_len == b->serial_len &&
	    memcmp(a->aki, b->aki, a->aki_len) == 0 &&
	    memcmp(a->serial, b->serial, a->serial_len) == 0;
}

void
ari_serial_hex(const struct ari_certid *id, char *out)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i = 0, o = 0;

	/* ca_serial_hex() and ca_upstream_leaf() keep no leading zero octets. */
	while (i + 1 < id->serial_len && id->serial[i] == 0)
		i++;
	for (; i < id->serial_len && o + 2 <= ARI_SERIAL_HEX_MAX; i++) {
		out[o++] = digits[id->serial[i] >> 4];
		out[o++] = digits[id->serial[i] & 0x0f];
	}
	out[o] = '\0';
}

/* RFC 3339 in UTC, as the rest of the server writes times. */
static void
time_text(time_t t, char *out, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, len, "1970-01-01T00:00:00Z");
}

void
ari_window(time_t not_before, time_t not_after, int revoked, time_t now,
    struct ari_info *out)
{
	time_t validity, offset, margin, ideal;

	memset(out, 0, sizeof(*out));
	if (revoked) {
		/* In the past: renew now (Boulder's RenewalInfoImmediate). */
		out->start = now - 3600;
		out->end = out->start + 1800;
	} else {
		/* not_after is inclusive (RFC 5280 §4.1.2.5). */
		validity = not_after - not_before + 1;
		if (validity < 1)
			validity = 1;
		offset = validity < 10 * 86400 ? validity / 2 : validity / 3;
		margin = validity / 100 > 0 ? validity / 100 : 1;
		ideal = not_after - offset;
		out->start = ideal - margin;
		out->end = ideal + margin;
	}
	time_text(out->start, out->start_text, sizeof(out->start_text));
	time_text(out->end, out->end_text, sizeof(out->end_text));
}

/* An RFC 3339 member of w into *t and text.  1, or 0. */
static int
get_time(struct json_object *w, const char *key, time_t *t, char *text)
{
	const char *s;

	if (json_get_string(w, key, ARI_TIME_MAX, &s) != JGET_OK ||
	    !rfc3339_parse(s, t))
		return 0;
	memcpy(text, s, strlen(s) + 1);
	return 1;
}

/* An https:// URL of printable ASCII, as we would relay it. */
static int
explanation_ok(const char *s)
{
	if (strncmp(s, "https://", 8) != 0 || s[8] == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s <= 0x20 || *s >= 0x7f)
			return 0;
	return 1;
}

int
ari_info_parse(struct json_object *o, struct ari_info *out, char *why,
    size_t whylen)
{
	struct json_object	*w;
	const char		*s, *bad = NULL;

	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(o, json_type_object))
		bad = "not a JSON object";
	else if (json_get_object(o, "suggestedWindow", &w) != JGET_OK)
		bad = "\"suggestedWindow\" is missing or not an object";
	else if (!get_time(w, "start", &out->start, out->start_text))
		bad = "\"suggestedWindow.start\" is not an RFC 3339 date-time";
	else if (!get_time(w, "end", &out->end, out->end_text))
		bad = "\"suggestedWindow.end\" is not an RFC 3339 date-time";
	else if (out->end <= out->start)
		/* RFC 9773 §4.2: invalid; treated as no answer at all. */
		bad = "the suggested window ends before it starts";
	else
		switch (json_get_string(o, "explanationURL", ARI_URL_MAX, &s)) {
		case JGET_ABSENT:
			break;
		case JGET_OK:
			if (explanation_ok(s)) {
				memcpy(out->explanation_url, s, strlen(s) + 1);
				break;
			}
			/* FALLTHROUGH */
		default:
			bad = "\"explanationURL\" is not an https:// URL";
		}
	if (bad != NULL) {
		memset(out, 0, sizeof(*out));
		snprintf(why, whylen, "%s", bad);
		return 0;
	}
	return 1;
}

struct json_object *
ari_info_json(const struct ari_info *ri)
{
	struct json_object *o, *w;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if ((w = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "suggestedWindow", w) != 0) {
		json_object_put(w);
		json_object_put(o);
		return NULL;
	}
	if (!json_add_string(w, "start", ri->start_text) ||
	    !json_add_string(w, "end", ri->end_text) ||
	    (ri->explanation_url[0] != '\0' &&
	    !json_add_string(o, "explanationURL", ri->explanation_url))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
ari_retry_clamp(int64_t retry_after)
{
	if (retry_after < 0)
		return ARI_RETRY_AFTER;
	if (retry_after < ARI_RETRY_MIN)
		return ARI_RETRY_MIN;
	if (retry_after > ARI_RETRY_MAX)
		return ARI_RETRY_MAX;
	return (int)retry_after;
}
