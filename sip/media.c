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

/*
 * Is a datagram from src on this stream's socket to be relayed?  Only from
 * the party.  A packet from exactly the address its SDP gave locks the
 * stream there for good; until one comes, the first source latches it
 * (symmetric RTP, for a party behind NAT, whose SDP names an address
 * packets never come from), and only the signalled address can take it
 * from that source.  Anything else is dropped (and counted), so nobody
 * can take a stream over, or inject into it, once its party has sent.
 * A re-INVITE that really moves the party unlocks it.
 */
static int
from_party(struct media *m, const struct addr *src, int rtcp)
{
	enum latch *latched = rtcp ? &m->latched_rtcp : &m->latched;
	struct addr *remote = rtcp ? &m->remote_rtcp : &m->remote_rtp;
	int signalled = addr_equal(src,
	    rtcp ? &m->signalled_rtcp : &m->signalled);

	if (*latched == LATCH_SIGNALLED ||
	    (*latched == LATCH_LEARNED && !signalled))
		return addr_equal(src, remote);
	if (*latched == LATCH_LEARNED && !addr_equal(src, remote)) {
		char host[INET6_ADDRSTRLEN];
		int port;

		addr_to_text(remote, host, sizeof(host), &port);
		engine_log(m->engine, ENGINE_LOG_NOTICE, "call %u: media port "
		    "%u taken back from %s:%d by the address its party "
		    "signalled", m->leg->call->index,
		    (unsigned)(m->port + (rtcp ? 1 : 0)), host, port);
	}
	*remote = *src;
	*latched = signalled ? LATCH_SIGNALLED : LATCH_LEARNED;
	if (!rtcp) {
		m->have_remote = 1;
		if (m->mux) {
			m->remote_rtcp = *src;
			m->latched_rtcp = *latched;
		}
	}
	return 1;
}

/*
 * May the receiving stream's party get this packet?  RTP only with a
 * payload type it negotiated; RTCP (its own socket, or multiplexed: RFC
 * 5761 packet types 192..223) always.
 */
static int
type_allowed(const struct media *out, const unsigned char *pkt, ssize_t n,
    int rtcp)
{
	if (rtcp || !out->filter)
		return 1;
	if (n < 2 || (pkt[0] >> 6) != 2)
		return 0;
	/* RTCP multiplexed (RFC 5761 4), reduced-size ones too (RFC 5506:
	 * 8 bytes may be a whole packet) */
	if (pkt[1] >= 192 && pkt[1] <= 223)
		return n >= 8;
	return n >= 12 && pt_has(&out->allow, pkt[1] & 0x7f);
}

/*
 * Send a relayed datagram from fd to `to`: 0 when it went.  The fuzz
 * harness's send_hook (internal.h) takes it instead, with no endpoint.
 */
static int
media_send(struct engine *e, int fd, const unsigned char *buf, size_t n,
    const struct addr *to)
{
	if (e->send_hook != NULL)
		return e->send_hook(e, NULL, REFERD_TRANSPORT_UDP, to,
		    (const char *)buf, n);
	return sendto(fd, buf, n, 0, (const struct sockaddr *)&to->ss,
	    to->len) == (ssize_t)n ? 0 : errno;
}

/*
 * Relay the datagrams waiting on one socket of a stream to its peer.  The
 * drops of the batch are counted once, on the stream's leg's profile
 * (referdSgpRtpDropped).
 */
