/*
 * transport.c: SIP transports (RFC 3261 section 18) on the engine's loop,
 * the part common to all: addresses, signaling endpoints, and the
 * dispatch to each transport through its descriptor (struct
 * sip_transport; UDP in udp.c, TCP in tcp.c).
 *
 * Each active row of referdSignalingTable is one endpoint: a UDP socket,
 * or a TCP listener.  transport_sync() binds, rebinds and closes them as
 * snapshots change, and publishes whether each is up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* The transports, by referd_transport value (sip/config.h). */
static const struct sip_transport *const transports[] = {
	[REFERD_TRANSPORT_UDP] = &udp_transport,
	[REFERD_TRANSPORT_TCP] = &tcp_transport,
};

#define N_TRANSPORTS (sizeof(transports) / sizeof(transports[0]))

/* An address from its text (IPv4 or IPv6) and a port; 0 or EINVAL. */
int
addr_from_text(struct addr *a, const char *host, int port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		a->len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		a->len = sizeof(*s6);
		return 0;
	}
	return EINVAL;
}

/* An address's text and port. */
void
addr_to_text(const struct addr *a, char *host, size_t hostlen, int *port)
{
	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)&a->ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, (socklen_t)hostlen);
		*port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const void *)&a->ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, (socklen_t)hostlen);
		*port = ntohs(s4->sin_port);
	}
}

/* Same address and port. */
int
addr_equal(const struct addr *x, const struct addr *y)
{
	return x->len == y->len && memcmp(&x->ss, &y->ss, x->len) == 0;
}

/* The same IP address (the ports aside). */
int
same_host(const struct addr *x, const struct addr *y)
{
	if (x->ss.ss_family != y->ss.ss_family)
		return 0;
	if (x->ss.ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)&x->ss)->sin_addr,
		    &((const struct sockaddr_in *)&y->ss)->sin_addr, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)&x->ss)->sin6_addr,
	    &((const struct sockaddr_in6 *)&y->ss)->sin6_addr, 16) == 0;
}

/*
 * The descriptor of a referd_transport value.  A value without one (none
 * comes from a validated configuration) is taken as UDP.
 */
static const struct sip_transport *
transport_get(int transport)
{
	if (transport > 0 && (size_t)transport < N_TRANSPORTS &&
	    transports[transport] != NULL)
		return transports[transport];
	return &udp_transport;
}

/* The transport's name in logs: "udp", "tcp". */
const char *
transport_name(int transport)
{
	return transport_get(transport)->st_name;
}

/* The transport in a Via header's sent-protocol: "UDP", "TCP". */
const char *
transport_via(int transport)
{
	return transport_get(transport)->st_via;
}

/* A SIP URI's transport= parameter for it: NULL (UDP, none), "tcp". */
const char *
transport_uri_param(int transport)
{
	return transport_get(transport)->st_uri_param;
}

/* Whether it is a reliable stream (messages framed by Content-Length). */
int
transport_reliable(int transport)
{
	return transport_get(transport)->st_reliable;
}

/* ---- endpoints ------------------------------------------------------- */

/*
 * Open an endpoint's socket of `type` for an address like `local`, with
 * the socket option `opt` (SOL_SOCKET) set to val; 0 or an errno value.
 */
