/*
 * sheet.c - the sign-in sheet as an A4 PDF, drawn with cairo and laid out
 * with pango (DejaVu Sans: every accent of French names).
 *
 * Layout, in PDF points (1/72 in), A4 portrait:
 *   - a header on every page: the school, "Feuille d'émargement", the
 *     title (wrapped, at most three lines), then label/value lines (day,
 *     times, place, trainer, code, count of registered agents);
 *   - the table: its header row (Nom / Service / Signature) on every page,
 *     then one row per agent and the blank rows for walk-ins;
 *   - the trainer's box after the last row, on the last page;
 *   - a footer "page N / M" on every page.
 * The header's height depends only on the session, so it is measured once
 * and every page holds the same number of rows; the last page holds fewer
 * so that the trainer's box fits under its last row.  Text in a cell is
 * wrapped on two lines at most and ellipsised beyond, never drawn outside
 * its cell.
 */
#include <cairo.h>
#include <cairo-pdf.h>
#include <dlfcn.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "conf.h"
#include "db.h"
#include "registry.h"
#include "sheet.h"
#include "tz.h"
#include "util.h"

#define PAGE_W		595.2756	/* 210 mm */
#define PAGE_H		841.8898	/* 297 mm */
#define MARGIN		42.0		/* about 15 mm */
#define CONTENT_W	(PAGE_W - 2 * MARGIN)
#define TOP		34.0
#define TABLE_LIMIT	(PAGE_H - 50.0)	/* rows end above the footer */
#define FOOTER_Y	(PAGE_H - 34.0)

#define COL_NAME_W	(CONTENT_W * 0.37)
#define COL_SERVICE_W	(CONTENT_W * 0.29)
#define COL_SIGN_W	(CONTENT_W - COL_NAME_W - COL_SERVICE_W)
#define CELL_PAD	5.0
#define TH_H		22.0		/* table header row */
#define ROW_H		28.0		/* about 10 mm: room to sign */
#define BOX_GAP		16.0
#define BOX_H		92.0
#define LABEL_W		140.0		/* labels of the session block */

#define FONT		"DejaVu Sans"

/* The rows of page i run from first[i] to first[i] + count[i]. */
struct plan {
	double	 header_h;	/* from the top of the page to the table */
	int	 per_page;	/* rows on a page that is not the last */
	int	 on_last;	/* at most, on the last page (room for the box) */
	int	 pages;
	int	*first, *count;
};

/* Set once text was laid out: sheet_cleanup() has font caches to release. */
static int fonts_used;

struct render {
	cairo_t			*cr;
	PangoContext		*pc;
	char			*school, *title, *day, *times, *place;
	char			*trainer, *code, *registered;
};

/* Any bytes into valid UTF-8 on one line: controls become spaces. */
static char *
clean_text(const char *s)
{
	char *v, *r;

	if (s == NULL)
		return xstrdup("");
	v = g_utf8_make_valid(s, -1);
	/* Callers free() what we return: hand over a copy, not glib's. */
	r = xstrdup(v);
	g_free(v);
	for (char *p = r; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	}
	return r;
}

/*
 * A layout of text WIDTH points wide; MAXLINES > 0 wraps on at most that
 * many lines and ellipsises the rest.  The caller unrefs it.
 */
static PangoLayout *
text_layout(struct render *r, const char *text, double size, int bold,
    double width, int maxlines)
{
	PangoLayout *l = pango_layout_new(r->pc);
	PangoFontDescription *fd = pango_font_description_from_string(FONT);

	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD :
	    PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	if (maxlines > 0) {
		pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
		pango_layout_set_height(l, -maxlines);
	}
	pango_layout_set_text(l, text, -1);
	return l;
}

