/* fuzz_http_request.c — clientip-echo's request path, fed bytes.
 *
 * The real connection code runs on a real socket (one end of a
 * socketpair), called the way the event loop calls it. The input is:
 *
 *   byte 0   options: bit 0 PROXY header required, bit 1 trusted peer,
 *            bit 2 --newline/--unmap, bit 3 drain half-way, bit 4 IPv6 peer
 *   byte 1   the size of the pieces the rest arrives in (1..256)
 *   rest     what the client sends; then it half-closes and reads all.
 *
 * Whatever the input, the server must only ever answer with HTTP/1.1
 * responses, must not crash, leak or hang.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo_config.h"
#include "echo_server.h"
#include "log.h"
#include "sock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct echo_config fuzz_cfg[8];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const variants[8][8] = {
		{ NULL },
		{ "--proxy-protocol", "--trust", "10.0.0.0/8", NULL },
		{ "--trust", "10.0.0.0/8", "--trust", "2001:db8::/32", NULL },
		{ "--proxy-protocol", "--trust", "10.0.0.0/8", "--trust", "198.51.100.0/24", NULL },
		{ "--newline", "--unmap", NULL },
		{ "--newline", "--unmap", "--proxy-protocol", "--trust", "10.0.0.1", NULL },
		{ "--newline", "--trust", "::/0", NULL },
		{ "--unmap", "--proxy-protocol", "--trust", "0.0.0.0/0", "--trust", "::/0", NULL },
	};
	char err[256];

	(void)argc;
	(void)argv;
	log_init("fuzz", LOG_LEVEL_ERROR);
	for (int i = 0; i < 8; i++) {
		char *args[10] = { (char *)"clientip-echo" };
		int n = 1;

		for (const char *const *a = variants[i]; *a; a++)
			args[n++] = (char *)*a;
		if (echo_config_parse(&fuzz_cfg[i], n, args, NULL, stderr, err, sizeof(err)) !=
		    ECHO_CONFIG_RUN) {
			fprintf(stderr, "fuzz config %d: %s\n", i, err);
			__builtin_trap();
		}
		snprintf(fuzz_cfg[i].name, sizeof(fuzz_cfg[i].name), "fuzz");
		fuzz_cfg[i].verbose = false;
	}
	return 0;
}

struct fuzz_run {
	struct echo_worker w;
	int fd;                 /* the client's end */
	int server_fd;
	size_t got;
	char first[9];          /* first bytes of the output, no NUL */
};

static struct echo_conn *fuzz_conn(struct fuzz_run *r)
{
	for (int t = 0; t < ECHO_TMO_COUNT; t++) {
		if (r->w.head[t].next != &r->w.head[t])
			return r->w.head[t].next;
	}
	return NULL;
}

/* Runs the connection and drains its output until both are quiet. */
static void fuzz_pump(struct fuzz_run *r)
{
	static char sink[65536];

	for (int idle = 0; idle < 2;) {
		ssize_t n;

		if (r->w.nconns > 0)
			echo_conn_on_io(r->w.loop, r->server_fd, EV_READ | EV_WRITE, fuzz_conn(r));
		n = read(r->fd, sink, sizeof(sink));
		if (n > 0) {
			if (r->got < sizeof(r->first))
				memcpy(r->first + r->got, sink,
				       (size_t)n < sizeof(r->first) - r->got ? (size_t)n
				       : sizeof(r->first) - r->got);
			r->got += (size_t)n;
			idle = 0;
		} else {
			idle++;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_run r;
	struct echo_server srv;
	struct sockaddr_storage peer;
	struct echo_listener l;
	unsigned opts, piece;
	int sv[2];

	if (size < 2)
		return 0;
	opts = data[0];
	piece = (unsigned)data[1] + 1;
	data += 2;
	size -= 2;

	memset(&r, 0, sizeof(r));
	memset(&srv, 0, sizeof(srv));
	srv.cfg = &fuzz_cfg[(opts & 1) | (opts & 2) | (opts & 4)];
	srv.max_conns = 10;
	if (echo_worker_init(&r.w, &srv, 0) < 0)
		__builtin_trap();
	l = (struct echo_listener){ .fd = -1, .conf = &srv.cfg->listen[0], .w = &r.w };
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		__builtin_trap();
	r.server_fd = sv[0];
	r.fd = sv[1];
	sock_parse_addr(opts & 16 ? (opts & 2 ? "[2001:db8::1]:1" : "[2001:db8:1::1]:1")
				  : (opts & 2 ? "[::ffff:10.0.0.1]:1" : "[::ffff:203.0.113.1]:1"),
			&peer, NULL);
	atomic_fetch_add(&srv.nconns, 1);
	if (echo_worker_adopt(&r.w, sv[0], &peer, &l) < 0)
		__builtin_trap();

	for (size_t off = 0; off < size && r.w.nconns > 0;) {
		size_t n = size - off < piece ? size - off : piece;
		ssize_t w = send(r.fd, data + off, n, MSG_NOSIGNAL);

		if (w > 0)
			off += (size_t)w;
		else if (w < 0 && errno != EAGAIN)
			break;
		if ((opts & 8) && off >= size / 2 && !r.w.draining)
			echo_worker_drain(&r.w);
		fuzz_pump(&r);
	}
	shutdown(r.fd, SHUT_WR);
	fuzz_pump(&r);
	if (r.got > 0 && memcmp(r.first, "HTTP/1.1 ", r.got < 9 ? r.got : 9) != 0)
		__builtin_trap();

	close(r.fd);
	echo_worker_fini(&r.w);
	if (atomic_load(&srv.nconns) != 0)
		__builtin_trap();
	return 0;
}
