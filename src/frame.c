#include "compat.h"
#include <string.h>

#include "frame.h"

void fdec_init(struct fdec *d, uint64_t max)
{
	memset(d, 0, sizeof *d);
	d->max = max;
}

size_t fdec_feed(struct fdec *d, const unsigned char *p, size_t n,
		 enum fdec_event *ev, const unsigned char **data, size_t *dlen)
{
	size_t k;

	if (d->body) {
		if (d->left == 0) {
			d->body = 0;
			d->hlen = 0;
			*ev = FD_END;
			return 0;
		}
		if (n == 0) {
			*ev = FD_NEED;
			return 0;
		}
		k = n < d->left ? n : d->left;
		d->left -= (uint32_t)k;
		*data = p;
		*dlen = k;
		*ev = FD_DATA;
		return k;
	}
	k = FRAME_HDR - d->hlen;
	if (n < k) {
		memcpy(d->hdr + d->hlen, p, n);
		d->hlen = (unsigned char)(d->hlen + n);
		*ev = FD_NEED;
		return n;
	}
	memcpy(d->hdr + d->hlen, p, k);
	d->hlen = FRAME_HDR;
	d->size = frame_get(d->hdr);
	if (d->size > d->max) {
		*ev = FD_TOOBIG;
		return k;
	}
	d->left = d->size;
	d->body = 1;
	*ev = FD_HEAD;
	return k;
}

size_t fdec_want(const struct fdec *d)
{
	return d->body ? d->left : (size_t)(FRAME_HDR - d->hlen);
}

int fdec_partial(const struct fdec *d)
{
	return d->hlen != 0 && !(d->body && d->left == 0);
}

uint64_t fdec_taken(const struct fdec *d)
{
	return d->body ? FRAME_HDR + (uint64_t)(d->size - d->left) : d->hlen;
}
