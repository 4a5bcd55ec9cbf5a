/*
 * udp.c: SIP over UDP (RFC 3261 section 18): an endpoint is one socket,
 * which receives every datagram sent to it and sends every message of the
 * calls that use it.
 */
#include <errno.h>

#include "internal.h"

/* Hand the datagrams waiting on an endpoint (64 at most) to the stack. */
static void
on_udp(struct ev_loop *loop, ev_io *w, int revents)
{
	struct endpoint *ep = w->data;
	static char buf[SIP_MAX + 1];

	for (int i = 0; i < 64; i++) {
		struct addr src;
		ssize_t n;

		src.len = sizeof(src.ss);
		n = recvfrom(ep->fd, buf, SIP_MAX, MSG_TRUNC,
		    (struct sockaddr *)&src.ss, &src.len);
		if (n < 0)
			return;
		if (n > SIP_MAX || n == 0)
			continue;    /* too large for any SIP message: drop */
		buf[n] = '\0';
		stack_receive(ep->engine, ep, REFERD_TRANSPORT_UDP, &src, buf,
		    (size_t)n);
	}
}

/* Bind an endpoint's socket, with a receive buffer for bursts (4 MiB). */
static int
udp_open(struct engine *e, struct endpoint *ep, const struct addr *local)
{
	int rc = endpoint_socket(ep, local, SOCK_DGRAM, SO_RCVBUF,
	    4 * 1024 * 1024);

	return rc ? rc : endpoint_listen(e, ep, local, 0, on_udp);
}

/* One datagram from the endpoint's socket. */
static int
udp_send(struct engine *e, struct endpoint *ep, const struct addr *to,
    const char *buf, size_t len)
{
	if (ep == NULL || ep->fd < 0)
		return ENOTCONN;
	if (sendto(ep->fd, buf, len, 0, (const struct sockaddr *)&to->ss,
	    to->len) < 0)
		return errno;
	return 0;
}

/*
 * The endpoint left the configuration: nothing new is read from it, and
 * its socket stays open while calls in progress still send from it
 * (endpoint_release() closes it with the last).
 */
static void
udp_close(struct engine *e, struct endpoint *ep)
{
	if (ep->users > 0)
		ev_io_stop(e->loop, &ep->io);
	else
		endpoint_stop(e, ep);
}

/* SIP over UDP, in the table of transport.c. */
const struct sip_transport udp_transport = {
	.st_name = "udp",
	.st_uri_param = NULL,
	.st_via = "UDP",
	.st_reliable = 0,
	.st_open = udp_open,
	.st_send = udp_send,
	.st_close = udp_close,
};
