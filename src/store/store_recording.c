/*
 * store_recording.c — recorded sessions: the header of a run (protocol,
 * options, cluster size, seed, version) and every command the learner gave
 * with the simulated time it took effect. Replaying those commands at those
 * times on a simulator built from that header gives the same run, bit for
 * bit (DESIGN.md, principle 2). A save is one transaction: a recording is
 * all there or not at all.
 */
#include "store/store_internal.h"

#include "config.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

void store_recording_init(struct store_recording *r)
{
	memset(r, 0, sizeof(*r));
	r->duration = STORE_NO_DURATION;
}

void store_recording_close(struct store_recording *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ncmds; i++)
		free(r->cmds[i].text);
	free(r->cmds);
	free(r->title);
	free(r->protocol);
	free(r->options);
	free(r->version);
	store_recording_init(r);
}

void store_recording_add(struct store_recording *r, sim_time at, const char *text)
{
	xgrow((void **)&r->cmds, &r->cap, r->ncmds + 1, sizeof(*r->cmds));
	r->cmds[r->ncmds].at = at;
	r->cmds[r->ncmds].text = xstrdup(text);
	r->ncmds++;
}

bool store_title_ok(const char *title, struct sbuf *why)
{
	if (!title || !title[0]) {
		sbuf_puts(why, _("the recording has no title"));
		return false;
	}
	if (!ns_printable(title, 0)) {
		struct sbuf shown = {0};
		sbuf_put_printable(&shown, title, 0);
		sbuf_printf(why,
			    _("the title \"%s\" holds a control character (a newline, a tab, an "
			      "escape...): a title is one line of text"),
			    sbuf_str(&shown));
		sbuf_free(&shown);
		return false;
	}
	return true;
}

int store_recording_check(const struct store_recording *r, struct sbuf *why)
{
	sim_time last = 0;

	if (!store_title_ok(r->title, why))
		return STORE_E_INVALID;
	if (!r->protocol || !r->protocol[0]) {
		sbuf_puts(why, _("the recording names no protocol"));
		return STORE_E_INVALID;
	}
	if (r->nodes < 1) {
		sbuf_printf(why, _("the recording has %d nodes; a cluster has at least 1"),
			    r->nodes);
		return STORE_E_INVALID;
	}
	for (size_t i = 0; i < r->ncmds; i++) {
		const struct store_cmd *c = &r->cmds[i];
		if (c->at < last) {
			sbuf_printf(why,
				    _("command %zu (%s) is at %lld us, before the one before it "
				      "(%lld us)"),
				    i + 1, c->text ? c->text : "", (long long)c->at,
				    (long long)last);
			return STORE_E_INVALID;
		}
		if (!c->text || !c->text[0] || strpbrk(c->text, "\r\n")) {
			sbuf_printf(why, _("command %zu is empty or spans several lines"), i + 1);
			return STORE_E_INVALID;
		}
		last = c->at;
	}
	if (r->duration != STORE_NO_DURATION && r->duration < last) {
		sbuf_printf(why, _("the duration (%lld us) ends before the last command (%lld us)"),
			    (long long)r->duration, (long long)last);
		return STORE_E_INVALID;
	}
	return STORE_OK;
}

/* Inserts r; inside a write transaction. */
static int insert(struct store *st, struct store_recording *r, const char *what)
{
	sqlite3_stmt *s = store_stmt(st, SQL_REC_ADD);
	int rc = STORE_OK;
	int64_t id;

	store_bind_text(s, 1, r->title);
	sqlite3_bind_int64(s, 2, r->created);
	store_bind_text(s, 3, r->protocol);
	store_bind_text(s, 4, r->options ? r->options : "");
	sqlite3_bind_int(s, 5, r->nodes);
	sqlite3_bind_int64(s, 6, (int64_t)r->seed); /* the bits of a uint64_t */
	store_bind_text(s, 7, r->version);
	if (r->duration == STORE_NO_DURATION)
		sqlite3_bind_null(s, 8);
	else
		sqlite3_bind_int64(s, 8, r->duration);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_dberr(st, what);
	store_stmt_done(s);
	if (rc < 0)
		return rc;
	id = sqlite3_last_insert_rowid(st->db);
	s = store_stmt(st, SQL_REC_CMD_ADD);
	for (size_t i = 0; i < r->ncmds && rc >= 0; i++) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		sqlite3_bind_int64(s, 3, r->cmds[i].at);
		store_bind_text(s, 4, r->cmds[i].text);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = store_dberr(st, what);
		sqlite3_reset(s);
	}
	sqlite3_clear_bindings(s);
	if (rc >= 0)
		r->id = id;
	return rc;
}

/* Save and import: validate, one transaction. */
static int save(struct store *st, struct store_recording *r, int64_t *id, const char *what)
{
	struct sbuf why = {0};
	int rc = store_recording_check(r, &why);

	if (rc < 0) {
		rc = store_fail(st, rc, "%s: %s", what, sbuf_str(&why));
		sbuf_free(&why);
		return rc;
	}
	sbuf_free(&why);
	if ((rc = store_write_begin(st, what)) < 0)
		return rc;
	rc = store_write_end(st, insert(st, r, what), what);
	if (rc < 0)
		r->id = 0;
	else if (id)
		*id = r->id;
	return rc;
}

