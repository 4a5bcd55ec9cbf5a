/*
 * transport.c: SIP over UDP and TCP (RFC 3261 section 18) on the engine's
 * loop.
 *
 * Each active row of referdSignalingTable is one endpoint: a UDP socket,
 * or a TCP listener.  transport_sync() binds, rebinds and closes them as
 * snapshots change, and publishes whether each is up.  TCP connections
 * (accepted, or opened towards a tcp gateway) are framed by
 * Content-Length; a message larger than 64 KiB closes the connection.
 * Messages are handed to stack_receive() with their source address.
 *
 * TCP never blocks the engine: connections are opened with a
 * non-blocking connect() and what cannot be written at once waits in the
 * connection's output buffer (at most TCP_OUT_MAX; a peer that lets it
 * grow beyond is disconnected).  At most TCP_MAX_CONNS connections exist
 * at once (more are refused at accept), and one without a byte in either
 * direction for TCP_IDLE seconds is closed (calls are not affected while
 * the dialog keepalive, every 120 s by default, uses them).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

#define SIP_MAX      65536
#define TCP_OUT_MAX  (1024 * 1024)
#define TCP_MAX_CONNS 4096
#define TCP_IDLE     600.

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

/* ---- UDP ------------------------------------------------------------ */

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

/* ---- TCP ------------------------------------------------------------ */

static void conn_kill(struct engine *e, struct tcpconn *c);

/* The length of the first complete message in buf, 0 if incomplete, -1 bad. */
static ssize_t
frame_length(const char *buf, size_t len)
{
	const char *end = NULL, *p;
	size_t head, body = 0;

	/* Keep-alive CRLFs between messages (RFC 5626) are skipped. */
	for (size_t i = 0; i + 3 < len; i++)
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
			end = buf + i;
			break;
		}
	if (end == NULL)
		return len > SIP_MAX ? -1 : 0;
	head = (size_t)(end - buf) + 4;
	for (p = buf; p < end; ) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);

		if ((n > 14 && strncasecmp(p, "Content-Length", 14) == 0) ||
		    (n > 1 && (p[0] == 'l' || p[0] == 'L') &&
		    strspn(p + 1, " \t") < n - 1 && p[1 + strspn(p + 1, " \t")] == ':')) {
			const char *colon = memchr(p, ':', n);
			long v;

			if (colon == NULL)
				return -1;
			v = strtol(colon + 1, NULL, 10);
			if (v < 0 || v > SIP_MAX)
				return -1;
			body = (size_t)v;
		}
		p += n + 1;
	}
	if (head + body > SIP_MAX)
		return -1;
	return head + body <= len ? (ssize_t)(head + body) : 0;
}

/* Watch for EV_WRITE only while something waits to be written. */
static void
conn_watch(struct engine *e, struct tcpconn *c)
{
	int want = EV_READ | (c->connecting || c->out_len ? EV_WRITE : 0);

	if ((c->io.events & (EV_READ | EV_WRITE)) == want)
		return;
	ev_io_stop(e->loop, &c->io);
	ev_io_set(&c->io, c->fd, want);
	ev_io_start(e->loop, &c->io);
}

/*
 * Write buf until the socket takes no more; *done is how much it took.
 * 0, or an errno value after killing the connection.
 */
static int
conn_write(struct engine *e, struct tcpconn *c, const char *buf, size_t len,
    size_t *done)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(c->fd, buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			int err = errno;

			conn_kill(e, c);
			return err;
		}
		off += (size_t)n;
		c->last_used = ev_now(e->loop);
	}
	*done = off;
	return 0;
}

/* Write what waits; 0, or an errno value after killing the connection. */
static int
conn_flush(struct engine *e, struct tcpconn *c)
{
	size_t off;
	int rc = conn_write(e, c, c->out, c->out_len, &off);

	if (rc != 0)
		return rc;
	memmove(c->out, c->out + off, c->out_len - off);
	c->out_len -= off;
	conn_watch(e, c);
	return 0;
}

/* Queue bytes behind what waits; 0, or an errno value. */
static int
conn_queue(struct engine *e, struct tcpconn *c, const char *buf, size_t len)
{
	if (c->out_len + len > TCP_OUT_MAX) {
		engine_log(e, ENGINE_LOG_WARNING, "tcp: peer not reading (%zu "
		    "bytes waiting): connection closed", c->out_len);
		conn_kill(e, c);
		return EAGAIN;
	}
	if (c->out_len + len > c->out_cap) {
		size_t nc = c->out_cap ? c->out_cap : 8192;
		char *nb;

		while (nc < c->out_len + len)
			nc *= 2;
		if ((nb = realloc(c->out, nc)) == NULL) {
			conn_kill(e, c);
			return ENOMEM;
		}
		c->out = nb;
		c->out_cap = nc;
	}
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
	return 0;
}

