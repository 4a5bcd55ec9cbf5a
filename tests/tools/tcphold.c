/*
 * tcphold: a TCP listener on ADDR:PORT that never accepts, with its
 * accept queue filled by its own connections, so that every further
 * connect() to it stays in progress (SYNs dropped) until it exits: a
 * black-holed peer on loopback.  Prints "holding" once ready, then waits
 * to be killed.
 *
 *   tcphold ADDR PORT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in a;
	int l, one = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: tcphold ADDR PORT\n");
		return 1;
	}
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1 ||
	    (l = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 0) != 0) {
		perror("tcphold");
		return 1;
	}
	/* Fill the accept queue (backlog 0 holds one or two). */
	for (int i = 0; i < 4; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (c >= 0)
			(void)connect(c, (struct sockaddr *)&a, sizeof(a));
	}
	sleep(1);
	printf("holding\n");
	fflush(stdout);
	for (;;)
		pause();
}
