/* api_discovery.c — see api_discovery.h. */
