/* api_patch.c — see api_patch.h. */
