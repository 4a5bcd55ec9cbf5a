/*
 * tcp.c: SIP over TCP (RFC 3261 section 18): an endpoint is a listener;
 * connections, accepted or opened towards a tcp gateway, are framed by
 * Content-Length, and a message larger than SIP_MAX closes the
 * connection.  Messages are handed to stack_receive() with their source
 * address.
 *
 * TCP never blocks the engine: connections are opened with a
 * non-blocking connect() and what cannot be written at once waits in the
 * connection's output buffer (at most TCP_OUT_MAX; a peer that lets it
 * grow beyond is disconnected).  At most TCP_MAX_CONNS connections exist
 * at once (more are refused at accept), and one without a byte in either
 * direction for TCP_IDLE seconds is closed (calls are not affected while
 * the dialog keepalive, every 120 s by default, uses them).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

#define TCP_OUT_MAX  (1024 * 1024)
#define TCP_MAX_CONNS 4096
#define TCP_IDLE     600.

/* A TCP connection (accepted or opened), with its stream framing buffer. */
struct tcpconn {
	int             fd;
	ev_io           io;           /* EV_READ, and EV_WRITE while out waits */
	struct addr     peer;
	struct endpoint *ep;
	char           *buf;          /* received, not yet framed */
	size_t          len, cap;
	char           *out;          /* to send once the socket takes it */
	size_t          out_len, out_cap;
	int             connecting;   /* our connect() still in progress */
	ev_tstamp       last_used;    /* last byte read or written */
	struct engine  *engine;
	struct tcpconn *next;
	int             dead;
};

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

/*
 * A connection's socket is ready: a connect completed (or failed), what
 * waits to be written, what arrived read and framed into messages.
 */
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

/* Stop, close and free a connection (it holds its endpoint). */
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
static void
tcp_reap(struct engine *e)
{
	struct tcpconn *c, *next;

	for (c = e->conns; c; c = next) {
		next = c->next;
		if (c->dead)
			conn_free(e, c);
	}
}

/* Take the connections waiting on a listener (16 at most). */
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

/*
 * Whether a message to `to` goes out now: a connection is up (or came up
 * at once).  One still connecting is not waited for: this request goes
 * over UDP (RFC 3261 18.1.1 allows it), the next one finds the connection
 * up, or none if the peer refused it.
 */
static int
tcp_reachable(struct engine *e, struct endpoint *ep, const struct addr *to)
{
	struct tcpconn *c = conn_get(e, ep, to);

	return c != NULL && !c->connecting;
}

/* One message to `to`, over the connection to it (opened if needed). */
static int
tcp_send(struct engine *e, struct endpoint *ep, const struct addr *to,
    const char *buf, size_t len)
{
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

/* Bind an endpoint's listener. */
static int
tcp_open(struct engine *e, struct endpoint *ep, const struct addr *local)
{
	int rc = endpoint_socket(ep, local, SOCK_STREAM, SO_REUSEADDR, 1);

	return rc ? rc : endpoint_listen(e, ep, local, 128, on_accept);
}

/* The endpoint left the configuration: its listener closes at once. */
static void
tcp_close(struct engine *e, struct endpoint *ep)
{
	endpoint_stop(e, ep);
}

/*
 * An endpoint (of any transport) left the configuration: the connections
 * accepted on it or opened from it close.
 */
static void
tcp_forget(struct engine *e, struct endpoint *ep)
{
	for (struct tcpconn *c = e->conns; c; c = c->next)
		if (c->ep == ep)
			conn_kill(e, c);
}

/* Free every connection, at shutdown. */
static void
tcp_close_all(struct engine *e)
{
	ev_timer_stop(e->loop, &e->conn_sweep);
	while (e->conns)
		conn_free(e, e->conns);
}

/* SIP over TCP, in the table of transport.c. */
const struct sip_transport tcp_transport = {
	.st_name = "tcp",
	.st_uri_param = "tcp",
	.st_via = "TCP",
	.st_reliable = 1,
	.st_open = tcp_open,
	.st_send = tcp_send,
	.st_close = tcp_close,
	.st_reachable = tcp_reachable,
	.st_forget = tcp_forget,
	.st_reap = tcp_reap,
	.st_close_all = tcp_close_all,
};
