/*
 * sipsend: send one UDP datagram read from standard input, byte for byte,
 * from LOCAL-ADDR to ADDR:PORT, then print every datagram that comes back
 * within the timeout, each followed by a line "--".  For tests that must
 * put malformed SIP on the wire (SIPp only sends what it can parse), or
 * send one message again, byte for byte and from the same port, as a
 * retransmission: with COUNT, the datagram goes COUNT times, each time
 * followed by the timeout's wait for what comes back.
 *
 *   sipsend LOCAL-ADDR ADDR PORT [TIMEOUT-MS [COUNT]] < message
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
#include <sys/socket.h>
#include <unistd.h>

#define MAX_DGRAM 65507

int
main(int argc, char **argv)
{
	static char buf[MAX_DGRAM + 1];
	struct sockaddr_in local, remote;
	size_t len = 0;
	ssize_t n;
	int fd, timeout = argc > 4 ? atoi(argv[4]) : 1000;
	int count = argc > 5 ? atoi(argv[5]) : 1;

	if (argc < 4) {
		fprintf(stderr, "usage: sipsend LOCAL-ADDR ADDR PORT "
		    "[TIMEOUT-MS [COUNT]] < message\n");
		return 1;
	}
	memset(&local, 0, sizeof(local));
	memset(&remote, 0, sizeof(remote));
	local.sin_family = remote.sin_family = AF_INET;
	remote.sin_port = htons((unsigned short)atoi(argv[3]));
	if (inet_pton(AF_INET, argv[1], &local.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[2], &remote.sin_addr) != 1) {
		fprintf(stderr, "sipsend: addresses must be IPv4 literals\n");
		return 1;
	}
	while (len < MAX_DGRAM &&
	    (n = read(0, buf + len, MAX_DGRAM - len)) > 0)
		len += (size_t)n;
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0) {
		perror("sipsend");
		return 1;
	}
	for (int i = 0; i < count; i++) {
		static char in[MAX_DGRAM + 1];

		if (sendto(fd, buf, len, 0, (struct sockaddr *)&remote,
		    sizeof(remote)) != (ssize_t)len) {
			perror("sipsend");
			close(fd);
			return 1;
		}
		for (;;) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, timeout) != 1)
				break;
			n = recv(fd, in, MAX_DGRAM, 0);
			if (n < 0)
				break;
			fwrite(in, 1, (size_t)n, stdout);
			printf("\n--\n");
		}
	}
	close(fd);
	return 0;
}
