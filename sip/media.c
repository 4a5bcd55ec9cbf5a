/*
 * media.c: anchored media.  Each leg has an RTP/RTCP port pair from the
 * configured range, bound on the leg's signaling address.  A packet that
 * arrives on one leg's socket goes out of the other leg's socket to the
 * address that leg's SDP gave (updated to where packets really come from,
 * for peers behind NAT).  A transfer re-points the relay with
 * media_bridge(); the survivor's own socket, and so its SDP, never
 * changes.  A leg's side of the SDP (leg_sdp, leg_learn_media) is here
 * too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define RTP_MAX 2048

/* Relay one datagram from fd to the peer leg's remote. */
static void
relay(struct media *m, int rtcp)
{
	char buf[RTP_MAX];
	struct addr src;
	int fd = rtcp ? m->rtcp_fd : m->rtp_fd;

	for (int i = 0; i < 64; i++) {
		ssize_t n;
		struct media *out = m->peer;

		src.len = sizeof(src.ss);
		n = recvfrom(fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&src.ss, &src.len);
		if (n < 0)
			return;
		/*
		 * Latch once to where the peer really sends from (a peer behind
		 * NAT); later packets from elsewhere cannot take the stream over.
		 */
		if (rtcp && !m->latched_rtcp) {
			m->remote_rtcp = src;
			m->latched_rtcp = 1;
		} else if (!rtcp && !m->latched) {
			m->remote_rtp = src;
			m->latched = 1;
			m->have_remote = 1;
		}
		if (out == NULL || !out->have_remote)
			continue;
		if (sendto(rtcp ? out->rtcp_fd : out->rtp_fd, buf, (size_t)n, 0,
		    (struct sockaddr *)(rtcp ? &out->remote_rtcp.ss :
		    &out->remote_rtp.ss), rtcp ? out->remote_rtcp.len :
		    out->remote_rtp.len) == n && !rtcp)
			out->packets++;
	}
}

static void
on_rtp(struct ev_loop *loop, ev_io *w, int revents)
{
	relay(w->data, 0);
}

static void
on_rtcp(struct ev_loop *loop, ev_io *w, int revents)
{
	relay(w->data, 1);
}

