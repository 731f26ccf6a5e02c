/*
 * template.c - a minimal mustache: parse once into a tree, render against
 * a stack of contexts.  No I/O but reading the template files.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "template.h"
#include "util.h"

#define TPL_MAXDEPTH	32		/* nested sections */
#define TPL_MAXFILE	(1024 * 1024)	/* a template is a few KiB */

/*
 * The templates trucd uses and the names each may hold.  Names available
 * everywhere are in tpl_global_vars.  A name that is in no list here is a
 * typo as far as templates_check() is concerned.  "subject" says whether
 * the file must start with a Subject line (a whole mail) or must not (a
 * block placed inside the reply).
 */
#define SESSION_VARS	"code title track day date start_time end_time place " \
			"trainer description cancel_line "
#define PROGRAMME_VARS	"weeks count period days day group sessions " \
			SESSION_VARS "free waiting full registered waitlisted " \
			"command_line mailto "

static const char tpl_global_vars[] = "school school_address help_line lang";

static const struct tpl_def {
	const char	*name;
	int		 subject;
	const char	*vars;
} tpl_defs[] = {
	/* The frame of every reply to a person. */
	{ "reply", 1, "original_subject greeting_name outcomes" },
	/* Blocks, rendered and joined into the reply's {{outcomes}}. */
	{ "registered", 0, SESSION_VARS "understood clash" },
	{ "already_registered", 0, SESSION_VARS "understood" },
	{ "waitlisted", 0, SESSION_VARS "understood position" },
	{ "already_waitlisted", 0, SESSION_VARS "understood position" },
	{ "unregistered", 0, SESSION_VARS "understood was_waiting promoted" },
	{ "not_registered", 0, SESSION_VARS "understood" },
	{ "refused", 0, SESSION_VARS "understood past started cancelled "
	    "reason reason_text" },
	{ "unknown_code", 0, "code understood suggestions title "
	    "command_line" },
	{ "unclear", 0, "suggestion mailto" },
	{ "too_many", 0, "max" },
	{ "help", 0, "examples line mailto" },
	{ "my_registrations", 0, SESSION_VARS "registrations waiting "
	    "position status_text" },
	{ "programme_sent", 0, "programme " PROGRAMME_VARS },
	{ "stop_programme", 0, "" },
	{ "start_programme", 0, "" },
	{ "proposal_received", 0, "title description from_name from_addr" },
	{ "unknown_sender", 0, "coordinator" },
	{ "coordinator_only", 0, "command coordinator" },
	{ "confirm_needed", 0, "command code confirm_line" },
	{ "confirm_invalid", 0, "" },
	{ "confirm_used", 0, "" },
	{ "confirm_expired", 0, "" },
	{ "over_size", 0, "max_size" },
	{ "announcement_receipt", 0, "count subject" },
	{ "import_failed", 0, "errors" },
	{ "import_done", 0, "added_count changed_count unchanged_count added "
	    "changed over line" },
	{ "list_sent", 0, SESSION_VARS "registered waiting filename" },
	{ "sheet_sent", 0, SESSION_VARS "filename" },
	{ "sheet_failed", 0, "code" },
	{ "session_cancelled_done", 0, SESSION_VARS "reason already count" },
	{ "attendance_recorded", 0, SESSION_VARS "recorded unknown unmarked "
	    "line" },
	/* Whole mails. */
	{ "promotion", 1, SESSION_VARS "greeting_name" },
	{ "demoted", 1, SESSION_VARS "greeting_name position" },
	{ "programme", 1, "greeting_name " PROGRAMME_VARS },
	{ "programme.html", 1, "greeting_name " PROGRAMME_VARS },
	{ "reminder", 1, SESSION_VARS "greeting_name when cancel_mailto" },
	{ "trainer_list", 1, SESSION_VARS "greeting_name attendees name "
	    "email service registered waiting presents_line" },
	{ "session_cancelled", 1, SESSION_VARS "greeting_name reason "
	    "waitlist" },
	{ "session_changed", 1, SESSION_VARS "greeting_name old_day "
	    "old_start_time old_end_time old_place" },
	{ "proposal", 1, "from_name from_addr title description" },
};

