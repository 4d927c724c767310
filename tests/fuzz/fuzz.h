/*
 * fuzz.h - what every harness in tests/fuzz/ shares.
 *
 * Each harness defines LLVMFuzzerTestOneInput().  It is linked either with
 * libFuzzer (configure --enable-fuzzing) or with replay.c, which feeds it
 * the committed corpus under make check.  A harness frees all it allocates
 * and turns every broken property into abort(), so that libFuzzer, the
 * sanitizers and the replay all see a violation as a crash.
 */
#ifndef ACME_FUZZ_H
#define ACME_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The default max_json_depth of acme-fcgi.conf(5), as the server parses bodies. */
#define FUZZ_BODY_DEPTH	10

static inline void
fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: property does not hold: %s\n", file, line, what);
	abort();
}

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) \
			fuzz_fail(#cond, __FILE__, __LINE__); \
	} while (0)

#endif
