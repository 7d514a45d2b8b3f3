/*
 * tui_keys.c — the key table, and the help screen generated from it and
 * from the command language's own tables (script_command, script_pred,
 * the protocol's commands, predicates and message kinds). Nothing in the
 * help is written twice: a new key or command shows up here by itself.
 */
#include "tui/tui_internal.h"

#include "util/i18n.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define CTRL_KEY(c) ((c)&0x1f)

const struct tui_key tui_keys[] = {
    {'?', "?", ACT_HELP, N_("help: keys, commands and the legend (again to leave)"), N_("help")},
    {':', ":", ACT_PROMPT, N_("the command line (tab completes, up/down recall history)"),
     N_("command")},
    {' ', "space", ACT_RUN, N_("run or pause simulated time"), N_("run")},
    {'.', ".", ACT_STEP, N_("process one event (pauses first)"), NULL},
    {'+', "+", ACT_FASTER, N_("faster: up to 100x real time"), NULL},
    {'=', "=", ACT_FASTER, N_("faster (the same as +)"), NULL},
    {'-', "-", ACT_SLOWER, N_("slower: down to 0.01x real time (slow motion)"), NULL},
    {'1', "1-9", ACT_SELECT, N_("select node n1..n9 (0 selects n10)"), NULL},
    {KEY_LEFT, "left", ACT_PREV, N_("select the previous node"), NULL},
    {KEY_RIGHT, "right", ACT_NEXT, N_("select the next node"), NULL},
    {'c', "c", ACT_CRASH, N_("crash the selected node, or restart it"), N_("crash")},
    {'x', "x", ACT_CUT, N_("then a node: cut the link to it, or heal it"), N_("cut link")},
    {'X', "X", ACT_CUT_ONEWAY, N_("then a node: cut or heal only the way from the selected node"),
     NULL},
    {'p', "p", ACT_PARTITION,
     N_("partition presets: isolate the selected node, a minority/majority "
	"split, healed"),
     N_("split")},
    {'b', "b", ACT_TRAITOR,
     N_("Byzantine: the selected node turns traitor, lie -> equivocate -> silent -> loyal"), NULL},
    {'h', "h", ACT_HEAL, N_("heal every link"), N_("heal")},
    {'s', "s", ACT_PUT, N_("a client writes through the selected node"), NULL},
    {'g', "g", ACT_GET, N_("a client reads through the selected node"), NULL},
    {'\t', "tab", ACT_VIEW,
     N_("next view: cluster, logs, timeline (clocks: events; phi: a plot; swim: every view), "
	"history"),
     N_("view")},
    {'w', "w", ACT_WORKLOAD, N_("start clients: workload clients 3 rate 20/s keys 2"), NULL},
    {'t', "t", ACT_TIMEOUT,
     N_("time out now: the selected node acts as if its timer ran out (Raft: it campaigns)"), NULL},
    {'m', "m", ACT_MSG,
     N_("open the next message in flight (pauses): the side pane shows what it carries; a "
	"click on a message opens it too"),
     NULL},
    {'M', "M", ACT_SLOWMO,
     N_("slow motion: time drops to 0.05x while a node campaigns (an election, a failover), "
	"and comes back after"),
     NULL},
    {'e', "e", ACT_EVENTS,
     N_("event log: only what happened (state changes, faults, client operations), without "
	"the messages sent, delivered and dropped; again: everything"),
     NULL},
    {'P', "P", ACT_PRESENT,
     N_("presenter mode: high contrast with no dim text, heartbeats and message deliveries "
	"left out of the event log"),
     NULL},
    {'>', "> <", ACT_ZOOM_IN,
     N_("history view: zoom in, zoom out (left/right scroll time); clocks timeline: the clock "
	"shown; phi timeline: zoom"),
     NULL},
    {'q', "q", ACT_QUIT, N_("quit (the terminal is restored)"), N_("quit")},
    {KEY_UP, "up", ACT_UP,
     N_("scroll up (logs, timeline, help); previous node in the cluster; clocks timeline: the "
	"event before; phi timeline: the peer"),
     NULL},
    {KEY_DOWN, "down", ACT_DOWN,
     N_("scroll down; next node in the cluster; clocks timeline: the event after; phi "
	"timeline: the peer"),
     NULL},
    {KEY_PPAGE, "pgup", ACT_PGUP, N_("scroll a page up"), NULL},
    {KEY_NPAGE, "pgdn", ACT_PGDN, N_("scroll a page down"), NULL},
    {27, "esc", ACT_BACK,
     N_("leave the help, close a message, cancel a pending x or X, unselect a clocks event"), NULL},
    /* lessons, recordings and replays: their key bars are built by the session */
    {'n', "n", ACT_LESSON_NEXT,
     N_("lesson: the next step (it opens when you ask, never by itself)"), NULL},
    {'N', "N", ACT_LESSON_PREV, N_("lesson: the previous step (its set-up runs again)"), NULL},
    {'B', "B", ACT_LESSON_FIRST, N_("lesson: take the lesson again from step 1"), NULL},
    {'K', "K", ACT_GLOSSARY,
     N_("lesson: the glossary, the terms this step uses first (again: back)"), NULL},
    {'H', "H", ACT_HINT, N_("lesson: reveal the next hint"), NULL},
    {'S', "S", ACT_SHOW_ME, N_("lesson: show me (runs the solution as commands)"), NULL},
    {'r', "r", ACT_RESTART, N_("lesson: restart the step"), NULL},
    {'l', "l", ACT_PANE, N_("lesson: the side pane shows the lesson or the selected node"), NULL},
    {'L', "L", ACT_LESSONS, N_("the lesson list"), NULL},
    {'\n', "enter", ACT_ENTER, N_("quiz: answer the highlighted choice, then the next question"),
     NULL},
    {'R', "R", ACT_RECORD, N_("record: start (asks for a title), or stop and save"), NULL},
    {'[', "[", ACT_SEEK_BACK,
     N_("back a twentieth of the session: a replay, or the live sandbox rewound (re-run from the "
	"start; a command then forks)"),
     NULL},
    {']', "]", ACT_SEEK_FWD,
     N_("forward a twentieth (replay, rewound sandbox: up to the present, live again)"), NULL},
    {'G', "G", ACT_GOTO, N_("go to a time (asks for it): replay, or the sandbox rewound"), NULL},
    {'T', "T", ACT_TAKEOVER, N_("replay: take over and go on live from here"), NULL},
    {0, NULL, ACT_NONE, NULL, NULL},
};

