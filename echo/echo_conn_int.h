/* echo_conn_int.h — what the parts of a connection share (not an API;
 * the connection's API is in echo_server.h).
 *
 *   echo_conn.c          the connection's life: the parse loop, PROXY,
 *                        reading, writing, lingering, init and close
 *   echo_conn_request.c  llhttp's callbacks: what of a request's head is
 *                        kept, what is refused
 *   echo_conn_answer.c   the answers: text, JSON, /healthz, errors
 */
#ifndef CLIENTIP_ECHO_CONN_INT_H
#define CLIENTIP_ECHO_CONN_INT_H

#include <stdbool.h>

#include <llhttp.h>

#include "echo_server.h"

/* Where llhttp paused, as its callbacks tell the parse loop. */
enum {
	ECHO_PAUSE_NONE,
	ECHO_PAUSE_HEADERS,
	ECHO_PAUSE_MESSAGE,
};

/* echo_conn_request.c */
extern const llhttp_settings_t echo_conn_settings;

/* Whether the bytes before end, back to the last line break, are blanks
 * only; at begin the answer is carried over from earlier input, before.
 * Inline: the parse loop calls it after every llhttp_execute, and the
 * header value callback for every piece of a value. */
static inline bool echo_conn_after_break(const char *begin, const char *end, bool before)
{
	while (end > begin && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return end > begin ? end[-1] == '\n' : before;
}

/* echo_conn_answer.c */
/* An error answer ends the connection. body NULL: the status's own text. */
void echo_conn_error(struct echo_conn *c, int status, const char *body);
/* Answers the request just parsed, into c->out. */
void echo_conn_respond(struct echo_conn *c);

#endif
