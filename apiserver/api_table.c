/* api_table.c — see api_table.h. */
