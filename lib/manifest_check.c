/* manifest_check.c — the API server's rules for names, label keys and
 * values, port names and environment variable names (see manifest_int.h),
 * with its messages word for word: a manifest refused here reads the same
 * as one refused by a real cluster.
 *
 * These take plain strings, not nodes: the readers that call them add the
 * field and the position. manifest_check_dns1123_label and
 * manifest_check_dns1035_label are public, for names given to the CLI.
 */
#include "manifest_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static bool mp_alnum_lower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool mp_alnum(char c) { return isalnum((unsigned char)c) != 0; }

static const char mp_dns1123_label_msg[] =
	"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
	"'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
	"'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
static const char mp_dns1123_subdomain_msg[] =
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
	"'-' or '.', and must start and end with an alphanumeric character (e.g. "
	"'example.com', regex used for validation is "
	"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
static const char mp_dns1035_label_msg[] =
	"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
	"with an alphabetic character, and end with an alphanumeric character (e.g. "
	"'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

static bool mp_label_chars_ok(const char *s, size_t n)
{
	if (n == 0 || !mp_alnum_lower(s[0]) || !mp_alnum_lower(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!mp_alnum_lower(s[i]) && s[i] != '-')
			return false;
	return true;
}

const char *manifest_check_dns1123_label(const char *s)
{
	size_t n = strlen(s);

	if (n > 63)
		return "must be no more than 63 characters";
	return mp_label_chars_ok(s, n) ? NULL : mp_dns1123_label_msg;
}

const char *manifest_check_dns1035_label(const char *s)
{
	size_t n = strlen(s);

	if (n > 63)
		return "must be no more than 63 characters";
	if (!mp_label_chars_ok(s, n) || !(s[0] >= 'a' && s[0] <= 'z'))
		return mp_dns1035_label_msg;
	return NULL;
}

const char *mp_check_dns1123_subdomain(const char *s, size_t max)
{
	size_t n = strlen(s);
	const char *part = s;

	if (n > 253)
		return "must be no more than 253 characters";
	/* The model keeps names in 63 bytes (they become parts of pod names). */
	if (max && n > max)
		return "must be no more than 63 characters";
	for (;;) {
		const char *dot = strchr(part, '.');
		size_t len = dot ? (size_t)(dot - part) : strlen(part);

		if (!mp_label_chars_ok(part, len))
			return mp_dns1123_subdomain_msg;
		if (!dot)
			return NULL;
		part = dot + 1;
	}
}

const char *mp_check_object_name(const char *s)
{
	return mp_check_dns1123_subdomain(s, 63);
}

static const char mp_qname_msg[] =
	"name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
	"and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
	"'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

static bool mp_qname_chars_ok(const char *s, size_t n)
{
	if (n == 0 || !mp_alnum(s[0]) || !mp_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!mp_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

/* A label or annotation key: [prefix/]name. */
const char *mp_check_qualified_name(const char *s, char *buf, size_t len)
{
	const char *slash = strchr(s, '/');
	const char *name = slash ? slash + 1 : s;

	if (slash) {
		char prefix[256];
		size_t plen = (size_t)(slash - s);
		const char *why;

		if (strchr(name, '/'))
			return "a qualified name must consist of alphanumeric characters, '-', '_' "
			       "or '.', and must start and end with an alphanumeric character (e.g. "
			       "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
			       "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
			       "subdomain prefix and '/' (e.g. 'example.com/MyName')";
		if (plen == 0)
			return "prefix part must be non-empty";
		if (plen >= sizeof(prefix))
			return "prefix part must be no more than 253 characters";
		memcpy(prefix, s, plen);
		prefix[plen] = '\0';
		why = mp_check_dns1123_subdomain(prefix, 0);
		if (why) {
			snprintf(buf, len, "prefix part %s", why);
			return buf;
		}
	}
	if (*name == '\0')
		return "name part must be non-empty";
	if (strlen(name) > 63)
		return "name part must be no more than 63 characters";
	return mp_qname_chars_ok(name, strlen(name)) ? NULL : mp_qname_msg;
}

const char *mp_check_label_value(const char *s)
{
	size_t n = strlen(s);

	if (n > 63)
		return "must be no more than 63 characters";
	if (n > 0 && !mp_qname_chars_ok(s, n))
		return "a valid label must be an empty string or consist of alphanumeric "
		       "characters, '-', '_' or '.', and must start and end with an alphanumeric "
		       "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
		       "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
	return NULL;
}

/* IANA_SVC_NAME: named ports. */
const char *mp_check_port_name(const char *s)
{
	size_t n = strlen(s);
	bool letter = false;

	if (n > 15)
		return "must be no more than 15 characters";
	for (size_t i = 0; i < n; i++) {
		if (!mp_alnum_lower(s[i]) && s[i] != '-')
			return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
		if (s[i] >= 'a' && s[i] <= 'z')
			letter = true;
	}
	if (strstr(s, "--"))
		return "must not contain consecutive hyphens";
	if (!letter)
		return "must contain at least one letter (a-z)";
	if (n > 0 && (s[0] == '-' || s[n - 1] == '-'))
		return "must not begin or end with a hyphen";
	return NULL;
}

const char *mp_check_env_name(const char *s)
{
	if (*s == '\0' || isdigit((unsigned char)s[0]))
		goto bad;
	for (const char *c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-' && *c != '.')
			goto bad;
	return NULL;
bad:
	return "a valid environment variable name must consist of alphabetic characters, "
	       "digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  "
	       "or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is "
	       "'[-._a-zA-Z][-._a-zA-Z0-9]*')";
}

const char mp_port_range_msg[] = "must be between 1 and 65535, inclusive";

const char *mp_check_header_name(const char *s)
{
	/* A header name is a token; the API server allows the letters, digits
	 * and '-' that real ones use. */
	for (const char *c = s; *c; c++)
		if (!mp_alnum(*c) && *c != '-')
			return "must consist of alphanumeric characters or '-'";
	return NULL;
}

const char *mp_check_abs_path(const char *s)
{
	return s[0] == '/' ? NULL : "must be an absolute path";
}
