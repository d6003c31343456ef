/*
 * kernel/lib/bootargs.c: reading the kernel command line (bootargs.h).
 */
#include "bootargs.h"

#include "kstring.h"

static bool bootargs_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Find the next word at or after *pos: 1 with [*word, *word + *len) set and
 * *pos moved past it, 0 at the end of the line.
 */
static int bootargs_next_word(const char **pos, const char **word, size_t *len)
{
	const char *p = *pos;
	const char *start;

	while (bootargs_is_space(*p))
		p++;
	if (*p == '\0')
		return 0;
	start = p;
	while (*p != '\0' && !bootargs_is_space(*p))
		p++;
	*word = start;
	*len = (size_t)(p - start);
	*pos = p;
	return 1;
}

bool bootargs_has_flag(const char *cmdline, const char *flag)
{
	size_t flag_len = strlen(flag);
	const char *pos = cmdline;
	const char *word;
	size_t len;

	while (bootargs_next_word(&pos, &word, &len))
		if (len == flag_len && memcmp(word, flag, len) == 0)
			return true;
	return false;
}

const char *bootargs_get(const char *cmdline, const char *key, size_t *len)
{
	size_t key_len = strlen(key);
	const char *pos = cmdline;
	const char *word, *value = NULL;
	size_t word_len;

	while (bootargs_next_word(&pos, &word, &word_len)) {
		if (word_len > key_len && word[key_len] == '=' && memcmp(word, key, key_len) == 0) {
			/* Keep looking: a later occurrence overrides this one. */
			value = word + key_len + 1;
			*len = word_len - key_len - 1;
		}
	}
	return value;
}

int bootargs_get_u64(const char *cmdline, const char *key, uint64_t *out)
{
	size_t len;
	const char *v = bootargs_get(cmdline, key, &len);
	uint64_t n = 0;

	if (!v)
		return BOOTARGS_EABSENT;
	if (len == 0)
		return BOOTARGS_EINVALID;
	for (size_t i = 0; i < len; i++) {
		uint64_t d;

		if (v[i] < '0' || v[i] > '9')
			return BOOTARGS_EINVALID;
		d = (uint64_t)(v[i] - '0');
		if (n > (UINT64_MAX - d) / 10)
			return BOOTARGS_EINVALID;
		n = n * 10 + d;
	}
	*out = n;
	return BOOTARGS_OK;
}
