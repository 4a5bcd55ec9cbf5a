/*
 * transport.h: the SIP transports' private declarations: addresses,
 * signaling endpoints, the descriptor each transport defines (udp.c,
 * tcp.c) and the functions of transport.c, which dispatches through it.
 * internal.h includes it for the rest of the engine.
 */
#ifndef REFERD_SIP_TRANSPORT_H
#define REFERD_SIP_TRANSPORT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <ev.h>

#include "model/config.h"

struct engine;
struct tcpconn;         /* tcp.c */

/* The largest SIP message taken, on any transport. */
#define SIP_MAX 65536

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

/*
 * A transport: its words in messages and logs, and what it does for an
 * endpoint.  One per referd_transport value (sip/config.h), in the table
 * of transport.c: a new transport is one file that defines its
 * descriptor, one entry in that table and one value of the enumeration.
 */
struct sip_transport {
	const char *st_name;        /* in logs: "udp" */
	const char *st_uri_param;   /* a URI's transport= parameter, or NULL */
	const char *st_via;         /* Via's sent-protocol transport: "UDP" */
	int         st_reliable;    /* a reliable stream, framed by length */

	/* Bind ep to `local`: its socket, listening, watchers; 0 or errno. */
	int  (*st_open)(struct engine *e, struct endpoint *ep,
	    const struct addr *local);
	/* Send one message to `to` from ep; 0 or an errno value. */
	int  (*st_send)(struct engine *e, struct endpoint *ep,
	    const struct addr *to, const char *buf, size_t len);
	/* ep left the configuration: stop reading, close what no call uses. */
	void (*st_close)(struct engine *e, struct endpoint *ep);

	/* The rest only for transports with connections (NULL otherwise). */
	/* Whether a message to `to` goes out now, connecting if needed. */
	int  (*st_reachable)(struct engine *e, struct endpoint *ep,
	    const struct addr *to);
	/* An endpoint of any transport left: close its connections. */
	void (*st_forget)(struct engine *e, struct endpoint *ep);
	/* Free the connections closed during this loop iteration. */
	void (*st_reap)(struct engine *e);
	/* Free every connection, at shutdown. */
	void (*st_close_all)(struct engine *e);
};

extern const struct sip_transport udp_transport;    /* udp.c */
extern const struct sip_transport tcp_transport;    /* tcp.c */

/* transport.c: what the rest of the engine writes for a transport */
const char *transport_name(int transport);
const char *transport_via(int transport);
const char *transport_uri_param(int transport);
int  transport_reliable(int transport);

/* transport.c */
int  transport_sync(struct engine *e, const struct referd_config *cfg);
int  transport_send(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *to, const char *buf, size_t len);
void transport_close_all(struct engine *e);
void transport_reap(struct engine *e);
int  transport_tcp_reachable(struct engine *e, struct endpoint *ep,
    const struct addr *to);
struct endpoint *endpoint_for(struct engine *e, int transport,
    struct endpoint *near, const struct addr *to);
void endpoint_unref(struct engine *e, struct endpoint *ep);
void endpoint_hold(struct endpoint *ep);
void endpoint_release(struct engine *e, struct endpoint *ep);
int  endpoint_socket(struct endpoint *ep, const struct addr *local, int type,
    int opt, int val);
int  endpoint_listen(struct engine *e, struct endpoint *ep,
    const struct addr *local, int backlog,
    void (*cb)(struct ev_loop *loop, ev_io *w, int revents));
void endpoint_stop(struct engine *e, struct endpoint *ep);
void addr_to_text(const struct addr *a, char *host, size_t hostlen, int *port);
int  addr_from_text(struct addr *a, const char *host, int port);
int  addr_equal(const struct addr *x, const struct addr *y);
int  same_host(const struct addr *x, const struct addr *y);

#endif /* REFERD_SIP_TRANSPORT_H */