int store_recording_save(struct store *st, struct store_recording *r, int64_t *id)
{
	if (r->created == 0)
		r->created = store_now(st);
	if (!r->version)
		r->version = xstrdup(NETSPLIT_VERSION);
	return save(st, r, id, _("Could not save the recording"));
}

int store_recording_import(struct store *st, struct store_recording *r, int64_t *id)
{
	const char *what = _("Could not import the recording");

	if (r->created <= 0)
		return store_fail(st, STORE_E_INVALID, "%s: %s", what,
				  _("it has no creation time"));
	if (!r->version || !r->version[0])
		return store_fail(st, STORE_E_INVALID, "%s: %s", what,
				  _("it does not say which netsplit version made it"));
	return save(st, r, id, what);
}

static char *column_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return xstrdup(t ? (const char *)t : "");
}

static sim_time column_duration(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return STORE_NO_DURATION;
	return sqlite3_column_int64(s, i);
}

void store_rec_summaries_free(struct store_rec_summary *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].title);
		free(v[i].protocol);
	}
	free(v);
}

int store_recording_list(struct store *st, struct store_rec_summary **out, size_t *n)
{
	sqlite3_stmt *s = store_stmt(st, SQL_REC_LIST);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		xgrow((void **)out, &cap, *n + 1, sizeof(**out));
		struct store_rec_summary *e = &(*out)[(*n)++];
		e->id = sqlite3_column_int64(s, 0);
		e->title = column_dup(s, 1);
		e->created = sqlite3_column_int64(s, 2);
		e->protocol = column_dup(s, 3);
		e->nodes = sqlite3_column_int(s, 4);
		e->duration = column_duration(s, 5);
		e->ncmds = (size_t)sqlite3_column_int64(s, 6);
	}
	if (rc != SQLITE_DONE) {
		rc = store_dberr(st, _("Could not list the recordings"));
		store_rec_summaries_free(*out, *n);
		*out = NULL;
		*n = 0;
	} else {
		rc = store_ok(st);
	}
	store_stmt_done(s);
	return rc;
}

int store_recording_load(struct store *st, int64_t id, struct store_recording *r)
{
	const char *what = _("Could not load the recording");
	sqlite3_stmt *s = store_stmt(st, SQL_REC_GET);
	int rc;

	store_recording_close(r);
	/* A read transaction, so the header and the commands are one snapshot
	 * even if another process writes meanwhile. */
	if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_dberr(st, what);
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		r->id = id;
		r->title = column_dup(s, 0);
		r->created = sqlite3_column_int64(s, 1);
		r->protocol = column_dup(s, 2);
		r->options = column_dup(s, 3);
		r->nodes = sqlite3_column_int(s, 4);
		r->seed = (uint64_t)sqlite3_column_int64(s, 5);
		r->version = column_dup(s, 6);
		r->duration = column_duration(s, 7);
		rc = STORE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = store_fail(st, STORE_E_NOTFOUND, _("There is no recording #%lld."),
				(long long)id);
	} else {
		rc = store_dberr(st, what);
	}
	store_stmt_done(s);
	if (rc == STORE_OK) {
		s = store_stmt(st, SQL_REC_CMDS);
		sqlite3_bind_int64(s, 1, id);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			xgrow((void **)&r->cmds, &r->cap, r->ncmds + 1, sizeof(*r->cmds));
			r->cmds[r->ncmds].at = sqlite3_column_int64(s, 0);
			r->cmds[r->ncmds].text = column_dup(s, 1);
			r->ncmds++;
		}
		rc = rc == SQLITE_DONE ? store_ok(st) : store_dberr(st, what);
		store_stmt_done(s);
		/* Saved recordings were checked; a command of several lines
		 * can only come from a damaged or forged file, and would
		 * become several commands when exported or replayed. */
		for (size_t i = 0; rc == STORE_OK && i < r->ncmds; i++)
			if (!r->cmds[i].text || strpbrk(r->cmds[i].text, "\r\n"))
				rc = store_fail(st, STORE_E_INVALID,
						_("Recording #%lld is damaged: command %zu spans "
						  "several lines."),
						(long long)id, i + 1);
	}
	sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc < 0)
		store_recording_close(r);
	return rc;
}

int store_recording_delete(struct store *st, int64_t id)
{
	const char *what = _("Could not delete the recording");
	int rc = store_write_begin(st, what);

	if (rc < 0)
		return rc;
	sqlite3_stmt *s = store_stmt(st, SQL_REC_DEL);
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_dberr(st, what);
	else if (sqlite3_changes(st->db) == 0)
		rc = store_fail(st, STORE_E_NOTFOUND, _("There is no recording #%lld."),
				(long long)id);
	store_stmt_done(s);
	return store_write_end(st, rc, what);
}

int store_recording_rename(struct store *st, int64_t id, const char *title)
{
	const char *what = _("Could not rename the recording");
	int rc;

	struct sbuf why = {0};
	if (!store_title_ok(title, &why)) {
		rc = store_fail(st, STORE_E_INVALID, "%s: %s", what, sbuf_str(&why));
		sbuf_free(&why);
		return rc;
	}
	if ((rc = store_write_begin(st, what)) < 0)
		return rc;
	sqlite3_stmt *s = store_stmt(st, SQL_REC_RENAME);
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, title);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_dberr(st, what);
	else if (sqlite3_changes(st->db) == 0)
		rc = store_fail(st, STORE_E_NOTFOUND, _("There is no recording #%lld."),
				(long long)id);
	store_stmt_done(s);
	return store_write_end(st, rc, what);
}
