/* SPDX-License-Identifier: MIT */
/* report_svg.c - the timeline as an SVG picture (--plot).
 *
 * Read without a legend: the title is the command, the line under it the
 * run's peak (VmHWM), final RSS, length and sampling interval.  Below, one
 * lane per profiled function, its name on the left, a bar wherever it ran;
 * the same stretches are shaded behind the curve in the lane's colour.
 * Then the RSS curve (MiB over seconds, ticks at 1, 2, 2.5 or 5 times a
 * power of ten), its highest point marked with its value, time and, when the
 * session knows it, the line running there.
 *
 * Bounded whatever the run: at most SVG_LANES lanes (the functions that
 * ran longest; the others are counted in a note), spans closer than two
 * pixels drawn as one, and one curve point per pixel column (its highest
 * sample).  Every figure comes from the timeline and the
 * run summary; nothing is measured here.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "timeline.h"
#include "util.h"

#define MiB (1024.0 * 1024.0)

#define SVG_W 960
#define SVG_LANES 12
#define LANE_H 18
#define NAME_MAX_CHARS 28
#define CHAR_W 7.0 /* a 12px sans-serif character, roughly */

/* Dark enough for text on white; no red (the peak's) and no blue (the
 * curve's). */
static const char *const lane_colors[SVG_LANES] = {
	"#e8710a", "#2e8b57", "#8e44ad", "#138d90", "#b8860b", "#c2185b",
	"#8d6e63", "#546e7a", "#9e9d24", "#5d4037", "#00897b", "#6a1b9a",
};

/* The plot's frame, in pixels, and the data ranges it shows. */
struct frame {
	double left, right, top, bottom;
	double tmax, ymax;            /* seconds, MiB */
};

static double px_x(const struct frame *fr, double t)
{
	return fr->left + (fr->right - fr->left) * t / fr->tmax;
}

static double px_y(const struct frame *fr, double mib)
{
	return fr->bottom - (fr->bottom - fr->top) * mib / fr->ymax;
}

/* The length of one UTF-8 sequence at s, or 0 when it is not valid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 :
		   s[0] >= 0xe0 && s[0] < 0xf0 ? 3 :
		   s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : 0;

	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Text content or attribute value: escaped, control characters and bytes
 * that are not UTF-8 as '?' (either would make the file unreadable as
 * XML), cut to `max` characters with an ellipsis (0: no limit). */
static void put_text(FILE *out, const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t chars = 0;

	while (*u) {
		size_t n = utf8_len(u);

		if (max && chars + 1 == max && u[n ? n : 1]) {
			fputs("\u2026", out);
			return;
		}
		chars++;
		if (n == 0 || (n == 1 && (*u < 0x20 || *u == 0x7f))) {
			putc('?', out);
			u++;
			continue;
		}
		switch (*u) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default: fwrite(u, 1, n, out); break;
		}
		u += n;
	}
}

static size_t text_chars(const char *s, size_t max)
{
	size_t n = 0;

	for (const unsigned char *u = (const unsigned char *)s; *u; u++)
		n += (*u & 0xc0) != 0x80;
	return max && n > max ? max : n;
}

/* A tick step of 1, 2, 2.5 or 5 times a power of ten giving about `want`
 * ticks over `range` (> 0). */
static double nice_step(double range, int want)
{
	double raw = range / want, mag = 1, r;

	while (raw >= 10 * mag)
		mag *= 10;
	while (raw < mag)
		mag /= 10;
	r = raw / mag;
	return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10) * mag;
}

/* Decimals that show every multiple of `step` exactly. */
static int step_decimals(double step)
{
	int d = 0;

	for (double x = step; d < 9; x *= 10, d++) {
		double frac = x - (double)(long long)x;

		if (frac < 1e-6 * x || frac > 1 - 1e-6 * x)
			break;
	}
	return d;
}

/* The command, as a shell would show it. */
static void put_command(FILE *out, char *const *command)
{
	struct strbuf s = STRBUF_INIT;
	char *line;

	for (size_t i = 0; command && command[i]; i++) {
		if (i)
			strbuf_addstr(&s, " ");
		strbuf_addstr(&s, command[i]);
	}
	line = strbuf_detach(&s);
	put_text(out, line, 110);
	free(line);
}

static const char *base_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return slash ? slash + 1 : path ? path : "";
}

struct lane {
	unsigned fn;
	double total;   /* seconds spent in its spans */
	double first;   /* its first start */
};

static int by_total(const void *a, const void *b)
{
	const struct lane *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return x->fn < y->fn ? -1 : x->fn > y->fn;
}