/* Every template in tpl_defs is required: the list, for tools and tests. */
const char *const tpl_required[] = {
	"reply", "registered", "already_registered", "waitlisted",
	"already_waitlisted", "unregistered", "not_registered", "refused",
	"unknown_code", "unclear", "too_many", "help", "my_registrations",
	"programme_sent", "stop_programme", "start_programme",
	"proposal_received", "unknown_sender", "coordinator_only",
	"confirm_needed", "confirm_invalid", "confirm_used", "confirm_expired",
	"over_size", "announcement_receipt", "import_failed", "import_done",
	"list_sent", "sheet_sent", "sheet_failed", "session_cancelled_done",
	"attendance_recorded", "promotion", "demoted", "programme",
	"programme.html", "reminder", "trainer_list", "session_cancelled",
	"session_changed", "proposal", NULL
};

/* Languages whose directory must hold every required template. */
static const char *const tpl_shipped_langs[] = { "fr", "en" };

/* ---- contexts ---------------------------------------------------------- */

/*
 * A context is an array of entries plus a small open-addressing index of
 * them by the hash of their name, so that a lookup costs a probe or two
 * instead of a strcmp() per entry: the programme renders tens of names
 * per session through two or three contexts each.  Entries are never
 * removed (unsetting keeps the entry, value NULL, which hides the
 * parent's), so the index needs no tombstones.
 */
struct tpl_entry {
	char		 *name;
	uint32_t	  hash;
	char		 *value;	/* NULL for a list */
	struct tpl_vars	**items;
	size_t		  nitems, capitems;
};

struct tpl_vars {
	struct tpl_entry *e;
	size_t		  n, cap;
	uint32_t	 *slot;		/* index + 1 into e; 0: free */
	size_t		  nslot;	/* 0 or a power of two >= 2 * n */
};

/* FNV-1a: names are a few bytes; parse time computes it for each tag. */
static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The high bits folded in: on the programme, 1.6 probes a lookup instead
 * of 2 with FNV's low bits alone. */
static inline size_t
slot_of(uint32_t h)
{
	return h ^ (h >> 16);
}

/* strcmp() == 0 for the few bytes of a name, inline: once per lookup. */
static inline int
name_eq(const char *a, const char *b)
{
	while (*a == *b) {
		if (*a == '\0')
			return 1;
		a++;
		b++;
	}
	return 0;
}

struct tpl_vars *
tpl_vars_new(void)
{
	return xcalloc(1, sizeof(struct tpl_vars));
}

static void
entry_clear(struct tpl_entry *e)
{
	free(e->value);
	e->value = NULL;
	for (size_t i = 0; i < e->nitems; i++)
		tpl_vars_free(e->items[i]);
	free(e->items);
	e->items = NULL;
	e->nitems = e->capitems = 0;
}

static struct tpl_entry *
entry_find(const struct tpl_vars *v, const char *name, uint32_t h)
{
	size_t mask;

	if (v->nslot == 0)
		return NULL;
	mask = v->nslot - 1;
	for (size_t i = slot_of(h) & mask;; i = (i + 1) & mask) {
		uint32_t s = v->slot[i];

		if (s == 0)
			return NULL;
		if (v->e[s - 1].hash == h && name_eq(v->e[s - 1].name, name))
			return &v->e[s - 1];
	}
}

/* Puts entry number K in the index (which has a free slot). */
static void
slot_put(struct tpl_vars *v, size_t k)
{
	size_t mask = v->nslot - 1, i = slot_of(v->e[k].hash) & mask;

	while (v->slot[i] != 0)
		i = (i + 1) & mask;
	v->slot[i] = (uint32_t)(k + 1);
}

static struct tpl_entry *
entry_get(struct tpl_vars *v, const char *name)
{
	uint32_t		 h = name_hash(name);
	struct tpl_entry	*e = entry_find(v, name, h);

	if (e != NULL)
		return e;
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 8;
		v->e = xreallocarray(v->e, v->cap, sizeof(*v->e));
	}
	e = &v->e[v->n++];
	memset(e, 0, sizeof(*e));
	e->name = xstrdup(name);
	e->hash = h;
	if (2 * v->n > v->nslot) {
		/* At most half full: probes stay short. */
		free(v->slot);
		v->nslot = v->nslot ? 2 * v->nslot : 16;
		v->slot = xcalloc(v->nslot, sizeof(*v->slot));
		for (size_t k = 0; k < v->n; k++)
			slot_put(v, k);
	} else
		slot_put(v, v->n - 1);
	return e;
}