static void
on_conn(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tcpconn *c = w->data;
	struct engine *e = c->engine;

	(void)loop;
	if (revents & EV_WRITE) {
		if (c->connecting) {
			int err = 0;
			socklen_t l = sizeof(err);

			if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) != 0 ||
			    err != 0) {
				engine_log(e, ENGINE_LOG_WARNING, "tcp: connect "
				    "failed: %s", strerror(err ? err : errno));
				conn_kill(e, c);
				stack_transport_failed(e, &c->peer);
				return;
			}
			c->connecting = 0;
		}
		if (conn_flush(e, c) != 0) {
			stack_transport_failed(e, &c->peer);
			return;
		}
	}
	if (!(revents & EV_READ))
		return;
	if (c->cap - c->len < 4096) {
		size_t nc = c->cap ? c->cap * 2 : 8192;
		char *nb;

		if (nc > 2 * SIP_MAX + 8192)
			nc = 2 * SIP_MAX + 8192;
		nb = nc > c->cap ? realloc(c->buf, nc + 1) : NULL;
		if (nb == NULL) {
			conn_kill(e, c);
			return;
		}
		c->buf = nb;
		c->cap = nc;
	}
	{
		ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_kill(e, c);
			return;
		}
		if (n < 0)
			return;
		c->len += (size_t)n;
		c->last_used = ev_now(e->loop);
	}
	for (;;) {
		ssize_t m;
		size_t skip = 0;

		while (skip < c->len && (c->buf[skip] == '\r' ||
		    c->buf[skip] == '\n'))
			skip++;
		if (skip) {
			memmove(c->buf, c->buf + skip, c->len - skip);
			c->len -= skip;
		}
		m = frame_length(c->buf, c->len);
		if (m < 0) {
			engine_log(e, ENGINE_LOG_WARNING, "tcp: message over "
			    "64 KiB or unframed: connection closed");
			conn_kill(e, c);
			return;
		}
		if (m == 0)
			return;
		{
			char save = c->buf[m];

			c->buf[m] = '\0';
			stack_receive(e, c->ep, REFERD_TRANSPORT_TCP, &c->peer,
			    c->buf, (size_t)m);
			if (c->dead)
				return;    /* closed while answering: reaped later */
			c->buf[m] = save;
		}
		memmove(c->buf, c->buf + m, c->len - (size_t)m);
		c->len -= (size_t)m;
	}
}

/* Every TCP_IDLE/10 s: close the connections idle for TCP_IDLE. */
static void
on_conn_sweep(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct engine *e = w->data;
	ev_tstamp now = ev_now(loop);

	(void)revents;
	for (struct tcpconn *c = e->conns; c; c = c->next)
		if (!c->dead && now - c->last_used > TCP_IDLE) {
			engine_log(e, ENGINE_LOG_INFO, "tcp: connection idle "
			    "for %.0f s: closed", TCP_IDLE);
			conn_kill(e, c);
		}
	if (e->conns == NULL)
		ev_timer_stop(loop, w);
}

/* Track a connected socket. */
static struct tcpconn *
conn_add(struct engine *e, struct endpoint *ep, int fd, const struct addr *peer)
{
	struct tcpconn *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		close(fd);
		return NULL;
	}
	c->fd = fd;
	c->peer = *peer;
	c->ep = ep;
	if (ep != NULL)
		ep->refs++;
	c->engine = e;
	c->last_used = ev_now(e->loop);
	ev_io_init(&c->io, on_conn, fd, EV_READ);
	c->io.data = c;
	ev_io_start(e->loop, &c->io);
	c->next = e->conns;
	e->conns = c;
	e->n_conns++;
	if (!ev_is_active(&e->conn_sweep)) {
		ev_timer_init(&e->conn_sweep, on_conn_sweep, TCP_IDLE / 10.,
		    TCP_IDLE / 10.);
		e->conn_sweep.data = e;
		ev_timer_start(e->loop, &e->conn_sweep);
	}
	return c;
}

