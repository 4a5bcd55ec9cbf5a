/*
 * sipsend: send one SIP message read from standard input, byte for byte,
 * from LOCAL-ADDR to ADDR:PORT, then print every message that comes back
 * within the timeout, each followed by a line "--".  For tests that must
 * put malformed SIP on the wire (SIPp only sends what it can parse), or
 * send one message again, byte for byte and from the same port, as a
 * retransmission: with COUNT, the message goes COUNT times, each time
 * followed by the timeout's wait for what comes back.
 *
 *   sipsend [-t] LOCAL-ADDR ADDR PORT [TIMEOUT-MS [COUNT]] < message
 *
 * Over UDP (the default) the message is one datagram and each datagram
 * received is printed as it came.  With -t it goes over a TCP connection
 * opened from LOCAL-ADDR (any port); what comes back on that connection
 * is cut into messages by its Content-Length (RFC 3261 18.3), and what is
 * left when the peer closes or the wait ends is printed as it is.
 *
 * Exit status: 0 when sent (whatever came back), 1 on a usage or socket
 * error.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_DGRAM 65507
#define MAX_STREAM (4 * 65536)

/* The length of the first whole message framed in buf, or 0. */
static size_t
framed(const char *buf, size_t len)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4), *p;
	size_t head, body = 0;

	if (end == NULL)
		return 0;
	head = (size_t)(end - buf) + 4;
	for (p = buf; p < end; ) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (strncasecmp(p, "Content-Length:", 15) == 0)
			body = strtoul(p + 15, NULL, 10);
		else if (strncasecmp(p, "l:", 2) == 0)
			body = strtoul(p + 2, NULL, 10);
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	return head + body <= len ? head + body : 0;
}

/* Print what came back on a stream, message by message; 0 once closed. */
static int
print_stream(int fd, char *in, size_t *have, int timeout)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	size_t m;

	if (poll(&p, 1, timeout) != 1)
		return 0;
	n = recv(fd, in + *have, MAX_STREAM - *have, 0);
	if (n > 0)
		*have += (size_t)n;
	while ((m = framed(in, *have)) > 0) {
		fwrite(in, 1, m, stdout);
		printf("\n--\n");
		memmove(in, in + m, *have - m);
		*have -= m;
	}
	return n > 0 && *have < MAX_STREAM;
}

/* Print every datagram that comes back within the timeout. */
static void
print_datagrams(int fd, char *in, int timeout)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, timeout) != 1)
			return;
		n = recv(fd, in, MAX_DGRAM, 0);
		if (n < 0)
			return;
		fwrite(in, 1, (size_t)n, stdout);
		printf("\n--\n");
	}
}

int
main(int argc, char **argv)
{
	static char buf[MAX_STREAM + 1], in[MAX_STREAM + 1];
	struct sockaddr_in local, remote;
	size_t len = 0, have = 0;
	ssize_t n;
	int fd, tcp = argc > 1 && strcmp(argv[1], "-t") == 0;
	int timeout, count;

	argv += tcp;
	argc -= tcp;
	if (argc < 4) {
		fprintf(stderr, "usage: sipsend [-t] LOCAL-ADDR ADDR PORT "
		    "[TIMEOUT-MS [COUNT]] < message\n");
		return 1;
	}
	timeout = argc > 4 ? atoi(argv[4]) : 1000;
	count = argc > 5 ? atoi(argv[5]) : 1;
	memset(&local, 0, sizeof(local));
	memset(&remote, 0, sizeof(remote));
	local.sin_family = remote.sin_family = AF_INET;
	remote.sin_port = htons((unsigned short)atoi(argv[3]));
	if (inet_pton(AF_INET, argv[1], &local.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[2], &remote.sin_addr) != 1) {
		fprintf(stderr, "sipsend: addresses must be IPv4 literals\n");
		return 1;
	}
	while (len < (tcp ? MAX_STREAM : MAX_DGRAM) &&
	    (n = read(0, buf + len, (tcp ? MAX_STREAM : MAX_DGRAM) - len)) > 0)
		len += (size_t)n;
	if ((fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0 ||
	    (tcp && connect(fd, (struct sockaddr *)&remote,
	    sizeof(remote)) != 0)) {
		perror("sipsend");
		return 1;
	}
	for (int i = 0; i < count; i++) {
		if ((tcp ? send(fd, buf, len, MSG_NOSIGNAL) :
		    sendto(fd, buf, len, 0, (struct sockaddr *)&remote,
		    sizeof(remote))) != (ssize_t)len) {
			perror("sipsend");
			close(fd);
			return 1;
		}
		if (!tcp)
			print_datagrams(fd, in, timeout);
		else
			while (print_stream(fd, in, &have, timeout))
				;
	}
	if (have > 0) {
		fwrite(in, 1, have, stdout);
		printf("\n--\n");
	}
	close(fd);
	return 0;
}
