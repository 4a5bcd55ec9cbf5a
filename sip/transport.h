/*
 * transport.h: the SIP transports' private declarations (addresses,
 * signaling endpoints, the transport functions), included by internal.h
 * for the rest of the engine.
 */
#ifndef REFERD_SIP_TRANSPORT_H
#define REFERD_SIP_TRANSPORT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <ev.h>

#include "config.h"

struct engine;

/* A socket address of either family. */
struct addr {
	struct sockaddr_storage ss;
	socklen_t               len;
};

/* A local signaling endpoint (one row of referdSignalingTable). */
struct endpoint {
	uint32_t        index;
	struct referd_sig row;       /* as configured when bound */
	int             fd;          /* UDP socket, or TCP listener */
	ev_io           io;
	int             up;
	int             refs;        /* calls, transactions, connections */
	int             users;       /* calls using its socket */
	int             gone;        /* no longer in the configuration */
	struct engine  *engine;
	struct endpoint *next;
};

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

/* transport.c */
int  transport_sync(struct engine *e, const struct referd_config *cfg);
int  transport_send(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *to, const char *buf, size_t len);
void transport_close_all(struct engine *e);
void transport_reap(struct engine *e);
int  transport_tcp_reachable(struct engine *e, struct endpoint *ep,
    const struct addr *to);
void endpoint_unref(struct engine *e, struct endpoint *ep);
void endpoint_hold(struct endpoint *ep);
void endpoint_release(struct engine *e, struct endpoint *ep);
void addr_to_text(const struct addr *a, char *host, size_t hostlen, int *port);
int  addr_from_text(struct addr *a, const char *host, int port);
int  addr_equal(const struct addr *x, const struct addr *y);

#endif /* REFERD_SIP_TRANSPORT_H */