void
tpl_set(struct tpl_vars *v, const char *name, const char *value)
{
	struct tpl_entry *e = entry_get(v, name);

	entry_clear(e);
	if (value != NULL)
		e->value = xstrdup(value);
}

void
tpl_setf(struct tpl_vars *v, const char *name, const char *fmt, ...)
{
	struct tpl_entry *e = entry_get(v, name);
	va_list ap;

	entry_clear(e);
	va_start(ap, fmt);
	e->value = xvasprintf(fmt, ap);
	va_end(ap);
}

struct tpl_vars *
tpl_add_item(struct tpl_vars *v, const char *list)
{
	struct tpl_entry *e = entry_get(v, list);
	struct tpl_vars *child = tpl_vars_new();

	if (e->value != NULL) {
		free(e->value);
		e->value = NULL;
	}
	if (e->nitems == e->capitems) {
		e->capitems = e->capitems ? 2 * e->capitems : 4;
		e->items = xreallocarray(e->items, e->capitems,
		    sizeof(*e->items));
	}
	e->items[e->nitems++] = child;
	return child;
}

const char *
tpl_get(const struct tpl_vars *v, const char *name)
{
	const struct tpl_entry *e = entry_find(v, name, name_hash(name));

	return e != NULL ? e->value : NULL;
}

void
tpl_vars_free(struct tpl_vars *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		entry_clear(&v->e[i]);
		free(v->e[i].name);
	}
	free(v->e);
	free(v->slot);
	free(v);
}

/* ---- parsing ----------------------------------------------------------- */

enum node_type {
	N_TEXT,
	N_VAR,		/* escaped in HTML */
	N_RAW,
	N_SECTION,
	N_INVERTED,
	N_ONCE,		/* {{#name?}} */
};

struct node {
	enum node_type	 type;
	char		*s;	/* text, or name */
	size_t		 len;
	uint32_t	 hash;	/* of the name, for the contexts' index */
	int		 line;
	struct node	*child;
	struct node	*next;
};

static void
nodes_free(struct node *n)
{
	while (n != NULL) {
		struct node *next = n->next;

		nodes_free(n->child);
		free(n->s);
		free(n);
		n = next;
	}
}

static int
name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

struct parser {
	const char	*src;
	size_t		 len;
	size_t		 line_off;	/* offset whose line is known */
	int		 line;
	int		 errline;
	char		*err;
};

/* Line number of offset OFF; offsets are asked in increasing order. */
static int
line_at(struct parser *p, size_t off)
{
	for (; p->line_off < off; p->line_off++)
		if (p->src[p->line_off] == '\n')
			p->line++;
	return p->line;
}

static struct node *
add_node(struct node ***tail, enum node_type type, const char *s,
    size_t len, int line)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->type = type;
	n->s = xstrndup(s, len);
	n->len = len;
	if (type != N_TEXT)
		n->hash = name_hash(n->s);
	n->line = line;
	**tail = n;
	*tail = &n->next;
	return n;
}

static struct node *
parse_fail(struct parser *p, struct node *root, int line, const char *what,
    const char *name)
{
	/* NAME may point into the tree: format before freeing it. */
	p->errline = line;
	if (name != NULL)
		p->err = xasprintf("%s {{%s}}", what, name);
	else
		p->err = xstrdup(what);
	nodes_free(root);
	return NULL;
}

/*
 * Parses SRC (whose first line is line LINE0 of its file) into a tree.
 * NULL on error with p->err (allocated) and p->errline.
 */
