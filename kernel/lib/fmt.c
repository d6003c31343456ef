/*
 * kernel/lib/fmt.c: printf-style formatting into a buffer (fmt.h).
 *
 * Output goes through struct fmt_out, which stores what fits (keeping one byte
 * for the NUL) and counts everything, so a long width or string costs time in
 * proportion to the buffer, never to the request. Where fmt.h does not say
 * otherwise the behaviour follows C11 §7.21.6.1; the differences: %p prints
 * "0x" and 16 hex digits (also for NULL), %s of NULL prints "(null)" cut by
 * the precision, an unknown conversion is copied out as written, and the
 * result is -1 if the full length would exceed INT_MAX.
 */
#include "fmt.h"

#include <limits.h>
#include <stdint.h>

#include "kstring.h"

struct fmt_out {
	char *buf;
	size_t size; /* of buf, including room for the NUL */
	size_t len;  /* bytes the full output has so far */
};

/* Flags of one conversion. */
#define FMT_LEFT  1u  /* '-' */
#define FMT_ZERO  2u  /* '0' */
#define FMT_SPACE 4u  /* ' ' */
#define FMT_PLUS  8u  /* '+' */
#define FMT_ALT   16u /* '#' */

enum fmt_length {
	FMT_LEN_NONE,
	FMT_LEN_HH,
	FMT_LEN_H,
	FMT_LEN_L,
	FMT_LEN_LL,
	FMT_LEN_Z,
	FMT_LEN_J,
	FMT_LEN_T
};

struct fmt_spec {
	unsigned flags;
	int width;     /* >= 0 */
	int precision; /* < 0: none given */
	enum fmt_length length;
};

static void fmt_put(struct fmt_out *o, const char *s, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - 1 - o->len;
		size_t k = n < room ? n : room;

		memcpy(o->buf + o->len, s, k);
	}
	o->len += n;
}

static void fmt_pad(struct fmt_out *o, char c, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - 1 - o->len;
		size_t k = n < room ? n : room;

		memset(o->buf + o->len, c, k);
	}
	o->len += n;
}

/* Decimal digits of a width or precision, saturating at INT_MAX. */
static int fmt_parse_number(const char **p)
{
	int v = 0;

	while (**p >= '0' && **p <= '9') {
		int d = **p - '0';

		v = v > (INT_MAX - d) / 10 ? INT_MAX : v * 10 + d;
		(*p)++;
	}
	return v;
}

/* Pad a field of `len` bytes to the width: spaces before unless '-'. */
static void fmt_pad_before(struct fmt_out *o, const struct fmt_spec *sp, size_t len)
{
	if (!(sp->flags & FMT_LEFT) && (size_t)sp->width > len)
		fmt_pad(o, ' ', (size_t)sp->width - len);
}

static void fmt_pad_after(struct fmt_out *o, const struct fmt_spec *sp, size_t len)
{
	if ((sp->flags & FMT_LEFT) && (size_t)sp->width > len)
		fmt_pad(o, ' ', (size_t)sp->width - len);
}

/*
 * One integer: [spaces][sign or 0x][zeros][digits][spaces]. `prefix` is the
 * sign or radix prefix, already decided by the caller.
 */
static void fmt_integer(struct fmt_out *o, const struct fmt_spec *sp, uint64_t v, unsigned base,
			int upper, const char *prefix)
{
	const char *digitset = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[24]; /* 22 octal digits for 2^64 - 1 */
	size_t nd = 0, zeros = 0, plen = strlen(prefix);

	/* C: precision 0 and value 0 print no digits. */
	if (v != 0 || sp->precision != 0) {
		do {
			digits[sizeof(digits) - 1 - nd++] = digitset[v % base];
			v /= base;
		} while (v != 0);
	}
	if (sp->precision >= 0 && (size_t)sp->precision > nd)
		zeros = (size_t)sp->precision - nd;
	/* '#' with %o: the first digit printed is a 0. */
	if ((sp->flags & FMT_ALT) && base == 8 && zeros == 0 &&
	    (nd == 0 || digits[sizeof(digits) - nd] != '0'))
		zeros = 1;
	/* '0' pads with zeros after the sign, unless '-' or a precision is given. */
	if ((sp->flags & FMT_ZERO) && !(sp->flags & FMT_LEFT) && sp->precision < 0 &&
	    (size_t)sp->width > plen + zeros + nd)
		zeros = (size_t)sp->width - plen - nd;

	size_t len = plen + zeros + nd;

	fmt_pad_before(o, sp, len);
	fmt_put(o, prefix, plen);
	fmt_pad(o, '0', zeros);
	fmt_put(o, digits + sizeof(digits) - nd, nd);
	fmt_pad_after(o, sp, len);
}

/*
 * The va_arg types come from C's rules for each length modifier. `long` is
 * read as `long` because that is what the caller passed (32 bits in the
 * stub's LLP64, 64 in the kernel); it is widened at once.
 */