static double
layout_height(PangoLayout *l)
{
	int w, h;

	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

/* Draws text at (x, y), top left; returns its height. */
static double
draw_text(struct render *r, double x, double y, const char *text,
    double size, int bold, double width, int maxlines, PangoAlignment align,
    double grey)
{
	PangoLayout *l = text_layout(r, text, size, bold, width, maxlines);
	double h = layout_height(l);

	if (r->cr != NULL) {
		pango_layout_set_alignment(l, align);
		cairo_set_source_rgb(r->cr, grey, grey, grey);
		cairo_move_to(r->cr, x, y);
		pango_cairo_show_layout(r->cr, l);
	}
	g_object_unref(l);
	return h;
}

/* Text vertically centred in a cell of height h, clipped to the cell. */
static void
draw_cell_text(struct render *r, double x, double y, double w, double h,
    const char *text, double size, int bold)
{
	PangoLayout *l;
	double th;

	if (text == NULL || *text == '\0')
		return;
	l = text_layout(r, text, size, bold, w - 2 * CELL_PAD, 2);
	th = layout_height(l);
	cairo_save(r->cr);
	cairo_rectangle(r->cr, x, y, w, h);
	cairo_clip(r->cr);
	cairo_set_source_rgb(r->cr, 0, 0, 0);
	cairo_move_to(r->cr, x + CELL_PAD, y + (h - th) / 2);
	pango_cairo_show_layout(r->cr, l);
	cairo_restore(r->cr);
	g_object_unref(l);
}

static const char *const labels[] = {
	"Date", "Horaires", "Lieu", "Formateur / formatrice", "Code",
	"Inscrits",
};

static const char *
label_value(const struct render *r, size_t i)
{
	const char *v[] = { r->day, r->times, r->place, r->trainer, r->code,
	    r->registered };

	return v[i];
}

/*
 * The header of a page from its top; returns where the table starts.  With
 * r->cr NULL it only measures.
 */
static double
draw_header(struct render *r)
{
	double y = TOP;

	y += draw_text(r, MARGIN, y, r->school, 10, 1, CONTENT_W, 1,
	    PANGO_ALIGN_LEFT, 0.35);
	y += 4;
	y += draw_text(r, MARGIN, y, "Feuille d’émargement", 20, 1, CONTENT_W,
	    1, PANGO_ALIGN_LEFT, 0);
	y += 6;
	y += draw_text(r, MARGIN, y, r->title, 14, 1, CONTENT_W, 3,
	    PANGO_ALIGN_LEFT, 0.1);
	y += 8;
	for (size_t i = 0; i < nitems(labels); i++) {
		double lh, vh;

		lh = draw_text(r, MARGIN, y + 1, labels[i], 9.5, 1, LABEL_W, 1,
		    PANGO_ALIGN_LEFT, 0.35);
		vh = draw_text(r, MARGIN + LABEL_W, y, label_value(r, i), 11, 0,
		    CONTENT_W - LABEL_W, 2, PANGO_ALIGN_LEFT, 0);
		y += (vh > lh ? vh : lh) + 3;
	}
	return y + 10;
}

static void
draw_table_header(struct render *r, double y)
{
	static const char *const heads[] = { "Nom", "Service", "Signature" };
	const double w[] = { COL_NAME_W, COL_SERVICE_W, COL_SIGN_W };
	double x = MARGIN;

	cairo_set_source_rgb(r->cr, 0.88, 0.88, 0.88);
	cairo_rectangle(r->cr, MARGIN, y, CONTENT_W, TH_H);
	cairo_fill(r->cr);
	for (size_t i = 0; i < nitems(heads); i++) {
		draw_cell_text(r, x, y, w[i], TH_H, heads[i], 10, 1);
		x += w[i];
	}
}

/* A row's three cells: borders and text; name and service may be NULL. */
static void
draw_row(struct render *r, double y, const char *name, const char *service)
{
	cairo_t *cr = r->cr;
	char *n = NULL, *s = NULL;

	if (name != NULL)
		n = clean_text(name);
	if (service != NULL)
		s = clean_text(service);
	draw_cell_text(r, MARGIN, y, COL_NAME_W, ROW_H, n, 10, 0);
	draw_cell_text(r, MARGIN + COL_NAME_W, y, COL_SERVICE_W, ROW_H, s, 9,
	    0);
	free(n);
	free(s);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 0.6);
	cairo_rectangle(cr, MARGIN, y, CONTENT_W, ROW_H);
	cairo_move_to(cr, MARGIN + COL_NAME_W, y);
	cairo_rel_line_to(cr, 0, ROW_H);
	cairo_move_to(cr, MARGIN + COL_NAME_W + COL_SERVICE_W, y);
	cairo_rel_line_to(cr, 0, ROW_H);
	cairo_stroke(cr);
}

/* The frame around the header row, drawn over its fill. */
static void
frame_table_header(struct render *r, double y)
{
	cairo_t *cr = r->cr;

	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 0.9);
	cairo_rectangle(cr, MARGIN, y, CONTENT_W, TH_H);
	cairo_move_to(cr, MARGIN + COL_NAME_W, y);
	cairo_rel_line_to(cr, 0, TH_H);
	cairo_move_to(cr, MARGIN + COL_NAME_W + COL_SERVICE_W, y);
	cairo_rel_line_to(cr, 0, TH_H);
	cairo_stroke(cr);
}