static void
relay(struct media *m, int rtcp)
{
	unsigned char buf[RTP_MAX];
	struct addr src;
	int fd = rtcp ? m->rtcp_fd : m->rtp_fd;
	unsigned dropped = 0;

	for (int i = 0; i < 64; i++) {
		ssize_t n;
		struct media *out = m->peer;
		const struct addr *to;

		src.len = sizeof(src.ss);
		n = recvfrom(fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&src.ss, &src.len);
		if (n < 0)
			break;
		if (!from_party(m, &src, rtcp) || (out != NULL &&
		    !type_allowed(out, buf, n, rtcp))) {
			dropped++;
			continue;
		}
		if (out == NULL || !out->have_remote)
			continue;
		/* A party that multiplexes gets RTCP on its RTP port. */
		to = rtcp && !out->mux ? &out->remote_rtcp : &out->remote_rtp;
		if (media_send(m->engine, rtcp && !out->mux ? out->rtcp_fd :
		    out->rtp_fd, buf, (size_t)n, to) == 0 && !rtcp)
			out->packets++;
	}
	if (dropped > 0) {
		m->dropped += dropped;
		engine_count_add(m->engine, m->leg->sgp, REFERD_CTR_RTP_DROPPED,
		    dropped);
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
media_open(struct engine *e, struct media *m, struct leg *leg)
{
	const struct referd_config *cfg = e->current;
	const struct endpoint *ep = leg->ep;

	memset(m, 0, sizeof(*m));
	m->rtp_fd = m->rtcp_fd = -1;
	m->engine = e;
	m->leg = leg;
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

/*
 * Where a stream's party says it receives RTP (its SDP): an address the
 * stream already had keeps its latched source; a new one unlocks it.
 */
void
media_set_remote(struct media *m, const struct addr *rtp, int mux)
{
	m->mux = mux;
	if (m->have_remote && addr_equal(&m->signalled, rtp))
		return;
	m->signalled = *rtp;
	m->remote_rtp = *rtp;
	m->remote_rtcp = *rtp;
	if (!mux && rtp->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&m->remote_rtcp.ss)->sin_port =
		    htons(ntohs(((const struct sockaddr_in *)&rtp->ss)->sin_port) + 1);
	else if (!mux)
		((struct sockaddr_in6 *)&m->remote_rtcp.ss)->sin6_port =
		    htons(ntohs(((const struct sockaddr_in6 *)&rtp->ss)->sin6_port) + 1);
	m->signalled_rtcp = m->remote_rtcp;
	m->latched = m->latched_rtcp = LATCH_NONE;
	m->have_remote = 1;
}

/* Mark the pair of a live stream as used in a new pool. */
static void
mark_used(struct engine *e, const struct referd_config *cfg, const struct media *m)
{
	if (m->rtp_fd < 0 || m->port < cfg->rtp_port_min ||
	    m->port + 1u > cfg->rtp_port_max)
		return;
	e->port_used[(m->port - cfg->rtp_port_min) / 2] = 1;
}

/* A new port range: the pairs live calls hold are marked used in it. */
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
	for (struct call *c = e->calls_head; c; c = c->next)
		for (struct leg *l = &c->a; l; l = l == &c->a ? &c->b :
		    l == &c->b ? &c->x : NULL)
			for (int k = 0; k < SDP_MEDIA_MAX; k++) {
				const struct media *m = leg_stream(l, k);

				if (m != NULL)
					mark_used(e, cfg, m);
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

/* Stream i of a leg (0 is always there), or NULL when it has none. */
struct media *
leg_stream(struct leg *leg, int i)
{
	if (i == 0)
		return &leg->media;
	if (i < 0 || i >= SDP_MEDIA_MAX || leg->more == NULL ||
	    i >= leg->nstreams)
		return NULL;
	return &leg->more[i - 1];
}

/*
 * Open a leg's streams 0..n-1 (n at most SDP_MEDIA_MAX), each with its own
 * port pair; the extra streams' memory is taken once, at its full size,
 * so that no relay pointer to them ever moves.  0, or an errno value (the
 * streams opened so far stay).
 */
int
leg_streams_open(struct engine *e, struct leg *leg, int n)
{
	int rc;

	if (n > SDP_MEDIA_MAX)
		n = SDP_MEDIA_MAX;
	if (leg->nstreams == 0) {
		if ((rc = media_open(e, &leg->media, leg)) != 0)
			return rc;
		leg->nstreams = 1;
	}
	if (n > 1 && leg->more == NULL) {
		leg->more = calloc(SDP_MEDIA_MAX - 1, sizeof(*leg->more));
		if (leg->more == NULL)
			return ENOMEM;
		for (int k = 0; k < SDP_MEDIA_MAX - 1; k++)
			leg->more[k].rtp_fd = leg->more[k].rtcp_fd = -1;
	}
	while (leg->nstreams < n) {
		if ((rc = media_open(e, &leg->more[leg->nstreams - 1],
		    leg)) != 0)
			return rc;
		leg->nstreams++;
	}
	if (leg->partner != NULL)
		media_bridge(leg, leg->partner);
	return 0;
}

/* Close every stream of a leg. */
void
leg_streams_close(struct engine *e, struct leg *leg)
{
	media_close(e, &leg->media);
	for (int k = 1; k < leg->nstreams && leg->more != NULL; k++)
		media_close(e, &leg->more[k - 1]);
	free(leg->more);
	leg->more = NULL;
	leg->nstreams = 0;
}

/*
 * Connect two legs: each stream's packets are relayed to the other leg's
 * stream of the same index, and each leg is the other's partner (where
 * its BYE goes).  The one operation a call, a transfer, Replaces and an
 * attended transfer use to say who talks to whom.
 */
void
media_bridge(struct leg *x, struct leg *y)
{
	for (int k = 0; k < SDP_MEDIA_MAX; k++) {
		struct media *mx = leg_stream(x, k), *my = leg_stream(y, k);

		if (mx != NULL)
			mx->peer = my;
		if (my != NULL)
			my->peer = mx;
	}
	x->partner = y;
	y->partner = x;
}

/* Take a leg out of its bridge: nobody's media reaches it any more. */
void
media_unbridge(struct leg *leg)
{
	for (int k = 0; k < SDP_MEDIA_MAX; k++) {
		struct media *m = leg_stream(leg, k);

		if (m != NULL)
			m->peer = NULL;
	}
	leg->partner = NULL;
}

/* One leg's copy of a body, written with the leg's ports and origin. */
static char *
leg_write(struct leg *leg, const char *sdp, const char *direction,
    const struct pt_set *keep, unsigned version)
{
	int ports[SDP_MEDIA_MAX];
	char origin[32];
	struct sdp_write w = {
		.addr = ep_host(leg), .origin_user = "referd",
		.origin_id = origin, .version = version,
		.nports = SDP_MEDIA_MAX, .ports = ports, .keep = keep,
		.direction = direction,
	};

	/* The session id is the leg's own: the call and which leg it is. */
	snprintf(origin, sizeof(origin), "%u%c", leg->call->index,
	    leg == &leg->call->a ? '1' : leg == &leg->call->b ? '2' : '3');
	for (int k = 0; k < SDP_MEDIA_MAX; k++) {
		const struct media *m = leg_stream(leg, k);

		ports[k] = m != NULL && m->rtp_fd >= 0 ? m->port : 0;
	}
	return sdp_write(sdp, &w);
}

/*
 * The SDP to send a leg: sdp (the other side's) with this leg's address,
 * ports and origin, only the payload types in keep (per stream; NULL:
 * all), and direction if given.  The leg's streams are opened as the body
 * needs (a stream that cannot be is refused with port 0).  The origin's
 * version goes up by one only when the body differs from the last one
 * the leg was sent (RFC 3264 8).  Kept as the leg's local SDP; the caller
 * frees the copy it gets.
 */
char *
leg_sdp(struct leg *leg, const char *sdp, const char *direction,
    const struct pt_set *keep)
{
	struct engine *e = leg->call->a.media.engine;
	struct sdp s;
	char *out;

	if (sdp == NULL || sdp_parse(sdp, &s) != 0)
		return NULL;
	if (e != NULL && s.n > leg->nstreams)
		leg_streams_open(e, leg, s.n);
	if (leg->sdp_version == 0)
		leg->sdp_version = 1;
	out = leg_write(leg, sdp, direction, keep, leg->sdp_version);
	if (out != NULL && leg->local_sdp != NULL &&
	    strcmp(out, leg->local_sdp) != 0) {
		free(out);
		out = leg_write(leg, sdp, direction, keep, ++leg->sdp_version);
	}
	if (out == NULL)
		return NULL;
	free(leg->local_sdp);
	leg->local_sdp = strdup(out);
	leg_negotiate(leg);
	return out;
}

/* Point each stream of a leg at the address its peer's SDP gives. */
int
leg_learn_media(struct leg *leg, const char *sdp)
{
	struct engine *e = leg->call->a.media.engine;
	struct sdp s;

	if (sdp == NULL || sdp_parse(sdp, &s) != 0)
		return EINVAL;
	if (e != NULL && s.n > leg->nstreams)
		leg_streams_open(e, leg, s.n);
	for (int k = 0; k < s.n; k++) {
		struct media *m = leg_stream(leg, k);
		struct addr a;

		if (m == NULL)
			break;
		if (s.m[k].port > 0 &&
		    addr_from_text(&a, s.m[k].addr, s.m[k].port) == 0)
			media_set_remote(m, &a, s.m[k].rtcp_mux);
		else
			m->have_remote = 0;       /* a stream taken away */
	}
	return s.m[0].port > 0 ? 0 : EINVAL;
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
	leg_negotiate(leg);
	return 0;
}

/*
 * The payload types a leg's party negotiated, per stream: those of its own
 * SDP whose codec is also in the last SDP referd sent it.  A stream that
 * is not RTP, or has no such type, or one side not yet known, allows all
 * (its bits all set).
 */
void
leg_allowed(struct leg *leg, struct pt_set allow[SDP_MEDIA_MAX])
{
	struct sdp mine, ours;
	int have = leg->remote_sdp != NULL && leg->local_sdp != NULL &&
	    sdp_parse(leg->remote_sdp, &mine) == 0 &&
	    sdp_parse(leg->local_sdp, &ours) == 0;

	for (int k = 0; k < SDP_MEDIA_MAX; k++) {
		struct pt_set *a = &allow[k];
		int any = 0;

		memset(a, 0, sizeof(*a));
		if (have && k < mine.n && k < ours.n && mine.m[k].rtp &&
		    ours.m[k].rtp)
			for (int i = 0; i < mine.m[k].nfmt; i++)
				if (sdp_has_codec(&ours.m[k], NULL,
				    mine.m[k].codec[i])) {
					pt_add(a, mine.m[k].fmt[i]);
					any = 1;
				}
		if (!any)
			memset(a, 0xff, sizeof(*a));
	}
}

/* Each stream of a leg relays to its party only what it negotiated. */
void
leg_negotiate(struct leg *leg)
{
	struct pt_set allow[SDP_MEDIA_MAX];

	leg_allowed(leg, allow);
	for (int k = 0; k < SDP_MEDIA_MAX; k++) {
		struct media *m = leg_stream(leg, k);

		if (m == NULL)
			continue;
		m->allow = allow[k];
		m->filter = allow[k].bits[0] != 0xffffffffu ||
		    allow[k].bits[3] != 0xffffffffu;
	}
}