int
endpoint_socket(struct endpoint *ep, const struct addr *local, int type,
    int opt, int val)
{
	ep->fd = socket(local->ss.ss_family, type | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (ep->fd < 0)
		return errno;
	setsockopt(ep->fd, SOL_SOCKET, opt, &val, sizeof(val));
	return 0;
}

/*
 * Bind an endpoint's socket (endpoint_socket()) to `local`, listen on it
 * when backlog is not 0, and read it with cb.  0, or an errno value with
 * the socket closed.
 */
int
endpoint_listen(struct engine *e, struct endpoint *ep,
    const struct addr *local, int backlog,
    void (*cb)(struct ev_loop *loop, ev_io *w, int revents))
{
	int rc;

	if (bind(ep->fd, (const struct sockaddr *)&local->ss,
	    local->len) != 0 ||
	    (backlog > 0 && listen(ep->fd, backlog) != 0)) {
		rc = errno;
		close(ep->fd);
		ep->fd = -1;
		return rc;
	}
	ev_io_init(&ep->io, cb, ep->fd, EV_READ);
	ep->io.data = ep;
	ev_io_start(e->loop, &ep->io);
	return 0;
}

/* Stop reading an endpoint's socket and close it, if it is open. */
void
endpoint_stop(struct engine *e, struct endpoint *ep)
{
	if (ep->fd < 0)
		return;
	ev_io_stop(e->loop, &ep->io);
	close(ep->fd);
	ep->fd = -1;
}

/* Close an endpoint's socket and free it. */
static void
endpoint_close(struct engine *e, struct endpoint *ep)
{
	struct endpoint **pp;

	endpoint_stop(e, ep);
	for (pp = &e->endpoints; *pp; pp = &(*pp)->next)
		if (*pp == ep) {
			*pp = ep->next;
			break;
		}
	free(ep);
}

/* Drop a reference; a removed endpoint goes with its last. */
void
endpoint_unref(struct engine *e, struct endpoint *ep)
{
	if (ep == NULL)
		return;
	if (--ep->refs <= 0 && ep->gone)
		endpoint_close(e, ep);
}

/* A call uses the endpoint's socket (and holds the endpoint). */
void
endpoint_hold(struct endpoint *ep)
{
	ep->refs++;
	ep->users++;
}

/*
 * A call is done with the endpoint: a removed endpoint's socket closes
 * with its last call (transactions still holding it only fail to send).
 */
void
endpoint_release(struct engine *e, struct endpoint *ep)
{
	if (ep == NULL)
		return;
	if (--ep->users <= 0 && ep->gone)
		endpoint_stop(e, ep);
	endpoint_unref(e, ep);
}

/*
 * The endpoint a new leg towards `to` over `transport` sends from: a live
 * endpoint of that transport, the one on near's address first, else one
 * of to's address family; else, for a transport that opens connections of
 * its own (TCP: a connection needs no listener), near itself.  NULL when
 * there is none: the gateway's transport decides, never the transport a
 * request came in on.
 */
struct endpoint *
endpoint_for(struct engine *e, int transport, struct endpoint *near,
    const struct addr *to)
{
	struct endpoint *best = NULL;

	for (struct endpoint *ep = e->endpoints; ep; ep = ep->next) {
		int v6 = strchr(ep->row.address, ':') != NULL;

		if (ep->gone || !ep->up || (int)ep->row.transport != transport ||
		    v6 != (to->ss.ss_family == AF_INET6))
			continue;
		if (near != NULL && strcmp(ep->row.address,
		    near->row.address) == 0)
			return ep;
		if (best == NULL)
			best = ep;
	}
	if (best == NULL && transport_get(transport)->st_reachable != NULL)
		best = near;
	return best;
}

/* Two rows that bind the same socket. */
static int
same_binding(const struct referd_sig *x, const struct referd_sig *y)
{
	return x->port == y->port && x->transport == y->transport &&
	    strcmp(x->address, y->address) == 0;
}

/*
 * An endpoint left the configuration (or moved): every transport closes
 * its connections, its own stops reading it, and it is freed once
 * nothing holds it.
 */
static void
endpoint_leave(struct engine *e, struct endpoint *ep)
{
	const struct sip_transport *t = transport_get(ep->row.transport);

	ep->gone = 1;
	for (size_t i = 0; i < N_TRANSPORTS; i++)
		if (transports[i] && transports[i]->st_forget)
			transports[i]->st_forget(e, ep);
	if (ep->up) {
		atomic_store(&e->sig_up[ep->index], 0);
		engine_emit_sig_status(e, ep->index, 0);
		engine_log(e, ENGINE_LOG_NOTICE, "signaling %u: %s:%u "
		    "%s closed", ep->index, ep->row.address, ep->row.port,
		    t->st_name);
	}
	ep->up = 0;
	if (ep->fd >= 0)
		t->st_close(e, ep);
	if (ep->refs <= 0)
		endpoint_close(e, ep);
}

/* Bind an active row that has no endpoint; 0 or ENOMEM. */
static int
endpoint_new(struct engine *e, const struct referd_sig *row)
{
	const struct sip_transport *t = transport_get(row->transport);
	struct endpoint *ep;
	struct addr a;
	int rc;

	/* A closing endpoint may still hold the address: free it. */
	for (ep = e->endpoints; ep; ep = ep->next)
		if (ep->gone && same_binding(&ep->row, row))
			endpoint_stop(e, ep);
	ep = calloc(1, sizeof(*ep));
	if (ep == NULL)
		return ENOMEM;
	ep->index = row->index;
	ep->row = *row;
	ep->engine = e;
	ep->fd = -1;
	ep->next = e->endpoints;
	e->endpoints = ep;
	if ((rc = addr_from_text(&a, row->address, (int)row->port)) == 0)
		rc = t->st_open(e, ep, &a);
	ep->up = rc == 0;
	atomic_store(&e->sig_up[ep->index], ep->up);
	engine_emit_sig_status(e, ep->index, ep->up);
	if (rc)
		engine_log(e, ENGINE_LOG_ERR, "signaling %u: cannot bind "
		    "%s:%u %s: %s", row->index, row->address, row->port,
		    t->st_name, strerror(rc));
	else
		engine_log(e, ENGINE_LOG_NOTICE, "signaling %u: listening "
		    "on %s:%u %s", row->index, row->address, row->port,
		    t->st_name);
	return 0;
}

/*
 * Bind, rebind and close the endpoints for a new configuration; 0, or
 * ENOMEM (the endpoints bound so far stay).
 */
int
transport_sync(struct engine *e, const struct referd_config *cfg)
{
	struct endpoint *ep, *next;
	int rc;

	/* Endpoints no longer active, or rebound elsewhere, go. */
	for (ep = e->endpoints; ep; ep = next) {
		const struct referd_sig *row = referd_config_sig(cfg, ep->index);

		next = ep->next;
		if (ep->gone)
			continue;
		if (row != NULL && row->status == REFERD_RS_ACTIVE &&
		    same_binding(row, &ep->row) && ep->up) {
			ep->row = *row;      /* profile may have changed */
			continue;
		}
		endpoint_leave(e, ep);
	}
	/* Active rows without a live endpoint are bound. */
	for (size_t i = 0; i < cfg->n_sig; i++) {
		const struct referd_sig *row = &cfg->sig[i];

		if (row->status != REFERD_RS_ACTIVE)
			continue;
		for (ep = e->endpoints; ep; ep = ep->next)
			if (!ep->gone && ep->index == row->index)
				break;
		if (ep == NULL && (rc = endpoint_new(e, row)) != 0)
			return rc;
	}
	return 0;
}

/* ---- sending, and the transports' connections ------------------------- */

/* Send one message to `to` from ep over a transport; 0 or an errno value. */
int
transport_send(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *to, const char *buf, size_t len)
{
	if (e->send_hook != NULL)    /* the fuzz harness: see internal.h */
		return e->send_hook(e, ep, transport, to, buf, len);
	return transport_get(transport)->st_send(e, ep, to, buf, len);
}

/*
 * Whether a request to `to` can go over TCP now, connecting if needed
 * (RFC 3261 18.1.1: a large request goes over TCP when the peer takes it).
 */
int
transport_tcp_reachable(struct engine *e, struct endpoint *ep,
    const struct addr *to)
{
	const struct sip_transport *t = transport_get(REFERD_TRANSPORT_TCP);

	if (e->send_hook != NULL)    /* the fuzz harness: see internal.h */
		return e->send_hook(e, ep, REFERD_TRANSPORT_TCP, to, NULL, 0) == 0;
	return t->st_reachable == NULL || t->st_reachable(e, ep, to);
}

/* Free the connections closed during this loop iteration. */
void
transport_reap(struct engine *e)
{
	for (size_t i = 0; i < N_TRANSPORTS; i++)
		if (transports[i] && transports[i]->st_reap)
			transports[i]->st_reap(e);
}

/* Free every connection and endpoint, at shutdown. */
void
transport_close_all(struct engine *e)
{
	for (size_t i = 0; i < N_TRANSPORTS; i++)
		if (transports[i] && transports[i]->st_close_all)
			transports[i]->st_close_all(e);
	while (e->endpoints)
		endpoint_close(e, e->endpoints);
}