static void
draw_trainer_box(struct render *r, double y)
{
	cairo_t *cr = r->cr;
	double half = CONTENT_W / 2;

	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 0.9);
	cairo_rectangle(cr, MARGIN, y, CONTENT_W, BOX_H);
	cairo_move_to(cr, MARGIN + half, y);
	cairo_rel_line_to(cr, 0, BOX_H);
	cairo_stroke(cr);
	draw_text(r, MARGIN + CELL_PAD, y + CELL_PAD, "Nombre de présents",
	    10, 1, half - 2 * CELL_PAD, 1, PANGO_ALIGN_LEFT, 0);
	draw_text(r, MARGIN + half + CELL_PAD, y + CELL_PAD,
	    "Signature du formateur / de la formatrice", 10, 1,
	    half - 2 * CELL_PAD, 2, PANGO_ALIGN_LEFT, 0);
	if (*r->trainer != '\0')
		draw_text(r, MARGIN + half + CELL_PAD, y + BOX_H - CELL_PAD - 12,
		    r->trainer, 9, 0, half - 2 * CELL_PAD, 1, PANGO_ALIGN_LEFT,
		    0.35);
}

static void
draw_footer(struct render *r, int page, int pages)
{
	char *left, *right;

	left = xasprintf("Feuille d’émargement · %s", r->code);
	right = xasprintf("page %d / %d", page, pages);
	draw_text(r, MARGIN, FOOTER_Y, left, 8.5, 0, CONTENT_W * 0.7, 1,
	    PANGO_ALIGN_LEFT, 0.35);
	draw_text(r, MARGIN + CONTENT_W * 0.7, FOOTER_Y, right, 8.5, 0,
	    CONTENT_W * 0.3, 1, PANGO_ALIGN_RIGHT, 0.35);
	free(left);
	free(right);
}

/*
 * Rows per page from the header's height; then the pages for total rows:
 * full pages, and a last page with room left for the trainer's box (a
 * last page with no row takes one from the page before, so that the box
 * never stands alone under an empty table).
 */
static void
make_plan(struct plan *p, double header_h, size_t total)
{
	double avail = TABLE_LIMIT - header_h - TH_H;
	size_t left;
	int i;

	memset(p, 0, sizeof *p);
	p->header_h = header_h;
	p->per_page = (int)(avail / ROW_H);
	p->on_last = (int)((avail - BOX_GAP - BOX_H) / ROW_H);
	if (p->per_page < 2)
		p->per_page = 2;
	if (p->on_last < 1)
		p->on_last = 1;
	if (p->on_last > p->per_page)
		p->on_last = p->per_page;
	if (total <= (size_t)p->on_last)
		p->pages = 1;
	else
		p->pages = 1 + (int)((total - p->on_last + p->per_page - 1) /
		    p->per_page);
	p->first = xcalloc(p->pages, sizeof *p->first);
	p->count = xcalloc(p->pages, sizeof *p->count);
	left = total;
	for (i = 0; i < p->pages - 1; i++) {
		p->first[i] = (int)(total - left);
		p->count[i] = p->per_page;
		left -= p->per_page;
	}
	p->first[i] = (int)(total - left);
	p->count[i] = (int)left;
	if (p->pages > 1 && left == 0) {
		p->count[i - 1]--;
		p->first[i]--;
		p->count[i] = 1;
	}
}

static void
plan_free(struct plan *p)
{
	free(p->first);
	free(p->count);
}

static cairo_status_t
write_buf(void *closure, const unsigned char *data, unsigned int len)
{
	buf_add(closure, data, len);
	return CAIRO_STATUS_SUCCESS;
}

static void
render_init(struct render *r, const struct sheet_info *info)
{
	memset(r, 0, sizeof *r);
	r->school = clean_text(info->school);
	r->title = clean_text(info->title);
	r->day = clean_text(info->day);
	r->times = clean_text(info->times);
	r->place = clean_text(info->place);
	r->trainer = clean_text(info->trainer);
	r->code = clean_text(info->code);
	r->registered = xasprintf("%zu", info->nrows);
}

static void
render_free(struct render *r)
{
	free(r->school);
	free(r->title);
	free(r->day);
	free(r->times);
	free(r->place);
	free(r->trainer);
	free(r->code);
	free(r->registered);
	if (r->pc != NULL)
		g_object_unref(r->pc);
}

/*
 * A pango context for cr with fixed metrics (no hinting) so that what is
 * measured is what is drawn, whatever the surface.
 */