static int by_first(const void *a, const void *b)
{
	const struct lane *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->fn < y->fn ? -1 : x->fn > y->fn;
}

/* The functions to draw, at most SVG_LANES, in order of first start;
 * returns how many, *more how many were left out. */
static size_t pick_lanes(const struct timeline_span *sp, size_t nsp,
			 const struct profile *p, struct lane *lanes,
			 size_t *more)
{
	size_t nfn = profile_nfunctions(p), n = 0;
	struct lane *all = xcalloc(nfn ? nfn : 1, sizeof(*all));

	for (size_t i = 0; i < nfn; i++) {
		all[i].fn = (unsigned)i;
		all[i].first = -1;
	}
	for (size_t i = 0; i < nsp; i++) {
		if (sp[i].fn >= nfn)
			continue;
		all[sp[i].fn].total += sp[i].t1 - sp[i].t0;
		if (all[sp[i].fn].first < 0)
			all[sp[i].fn].first = sp[i].t0;
	}
	for (size_t i = 0; i < nfn; i++)
		if (all[i].first >= 0)
			all[n++] = all[i];
	qsort(all, n, sizeof(*all), by_total);
	*more = n > SVG_LANES ? n - SVG_LANES : 0;
	if (n > SVG_LANES)
		n = SVG_LANES;
	qsort(all, n, sizeof(*all), by_first);
	memcpy(lanes, all, n * sizeof(*lanes));
	free(all);
	return n;
}

/* Beyond this many bars a lane's stretches are not shaded behind the
 * curve: stripes would hide it. */
#define SHADE_MAX 24

/* One lane: its name, its bars, and (when they are few) the same
 * stretches shaded behind the curve. */
static void draw_lane(FILE *out, const struct frame *fr, double y,
		      const struct lane *ln, const char *color,
		      const struct timeline_span *sp, size_t nsp,
		      const struct profile *p)
{
	const struct profile_function *f = profile_function(p, ln->fn);
	double min_gap = 2 * fr->tmax / (fr->right - fr->left);
	struct timeline_span *bars = xmalloc((nsp ? nsp : 1) * sizeof(*bars));
	size_t nbars = 0;

	/* Spans of this lane less than two pixels apart: one bar. */
	for (size_t i = 0; i < nsp; i++) {
		if (sp[i].fn != ln->fn)
			continue;
		if (nbars && sp[i].t0 - bars[nbars - 1].t1 < min_gap) {
			if (sp[i].t1 > bars[nbars - 1].t1) {
				bars[nbars - 1].t1 = sp[i].t1;
				bars[nbars - 1].rss1 = sp[i].rss1;
			}
			continue;
		}
		bars[nbars++] = sp[i];
	}
	fprintf(out, "<text class=\"lane\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"%s\">",
		fr->left - 8, y + 10, color);
	put_text(out, f->name, NAME_MAX_CHARS);
	fputs("</text>\n", out);
	for (size_t i = 0; i < nbars; i++) {
		double x0 = px_x(fr, bars[i].t0), x1 = px_x(fr, bars[i].t1);

		if (x1 - x0 < 1)
			x1 = x0 + 1;
		if (nbars <= SHADE_MAX)
			fprintf(out, "<rect class=\"span\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
				x0, fr->top, x1 - x0, fr->bottom - fr->top, color);
		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"12\" rx=\"2\" fill=\"%s\"><title>",
			x0, y + 1, x1 - x0, color);
		put_text(out, f->name, 0);
		fprintf(out, ": %.3f\u2013%.3f s, %.1f \u2192 %.1f MiB</title></rect>\n",
			bars[i].t0, bars[i].t1, bars[i].rss0 / MiB,
			bars[i].rss1 / MiB);
	}
	free(bars);
}

static void draw_axes(FILE *out, const struct frame *fr, const char *what)
{
	double tstep = nice_step(fr->tmax, 10), ystep = nice_step(fr->ymax, 6);
	int td = step_decimals(tstep), yd = step_decimals(ystep);

	fputs("<g class=\"grid\">\n", out);
	for (double v = 0; v <= fr->ymax * (1 + 1e-9); v += ystep)
		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			fr->left, px_y(fr, v), fr->right, px_y(fr, v));
	fputs("</g>\n<g class=\"ticks\">\n", out);
	for (double v = 0; v <= fr->ymax * (1 + 1e-9); v += ystep)
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.*f</text>\n",
			fr->left - 6, px_y(fr, v) + 4, yd, v);
	for (double v = 0; v <= fr->tmax * (1 + 1e-9); v += tstep) {
		fprintf(out, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			px_x(fr, v), fr->bottom, px_x(fr, v), fr->bottom + 5);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.*f</text>\n",
			px_x(fr, v), fr->bottom + 18, td, v);
	}
	fputs("</g>\n", out);
	fprintf(out, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
		fr->left, fr->bottom, fr->right, fr->bottom);
	fprintf(out, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
		fr->left, fr->top, fr->left, fr->bottom);
	fprintf(out, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">time (s)</text>\n",
		(fr->left + fr->right) / 2, fr->bottom + 40);
	fprintf(out, "<text class=\"label\" transform=\"translate(%.1f %.1f) rotate(-90)\" text-anchor=\"middle\">%s (MiB)</text>\n",
		fr->left - 50, (fr->top + fr->bottom) / 2, what);
}

