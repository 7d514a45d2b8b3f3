/*
 * fuzz_pred.c — libFuzzer harness for the predicate parser, with a round
 * trip: a predicate that parses is formatted, the text parses again, and
 * formats to the same text. Built-in predicates and raft's (the protocol
 * with the most). Seeds: the goals of the lessons and the scenarios'
 * expects.
 */
#include "proto/proto.h"
#include "script/script.h"
#include "util/util.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 14 || memchr(data, 0, size))
		return 0;
	char *text = xcalloc(1, size + 1);
	memcpy(text, data, size);
	const struct proto_ops *protos[] = {NULL, proto_find("raft")};
	for (size_t k = 0; k < sizeof protos / sizeof protos[0]; k++) {
		struct sbuf err = {0}, a = {0}, b = {0};
		struct pred *p = pred_parse_for(text, "fuzz", 1, protos[k], &err);
		if (p) {
			pred_fmt(p, &a);
			struct pred *q = pred_parse_for(sbuf_str(&a), "fuzz", 1, protos[k], &err);
			if (!q)
				abort(); /* what pred_fmt wrote must parse */
			pred_fmt(q, &b);
			if (strcmp(sbuf_str(&a), sbuf_str(&b)))
				abort(); /* and format the same */
			pred_free(q);
			pred_free(p);
		}
		sbuf_free(&err);
		sbuf_free(&a);
		sbuf_free(&b);
	}
	free(text);
	return 0;
}
