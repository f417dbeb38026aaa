/* nl_int.h — what the lib/nl*.c files share, and nothing else includes.
 *
 * The module (prefix nl_, declared in nl.h) is cut into files by job:
 * nl.c (the socket, one request and its replies, errors), nl_link.c
 * (links), nl_addr.c (addresses and neighbours), nl_route.c (routes and
 * policy rules), nl_sysctl.c (sysctls, which are files, not netlink).
 * The netlink files build their messages in the socket's buffer with
 * nl_msg and send them with nl_request, or with nl_talk when they read the
 * replies or judge the error themselves.
 */
#ifndef CLIENTIP_NL_INT_H
#define CLIENTIP_NL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "nl.h"

struct nlmsghdr;

/* Called by nl_talk with each reply to a request; a non-zero return stops
 * the calls and is what nl_talk returns once the replies end. */
typedef int nl_reply_fn(const struct nlmsghdr *nlh, void *data);

/* "what: strerror(-rc)" in err, what from fmt, followed by the kernel's
 * message kmsg in parentheses when there is one. */
void nl_set_err(char *err, size_t errlen, int rc, const char *kmsg, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Starts a request of type with flags (NLM_F_REQUEST added) in nl's
 * buffer, for the caller to add its header and attributes to. */
struct nlmsghdr *nl_msg(struct nl *nl, uint16_t type, uint16_t flags);
/* Sends nlh and reads until its ack or the end of its dump, handing the
 * other replies to fn; kmsg receives the kernel's extended ack. */
int nl_talk(struct nl *nl, struct nlmsghdr *nlh, nl_reply_fn *fn, void *data,
	    char *kmsg, size_t kmsglen);
/* nl_talk for a request answered by an ack alone; err says what failed
 * (fmt) and why. */
int nl_request(struct nl *nl, struct nlmsghdr *nlh, char *err, size_t errlen,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
