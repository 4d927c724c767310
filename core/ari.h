/*
 * ari.h - ACME Renewal Information (RFC 9773): the certificate identifier
 * of a renewalInfo URL, the renewalInfo object, and the window this CA
 * suggests for a certificate.
 *
 * Nothing here reads a certificate (ca_ari_certid() in ca.h does) or talks
 * to a network (acme_client_renewal_info() in acme_client.h does).
 */
#ifndef ACME_ARI_H
#define ACME_ARI_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct json_object;

/* The AKI keyIdentifier bytes we accept: 20 in practice (SHA-1, RFC 7093). */
#define ARI_AKI_MAX		64
/*
 * The serial number's DER content octets: a positive INTEGER of at most
 * 20 octets (RFC 5280 §4.1.2.2), plus the zero octet that keeps a leading
 * 1 bit positive.
 */
#define ARI_SERIAL_MAX		21
/* Longest certID: base64url of both parts and the period. */
#define ARI_CERTID_MAX		(86 + 1 + 28)
/* A serial as the database stores it: lower-case hex, no leading zeros. */
#define ARI_SERIAL_HEX_MAX	40
#define ARI_TIME_MAX		64	/* an RFC 3339 date-time, as text */
#define ARI_URL_MAX		1024	/* explanationURL */

/*
 * Retry-After, in seconds (RFC 9773 §4.3): for the certificates our CAs
 * issue, as Boulder does; for an upstream's certificate when the upstream
 * could not be asked; and the range an upstream's own value is clamped to
 * (§4.3.2 suggests clients treat values outside it as its ends).
 */
#define ARI_RETRY_AFTER		21600
#define ARI_RETRY_FALLBACK	3600
#define ARI_RETRY_MIN		60
#define ARI_RETRY_MAX		86400

/* RFC 9773 §4.1: a certificate, named by its issuer's key and its serial. */
struct ari_certid {
	uint8_t		 aki[ARI_AKI_MAX];	/* AKI keyIdentifier */
	size_t		 aki_len;
	uint8_t		 serial[ARI_SERIAL_MAX];	/* DER content octets */
	size_t		 serial_len;
};

/*
 * Parses "base64url(keyIdentifier).base64url(serial)" strictly: exactly
 * one period, both parts non-empty unpadded canonical base64url, 1 to
 * ARI_AKI_MAX key identifier octets, and a serial that is the minimal DER
 * encoding of a positive INTEGER of at most 20 value octets.  1, or 0.
 */
int	 ari_certid_parse(const char *s, struct ari_certid *out);
/* The certID text into out (at least ARI_CERTID_MAX + 1 bytes).  1, or 0. */
int	 ari_certid_format(const struct ari_certid *id, char *out, size_t size);
/* 1 if both name the same certificate: same key identifier, same serial. */
int	 ari_certid_equal(const struct ari_certid *a, const struct ari_certid *b);
/* The serial of id as the database stores it (ARI_SERIAL_HEX_MAX + 1 bytes). */
void	 ari_serial_hex(const struct ari_certid *id, char *out);

/* A renewalInfo object (RFC 9773 §4.2). */
struct ari_info {
	time_t		 start;		/* suggestedWindow, start < end */
	time_t		 end;
	char		 start_text[ARI_TIME_MAX + 1];	/* as the issuer wrote them */
	char		 end_text[ARI_TIME_MAX + 1];
	char		 explanation_url[ARI_URL_MAX + 1];	/* "" if none */
};

/*
 * The window for a certificate valid from not_before to not_after
 * (inclusive) as of now, by Boulder's rule: centred on the point where a
 * third of the validity is left (half of it below ten days), 1% of the
 * validity (at least a second) either side.  A revoked certificate gets a
 * window that ended in the past (now - 1 h to now - 30 min), which tells
 * clients to renew at once (§4.2).  An expired one keeps its window, in the
 * past too.
 */
void	 ari_window(time_t not_before, time_t not_after, int revoked, time_t now,
	    struct ari_info *out);
/*
 * Reads a renewalInfo object strictly: "suggestedWindow" an object whose
 * "start" and "end" are RFC 3339 date-times with start before end, and
 * "explanationURL", if present, an https:// URL of at most ARI_URL_MAX
 * printable characters.  Unknown members are ignored.  1, or 0 with why.
 */
int	 ari_info_parse(struct json_object *o, struct ari_info *out, char *why,
	    size_t whylen);
/* The renewalInfo object of ri: a new reference, or NULL if memory ran out. */
struct json_object *ari_info_json(const struct ari_info *ri);
/*
 * The time an upstream's answer is kept: its Retry-After (seconds, -1 if
 * it sent none or a bad one: ARI_RETRY_AFTER) within
 * [ARI_RETRY_MIN, ARI_RETRY_MAX].
 */
int	 ari_retry_clamp(int64_t retry_after);

#endif
