/*
 * buf.h - a growable byte buffer, always NUL-terminated.
 */
#ifndef ACME_BUF_H
#define ACME_BUF_H

#include <stddef.h>

struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 oom;	/* an append failed; the content is incomplete */
};

void	 buf_append(struct buf *b, const void *data, size_t n);
void	 buf_puts(struct buf *b, const char *s);
void	 buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_reset(struct buf *b);	/* empties, keeps the memory */
void	 buf_free(struct buf *b);

#endif
