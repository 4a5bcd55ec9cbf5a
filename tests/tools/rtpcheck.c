/*
 * rtpcheck: one party's media socket, for the tests that check what RTP
 * referd relays.  It binds LOCAL-ADDR:PORT (UDP), optionally sends RTP
 * from there to TARGET-ADDR:PORT (version 2, 172-byte packets: a 12-byte
 * header and 160 bytes of payload, 50 a second, sequence number and
 * timestamp counting up, one SSRC), and records every datagram it
 * receives.  At the end it prints what it sent and one line per source
 * and kind of datagram received:
 *
 *   sent 100
 *   127.0.65.1:26500 pt 8 97
 *   127.0.65.1:26500 rtcp 2
 *   127.0.65.1:26502 other 40
 *
 * "pt N": RTP (version 2, 12 bytes or more) with payload type N;
 * "rtcp": RTCP (version 2, second byte 192..223, RFC 5761 4), counted
 * apart; "other": anything else (UDPTL, say).
 *
 *   rtpcheck [-t PT] [-x PT] [-s MS] [-w MS] [-R | -r] [-u]
 *            LOCAL-ADDR:PORT [TARGET-ADDR:PORT]
 *
 *   -t PT  payload type of the packets sent (default 0)
 *   -x PT  every 10th packet carries PT instead (a type the receiver may
 *          not have negotiated)
 *   -s MS  send for MS milliseconds (default 2000); nothing is sent
 *          without a target
 *   -w MS  record for MS milliseconds from the start (default: the
 *          sending time plus 1000)
 *   -R     also an RTCP compound packet (a receiver report and a CNAME)
 *          every second, to the same target (RTCP multiplexed on the RTP
 *          port, RFC 5761)
 *   -r     as -R, but the RTCP packet is reduced-size (RFC 5506): the
 *          receiver report alone, 8 bytes
 *   -u     send UDPTL datagrams (T.38: a sequence number, one IFP, no
 *          redundancy) instead of RTP
 *
 * SIGTERM or SIGINT ends the recording early; the report is printed all
 * the same.  Exit status: 0, or 1 on a usage or socket error.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PKT_LEN   172      /* 12-byte header + 160 bytes (20 ms of G.711) */
#define INTERVAL  20       /* ms between packets: 50 a second */
#define MAX_SEEN  64       /* distinct (source, kind) pairs recorded */

/* What was received from one source, of one kind. */
struct seen {
	struct sockaddr_in from;
	int kind;              /* a payload type, or KIND_RTCP, KIND_OTHER */
	unsigned long count;
};

enum { KIND_RTCP = 1000, KIND_OTHER = 1001 };

static volatile sig_atomic_t stop;

/* SIGTERM/SIGINT: stop recording and print the report. */
static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Milliseconds on the monotonic clock. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read "ADDR:PORT" (an IPv4 literal) into a; 0, or -1. */
static int
parse_hostport(const char *text, struct sockaddr_in *a)
{
	char host[64];
	const char *colon = strrchr(text, ':');
	size_t n;

	if (colon == NULL || (n = (size_t)(colon - text)) >= sizeof(host))
		return -1;
	memcpy(host, text, n);
	host[n] = '\0';
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((unsigned short)atoi(colon + 1));
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 &&
	    a->sin_port != 0 ? 0 : -1;
}

/* The kind of a received datagram: its payload type, RTCP or other. */
static int
kind_of(const unsigned char *p, ssize_t n)
{
	if (n < 2 || (p[0] >> 6) != 2)
		return KIND_OTHER;
	if (p[1] >= 192 && p[1] <= 223)
		return KIND_RTCP;
	return n >= 12 ? p[1] & 0x7f : KIND_OTHER;
}

/* Count one datagram in the table (a full table drops new pairs). */
static void
record(struct seen *tab, int *ntab, const struct sockaddr_in *from, int kind)
{
	for (int i = 0; i < *ntab; i++)
		if (tab[i].kind == kind &&
		    tab[i].from.sin_addr.s_addr == from->sin_addr.s_addr &&
		    tab[i].from.sin_port == from->sin_port) {
			tab[i].count++;
			return;
		}
	if (*ntab == MAX_SEEN)
		return;
	tab[*ntab].from = *from;
	tab[*ntab].kind = kind;
	tab[*ntab].count = 1;
	(*ntab)++;
}

/*
 * Packet number seq into buf: RTP with payload type pt, or (udptl) a
 * UDPTL packet.  Its length.
 */
static size_t
build(unsigned char *buf, unsigned seq, int pt, unsigned ssrc, int udptl)
{
	unsigned ts = seq * 160;

	if (udptl) {
		/* seq_number, primary IFP (length 1: "no-signal"), and an
		 * empty secondary-ifp-packets list. */
		buf[0] = (unsigned char)(seq >> 8);
		buf[1] = (unsigned char)seq;
		buf[2] = 1;
		buf[3] = 0;
		buf[4] = 0;
		return 5;
	}
	memset(buf, 0xff, PKT_LEN);
	buf[0] = 0x80;                          /* V=2, no P, X, CC */
	buf[1] = (unsigned char)(pt & 0x7f);    /* no marker */
	buf[2] = (unsigned char)(seq >> 8);
	buf[3] = (unsigned char)seq;
	for (int i = 0; i < 4; i++) {
		buf[4 + i] = (unsigned char)(ts >> (24 - 8 * i));
		buf[8 + i] = (unsigned char)(ssrc >> (24 - 8 * i));
	}
	return PKT_LEN;
}

