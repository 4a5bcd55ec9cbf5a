/*
 * rtpsniff: watch the loopback interface through an AF_PACKET socket for
 * a bounded time and report the packets sent to one of the given IPv4
 * addresses, as a test of what flows on the wire (not what a peer says
 * it got).
 *
 *   rtpsniff [-t MS] [-s FILE] ADDR...
 *
 * RTP: UDP payloads of version 2 that are not RTCP (second byte 192..223)
 * are counted by destination, source and payload type; at the end one
 * line per triple, in the order first seen:
 *
 *   DST-ADDR:PORT SRC-ADDR:PORT PT COUNT
 *
 * SIP, with -s FILE: each UDP datagram or TCP segment whose payload starts
 * like a SIP request or response is appended to FILE as it passes, after
 * a line "---- SECONDS.MS SRC-ADDR:PORT -> DST-ADDR:PORT udp|tcp".
 *
 * Once capturing it says so on standard error ("rtpsniff: capturing on
 * lo").  It ends after MS milliseconds (default 1000), or at SIGTERM or
 * SIGINT, and prints the counts then.  -t 0 only opens the socket.  Needs
 * CAP_NET_RAW.  Exit status: 0 done, 1 usage or I/O error, 2 the socket
 * could not be opened (no privilege), so that a test can skip.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_ADDRS	64
#define MAX_FLOWS	1024
#define MAX_PACKET	65536

/* One (destination, source, payload type) seen, with its packet count. */
struct flow {
	uint32_t	fl_dst;		/* addresses in network order */
	uint32_t	fl_src;
	uint16_t	fl_dport;	/* ports in host order */
	uint16_t	fl_sport;
	unsigned	fl_pt;
	unsigned long	fl_count;
};

static struct flow flows[MAX_FLOWS];
static size_t nflows;
static uint32_t addrs[MAX_ADDRS];
static size_t naddrs;
static volatile sig_atomic_t stop;

/* The signal handler: end the capture at the next wake-up. */
static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A 16-bit big-endian field at p. */
static unsigned
be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Whether a is one of the addresses named on the command line. */
static int
wanted(uint32_t a)
{
	for (size_t i = 0; i < naddrs; i++)
		if (addrs[i] == a)
			return 1;
	return 0;
}

/* Milliseconds on the monotonic clock. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Count one RTP packet of payload type pt. */
static void
count_rtp(uint32_t dst, unsigned dport, uint32_t src, unsigned sport,
    unsigned pt)
{
	struct flow *f;

	for (size_t i = 0; i < nflows; i++) {
		f = &flows[i];
		if (f->fl_dst == dst && f->fl_dport == dport &&
		    f->fl_src == src && f->fl_sport == sport && f->fl_pt == pt) {
			f->fl_count++;
			return;
		}
	}
	if (nflows == MAX_FLOWS)
		return;
	f = &flows[nflows++];
	f->fl_dst = dst;
	f->fl_dport = (uint16_t)dport;
	f->fl_src = src;
	f->fl_sport = (uint16_t)sport;
	f->fl_pt = pt;
	f->fl_count = 1;
}

/*
 * Whether a payload is a SIP message: a status line ("SIP/2.0 ...") or a
 * request line ending in " SIP/2.0".  RTP never looks like either: its
 * first byte has the top bits 10, text starts with a letter (top bits 01).
 */
static int
is_sip(const unsigned char *p, size_t len)
{
	const unsigned char *eol;

	if (len >= 8 && memcmp(p, "SIP/2.0 ", 8) == 0)
		return 1;
	eol = memchr(p, '\r', len);
	return eol != NULL && eol - p >= 8 && memcmp(eol - 8, " SIP/2.0", 8) == 0;
}

/* Append one SIP message to out, after its "----" line. */
static void
dump_sip(FILE *out, uint32_t src, unsigned sport, uint32_t dst,
    unsigned dport, const char *proto, const unsigned char *p, size_t len)
{
	char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	inet_ntop(AF_INET, &src, s, sizeof(s));
	inet_ntop(AF_INET, &dst, d, sizeof(d));
	fprintf(out, "---- %lld.%03ld %s:%u -> %s:%u %s\n", (long long)ts.tv_sec,
	    ts.tv_nsec / 1000000, s, sport, d, dport, proto);
	fwrite(p, 1, len, out);
	fputc('\n', out);
	fflush(out);
}