/* The curve, one point per pixel column: the column's highest sample, so
 * that no peak is thinned away. */
static void draw_curve(FILE *out, const struct frame *fr,
		       const struct timeline_sample *v, size_t n)
{
	long col = -1;
	size_t best = 0;
	bool first = true;
	char *path = NULL;
	size_t len = 0;
	FILE *pts = open_memstream(&path, &len);

	if (!pts)
		return;
	for (size_t i = 0; i <= n; i++) {
		long c = i < n ? (long)px_x(fr, v[i].t) : -2;

		if (i < n && c == col) {
			if (v[i].rss_bytes > v[best].rss_bytes)
				best = i;
			continue;
		}
		if (col != -1) {
			fprintf(pts, "%s%.1f,%.1f", first ? "" : " ",
				px_x(fr, v[best].t), px_y(fr, v[best].rss_bytes / MiB));
			first = false;
		}
		col = c;
		best = i;
	}
	fclose(pts);
	if (n) {
		fprintf(out, "<path class=\"area\" d=\"M%.1f,%.1f L%s L%.1f,%.1f Z\"/>\n",
			px_x(fr, v[0].t), fr->bottom, path,
			px_x(fr, v[n - 1].t), fr->bottom);
		fprintf(out, "<polyline class=\"rss\" points=\"%s\"/>\n", path);
	}
	free(path);
}

/* The highest sample: a dot, a dashed level line, and its label. */
static void draw_peak(FILE *out, const struct frame *fr,
		      const struct timeline_sample *pk,
		      const struct profile *p, const struct report_run *run)
{
	const struct profile_function *f = run->peak_known ?
		profile_function(p, run->peak_fn) : NULL;
	double x = px_x(fr, pk->t), y = px_y(fr, pk->rss_bytes / MiB);
	bool left = x > (fr->left + fr->right) / 2;
	double tx = left ? x - 10 : x + 10, ty = y - (f ? 26 : 12);
	int precision = run->precision > 1 ? run->precision : 1;

	if (ty < fr->top + 14)
		ty = y + 20;
	fprintf(out, "<line class=\"peakline\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
		fr->left, y, fr->right, y);
	fprintf(out, "<circle class=\"peak\" cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\"/>\n",
		x, y);
	fprintf(out, "<text class=\"peaklabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">peak %.*f MiB at %.2f s",
		tx, ty, left ? "end" : "start", precision,
		pk->rss_bytes / MiB, pk->t);
	if (f) {
		fprintf(out, "<tspan class=\"place\" x=\"%.1f\" dy=\"15\">", tx);
		put_text(out, base_name(f->file), 40);
		fprintf(out, ":%u in ", run->peak_line);
		put_text(out, f->name, NAME_MAX_CHARS);
		fputs("</tspan>", out);
	}
	fputs("</text>\n", out);
}

