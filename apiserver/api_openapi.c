/* api_openapi.c — see api_openapi.h. */
