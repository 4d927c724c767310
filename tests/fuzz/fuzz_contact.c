/*
 * fuzz_contact - contact_parse(), the check of a newAccount "contact" array
 * (RFC 8555 §7.3), fed as the handler feeds it: a JSON array, or the
 * "contact" member of a payload object.
 *
 * Properties: the normalised text is a strict JSON array of at most as many
 * distinct "mailto:" strings as came in, and normalising it again changes
 * nothing.  A rejection always has a problem type and detail.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "contact.h"
#include "fuzz.h"
#include "json.h"
#include "problem.h"

/* The largest max_contacts acme-fcgi.conf(5) accepts. */
#define FUZZ_MAX_CONTACTS	32

static void
check_normalised(const char *text, size_t nin)
{
	struct json_object	*arr;
	struct problem		 p;
	const char		*err, *s, *t;
	char			*again = NULL;
	size_t			 i, j, n;

	FUZZ_CHECK((arr = json_parse(text, strlen(text), 2, &err)) != NULL);
	FUZZ_CHECK(json_object_is_type(arr, json_type_array));
	n = json_object_array_length(arr);
	FUZZ_CHECK(n <= nin);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(json_array_string(arr, i, 7 + CONTACT_MAX_LEN, &s));
		FUZZ_CHECK(strncmp(s, "mailto:", 7) == 0);
		for (j = 0; j < i; j++) {
			FUZZ_CHECK(json_array_string(arr, j, 7 + CONTACT_MAX_LEN, &t));
			FUZZ_CHECK(strcmp(s, t) != 0);
		}
	}
	memset(&p, 0, sizeof(p));
	FUZZ_CHECK(contact_parse(arr, FUZZ_MAX_CONTACTS, &again, &p));
	FUZZ_CHECK(strcmp(again, text) == 0);
	free(again);
	json_object_put(arr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*doc, *arr;
	struct problem		 p;
	const char		*err;
	char			*out = NULL;

	if ((doc = json_parse((const char *)data, size, FUZZ_BODY_DEPTH, &err)) == NULL)
		return 0;
	/* 1024: the bound h_new_account.c reads "contact" with. */
	if (json_object_is_type(doc, json_type_array))
		arr = doc;
	else if (!json_object_is_type(doc, json_type_object) ||
	    json_get_array(doc, "contact", 1024, &arr) != JGET_OK)
		goto out;
	memset(&p, 0, sizeof(p));
	if (contact_parse(arr, FUZZ_MAX_CONTACTS, &out, &p)) {
		FUZZ_CHECK(out != NULL);
		check_normalised(out, json_object_array_length(arr));
		free(out);
	} else {
		FUZZ_CHECK(out == NULL);
		FUZZ_CHECK(p.type != PROB_NONE && p.detail[0] != '\0');
	}
	problem_clear(&p);
out:
	json_object_put(doc);
	return 0;
}