static void
conn_free(struct engine *e, struct tcpconn *c)
{
	struct tcpconn **pp;

	for (pp = &e->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	ev_io_stop(e->loop, &c->io);
	if (c->fd >= 0)
		close(c->fd);
	endpoint_unref(e, c->ep);
	free(c->buf);
	free(c->out);
	free(c);
	e->n_conns--;
}

/*
 * Close a connection now but free it at the end of the loop iteration:
 * it may be the one whose read callback is on the stack.
 */
static void
conn_kill(struct engine *e, struct tcpconn *c)
{
	if (c->dead)
		return;
	c->dead = 1;
	ev_io_stop(e->loop, &c->io);
	close(c->fd);
	c->fd = -1;
}

/* Free the connections closed during this iteration. */
void
transport_reap(struct engine *e)
{
	struct tcpconn *c, *next;

	for (c = e->conns; c; c = next) {
		next = c->next;
		if (c->dead)
			conn_free(e, c);
	}
}

static void
on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	struct endpoint *ep = w->data;

	for (int i = 0; i < 16; i++) {
		struct addr peer;
		int fd;

		peer.len = sizeof(peer.ss);
		fd = accept4(ep->fd, (struct sockaddr *)&peer.ss, &peer.len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (ep->engine->n_conns >= TCP_MAX_CONNS) {
			static ev_tstamp logged;

			close(fd);
			if (ev_now(loop) - logged >= 10.) {
				logged = ev_now(loop);
				engine_log(ep->engine, ENGINE_LOG_WARNING, "tcp: %d "
				    "connections open: new ones refused",
				    TCP_MAX_CONNS);
			}
			continue;
		}
		conn_add(ep->engine, ep, fd, &peer);
	}
}

/*
 * An open (or opening) connection to `to`, connecting if needed without
 * blocking: NULL when the connect failed at once (refused; on loopback
 * that is known at once) or no connection may be opened.
 */
static struct tcpconn *
conn_get(struct engine *e, struct endpoint *ep, const struct addr *to)
{
	struct tcpconn *c;
	int fd, connecting = 0;

	for (c = e->conns; c; c = c->next)
		if (!c->dead && addr_equal(&c->peer, to))
			return c;
	if (e->n_conns >= TCP_MAX_CONNS)
		return NULL;
	fd = socket(to->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (const struct sockaddr *)&to->ss, to->len) != 0) {
		if (errno != EINPROGRESS) {
			close(fd);
			return NULL;
		}
		connecting = 1;
	}
	if ((c = conn_add(e, ep, fd, to)) != NULL && connecting) {
		c->connecting = 1;
		conn_watch(e, c);
	}
	return c;
}

int
transport_tcp_reachable(struct engine *e, struct endpoint *ep,
    const struct addr *to)
{
	struct tcpconn *c;

	if (e->send_hook != NULL)    /* the fuzz harness: see internal.h */
		return e->send_hook(e, ep, REFERD_TRANSPORT_TCP, to, NULL, 0) == 0;
	/*
	 * Reachable: a connection is up (or came up at once).  One still
	 * connecting is not waited for: this request goes over UDP (RFC 3261
	 * 18.1.1 allows it), the next one finds the connection up, or none
	 * if the peer refused it.
	 */
	c = conn_get(e, ep, to);
	return c != NULL && !c->connecting;
}

int
transport_send(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *to, const char *buf, size_t len)
{
	if (e->send_hook != NULL)    /* the fuzz harness: see internal.h */
		return e->send_hook(e, ep, transport, to, buf, len);
	if (transport == REFERD_TRANSPORT_TCP) {
		struct tcpconn *c = conn_get(e, ep, to);
		size_t off = 0;
		int rc;

		if (c == NULL)
			return ECONNREFUSED;
		/* Straight to the socket when nothing waits before it; what it
		 * does not take (or all, while connecting) waits in order. */
		if (!c->connecting && c->out_len == 0 &&
		    (rc = conn_write(e, c, buf, len, &off)) != 0)
			return rc;
		if (off < len && (rc = conn_queue(e, c, buf + off, len - off)) != 0)
			return rc;
		conn_watch(e, c);
		return 0;
	}
	if (ep == NULL || ep->fd < 0)
		return ENOTCONN;
	if (sendto(ep->fd, buf, len, 0, (const struct sockaddr *)&to->ss,
	    to->len) < 0)
		return errno;
	return 0;
}

/* ---- endpoints ------------------------------------------------------- */

