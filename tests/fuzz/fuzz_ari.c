/*
 * fuzz_ari - what renewal information reads from the network: a certID in
 * a request path (ari_certid_parse()) and an upstream's renewalInfo object
 * (ari_info_parse()).
 *
 * Properties (ari.h): an accepted certID has a key identifier and a serial
 * within their bounds, the serial a positive minimal INTEGER whose stored
 * form is hex of at most 40 digits, and it is written back exactly as it
 * came (one accepted spelling per certificate); an accepted renewalInfo
 * object has a window that ends after it starts and, if any, an https://
 * explanationURL, and is written back so that it reads the same.
 */
#include "autoconfig.h"

#include <string.h>

#include <json-c/json.h>

#include "ari.h"
#include "fuzz.h"
#include "json.h"

#define FUZZ_INPUT_MAX	4096

static void
certid(const char *s)
{
	struct ari_certid	id, again;
	char			text[ARI_CERTID_MAX + 1], hex[ARI_SERIAL_HEX_MAX + 1];

	if (!ari_certid_parse(s, &id))
		return;
	FUZZ_CHECK(id.aki_len >= 1 && id.aki_len <= ARI_AKI_MAX);
	FUZZ_CHECK(id.serial_len >= 1 && id.serial_len <= ARI_SERIAL_MAX);
	FUZZ_CHECK((id.serial[0] & 0x80) == 0);
	FUZZ_CHECK(id.serial_len == 1 || id.serial[0] != 0 || (id.serial[1] & 0x80));
	ari_serial_hex(&id, hex);
	FUZZ_CHECK(strlen(hex) >= 2 && strlen(hex) <= ARI_SERIAL_HEX_MAX &&
	    strspn(hex, "0123456789abcdef") == strlen(hex));
	FUZZ_CHECK(ari_certid_format(&id, text, sizeof(text)));
	FUZZ_CHECK(strcmp(text, s) == 0);
	FUZZ_CHECK(ari_certid_parse(text, &again) && ari_certid_equal(&id, &again));
}

static void
info(const char *s, size_t len)
{
	struct json_object	*o, *back;
	struct ari_info		 ri, again;
	const char		*err;
	char			 why[128];

	if ((o = json_parse(s, len, FUZZ_BODY_DEPTH, &err)) == NULL)
		return;
	if (ari_info_parse(o, &ri, why, sizeof(why))) {
		FUZZ_CHECK(ri.start < ri.end);
		FUZZ_CHECK(ri.explanation_url[0] == '\0' ||
		    strncmp(ri.explanation_url, "https://", 8) == 0);
		FUZZ_CHECK((back = ari_info_json(&ri)) != NULL);
		FUZZ_CHECK(ari_info_parse(back, &again, why, sizeof(why)));
		FUZZ_CHECK(memcmp(&ri, &again, sizeof(ri)) == 0);
		json_object_put(back);
	} else
		FUZZ_CHECK(why[0] != '\0' && ri.start == 0 && ri.start_text[0] == '\0');
	json_object_put(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[FUZZ_INPUT_MAX + 1];

	if (size > FUZZ_INPUT_MAX)
		size = FUZZ_INPUT_MAX;
	memcpy(s, data, size);
	s[size] = '\0';
	certid(s);
	info(s, size);
	return 0;
}