/*
 * Look at one IPv4 packet: UDP or TCP to a wanted address, not a
 * fragment past the first.
 */
static void
packet(const unsigned char *ip, size_t len, FILE *sip)
{
	const unsigned char *l4, *p;
	uint32_t src, dst;
	size_t ihl, tot, plen, off;
	unsigned sport, dport, proto;

	if (len < 20 || ip[0] >> 4 != 4)
		return;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	tot = be16(ip + 2);
	if (ihl < 20 || tot < ihl || tot > len || (be16(ip + 6) & 0x1fff) != 0)
		return;
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	if (!wanted(dst))
		return;
	proto = ip[9];
	l4 = ip + ihl;
	if (proto == IPPROTO_UDP && tot - ihl >= 8) {
		plen = be16(l4 + 4);
		if (plen < 8 || plen > tot - ihl)
			return;
		plen -= 8;
		off = 8;
	} else if (proto == IPPROTO_TCP && tot - ihl >= 20) {
		off = (size_t)(l4[12] >> 4) * 4;
		if (off < 20 || off > tot - ihl)
			return;
		plen = tot - ihl - off;
	} else
		return;
	sport = be16(l4);
	dport = be16(l4 + 2);
	p = l4 + off;
	if (sip != NULL && plen > 0 && is_sip(p, plen)) {
		dump_sip(sip, src, sport, dst, dport,
		    proto == IPPROTO_UDP ? "udp" : "tcp", p, plen);
		return;
	}
	/* RTP: version 2, at least the fixed header, not RTCP (RFC 5761 4). */
	if (proto == IPPROTO_UDP && plen >= 12 && p[0] >> 6 == 2 &&
	    (p[1] < 192 || p[1] > 223))
		count_rtp(dst, dport, src, sport, p[1] & 0x7f);
}

/* Print the counts, one line per (destination, source, payload type). */
static void
report(void)
{
	char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];

	for (size_t i = 0; i < nflows; i++) {
		const struct flow *f = &flows[i];

		inet_ntop(AF_INET, &f->fl_dst, d, sizeof(d));
		inet_ntop(AF_INET, &f->fl_src, s, sizeof(s));
		printf("%s:%u %s:%u %u %lu\n", d, f->fl_dport, s, f->fl_sport,
		    f->fl_pt, f->fl_count);
	}
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	static unsigned char buf[MAX_PACKET];
	struct sockaddr_ll ll;
	struct sigaction sa;
	FILE *sip = NULL;
	long long end;
	long ms = 1000;
	int fd, c, rcvbuf = 4 << 20;

	while ((c = getopt(argc, argv, "s:t:")) != -1) {
		switch (c) {
		case 's':
			if ((sip = fopen(optarg, "a")) == NULL) {
				perror(optarg);
				return 1;
			}
			break;
		case 't':
			ms = atol(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind == argc || ms < 0)
		goto usage;
	for (; optind < argc; optind++) {
		if (naddrs == MAX_ADDRS ||
		    inet_pton(AF_INET, argv[optind], &addrs[naddrs]) != 1)
			goto usage;
		naddrs++;
	}

	/*
	 * SOCK_DGRAM: the link-layer header is removed, each read is one IP
	 * packet.  Bound to lo only; every packet there is seen twice, as
	 * sent (PACKET_OUTGOING, skipped) and as received.
	 */
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (fd < 0) {
		fprintf(stderr, "rtpsniff: AF_PACKET socket: %s\n",
		    strerror(errno));
		return 2;
	}
	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_IP);
	ll.sll_ifindex = (int)if_nametoindex("lo");
	if (ll.sll_ifindex == 0 ||
	    bind(fd, (struct sockaddr *)&ll, sizeof(ll)) != 0) {
		fprintf(stderr, "rtpsniff: bind to lo: %s\n", strerror(errno));
		return 2;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	fprintf(stderr, "rtpsniff: capturing on lo\n");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	end = now_ms() + ms;
	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		socklen_t sl = sizeof(ll);
		long long left = end - now_ms();
		ssize_t n;

		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&ll, &sl);
		if (n <= 0 || ll.sll_pkttype == PACKET_OUTGOING)
			continue;
		packet(buf, (size_t)n, sip);
	}
	report();
	close(fd);
	if (sip != NULL)
		fclose(sip);
	return 0;

usage:
	fprintf(stderr, "usage: rtpsniff [-t MS] [-s FILE] ADDR...\n");
	return 1;
}