static struct node *
tpl_parse(struct parser *p, const char *src, size_t len, int line0)
{
	struct node	*root = NULL, **tail = &root;
	struct {
		struct node	 *sec;
		struct node	**tail;
	} stack[TPL_MAXDEPTH];
	int		 depth = 0;
	size_t		 pos = 0, text_start = 0;

	memset(p, 0, sizeof(*p));
	p->src = src;
	p->len = len;
	p->line = line0;

	for (;;) {
		const char	*open = memmem(src + pos, len - pos, "{{", 2);
		size_t		 tag_start, tag_end, in_start, in_end, next;
		size_t		 ls = 0, le;
		int		 line, triple = 0, standalone = 0;
		char		 sigil = 0;
		char		 name[128];
		size_t		 nlen;

		if (open == NULL) {
			if (text_start < len)
				add_node(&tail, N_TEXT, src + text_start,
				    len - text_start, line_at(p, text_start));
			break;
		}
		tag_start = (size_t)(open - src);
		line = line_at(p, tag_start);
		in_start = tag_start + 2;
		if (in_start < len && src[in_start] == '{') {
			const char *close = memmem(src + in_start + 1,
			    len - in_start - 1, "}}}", 3);

			if (close == NULL)
				return parse_fail(p, root, line,
				    "unclosed {{{ tag", NULL);
			triple = 1;
			in_start++;
			in_end = (size_t)(close - src);
			tag_end = in_end + 3;
		} else {
			const char *close = memmem(src + in_start,
			    len - in_start, "}}", 2);

			if (close == NULL)
				return parse_fail(p, root, line,
				    "unclosed {{ tag", NULL);
			in_end = (size_t)(close - src);
			tag_end = in_end + 2;
		}
		if (memchr(src + in_start, '\n', in_end - in_start) != NULL)
			return parse_fail(p, root, line,
			    "a tag must not span lines", NULL);
		while (in_start < in_end && is_blank(src[in_start]))
			in_start++;
		while (in_end > in_start && is_blank(src[in_end - 1]))
			in_end--;
		if (!triple && in_start < in_end && strchr("#^/!&",
		    src[in_start]) != NULL) {
			sigil = src[in_start++];
			while (in_start < in_end && is_blank(src[in_start]))
				in_start++;
		}
		nlen = in_end - in_start;
		if (sigil != '!') {
			size_t k, namelen = nlen;

			if (namelen > 0 && src[in_end - 1] == '?' &&
			    (sigil == '#' || sigil == '/'))
				namelen--;
			for (k = 0; k < namelen; k++)
				if (!name_char((unsigned char)src[in_start + k]))
					break;
			if (nlen == 0 || namelen == 0 || k < namelen ||
			    nlen >= sizeof(name)) {
				char shown[64];

				snprintf(shown, sizeof(shown), "%.*s",
				    (int)(tag_end - tag_start > 60 ? 60 :
				    tag_end - tag_start), src + tag_start);
				p->errline = line;
				p->err = xasprintf("bad tag %s", shown);
				nodes_free(root);
				return NULL;
			}
			memcpy(name, src + in_start, nlen);
			name[nlen] = '\0';
		} else
			name[0] = '\0';

		/* A section or comment tag alone on its line takes the line. */
		next = tag_end;
		if (sigil == '#' || sigil == '^' || sigil == '/' ||
		    sigil == '!') {
			ls = tag_start;
			while (ls > 0 && is_blank(src[ls - 1]))
				ls--;
			le = tag_end;
			while (le < len && is_blank(src[le]))
				le++;
			if ((ls == 0 || src[ls - 1] == '\n') &&
			    (le == len || src[le] == '\n')) {
				standalone = 1;
				next = le < len ? le + 1 : le;
			}
		}
		{
			size_t text_end = standalone ? ls : tag_start;

			if (text_end > text_start)
				add_node(&tail, N_TEXT, src + text_start,
				    text_end - text_start,
				    line_at(p, text_start));
		}

		switch (sigil) {
		case '!':
			break;
		case '#':
		case '^': {
			enum node_type t = N_SECTION;

			if (sigil == '^')
				t = N_INVERTED;
			else if (name[nlen - 1] == '?')
				t = N_ONCE;
			if (depth == TPL_MAXDEPTH)
				return parse_fail(p, root, line,
				    "sections nested too deep at", name);
			stack[depth].sec = add_node(&tail, t, name,
			    t == N_ONCE ? nlen - 1 : nlen, line);
			stack[depth].tail = tail;
			depth++;
			tail = &stack[depth - 1].sec->child;
			break;
		}
		case '/': {
			struct node *sec;
			int once = name[nlen - 1] == '?';

			if (depth == 0)
				return parse_fail(p, root, line,
				    "closing a section that is not open:", name);
			sec = stack[depth - 1].sec;
			if ((sec->type == N_ONCE) != once ||
			    strncmp(sec->s, name, once ? nlen - 1 : nlen) != 0 ||
			    sec->len != (once ? nlen - 1 : nlen)) {
				p->errline = line;
				p->err = xasprintf("{{/%s}} closes the section "
				    "opened on line %d as {{%c%s%s}}", name,
				    sec->line, sec->type == N_INVERTED ? '^' :
				    '#', sec->s, sec->type == N_ONCE ? "?" : "");
				nodes_free(root);
				return NULL;
			}
			depth--;
			tail = stack[depth].tail;
			break;
		}
		case '&':
			add_node(&tail, N_RAW, name, nlen, line);
			break;
		default:
			add_node(&tail, triple ? N_RAW : N_VAR, name, nlen,
			    line);
			break;
		}
		pos = text_start = next;
	}
	if (depth > 0) {
		struct node *sec = stack[depth - 1].sec;

		return parse_fail(p, root, sec->line, "section never closed:",
		    sec->s);
	}
	return root;
}