/*
 * A compound RTCP packet (RFC 3550 6.1): a receiver report with no report
 * block (6.4.2) and an SDES with the CNAME "rtpcheck" (6.5); with
 * `reduced`, the receiver report alone (RFC 5506 3.4).  Its length.
 */
static size_t
build_rr(unsigned char *buf, unsigned ssrc, int reduced)
{
	static const char cname[] = "rtpcheck";
	size_t n = 0, item;

	buf[n++] = 0x80;                        /* V=2, RC=0 */
	buf[n++] = 201;                         /* RR */
	buf[n++] = 0;
	buf[n++] = 1;                           /* length in words - 1 */
	for (int i = 0; i < 4; i++)
		buf[n++] = (unsigned char)(ssrc >> (24 - 8 * i));
	if (reduced)
		return n;
	/* SDES: one chunk, the SSRC and a CNAME item, then the end of the
	 * item list and zero padding to a 32-bit boundary. */
	item = 4 + 2 + (sizeof(cname) - 1) + 1;
	item = (item + 3) & ~(size_t)3;
	buf[n++] = 0x81;                        /* V=2, SC=1 */
	buf[n++] = 202;                         /* SDES */
	buf[n++] = 0;
	buf[n++] = (unsigned char)(item / 4);   /* (4 + item) / 4 - 1 */
	for (int i = 0; i < 4; i++)
		buf[n++] = (unsigned char)(ssrc >> (24 - 8 * i));
	buf[n++] = 1;                           /* CNAME */
	buf[n++] = sizeof(cname) - 1;
	memcpy(buf + n, cname, sizeof(cname) - 1);
	n += sizeof(cname) - 1;
	while (n % 4 != 0 || buf[n - 1] != 0)
		buf[n++] = 0;
	return n;
}

/* Print the report: what was sent, then one line per source and kind. */
static void
report(unsigned long sent, const struct seen *tab, int ntab)
{
	printf("sent %lu\n", sent);
	for (int i = 0; i < ntab; i++) {
		char host[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &tab[i].from.sin_addr, host, sizeof(host));
		printf("%s:%u ", host, ntohs(tab[i].from.sin_port));
		if (tab[i].kind == KIND_RTCP)
			printf("rtcp %lu\n", tab[i].count);
		else if (tab[i].kind == KIND_OTHER)
			printf("other %lu\n", tab[i].count);
		else
			printf("pt %d %lu\n", tab[i].kind, tab[i].count);
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: rtpcheck [-t PT] [-x PT] [-s MS] [-w MS] [-R|-r] "
	    "[-u] LOCAL-ADDR:PORT [TARGET-ADDR:PORT]\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	static struct seen tab[MAX_SEEN];
	struct sockaddr_in local, target;
	struct sigaction sa;
	unsigned char buf[2048];
	unsigned long sent = 0;
	unsigned seq = 0, ssrc;
	int ch, fd, ntab = 0, pt = 0, xpt = -1, rtcp = 0, udptl = 0;
	int has_target;
	long send_ms = 2000, wait_ms = -1;
	long long start, next, next_rr;

	while ((ch = getopt(argc, argv, "t:x:s:w:Rru")) != -1) {
		switch (ch) {
		case 't': pt = atoi(optarg); break;
		case 'x': xpt = atoi(optarg); break;
		case 's': send_ms = atol(optarg); break;
		case 'w': wait_ms = atol(optarg); break;
		case 'R': rtcp = 1; break;
		case 'r': rtcp = 2; break;
		case 'u': udptl = 1; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2 || parse_hostport(argv[0], &local) != 0 ||
	    (argc == 2 && parse_hostport(argv[1], &target) != 0))
		usage();
	has_target = argc == 2;
	if (!has_target)
		send_ms = 0;
	if (wait_ms < 0)
		wait_ms = send_ms + 1000;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0) {
		perror("rtpcheck");
		return 1;
	}
	/* One SSRC per sender: its port, marked. */
	ssrc = 0x52540000u | ntohs(local.sin_port);
	start = next = next_rr = now_ms();
	while (!stop) {
		long long t = now_ms();
		long long until = start + wait_ms;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (t >= until)
			break;
		/* Send what is due: the next packet, and an RTCP report. */
		if (has_target && t < start + send_ms && t >= next) {
			int type = xpt >= 0 && seq % 10 == 9 ? xpt : pt;
			size_t len = build(buf, seq++, type, ssrc, udptl);

			if (sendto(fd, buf, len, 0, (struct sockaddr *)&target,
			    sizeof(target)) == (ssize_t)len)
				sent++;
			next += INTERVAL;
			if (rtcp && t >= next_rr) {
				len = build_rr(buf, ssrc, rtcp == 2);
				sendto(fd, buf, len, 0,
				    (struct sockaddr *)&target, sizeof(target));
				next_rr += 1000;
			}
			continue;
		}
		if (has_target && t < start + send_ms && next < until)
			until = next;
		if (poll(&p, 1, (int)(until - t)) == 1) {
			struct sockaddr_in from;
			socklen_t flen = sizeof(from);

			n = recvfrom(fd, buf, sizeof(buf), 0,
			    (struct sockaddr *)&from, &flen);
			if (n >= 0)
				record(tab, &ntab, &from, kind_of(buf, n));
		}
	}
	report(sent, tab, ntab);
	close(fd);
	return 0;
}