static PangoContext *
make_context(cairo_t *cr)
{
	PangoContext *pc = pango_cairo_create_context(cr);
	cairo_font_options_t *fo = cairo_font_options_create();

	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(pc, fo);
	cairo_font_options_destroy(fo);
	return pc;
}

/* The header's height for info (the plan needs it before drawing). */
static double
measure_header(const struct sheet_info *info)
{
	cairo_surface_t *s;
	cairo_t *cr;
	struct render r;
	double h;

	fonts_used = 1;
	s = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
	cr = cairo_create(s);
	render_init(&r, info);
	r.pc = make_context(cr);
	h = draw_header(&r);	/* r.cr NULL: measures only */
	render_free(&r);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	return h;
}

int
sheet_fill_rows(const struct sheet_info *info, int min_blank)
{
	struct plan p;
	size_t total;
	int blank;

	if (min_blank < 0)
		min_blank = 0;
	total = info->nrows + (size_t)min_blank;
	make_plan(&p, measure_header(info), total);
	blank = min_blank + (p.on_last - p.count[p.pages - 1]);
	plan_free(&p);
	return blank;
}

char *
sheet_render(const struct sheet_info *info, size_t *len, char **cause)
{
	struct buf out = BUF_INIT;
	cairo_surface_t *surface;
	cairo_status_t st;
	struct render r;
	struct plan p;
	size_t total;
	int blank = info->blank_rows > 0 ? info->blank_rows : 0;

	total = info->nrows + (size_t)blank;
	make_plan(&p, measure_header(info), total);

	surface = cairo_pdf_surface_create_for_stream(write_buf, &out, PAGE_W,
	    PAGE_H);
	{
		char *title = xasprintf("Feuille d’émargement – %s",
		    info->code != NULL ? info->code : "");

		cairo_pdf_surface_set_metadata(surface,
		    CAIRO_PDF_METADATA_TITLE, title);
		cairo_pdf_surface_set_metadata(surface,
		    CAIRO_PDF_METADATA_CREATOR, "trucd");
		free(title);
	}
	fonts_used = 1;
	render_init(&r, info);
	r.cr = cairo_create(surface);
	r.pc = make_context(r.cr);

	for (int page = 0; page < p.pages; page++) {
		double y;

		y = draw_header(&r);
		draw_table_header(&r, y);
		frame_table_header(&r, y);
		y += TH_H;
		for (int i = 0; i < p.count[page]; i++) {
			size_t row = (size_t)(p.first[page] + i);

			if (row < info->nrows)
				draw_row(&r, y, info->rows[row].name,
				    info->rows[row].service);
			else
				draw_row(&r, y, NULL, NULL);
			y += ROW_H;
		}
		if (page == p.pages - 1)
			draw_trainer_box(&r, y + BOX_GAP);
		draw_footer(&r, page + 1, p.pages);
		cairo_show_page(r.cr);
	}

	st = cairo_status(r.cr);
	cairo_destroy(r.cr);
	r.cr = NULL;
	render_free(&r);
	plan_free(&p);
	cairo_surface_finish(surface);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(surface);
	cairo_surface_destroy(surface);
	if (st != CAIRO_STATUS_SUCCESS) {
		*cause = xasprintf("cairo: %s", cairo_status_to_string(st));
		buf_free(&out);
		return NULL;
	}
	*len = out.len;
	return buf_detach(&out);
}

void
sheet_cleanup(void)
{
	PangoFontMap *fm;
	void (*fc_fini)(void);
	int i;

	if (!fonts_used)
		return;
	fonts_used = 0;
	/*
	 * Pango 1.50 runs FcFontMatch and FcFontSort in a thread of its own,
	 * each queued job holding a reference to the font map until it is
	 * done.  Drop the default map, then wait (bounded) until ours is the
	 * last reference, so that the map and its cairo fonts are freed here
	 * and not in that thread while cairo's caches are being reset.
	 */
	fm = pango_cairo_font_map_get_default();
	g_object_ref(fm);
	pango_cairo_font_map_set_default(NULL);
	for (i = 0; i < 5000; i++) {
		if (g_atomic_int_get((gint *)&G_OBJECT(fm)->ref_count) == 1)
			break;
		g_usleep(1000);
	}
	g_object_unref(fm);
	if (i == 5000)
		return;		/* something still uses fonts: leave them */
	cairo_debug_reset_static_data();
	/*
	 * fontconfig is loaded through pango and cairo but not linked
	 * directly (the Makefile's pkg-config list does not name it): find
	 * FcFini where it is.
	 */
	*(void **)&fc_fini = dlsym(RTLD_DEFAULT, "FcFini");
	if (fc_fini != NULL)
		fc_fini();
}

