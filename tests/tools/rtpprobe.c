/*
 * rtpprobe: an RTP party for the media tests.  It binds LOCAL-ADDR:PORT
 * and, for SECONDS, prints one line for every datagram that arrives:
 *
 *   SOURCE-ADDR SOURCE-PORT TAG
 *
 * where TAG is the tag of the rtpprobe that sent it (every packet it
 * sends carries "rtpprobe TAG" as its payload) or "-" for anything else.
 * Lines are flushed as they are written, so a test can read them while
 * it runs.  It sends RTP (version 2, payload type 0, one packet every
 * 20 ms, its own SSRC, sequence numbers from 1) tagged TAG:
 *
 *   -t ADDR:PORT   to ADDR:PORT, from the start;
 *   -r             to the source of the first datagram it receives, from
 *                  then on (a party that answers whoever reached it);
 *   -n COUNT       only COUNT packets, then it only listens (and prints
 *                  the line "sent COUNT" once they are sent);
 *   -i MS          one packet every MS milliseconds instead of 20.
 *
 *   rtpprobe [-t ADDR:PORT | -r] [-n COUNT] [-i MS] LOCAL-ADDR PORT SECONDS TAG
 *
 * Exit status: 0 at the end of SECONDS, 1 on a usage or socket error.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "rtpprobe "

/* Milliseconds on the monotonic clock. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ADDR:PORT into sa; 0 or -1. */
static int
parse_to(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((unsigned short)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

/* The tag an rtpprobe packet carries, into tag; "-" for other packets. */
static void
packet_tag(const unsigned char *p, ssize_t n, char *tag, size_t size)
{
	size_t m = sizeof(MAGIC) - 1, len;

	if (n < 12 + (ssize_t)m || memcmp(p + 12, MAGIC, m) != 0) {
		snprintf(tag, size, "-");
		return;
	}
	len = (size_t)n - 12 - m;
	if (len >= size)
		len = size - 1;
	memcpy(tag, p + 12 + m, len);
	tag[len] = '\0';
}

int
main(int argc, char **argv)
{
	struct sockaddr_in local, to;
	unsigned char pkt[256], in[2048];
	int fd, c, have_to = 0, answer = 0, interval = 20;
	long count = -1, sent = 0;
	long long end, next;
	size_t len;
	unsigned ssrc;

	while ((c = getopt(argc, argv, "t:rn:i:")) != -1) {
		switch (c) {
		case 't':
			if (parse_to(optarg, &to) != 0) {
				fprintf(stderr, "rtpprobe: bad -t %s\n", optarg);
				return 1;
			}
			have_to = 1;
			break;
		case 'r':
			answer = 1;
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 'i':
			interval = atoi(optarg) > 0 ? atoi(optarg) : 20;
			break;
		default:
			return 1;
		}
	}
	if (argc - optind != 4) {
		fprintf(stderr, "usage: rtpprobe [-t ADDR:PORT | -r] [-n COUNT] "
		    "[-i MS] LOCAL-ADDR PORT SECONDS TAG\n");
		return 1;
	}
	memset(&local, 0, sizeof(local));
	local.sin_family = AF_INET;
	local.sin_port = htons((unsigned short)atoi(argv[optind + 1]));
	if (inet_pton(AF_INET, argv[optind], &local.sin_addr) != 1) {
		fprintf(stderr, "rtpprobe: LOCAL-ADDR must be an IPv4 literal\n");
		return 1;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0) {
		perror("rtpprobe");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* The fixed part of every packet: V=2, PT 0, the SSRC, the tag. */
	ssrc = (unsigned)getpid() * 2654435761u;
	memset(pkt, 0, 12);
	pkt[0] = 0x80;
	pkt[8] = (unsigned char)(ssrc >> 24);
	pkt[9] = (unsigned char)(ssrc >> 16);
	pkt[10] = (unsigned char)(ssrc >> 8);
	pkt[11] = (unsigned char)ssrc;
	len = 12 + (size_t)snprintf((char *)pkt + 12, sizeof(pkt) - 12,
	    MAGIC "%s", argv[optind + 3]);
	if (len > sizeof(pkt) - 1)
		len = sizeof(pkt) - 1;

	end = now_ms() + 1000LL * atol(argv[optind + 2]);
	next = now_ms();
	for (long long t = now_ms(); t < end; t = now_ms()) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int wait = (int)((have_to && (count < 0 || sent < count) ?
		    (next < end ? next : end) : end) - t);

		if (have_to && (count < 0 || sent < count) && t >= next) {
			unsigned seq = (unsigned)(sent + 1);
			unsigned ts = (unsigned)(sent * 160);

			pkt[2] = (unsigned char)(seq >> 8);
			pkt[3] = (unsigned char)seq;
			pkt[4] = (unsigned char)(ts >> 24);
			pkt[5] = (unsigned char)(ts >> 16);
			pkt[6] = (unsigned char)(ts >> 8);
			pkt[7] = (unsigned char)ts;
			(void)sendto(fd, pkt, len, 0, (struct sockaddr *)&to,
			    sizeof(to));
			if (++sent == count)
				printf("sent %ld\n", sent);
			next += interval;
			continue;
		}
		if (poll(&p, 1, wait > 0 ? wait : 0) == 1) {
			struct sockaddr_in src;
			socklen_t sl = sizeof(src);
			char addr[INET_ADDRSTRLEN], tag[64];
			ssize_t n = recvfrom(fd, in, sizeof(in), 0,
			    (struct sockaddr *)&src, &sl);

			if (n < 0)
				continue;
			packet_tag(in, n, tag, sizeof(tag));
			inet_ntop(AF_INET, &src.sin_addr, addr, sizeof(addr));
			printf("%s %u %s\n", addr, ntohs(src.sin_port), tag);
			if (answer && !have_to) {
				to = src;
				have_to = 1;
				next = now_ms();
			}
		}
	}
	close(fd);
	return 0;
}