/* ---- rendering --------------------------------------------------------- */

struct render {
	const struct tpl_vars	*stack[TPL_MAXDEPTH + 2];
	int			 n;
	int			 html;
	struct buf		*out;
};

/* The innermost context that has the name (even unset) answers. */
static const struct tpl_entry *
lookup(const struct render *r, const struct node *n)
{
	for (int i = r->n - 1; i >= 0; i--) {
		const struct tpl_entry *e = entry_find(r->stack[i], n->s,
		    n->hash);

		if (e != NULL)
			return e;
	}
	return NULL;
}

static int
truthy(const struct tpl_entry *e)
{
	if (e == NULL)
		return 0;
	if (e->value != NULL)
		return e->value[0] != '\0' &&
		    !(e->value[0] == '0' && e->value[1] == '\0');
	return e->nitems > 0;
}

static void
render_nodes(struct render *r, const struct node *n)
{
	for (; n != NULL; n = n->next) {
		const struct tpl_entry *e;

		switch (n->type) {
		case N_TEXT:
			buf_add(r->out, n->s, n->len);
			break;
		case N_VAR:
		case N_RAW:
			e = lookup(r, n);
			if (e == NULL || e->value == NULL)
				break;
			if (n->type == N_VAR && r->html)
				buf_add_html(r->out, e->value);
			else
				buf_adds(r->out, e->value);
			break;
		case N_INVERTED:
			if (!truthy(lookup(r, n)))
				render_nodes(r, n->child);
			break;
		case N_ONCE:
			if (truthy(lookup(r, n)))
				render_nodes(r, n->child);
			break;
		case N_SECTION:
			e = lookup(r, n);
			if (!truthy(e))
				break;
			if (e->value != NULL) {
				render_nodes(r, n->child);
				break;
			}
			/* The parser bounds nesting, so the stack holds. */
			for (size_t i = 0; i < e->nitems; i++) {
				r->stack[r->n++] = e->items[i];
				render_nodes(r, n->child);
				r->n--;
			}
			break;
		}
	}
}

static char *
render_tree(const struct node *tree, int html, const struct tpl_vars *vars)
{
	struct buf	out = BUF_INIT;
	struct render	r;
	struct tpl_vars	empty = { NULL, 0, 0, NULL, 0 };

	memset(&r, 0, sizeof(r));
	r.stack[r.n++] = vars != NULL ? vars : &empty;
	r.html = html;
	r.out = &out;
	render_nodes(&r, tree);
	return buf_detach(&out);
}

char *
tpl_render_string(const char *tpl, int html, const struct tpl_vars *vars,
    char **cause)
{
	struct parser	 p;
	struct node	*tree;
	char		*s;

	tree = tpl_parse(&p, tpl, strlen(tpl), 1);
	if (tree == NULL && p.err != NULL) {
		*cause = xasprintf("line %d: %s", p.errline, p.err);
		free(p.err);
		return NULL;
	}
	s = render_tree(tree, html, vars);
	nodes_free(tree);
	return s;
}

/* ---- files ------------------------------------------------------------- */

struct tpl {
	char		*name;		/* "reply", "programme.html" */
	int		 html;
	int		 has_subject;
	struct node	*subject;
	struct node	*body;
};

struct tlang {
	char		*lang;
	struct tpl	*t;
	size_t		 n;
};

struct templates {
	struct tlang	*l;
	size_t		 n;
};

static void
tpl_clear(struct tpl *t)
{
	free(t->name);
	nodes_free(t->subject);
	nodes_free(t->body);
}

