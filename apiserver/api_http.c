/* api_http.c — see api_http.h. */