int report_svg(FILE *out, const struct timeline *tl, const struct profile *p,
	       const struct report_run *run)
{
	const struct timeline_sample *v;
	const struct timeline_span *sp;
	size_t n = timeline_samples(tl, &v), nsp = timeline_spans(tl, &sp);
	struct lane lanes[SVG_LANES];
	size_t more, nl = pick_lanes(sp, nsp, p, lanes, &more), peak = 0;
	double name_w = 0, ystep, tstep, height;
	struct timeline_sample shown = { 0, 0 };
	/* --metric: the curve is of what it names, not RSS. */
	bool rss = !run->metric || !strcmp(run->metric, "rss");
	const char *what = rss ? "RSS" : run->metric;
	struct frame fr;

	for (size_t i = 1; i < n; i++)
		if (v[i].rss_bytes > v[peak].rss_bytes)
			peak = i;
	if (n)
		shown = v[peak];
	/* Marked where the RSS got there: the first sample within 1% of the
	 * highest (the kernel's counters, synced lazily, often add a page
	 * or a hundred at the very end of a plateau). */
	for (size_t i = 0; i < peak; i++)
		if (v[i].rss_bytes >= v[peak].rss_bytes - v[peak].rss_bytes / 100) {
			shown = v[i];
			shown.rss_bytes = v[peak].rss_bytes;
			break;
		}
	for (size_t i = 0; i < nl; i++) {
		const char *name = profile_function(p, lanes[i].fn)->name;
		double w = text_chars(name, NAME_MAX_CHARS) * CHAR_W;

		if (w > name_w)
			name_w = w;
	}
	fr.left = name_w + 20 > 76 ? name_w + 20 : 76;
	fr.right = SVG_W - 28;
	fr.top = 64 + (nl ? nl * LANE_H + 12 : 0) + (more ? 14 : 0);
	fr.bottom = fr.top + 380;
	height = fr.bottom + 52;
	fr.tmax = n ? v[n - 1].t : 0;
	if (nsp && sp[nsp - 1].t1 > fr.tmax)
		fr.tmax = sp[nsp - 1].t1;
	if (fr.tmax <= 0)
		fr.tmax = timeline_interval_ms(tl) / 1000.0;
	/* The axis ends on a tick. */
	tstep = nice_step(fr.tmax, 10);
	fr.tmax = (double)(long long)(fr.tmax / tstep + 1 - 1e-9) * tstep;
	/* Room above the peak for its label. */
	fr.ymax = n ? v[peak].rss_bytes / MiB * 1.15 : 1;
	if (fr.ymax < 1)
		fr.ymax = 1;
	ystep = nice_step(fr.ymax, 6);
	fr.ymax = (double)(long long)(fr.ymax / ystep + 1 - 1e-9) * ystep;

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
		SVG_W, height, SVG_W, height);
	fputs("<title>memprof: ", out);
	put_command(out, run->command);
	fputs("</title>\n", out);
	fputs("<style>\n"
	      ".grid line { stroke: #e6e6e6; }\n"
	      ".axis { stroke: #555; }\n"
	      ".ticks text { fill: #444; }\n"
	      ".label { fill: #222; font-size: 13px; }\n"
	      ".lane { text-anchor: end; font-weight: bold; }\n"
	      ".span { opacity: 0.10; }\n"
	      ".area { fill: #4c78a8; opacity: 0.15; }\n"
	      ".rss { fill: none; stroke: #1f4e99; stroke-width: 1.8; stroke-linejoin: round; }\n"
	      ".peakline { stroke: #c0392b; stroke-dasharray: 4 3; opacity: 0.7; }\n"
	      ".peak { fill: #c0392b; stroke: white; stroke-width: 1.5; }\n"
	      ".peaklabel { fill: #c0392b; font-weight: bold; stroke: white; stroke-width: 3; paint-order: stroke; }\n"
	      ".place { font-weight: normal; }\n"
	      "</style>\n"
	      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", out);
	fputs("<text class=\"title\" x=\"16\" y=\"26\" font-size=\"16\" font-weight=\"bold\" fill=\"#222\">memprof: ", out);
	put_command(out, run->command);
	fputs("</text>\n<text class=\"subtitle\" x=\"16\" y=\"46\" fill=\"#555\">", out);
	if (run->peak_rss_bytes >= 0)
		fprintf(out, "peak %s %.1f MiB%s \u00b7 ", what,
			run->peak_rss_bytes / MiB, rss ? " (VmHWM)" : "");
	if (run->final_rss_bytes >= 0)
		fprintf(out, "final %s %.1f MiB \u00b7 ", what,
			run->final_rss_bytes / MiB);
	fprintf(out, "%.2f s \u00b7 a point per %d ms: its highest %s</text>\n",
		n ? v[n - 1].t : 0.0, timeline_interval_ms(tl), what);

	draw_axes(out, &fr, what);
	for (size_t i = 0; i < nl; i++)
		draw_lane(out, &fr, 64 + i * LANE_H, &lanes[i],
			  lane_colors[i % SVG_LANES], sp, nsp, p);
	if (more)
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">(%zu more profiled function%s not shown)</text>\n",
			fr.left, 64 + nl * LANE_H + 10.0, more, more == 1 ? "" : "s");
	draw_curve(out, &fr, v, n);
	if (n)
		draw_peak(out, &fr, &shown, p, run);
	else
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">no samples</text>\n",
			(fr.left + fr.right) / 2, (fr.top + fr.bottom) / 2);
	fputs("</svg>\n", out);
	fflush(out);
	return ferror(out) ? -1 : 0;
}