enum tui_act tui_keys_action(int code)
{
	if (code >= '0' && code <= '9')
		return ACT_SELECT;
	if (code == '<') /* shares the '>' entry */
		return ACT_ZOOM_OUT;
	for (int i = 0; tui_keys[i].code; i++)
		if (tui_keys[i].code == code)
			return tui_keys[i].act;
	return ACT_NONE;
}

static void add(struct scene_line **lines, int *n, size_t *cap, int style, const char *fmt, ...)
    NS_PRINTF(5, 6);
static void add(struct scene_line **lines, int *n, size_t *cap, int style, const char *fmt, ...)
{
	xgrow((void **)lines, cap, (size_t)*n + 1, sizeof **lines);
	struct sbuf b = {0};
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	(*lines)[*n].text = sbuf_take(&b);
	(*lines)[*n].style = (uint8_t)style;
	(*n)++;
}

/* "name usage" padded to a column, then the help text. */
static void entry(struct scene_line **lines, int *n, size_t *cap, const char *name,
		  const char *usage, const char *help)
{
	char head[160];
	ns_snprintf(head, sizeof head, "%s%s%s", name, usage && *usage ? " " : "",
		    usage ? usage : "");
	int w = scene_width(head);
	if (w < 30) {
		add(lines, n, cap, SS_NORMAL, "  %s%*s  %s", head, 30 - w, "", _(help));
		return;
	}
	add(lines, n, cap, SS_NORMAL, "  %s", head);
	add(lines, n, cap, SS_NORMAL, "  %30s  %s", "", _(help));
}

/* The distinct protocols of the worlds, in order; returns how many. */
static int protocols_of(struct world *const *w, int nw, const struct proto_ops **out)
{
	int n = 0;
	for (int i = 0; i < nw; i++) {
		struct sim *s = w[i] ? world_sim(w[i]) : NULL;
		const struct proto_ops *p = s ? sim_proto(s) : NULL;
		bool seen = !p;
		for (int k = 0; k < n && !seen; k++)
			seen = out[k] == p;
		if (!seen)
			out[n++] = p;
	}
	return n;
}

