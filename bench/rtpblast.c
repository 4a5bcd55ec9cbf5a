/*
 * rtpblast: RTP load for referd's media relay benchmark.
 *
 *   rtpblast -A ADDR -a AFILE -B ADDR -b BFILE -R RELAY [-S RELAY-B] [-d SECONDS] [-p PPS]
 *
 * AFILE and BFILE hold one stream end a line, "LOCAL-PORT RELAY-PORT": the
 * caller's (A's) and the called party's (B's) media port as declared in
 * their SDP, and the port referd gave that side in its own SDP.  Every
 * end binds ADDR:LOCAL-PORT, sends 172-byte RTP packets (12-byte header,
 * 20 ms of PCMU) at PPS packets a second (default 50) to RELAY:RELAY-PORT,
 * (B's ends to RELAY-B:RELAY-PORT when -S is given: -R B -S A with
 * AFILE "a-port b-port" and BFILE "b-port a-port" is the direct baseline)
 * and counts what arrives (referd relays A's packets to B's port and B's
 * to A's).  Sending is spread evenly over each 20 ms; after SECONDS
 * (default 10) of sending, receiving goes on for 1 s more.
 *
 * Prints one line:
 *   streams=N sent=S received=R lost=S-R loss_pct=P seconds=T pps_sent=X pps_received=Y cpu_pct=C
 * Exit status 0, or 2 on a usage or setup error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PKT 172

struct end {
	int fd;
	struct sockaddr_in to;
	uint16_t seq;
	uint32_t ssrc;
};

static struct end *ends;
static size_t nends, cap;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "rtpblast: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Read FILE's "local relay" lines into ends bound on ADDR. */
static void
load(const char *file, const char *addr, const char *relay, int epfd)
{
	FILE *f = fopen(file, "r");
	unsigned lp, rp;

	if (f == NULL)
		die(file);
	while (fscanf(f, "%u %u", &lp, &rp) == 2) {
		struct sockaddr_in me = { .sin_family = AF_INET };
		struct epoll_event ev = { .events = EPOLLIN };
		struct end *e;

		if (nends == cap) {
			cap = cap ? cap * 2 : 1024;
			ends = realloc(ends, cap * sizeof(*ends));
			if (ends == NULL)
				die("realloc");
		}
		e = &ends[nends];
		memset(e, 0, sizeof(*e));
		e->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		if (e->fd < 0)
			die("socket");
		me.sin_port = htons((uint16_t)lp);
		if (inet_pton(AF_INET, addr, &me.sin_addr) != 1) {
			fprintf(stderr, "rtpblast: bad address %s\n", addr);
			exit(2);
		}
		if (bind(e->fd, (struct sockaddr *)&me, sizeof(me)) != 0) {
			fprintf(stderr, "rtpblast: bind %s:%u: %s\n", addr, lp,
			    strerror(errno));
			exit(2);
		}
		e->to.sin_family = AF_INET;
		e->to.sin_port = htons((uint16_t)rp);
		if (inet_pton(AF_INET, relay, &e->to.sin_addr) != 1) {
			fprintf(stderr, "rtpblast: bad address %s\n", relay);
			exit(2);
		}
		e->ssrc = 0x5eed0000u + (uint32_t)nends;
		ev.data.u32 = (uint32_t)nends;
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, e->fd, &ev) != 0)
			die("epoll_ctl");
		nends++;
	}
	fclose(f);
}

static unsigned long long received;

static void
drain(int epfd, int timeout_ms)
{
	struct epoll_event evs[512];
	char buf[2048];
	int n = epoll_wait(epfd, evs, 512, timeout_ms);

	for (int i = 0; i < n; i++) {
		int fd = ends[evs[i].data.u32].fd;

		while (recv(fd, buf, sizeof(buf), 0) > 0)
			received++;
	}
}

int
main(int argc, char **argv)
{
	const char *aaddr = NULL, *afile = NULL, *baddr = NULL, *bfile = NULL;
	const char *relay = NULL, *relayb = NULL;
	double secs = 10, pps = 50;
	unsigned long long sent = 0;
	int c, epfd;

	while ((c = getopt(argc, argv, "A:a:B:b:R:S:d:p:")) != -1) {
		switch (c) {
		case 'A': aaddr = optarg; break;
		case 'a': afile = optarg; break;
		case 'B': baddr = optarg; break;
		case 'b': bfile = optarg; break;
		case 'R': relay = optarg; break;
		case 'S': relayb = optarg; break;
		case 'd': secs = atof(optarg); break;
		case 'p': pps = atof(optarg); break;
		default:
			fprintf(stderr, "usage: rtpblast -A ADDR -a AFILE -B ADDR "
			    "-b BFILE -R RELAY [-S RELAY-B] [-d SECONDS] [-p PPS]\n");
			return 2;
		}
	}
	if (!aaddr || !afile || !baddr || !bfile || !relay || secs <= 0 ||
	    pps <= 0) {
		fprintf(stderr, "rtpblast: -A -a -B -b -R are needed\n");
		return 2;
	}
	epfd = epoll_create1(0);
	if (epfd < 0)
		die("epoll_create1");
	load(afile, aaddr, relay, epfd);
	load(bfile, baddr, relayb ? relayb : relay, epfd);
	if (nends == 0) {
		fprintf(stderr, "rtpblast: no streams\n");
		return 2;
	}

	/*
	 * Stream i's k-th packet is due at t0 + (k + i / nends) / pps: each
	 * stream at PPS, the streams spread evenly over one packet interval.
	 */
	double t0 = now(), period = 1.0 / pps, end = t0 + secs;
	uint64_t total = (uint64_t)(secs * pps) * nends, next = 0;
	unsigned char pkt[PKT];

	memset(pkt, 0xff, sizeof(pkt));        /* PCMU silence */
	pkt[0] = 0x80;                          /* V=2 */
	pkt[1] = 0;                             /* PT 0 */
	while (next < total) {
		double t = now();

		while (next < total) {
			uint64_t k = next / nends;
			size_t i = next % nends;
			double due = t0 + (k + (double)i / nends) * period;
			struct end *e = &ends[i];
			uint32_t ts = (uint32_t)(k * 160), ssrc = htonl(e->ssrc);
			uint16_t seq = htons(e->seq++);

			if (due > t)
				break;
			memcpy(pkt + 2, &seq, 2);
			ts = htonl(ts);
			memcpy(pkt + 4, &ts, 4);
			memcpy(pkt + 8, &ssrc, 4);
			if (sendto(e->fd, pkt, sizeof(pkt), 0,
			    (struct sockaddr *)&e->to, sizeof(e->to)) == PKT)
				sent++;
			next++;
		}
		drain(epfd, 0);
		if (next < total && now() < end + 5) {
			struct timespec ts = { 0, 200000 };  /* 0.2 ms */

			nanosleep(&ts, NULL);
		} else if (now() >= end + 5)
			break;                  /* cannot keep up: stop */
	}
	double tsend = now() - t0;
	double tstop = now() + 1.0;

	while (now() < tstop)
		drain(epfd, 50);

	struct rusage ru;
	double cpu = 0;

	if (getrusage(RUSAGE_SELF, &ru) == 0)
		cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	printf("streams=%zu sent=%llu received=%llu lost=%lld loss_pct=%.4f "
	    "seconds=%.2f pps_sent=%.0f pps_received=%.0f cpu_pct=%.0f\n",
	    nends, sent, received, (long long)sent - (long long)received,
	    sent ? 100.0 * ((double)sent - (double)received) / (double)sent : 0,
	    tsend, sent / tsend, received / tsend,
	    100.0 * cpu / (now() - t0));
	return 0;
}