/* Bind an endpoint's socket; 0 or an errno value. */
static int
endpoint_bind(struct engine *e, struct endpoint *ep)
{
	struct addr a;
	int tcp = ep->row.transport == REFERD_TRANSPORT_TCP, one = 1, rc;

	if ((rc = addr_from_text(&a, ep->row.address, (int)ep->row.port)))
		return rc;
	ep->fd = socket(a.ss.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ep->fd < 0)
		return errno;
	if (tcp)
		setsockopt(ep->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	else {
		int sz = 4 * 1024 * 1024;

		setsockopt(ep->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	if (bind(ep->fd, (struct sockaddr *)&a.ss, a.len) != 0 ||
	    (tcp && listen(ep->fd, 128) != 0)) {
		rc = errno;
		close(ep->fd);
		ep->fd = -1;
		return rc;
	}
	ev_io_init(&ep->io, tcp ? on_accept : on_udp, ep->fd, EV_READ);
	ep->io.data = ep;
	ev_io_start(e->loop, &ep->io);
	return 0;
}

/* Stop listening; the socket stays open while calls still use it (UDP). */
static void
endpoint_close(struct engine *e, struct endpoint *ep)
{
	struct endpoint **pp;

	if (ep->fd >= 0) {
		ev_io_stop(e->loop, &ep->io);
		close(ep->fd);
		ep->fd = -1;
	}
	for (pp = &e->endpoints; *pp; pp = &(*pp)->next)
		if (*pp == ep) {
			*pp = ep->next;
			break;
		}
	free(ep);
}

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
	if (--ep->users <= 0 && ep->gone && ep->fd >= 0) {
		ev_io_stop(e->loop, &ep->io);
		close(ep->fd);
		ep->fd = -1;
	}
	endpoint_unref(e, ep);
}

/* Two rows that bind the same socket. */
static int
same_binding(const struct referd_sig *x, const struct referd_sig *y)
{
	return x->port == y->port && x->transport == y->transport &&
	    strcmp(x->address, y->address) == 0;
}

int
transport_sync(struct engine *e, const struct referd_config *cfg)
{
	struct endpoint *ep, *next;

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
		ep->gone = 1;
		for (struct tcpconn *c = e->conns; c; c = c->next)
			if (c->ep == ep)
				conn_kill(e, c);
		if (ep->up) {
			atomic_store(&e->sig_up[ep->index], 0);
			engine_emit_sig_status(e, ep->index, 0);
			engine_log(e, ENGINE_LOG_NOTICE, "signaling %u: %s:%u "
			    "%s closed", ep->index, ep->row.address,
			    ep->row.port, ep->row.transport ==
			    REFERD_TRANSPORT_TCP ? "tcp" : "udp");
		}
		ep->up = 0;
		if (ep->fd >= 0) {
			/* Stop reading: nothing new arrives on it. */
			ev_io_stop(e->loop, &ep->io);
			/* UDP calls in progress keep sending from it. */
			if (ep->users <= 0 ||
			    ep->row.transport == REFERD_TRANSPORT_TCP) {
				close(ep->fd);
				ep->fd = -1;
			}
		}
		if (ep->refs <= 0) {
			endpoint_close(e, ep);
			continue;
		}
	}
	/* Active rows without a live endpoint are bound. */
	for (size_t i = 0; i < cfg->n_sig; i++) {
		const struct referd_sig *row = &cfg->sig[i];
		int rc;

		if (row->status != REFERD_RS_ACTIVE)
			continue;
		for (ep = e->endpoints; ep; ep = ep->next)
			if (!ep->gone && ep->index == row->index)
				break;
		if (ep != NULL)
			continue;
		/* A closing endpoint may still hold the address: free it. */
		for (ep = e->endpoints; ep; ep = next) {
			next = ep->next;
			if (ep->gone && same_binding(&ep->row, row) && ep->fd >= 0) {
				ev_io_stop(e->loop, &ep->io);
				close(ep->fd);
				ep->fd = -1;
			}
		}
		ep = calloc(1, sizeof(*ep));
		if (ep == NULL)
			return ENOMEM;
		ep->index = row->index;
		ep->row = *row;
		ep->engine = e;
		ep->fd = -1;
		ep->next = e->endpoints;
		e->endpoints = ep;
		rc = endpoint_bind(e, ep);
		ep->up = rc == 0;
		atomic_store(&e->sig_up[ep->index], ep->up);
		engine_emit_sig_status(e, ep->index, ep->up);
		if (rc)
			engine_log(e, ENGINE_LOG_ERR, "signaling %u: cannot bind "
			    "%s:%u %s: %s", row->index, row->address, row->port,
			    row->transport == REFERD_TRANSPORT_TCP ? "tcp" :
			    "udp", strerror(rc));
		else
			engine_log(e, ENGINE_LOG_NOTICE, "signaling %u: listening "
			    "on %s:%u %s", row->index, row->address, row->port,
			    row->transport == REFERD_TRANSPORT_TCP ? "tcp" :
			    "udp");
	}
	return 0;
}

void
transport_close_all(struct engine *e)
{
	ev_timer_stop(e->loop, &e->conn_sweep);
	while (e->conns)
		conn_free(e, e->conns);
	while (e->endpoints)
		endpoint_close(e, e->endpoints);
}