void
templates_free(struct templates *ts)
{
	if (ts == NULL)
		return;
	for (size_t i = 0; i < ts->n; i++) {
		for (size_t j = 0; j < ts->l[i].n; j++)
			tpl_clear(&ts->l[i].t[j]);
		free(ts->l[i].t);
		free(ts->l[i].lang);
	}
	free(ts->l);
	free(ts);
}

/* Reads PATH whole, CRLF made LF, a BOM dropped.  NULL + *cause. */
static char *
read_text(const char *path, size_t *lenp, char **cause)
{
	FILE	*f;
	struct buf b = BUF_INIT;
	char	 chunk[4096];
	size_t	 n, i, j;

	if ((f = fopen(path, "r")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > TPL_MAXFILE) {
			fclose(f);
			buf_free(&b);
			*cause = xasprintf("%s: larger than %d bytes", path,
			    TPL_MAXFILE);
			return NULL;
		}
	}
	if (ferror(f)) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		fclose(f);
		buf_free(&b);
		return NULL;
	}
	fclose(f);
	if (b.s == NULL)
		buf_adds(&b, "");
	for (i = j = 0; i < b.len; i++) {
		if (b.s[i] == '\r' && i + 1 < b.len && b.s[i + 1] == '\n')
			continue;
		b.s[j++] = b.s[i];
	}
	b.len = j;
	b.s[j] = '\0';
	if (b.len >= 3 && memcmp(b.s, "\xef\xbb\xbf", 3) == 0) {
		memmove(b.s, b.s + 3, b.len - 2);
		b.len -= 3;
	}
	*lenp = b.len;
	return buf_detach(&b);
}

/*
 * Compiles the text of one template file into T.  On error returns -1
 * with *errline and *err (allocated).
 */
static int
tpl_compile(struct tpl *t, const char *text, size_t len, int *errline,
    char **err)
{
	struct parser	 p;
	const char	*body = text;
	size_t		 blen = len;
	int		 line0 = 1;

	*errline = 1;
	*err = NULL;
	if (!utf8_valid(text, len)) {
		*err = xstrdup("not valid UTF-8");
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		*err = xstrdup("holds a NUL byte");
		return -1;
	}
	if (strncmp(text, "Subject:", 8) == 0) {
		const char *eol = memchr(text, '\n', len);
		const char *s = text + 8;
		size_t slen;

		if (eol == NULL || eol[1] != '\n') {
			*err = xstrdup("the Subject line must be followed by "
			    "a blank line");
			return -1;
		}
		while (s < eol && is_blank(*s))
			s++;
		slen = (size_t)(eol - s);
		t->has_subject = 1;
		t->subject = tpl_parse(&p, s, slen, 1);
		if (t->subject == NULL && p.err != NULL) {
			*errline = p.errline;
			*err = p.err;
			return -1;
		}
		body = eol + 2;
		blen = len - (size_t)(body - text);
		line0 = 3;
	}
	t->body = tpl_parse(&p, body, blen, line0);
	if (t->body == NULL && p.err != NULL) {
		*errline = p.errline;
		*err = p.err;
		return -1;
	}
	return 0;
}

static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted entries of DIR (no dot files); NULL + *cause. */
static char **
list_dir(const char *dir, int want_dirs, size_t *np, char **cause)
{
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL;
	size_t		 n = 0;

	if ((d = opendir(dir)) == NULL) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat	 st;
		char		*path;

		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (stat(path, &st) == 0 &&
		    (want_dirs ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode))) {
			v = xreallocarray(v, n + 1, sizeof(*v));
			v[n++] = xstrdup(de->d_name);
		}
		free(path);
	}
	closedir(d);
	if (n > 0)
		qsort(v, n, sizeof(*v), strp_cmp);
	*np = n;
	if (v == NULL)
		v = xcalloc(1, sizeof(*v));
	return v;
}

static void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* "reply.txt" -> "reply", "programme.html" -> itself; NULL otherwise. */
static char *
tpl_key(const char *file, int *html)
{
	size_t n = strlen(file);

	if (n > 4 && strcmp(file + n - 4, ".txt") == 0) {
		*html = 0;
		return xstrndup(file, n - 4);
	}
	if (n > 5 && strcmp(file + n - 5, ".html") == 0) {
		*html = 1;
		return xstrdup(file);
	}
	return NULL;
}

static const struct tlang *
find_lang(const struct templates *ts, const char *lang)
{
	if (lang == NULL)
		return NULL;
	for (size_t i = 0; i < ts->n; i++)
		if (ascii_strcasecmp(ts->l[i].lang, lang) == 0)
			return &ts->l[i];
	return NULL;
}

