/* apiclient.c — see apiclient.h. */
