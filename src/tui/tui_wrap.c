/*
 * tui_wrap.c — word wrapping by display width, for the lesson pane and the
 * quiz: pure (no curses, no state), measured with scene_fit() in the
 * current locale, so that translated text and wide characters wrap where
 * they are seen to end, not where their bytes do.
 */
#include "tui/tui_session.h"

#include <string.h>

int tui_wrap(const char *text, int width, void (*emit)(void *ctx, const char *line, size_t len),
	     void *ctx)
{
	int n = 0;
	if (width < 1)
		width = 1;
	const char *p = text ? text : "";
	while (*p) {
		size_t para = strcspn(p, "\n");
		const char *end = p + para;
		/* One line of the source: wrap it into as many as it takes. */
		const char *q = p;
		do {
			while (q < end && *q == ' ' && q != p)
				q++;
			size_t left = (size_t)(end - q);
			int used;
			/* scene_fit measures a NUL-terminated string: bound it. */
			char buf[1024];
			size_t take = left < sizeof buf - 1 ? left : sizeof buf - 1;
			memcpy(buf, q, take);
			buf[take] = '\0';
			size_t fit = scene_fit(buf, width, &used);
			if (fit < left) {
				/* Break at the last blank that fits, if any. */
				size_t cut = fit;
				while (cut > 0 && q[cut] != ' ')
					cut--;
				if (cut > 0)
					fit = cut;
				else if (fit == 0) {
					/* Not even one character fits: take one whole one. */
					fit = 1;
					while (fit < left && ((unsigned char)q[fit] & 0xc0) == 0x80)
						fit++;
				}
			}
			size_t len = fit;
			while (len > 0 && q[len - 1] == ' ')
				len--;
			emit(ctx, q, len);
			n++;
			q += fit;
			while (q < end && *q == ' ')
				q++;
		} while (q < end);
		p = end;
		if (*p == '\n') {
			p++;
			/* A blank line between paragraphs. */
			if (*p == '\n') {
				emit(ctx, p, 0);
				n++;
				p++;
			}
		}
	}
	return n;
}