static const struct tpl *
find_tpl(const struct tlang *l, const char *name)
{
	if (l == NULL)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->t[i].name, name) == 0)
			return &l->t[i];
	return NULL;
}

struct templates *
templates_load(const char *dir, char **cause)
{
	struct templates *ts = xcalloc(1, sizeof(*ts));
	char		**langs;
	size_t		  nlangs;
	const struct tlang *fr;

	if ((langs = list_dir(dir, 1, &nlangs, cause)) == NULL) {
		free(ts);
		return NULL;
	}
	for (size_t i = 0; i < nlangs; i++) {
		char		*ldir = xasprintf("%s/%s", dir, langs[i]);
		char		**files;
		size_t		  nfiles;
		struct tlang	 *l;

		files = list_dir(ldir, 0, &nfiles, cause);
		if (files == NULL) {
			free(ldir);
			goto fail;
		}
		ts->l = xreallocarray(ts->l, ts->n + 1, sizeof(*ts->l));
		l = &ts->l[ts->n++];
		memset(l, 0, sizeof(*l));
		l->lang = xstrdup(langs[i]);
		for (size_t j = 0; j < nfiles; j++) {
			char		*path, *text, *err;
			size_t		 len;
			int		 html, errline;
			struct tpl	 t;

			memset(&t, 0, sizeof(t));
			if ((t.name = tpl_key(files[j], &html)) == NULL)
				continue;
			t.html = html;
			path = xasprintf("%s/%s", ldir, files[j]);
			if ((text = read_text(path, &len, cause)) == NULL) {
				free(path);
				tpl_clear(&t);
				strv_free(files, nfiles);
				free(ldir);
				goto fail;
			}
			if (tpl_compile(&t, text, len, &errline, &err) == -1) {
				*cause = xasprintf("%s:%d: %s", path, errline,
				    err);
				free(err);
				free(text);
				free(path);
				tpl_clear(&t);
				strv_free(files, nfiles);
				free(ldir);
				goto fail;
			}
			free(text);
			free(path);
			l->t = xreallocarray(l->t, l->n + 1, sizeof(*l->t));
			l->t[l->n++] = t;
		}
		strv_free(files, nfiles);
		free(ldir);
	}
	strv_free(langs, nlangs);
	langs = NULL;

	if ((fr = find_lang(ts, "fr")) == NULL) {
		*cause = xasprintf("%s/fr: no French templates (the fallback)",
		    dir);
		templates_free(ts);
		return NULL;
	}
	for (size_t i = 0; tpl_required[i] != NULL; i++) {
		if (find_tpl(fr, tpl_required[i]) == NULL) {
			const char *nm = tpl_required[i];

			*cause = xasprintf("%s/fr/%s%s: missing required "
			    "template", dir, nm, strchr(nm, '.') ? "" : ".txt");
			templates_free(ts);
			return NULL;
		}
	}
	return ts;

fail:
	strv_free(langs, nlangs);
	templates_free(ts);
	return NULL;
}

static const struct tpl *
resolve(const struct templates *ts, const char *lang, const char *name)
{
	const struct tpl *t = find_tpl(find_lang(ts, lang), name);

	if (t == NULL)
		t = find_tpl(find_lang(ts, "fr"), name);
	return t;
}

int
tpl_exists(const struct templates *ts, const char *lang, const char *name)
{
	return resolve(ts, lang, name) != NULL;
}