/* A non-blocking UDP socket bound to host:port; -errno on failure. */
static int
bind_udp(const char *host, int port)
{
	struct addr a;
	int fd, one = 1;

	if (addr_from_text(&a, host, port) != 0)
		return -EINVAL;
	fd = socket(a.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	(void)one;
	if (bind(fd, (struct sockaddr *)&a.ss, a.len) != 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

int
media_open(struct engine *e, struct media *m, const struct endpoint *ep)
{
	const struct referd_config *cfg = e->current;

	memset(m, 0, sizeof(*m));
	m->rtp_fd = m->rtcp_fd = -1;
	m->engine = e;
	for (uint32_t tries = 0; tries < e->port_pairs; tries++) {
		uint32_t pair = e->port_next;
		int port;

		e->port_next = (e->port_next + 1) % e->port_pairs;
		if (e->port_used[pair])
			continue;
		port = (int)(cfg->rtp_port_min + 2 * pair);
		m->rtp_fd = bind_udp(ep->row.address, port);
		if (m->rtp_fd >= 0 &&
		    (m->rtcp_fd = bind_udp(ep->row.address, port + 1)) < 0) {
			int err = m->rtcp_fd;

			close(m->rtp_fd);
			m->rtp_fd = err;
		}
		if (m->rtp_fd < 0) {
			int err = -m->rtp_fd;

			m->rtp_fd = m->rtcp_fd = -1;
			/* Only a port in use is worth trying the next pair for:
			 * out of descriptors or memory, every pair fails alike. */
			if (err == EADDRINUSE || err == EACCES)
				continue;
			engine_log(e, ENGINE_LOG_WARNING, "media port pair: %s",
			    strerror(err));
			return err;
		}
		e->port_used[pair] = 1;
		m->port = (uint16_t)port;
		ev_io_init(&m->rtp_io, on_rtp, m->rtp_fd, EV_READ);
		ev_io_init(&m->rtcp_io, on_rtcp, m->rtcp_fd, EV_READ);
		m->rtp_io.data = m;
		m->rtcp_io.data = m;
		ev_io_start(e->loop, &m->rtp_io);
		ev_io_start(e->loop, &m->rtcp_io);
		return 0;
	}
	engine_log(e, ENGINE_LOG_WARNING, "no free media port pair in %u-%u",
	    cfg->rtp_port_min, cfg->rtp_port_max);
	return EADDRINUSE;
}

void
media_close(struct engine *e, struct media *m)
{
	const struct referd_config *cfg = e->current;

	if (m->rtp_fd < 0 && m->rtcp_fd < 0)
		return;
	ev_io_stop(e->loop, &m->rtp_io);
	ev_io_stop(e->loop, &m->rtcp_io);
	if (m->rtp_fd >= 0)
		close(m->rtp_fd);
	if (m->rtcp_fd >= 0)
		close(m->rtcp_fd);
	m->rtp_fd = m->rtcp_fd = -1;
	if (m->peer != NULL && m->peer->peer == m)
		m->peer->peer = NULL;
	m->peer = NULL;
	if (cfg != NULL && m->port >= cfg->rtp_port_min &&
	    m->port + 1u <= cfg->rtp_port_max) {
		uint32_t pair = (m->port - cfg->rtp_port_min) / 2;

		if (pair < e->port_pairs)
			e->port_used[pair] = 0;
	}
	m->port = 0;
}

void
media_set_remote(struct media *m, const struct addr *rtp)
{
	m->remote_rtp = *rtp;
	m->remote_rtcp = *rtp;
	if (rtp->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&m->remote_rtcp.ss)->sin_port =
		    htons(ntohs(((const struct sockaddr_in *)&rtp->ss)->sin_port) + 1);
	else
		((struct sockaddr_in6 *)&m->remote_rtcp.ss)->sin6_port =
		    htons(ntohs(((const struct sockaddr_in6 *)&rtp->ss)->sin6_port) + 1);
	m->have_remote = 1;
}

/* Mark the pair of a live leg's media as used in a new pool. */
static void
mark_used(struct engine *e, const struct referd_config *cfg, const struct media *m)
{
	if (m->rtp_fd < 0 || m->port < cfg->rtp_port_min ||
	    m->port + 1u > cfg->rtp_port_max)
		return;
	e->port_used[(m->port - cfg->rtp_port_min) / 2] = 1;
}

int
media_pool_sync(struct engine *e, const struct referd_config *cfg)
{
	uint32_t pairs = (cfg->rtp_port_max - cfg->rtp_port_min + 1) / 2;
	uint8_t *used;

	if (e->current != NULL && e->port_used != NULL &&
	    e->current->rtp_port_min == cfg->rtp_port_min &&
	    e->current->rtp_port_max == cfg->rtp_port_max)
		return 0;
	used = calloc(pairs ? pairs : 1, 1);
	if (used == NULL)
		return ENOMEM;
	free(e->port_used);
	e->port_used = used;
	e->port_pairs = pairs;
	e->port_next = 0;
	for (struct call *c = e->calls_head; c; c = c->next) {
		mark_used(e, cfg, &c->a.media);
		mark_used(e, cfg, &c->b.media);
	}
	return 0;
}

void
media_pool_free(struct engine *e)
{
	free(e->port_used);
	e->port_used = NULL;
	e->port_pairs = 0;
}

/*
 * Connect two legs: each one's media is relayed to the other, and each is
 * the other's partner (where its BYE goes).  The one operation a call, a
 * transfer and Replaces use to say who talks to whom.
 */
void
media_bridge(struct leg *x, struct leg *y)
{
	x->media.peer = &y->media;
	y->media.peer = &x->media;
	x->partner = y;
	y->partner = x;
}

/* Take a leg out of its bridge: nobody's media reaches it any more. */
void
media_unbridge(struct leg *leg)
{
	leg->media.peer = NULL;
	leg->partner = NULL;
}

/* SDP for a leg: the other side's SDP with this leg's address and port. */
char *
leg_sdp(struct leg *leg, const char *sdp, const char *direction)
{
	char origin[32];

	snprintf(origin, sizeof(origin), "%u", leg->call->index);
	return sdp_rewrite(sdp, ep_host(leg), leg->media.port, origin,
	    ++leg->sdp_version, direction);
}

/* Point a leg's media at the address in its peer's SDP. */
int
leg_learn_media(struct leg *leg, const char *sdp)
{
	char host[INET6_ADDRSTRLEN + 1];
	int port;
	struct addr a;

	if (sdp == NULL || sdp_get_media(sdp, host, sizeof(host), &port) != 0 ||
	    addr_from_text(&a, host, port) != 0)
		return EINVAL;
	media_set_remote(&leg->media, &a);
	return 0;
}

/* Keep a peer's SDP as the leg's last one (relayed onwards later). */
int
leg_keep_sdp(struct leg *leg, const char *sdp)
{
	char *copy = strdup(sdp);

	if (copy == NULL)
		return ENOMEM;
	free(leg->remote_sdp);
	leg->remote_sdp = copy;
	return 0;
}