/*
 * Sorting: case and accents ignored (NFD, combining marks dropped, then
 * case folded), then the raw bytes, so that the order is total and stable.
 */
struct sort_row {
	char	*key;
	char	*name;
	char	*service;
};

static char *
sort_key(const char *s)
{
	char *valid, *nfd, *folded, *r;
	struct buf b = BUF_INIT;

	valid = g_utf8_make_valid(s, -1);
	nfd = g_utf8_normalize(valid, -1, G_NORMALIZE_NFD);
	for (const char *p = nfd; p != NULL && *p != '\0';
	    p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_type(c) == G_UNICODE_NON_SPACING_MARK)
			continue;
		buf_add(&b, p, (size_t)(g_utf8_next_char(p) - p));
	}
	buf_addc(&b, '\0');
	folded = g_utf8_casefold(b.s, -1);
	r = xstrdup(folded);
	g_free(folded);
	g_free(nfd);
	g_free(valid);
	buf_free(&b);
	return r;
}

static int
cmp_rows(const void *a, const void *b)
{
	const struct sort_row *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : strcmp(x->name, y->name);
}

char *
sheet_pdf(struct app *app, const struct session *s, size_t *len,
    char **cause)
{
	sqlite3_stmt *st;
	struct sort_row *rows = NULL;
	struct sheet_row *srows;
	struct sheet_info info;
	size_t n = 0;
	struct tm tm0, tm1;
	char day[64], t0[16], t1[16], *times, *trainer, *pdf;

	st = db_prepare(app->db,
	    "SELECT a.name, a.service, a.email FROM registrations r "
	    "JOIN agents a ON a.id = r.agent_id WHERE r.session_id = ? "
	    "AND r.status IN ('registered', 'attended', 'absent')");
	db_bind_int(st, 1, s->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = db_col_text(st, 0);

		/* An agent known only by address is listed by it. */
		if (*name == '\0')
			name = db_col_text(st, 2);
		rows = xreallocarray(rows, n + 1, sizeof *rows);
		rows[n].name = xstrdup(name);
		rows[n].service = xstrdup(db_col_text(st, 1));
		rows[n].key = sort_key(rows[n].name);
		n++;
	}
	sqlite3_reset(st);
	if (n > 0)
		qsort(rows, n, sizeof *rows, cmp_rows);

	/* The trainer by name when the directory knows the address. */
	st = db_prepare(app->db,
	    "SELECT name FROM agents WHERE email = ? AND name <> ''");
	db_bind_text(st, 1, s->trainer);
	if (sqlite3_step(st) == SQLITE_ROW)
		trainer = xstrdup(db_col_text(st, 0));
	else
		trainer = xstrdup(s->trainer != NULL ? s->trainer : "");
	sqlite3_reset(st);

	tz_format_day(s->start, "fr", day, sizeof day);
	tz_format_hm(s->start, t0, sizeof t0);
	tz_format_hm(s->end, t1, sizeof t1);
	tz_local(s->start, &tm0);
	tz_local(s->end, &tm1);
	if (tm0.tm_year != tm1.tm_year || tm0.tm_yday != tm1.tm_yday) {
		char endday[64];

		/* Ends another day: say which. */
		tz_format_day(s->end, "fr", endday, sizeof endday);
		times = xasprintf("%s – %s %s", t0, endday, t1);
	} else
		times = xasprintf("%s – %s", t0, t1);

	srows = xcalloc(n > 0 ? n : 1, sizeof *srows);
	for (size_t i = 0; i < n; i++) {
		srows[i].name = rows[i].name;
		srows[i].service = rows[i].service;
	}
	memset(&info, 0, sizeof info);
	info.school = app->conf->school_name;
	info.title = s->title;
	info.day = day;
	info.times = times;
	info.place = s->place;
	info.trainer = trainer;
	info.code = s->code;
	info.rows = srows;
	info.nrows = n;
	info.blank_rows = sheet_fill_rows(&info, SHEET_MIN_BLANK);
	pdf = sheet_render(&info, len, cause);

	for (size_t i = 0; i < n; i++) {
		free(rows[i].key);
		free(rows[i].name);
		free(rows[i].service);
	}
	free(rows);
	free(srows);
	free(times);
	free(trainer);
	return pdf;
}