/* The subject on one line: newlines and runs of blanks become one space. */
static char *
one_line(char *s)
{
	char	*r = s, *w = s;
	int	 space = 0;

	for (; *r != '\0'; r++) {
		if (*r == '\n' || *r == '\r' || *r == '\t' || *r == ' ') {
			space = w > s;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
	return s;
}

char *
tpl_render(const struct templates *ts, const char *lang, const char *name,
    const struct tpl_vars *vars, char **subject, char **cause)
{
	const struct tpl *t = resolve(ts, lang, name);

	if (subject != NULL)
		*subject = NULL;
	if (t == NULL) {
		*cause = xasprintf("no template \"%s\" (language %s)", name,
		    lang != NULL ? lang : "fr");
		return NULL;
	}
	if (subject != NULL && t->has_subject)
		*subject = one_line(render_tree(t->subject, 0, vars));
	return render_tree(t->body, t->html, vars);
}

/* ---- checking ---------------------------------------------------------- */

static const struct tpl_def *
find_def(const char *key)
{
	for (size_t i = 0; i < nitems(tpl_defs); i++)
		if (strcmp(tpl_defs[i].name, key) == 0)
			return &tpl_defs[i];
	return NULL;
}

static int
word_in(const char *list, const char *w, size_t wlen)
{
	const char *p = list;

	while (*p != '\0') {
		size_t n;

		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (n == wlen && n > 0 && strncmp(p, w, n) == 0)
			return 1;
		p += n;
	}
	return 0;
}

static int
check_names(const struct node *n, const struct tpl_def *def,
    const char *path, struct buf *report)
{
	int problems = 0;

	for (; n != NULL; n = n->next) {
		if (n->type != N_TEXT &&
		    !word_in(tpl_global_vars, n->s, n->len) &&
		    !word_in(def->vars, n->s, n->len)) {
			buf_addf(report, "%s:%d: unknown placeholder {{%s}} "
			    "in template %s\n", path, n->line, n->s,
			    def->name);
			problems++;
		}
		problems += check_names(n->child, def, path, report);
	}
	return problems;
}

static int
check_file(const char *path, const char *file, struct buf *report)
{
	const struct tpl_def	*def;
	struct tpl		 t;
	char			*text, *err, *key;
	size_t			 len;
	int			 html, errline, problems = 0;

	if ((key = tpl_key(file, &html)) == NULL)
		return 0;
	def = find_def(key);
	free(key);
	if ((text = read_text(path, &len, &err)) == NULL) {
		buf_addf(report, "%s:1: %s\n", path, err);
		free(err);
		return 1;
	}
	memset(&t, 0, sizeof(t));
	if (tpl_compile(&t, text, len, &errline, &err) == -1) {
		buf_addf(report, "%s:%d: %s\n", path, errline, err);
		free(err);
		free(text);
		tpl_clear(&t);
		return 1;
	}
	free(text);
	if (def == NULL) {
		buf_addf(report, "%s:1: not a template trucd uses (a typo in "
		    "the file name?)\n", path);
		problems++;
	} else {
		if (def->subject && !t.has_subject) {
			buf_addf(report, "%s:1: a whole mail: the first line "
			    "must be \"Subject: ...\"\n", path);
			problems++;
		} else if (!def->subject && t.has_subject) {
			buf_addf(report, "%s:1: a block inside the reply: it "
			    "takes no Subject line\n", path);
			problems++;
		}
		problems += check_names(t.subject, def, path, report);
		problems += check_names(t.body, def, path, report);
	}
	tpl_clear(&t);
	return problems;
}

int
templates_check(const char *dir, struct buf *report)
{
	char	**langs, *cause;
	size_t	  nlangs;
	int	  problems = 0;

	if ((langs = list_dir(dir, 1, &nlangs, &cause)) == NULL) {
		buf_addf(report, "%s: %s\n", dir, cause);
		free(cause);
		return 1;
	}
	for (size_t i = 0; i < nlangs; i++) {
		char	*ldir = xasprintf("%s/%s", dir, langs[i]);
		char	**files;
		size_t	  nfiles;

		if ((files = list_dir(ldir, 0, &nfiles, &cause)) == NULL) {
			buf_addf(report, "%s: %s\n", ldir, cause);
			free(cause);
			free(ldir);
			problems++;
			continue;
		}
		for (size_t j = 0; j < nfiles; j++) {
			char *path = xasprintf("%s/%s", ldir, files[j]);

			problems += check_file(path, files[j], report);
			free(path);
		}
		strv_free(files, nfiles);
		free(ldir);
	}
	strv_free(langs, nlangs);

	for (size_t i = 0; i < nitems(tpl_shipped_langs); i++) {
		for (size_t j = 0; tpl_required[j] != NULL; j++) {
			const char	*nm = tpl_required[j];
			char		*path;
			struct stat	 st;

			path = xasprintf("%s/%s/%s%s", dir,
			    tpl_shipped_langs[i], nm,
			    strchr(nm, '.') ? "" : ".txt");
			if (stat(path, &st) == -1) {
				buf_addf(report, "%s: missing required "
				    "template\n", path);
				problems++;
			}
			free(path);
		}
	}
	return problems;
}
