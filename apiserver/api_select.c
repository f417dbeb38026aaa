/* api_select.c — see api_select.h. */
