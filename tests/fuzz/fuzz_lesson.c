/*
 * fuzz_lesson.c — libFuzzer harness for the lesson format: any input is
 * parsed as a lesson file (its set-ups, goals and solutions through the
 * command language). Seeds: lessons/ and lessons/es/.
 */
#include "lesson/lesson.h"
#include "util/util.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 17 || memchr(data, 0, size))
		return 0;
	char *text = xcalloc(1, size + 1);
	memcpy(text, data, size);
	struct sbuf err = {0};
	struct lesson *l = lesson_parse(text, "fuzz.lesson", &err);
	if (l)
		lesson_free(l);
	sbuf_free(&err);
	free(text);
	return 0;
}