void tui_keys_help(struct world *w, bool unicode, struct scene_line **out, int *n)
{
	tui_keys_help_many(&w, 1, unicode, out, n);
}

void tui_keys_help_many(struct world *const *w, int nw, bool unicode, struct scene_line **out,
			int *n)
{
	size_t cap = 0;
	const struct proto_ops *protos[8];
	int np = protocols_of(w, MIN(nw, 8), protos);
	*out = NULL;
	*n = 0;
	add(out, n, &cap, SS_TITLE, "%s", _("Keys"));
	for (int i = 0; tui_keys[i].code; i++)
		if (tui_keys[i].act < ACT_LESSON_NEXT) /* the session's keys come last */
			add(out, n, &cap, SS_NORMAL, "  %-8s %s", tui_keys[i].name,
			    _(tui_keys[i].help));
	add(out, n, &cap, SS_NORMAL, "  %-8s %s", _("mouse"),
	    _("click a node to select it, a message to open it; click a drawn link to cut or heal "
	      "it"));
	add(out, n, &cap, SS_NORMAL, "%s", "");

	add(out, n, &cap, SS_TITLE, "%s", _("On the cluster"));
	add(out, n, &cap, SS_NORMAL, "  %s",
	    unicode ? _("╳ a cut link   → a one-way cut: the arrow shows the way that still works")
		    : _("X a cut link   > < ^ v a one-way cut: the arrow shows the way that still "
			"works"));
	add(out, n, &cap, SS_NORMAL, "  ~ %s   %% %s",
	    _("a slow link (latency or jitter above the default)"), _("a lossy link"));
	add(out, n, &cap, SS_NORMAL, "  %s %s", unicode ? "✕" : "*", _("where a message was lost"));
	add(out, n, &cap, SS_NORMAL, "  %s",
	    unicode ? _("▪ a committed log entry, ▫ one not yet committed; colour = term")
		    : _("# a committed log entry, + one not yet committed; colour = term"));
	for (int k = 0; k < np; k++) {
		const struct proto_ops *p = protos[k];
		if (np > 1)
			add(out, n, &cap, SS_NORMAL, "  %s:", p->name);
		for (int i = 0; i < p->node.nmsg_kinds; i++)
			add(out, n, &cap, SS_NORMAL, "  %c %s%s", p->node.msg_kinds[i].glyph,
			    p->node.msg_kinds[i].name,
			    p->node.msg_kinds[i].reply ? _(" (a reply)") : "");
	}
	add(out, n, &cap, SS_NORMAL, "%s", "");

	add(out, n, &cap, SS_TITLE, "%s", _("Commands (type : first)"));
	const struct cmd_info *r;
	for (int i = 0; (r = script_command(i)); i++)
		entry(out, n, &cap, r->name, r->usage, r->help);
	for (int k = 0; k < np; k++)
		for (int i = 0; protos[k]->commands && protos[k]->commands[i].name; i++)
			entry(out, n, &cap, protos[k]->commands[i].name,
			      protos[k]->commands[i].usage, protos[k]->commands[i].help);
	add(out, n, &cap, SS_NORMAL, "%s", "");
	add(out, n, &cap, SS_TITLE, "%s", _("Predicates (for expect and run until)"));
	for (int i = 0; (r = script_pred(i)); i++)
		entry(out, n, &cap, r->name, r->usage, r->help);
	for (int k = 0; k < np; k++) {
		const struct proto_pred *pp;
		for (int i = 0; (pp = script_proto_pred(protos[k], i)); i++)
			entry(out, n, &cap, pp->name, pp->usage, pp->help);
	}
	add(out, n, &cap, SS_NORMAL, "%s", "");
	add(out, n, &cap, SS_TITLE, "%s", _("Keys in lessons, recordings and replays"));
	for (int i = 0; tui_keys[i].code; i++)
		if (tui_keys[i].act >= ACT_LESSON_NEXT)
			add(out, n, &cap, SS_NORMAL, "  %-8s %s", tui_keys[i].name,
			    _(tui_keys[i].help));
}

void tui_keys_help_free(struct scene_line *lines, int n)
{
	for (int i = 0; i < n; i++)
		free(lines[i].text);
	free(lines);
}