static int64_t fmt_arg_signed(va_list *ap, enum fmt_length len)
{
	switch (len) {
	case FMT_LEN_HH: return (signed char)va_arg(*ap, int);
	case FMT_LEN_H: return (short)va_arg(*ap, int);
	case FMT_LEN_L: return va_arg(*ap, long);
	case FMT_LEN_LL: return va_arg(*ap, long long);
	case FMT_LEN_Z: return va_arg(*ap, ptrdiff_t); /* the signed type of size_t's width */
	case FMT_LEN_J: return va_arg(*ap, intmax_t);
	case FMT_LEN_T: return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}

static uint64_t fmt_arg_unsigned(va_list *ap, enum fmt_length len)
{
	switch (len) {
	case FMT_LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case FMT_LEN_H: return (unsigned short)va_arg(*ap, unsigned int);
	case FMT_LEN_L: return va_arg(*ap, unsigned long);
	case FMT_LEN_LL: return va_arg(*ap, unsigned long long);
	case FMT_LEN_Z: return va_arg(*ap, size_t);
	case FMT_LEN_J: return va_arg(*ap, uintmax_t);
	case FMT_LEN_T: return (size_t)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static void fmt_string(struct fmt_out *o, const struct fmt_spec *sp, const char *s)
{
	size_t n = 0;

	if (s == NULL)
		s = "(null)";
	/* With a precision the string need not be NUL-terminated: read no further. */
	while ((sp->precision < 0 || n < (size_t)sp->precision) && s[n] != '\0')
		n++;
	fmt_pad_before(o, sp, n);
	fmt_put(o, s, n);
	fmt_pad_after(o, sp, n);
}

/* Flags, width, precision and length of the conversion at *p (just after '%'). */
static void fmt_parse_spec(const char **p, va_list *ap, struct fmt_spec *sp)
{
	const char *s = *p;

	sp->flags = 0;
	for (;; s++) {
		if (*s == '-')
			sp->flags |= FMT_LEFT;
		else if (*s == '0')
			sp->flags |= FMT_ZERO;
		else if (*s == ' ')
			sp->flags |= FMT_SPACE;
		else if (*s == '+')
			sp->flags |= FMT_PLUS;
		else if (*s == '#')
			sp->flags |= FMT_ALT;
		else
			break;
	}

	if (*s == '*') {
		int w = va_arg(*ap, int);

		s++;
		/* A negative '*' width is the '-' flag and its magnitude (C11 7.21.6.1p5). */
		if (w < 0) {
			sp->flags |= FMT_LEFT;
			w = w == INT_MIN ? INT_MAX : -w;
		}
		sp->width = w;
	} else {
		sp->width = fmt_parse_number(&s);
	}

	sp->precision = -1;
	if (*s == '.') {
		s++;
		if (*s == '*') {
			int pr = va_arg(*ap, int);

			s++;
			sp->precision = pr < 0 ? -1 : pr; /* negative: as if omitted */
		} else {
			sp->precision = fmt_parse_number(&s);
		}
	}

	sp->length = FMT_LEN_NONE;
	if (s[0] == 'h' && s[1] == 'h') {
		sp->length = FMT_LEN_HH;
		s += 2;
	} else if (s[0] == 'l' && s[1] == 'l') {
		sp->length = FMT_LEN_LL;
		s += 2;
	} else if (*s == 'h' || *s == 'l' || *s == 'z' || *s == 'j' || *s == 't') {
		sp->length = *s == 'h'   ? FMT_LEN_H
			     : *s == 'l' ? FMT_LEN_L
			     : *s == 'z' ? FMT_LEN_Z
			     : *s == 'j' ? FMT_LEN_J
					 : FMT_LEN_T;
		s++;
	}
	*p = s;
}

/* One conversion; *p is just after the '%' and ends just after the conversion. */
static void fmt_convert(struct fmt_out *o, const char **p, va_list *ap)
{
	const char *start = *p - 1; /* the '%' */
	struct fmt_spec sp;
	char c;

	fmt_parse_spec(p, ap, &sp);
	c = **p;
	switch (c) {
	case 'd':
	case 'i': {
		int64_t v = fmt_arg_signed(ap, sp.length);
		/* The magnitude of INT64_MIN does not fit int64_t: negate unsigned. */
		uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
		const char *sign = v < 0                    ? "-"
				   : (sp.flags & FMT_PLUS)  ? "+"
				   : (sp.flags & FMT_SPACE) ? " "
							    : "";

		fmt_integer(o, &sp, mag, 10, 0, sign);
		break;
	}
	case 'u': fmt_integer(o, &sp, fmt_arg_unsigned(ap, sp.length), 10, 0, ""); break;
	case 'o': fmt_integer(o, &sp, fmt_arg_unsigned(ap, sp.length), 8, 0, ""); break;
	case 'x':
	case 'X': {
		uint64_t v = fmt_arg_unsigned(ap, sp.length);
		const char *prefix = (sp.flags & FMT_ALT) && v != 0 ? (c == 'x' ? "0x" : "0X") : "";

		fmt_integer(o, &sp, v, 16, c == 'X', prefix);
		break;
	}
	case 'p':
		sp.precision = 16; /* all 16 digits; a precision also disables '0' */
		fmt_integer(o, &sp, (uint64_t)(uintptr_t)va_arg(*ap, void *), 16, 0, "0x");
		break;
	case 'c': {
		char ch = (char)va_arg(*ap, int);

		fmt_pad_before(o, &sp, 1);
		fmt_put(o, &ch, 1);
		fmt_pad_after(o, &sp, 1);
		break;
	}
	case 's': fmt_string(o, &sp, va_arg(*ap, const char *)); break;
	case '%': fmt_put(o, "%", 1); break;
	default:
		/* Unknown, or the format ended: copy what was written, consume nothing. */
		if (c == '\0') {
			fmt_put(o, start, (size_t)(*p - start));
			return;
		}
		fmt_put(o, start, (size_t)(*p - start) + 1);
		break;
	}
	(*p)++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = {.buf = buf, .size = size, .len = 0};
	const char *p = fmt;
	va_list aq;

	/* A copy, so that its address can be passed down (va_list may be an array type). */
	va_copy(aq, ap);
	while (*p != '\0') {
		const char *lit = p;

		while (*p != '\0' && *p != '%')
			p++;
		fmt_put(&o, lit, (size_t)(p - lit));
		if (*p == '%') {
			p++;
			fmt_convert(&o, &p, &aq);
		}
	}
	va_end(aq);

	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT_MAX ? -1 : (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
