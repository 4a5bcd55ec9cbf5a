/*
 * snmploop.c: net-snmp on a libev loop, without polling and without a
 * blocking wait.
 *
 * Before the loop blocks (ev_prepare), snmp_select_info2() says which
 * descriptors net-snmp wants to read and when its next timeout or alarm
 * is due; one ev_io per descriptor and one ev_timer mirror that.  A
 * readable descriptor is handed to snmp_read2(); an expired timer runs
 * snmp_timeout() and run_alarms() (the AgentX ping and reconnect are
 * alarms).  The watchers are re-synced at every iteration because
 * net-snmp closes and reopens sessions (a master restart) and the
 * kernel reuses descriptor numbers.  This is what
 * agent_check_and_process() does with select().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include "snmploop.h"

#define MAX_FDS 64

struct snmploop {
	struct ev_loop *loop;
	ev_prepare      prepare;
	ev_timer        timer;
	ev_io           io[MAX_FDS];
	int             n_io;
};

/* Let the agent finish requests delegated while we were away. */
static void
snmploop_after(void)
{
	netsnmp_check_outstanding_agent_requests();
}

/* A descriptor net-snmp watches is readable. */
static void
on_io(struct ev_loop *loop, ev_io *w, int revents)
{
	netsnmp_large_fd_set fds;

	netsnmp_large_fd_set_init(&fds, FD_SETSIZE);
	NETSNMP_LARGE_FD_SET(w->fd, &fds);
	snmp_read2(&fds);
	netsnmp_large_fd_set_cleanup(&fds);
	snmploop_after();
}

/* net-snmp's next timeout or alarm is due. */
static void
on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	snmp_timeout();
	run_alarms();
	snmploop_after();
}

/* Mirror net-snmp's descriptors and timeout into watchers. */
static void
on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct snmploop *sl = w->data;
	netsnmp_large_fd_set fds;
	struct timeval tv = { 0, 0 };
	int numfds = 0, block = 1, i;

	netsnmp_large_fd_set_init(&fds, FD_SETSIZE);
	snmp_select_info2(&numfds, &fds, &tv, &block);

	for (i = 0; i < sl->n_io; i++)
		ev_io_stop(loop, &sl->io[i]);
	sl->n_io = 0;
	for (int fd = 0; fd < numfds && sl->n_io < MAX_FDS; fd++) {
		if (!NETSNMP_LARGE_FD_ISSET(fd, &fds))
			continue;
		ev_io_init(&sl->io[sl->n_io], on_io, fd, EV_READ);
		ev_io_start(loop, &sl->io[sl->n_io]);
		sl->n_io++;
	}
	netsnmp_large_fd_set_cleanup(&fds);

	ev_timer_stop(loop, &sl->timer);
	if (!block) {
		ev_timer_set(&sl->timer, tv.tv_sec + tv.tv_usec / 1e6, 0.);
		ev_timer_start(loop, &sl->timer);
	}
}

int
snmploop_new(struct snmploop **slp, struct ev_loop *loop)
{
	struct snmploop *sl = calloc(1, sizeof(*sl));

	if (sl == NULL)
		return ENOMEM;
	sl->loop = loop;
	ev_prepare_init(&sl->prepare, on_prepare);
	sl->prepare.data = sl;
	ev_prepare_start(loop, &sl->prepare);
	ev_init(&sl->timer, on_timer);
	sl->timer.data = sl;
	*slp = sl;
	return 0;
}

void
snmploop_free(struct snmploop *sl)
{
	if (sl == NULL)
		return;
	for (int i = 0; i < sl->n_io; i++)
		ev_io_stop(sl->loop, &sl->io[i]);
	ev_timer_stop(sl->loop, &sl->timer);
	ev_prepare_stop(sl->loop, &sl->prepare);
	free(sl);
}
