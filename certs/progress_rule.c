#include "progress_rule.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
prog_level_name(char letter)
{
	return letter == 'J' ? "junior" : letter == 'I' ? "intermediate" :
	    letter == 'S' ? "senior" : "";
}

char
prog_level_letter(const char *name)
{
	return !strcmp(name, "junior") ? 'J' : !strcmp(name, "intermediate") ? 'I' :
	    !strcmp(name, "senior") ? 'S' : 0;
}

static int
level_index(char letter)
{
	return letter == 'J' ? 0 : letter == 'I' ? 1 : letter == 'S' ? 2 : -1;
}

/* The node part of TM-<node>-..., compared without copying. */
static bool
serial_node_is(const char *serial, const char *node)
{
	size_t n = strlen(node);
	return strncmp(serial, "TM-", 3) == 0 && strncmp(serial + 3, node, n) == 0 &&
	    serial[3 + n] == '-';
}

bool
prog_cert_counts(const struct prog_rule *r, const struct prog_cert *c)
{
	if (level_index(c->level) < 0)
		return false;
	if (strcmp(c->status, "valid") == 0) {
		if (!r->valid_counts)
			return false;
	} else if (strcmp(c->status, "suspended") == 0) {
		if (!r->suspended_counts)
			return false;
	} else
		return false;            /* revoked, or anything unknown */
	if (ymd_cmp(c->first_on, r->from) < 0 || ymd_cmp(c->first_on, r->to) > 0)
		return false;
	return r->node[0] == '\0' || serial_node_is(c->serial, r->node);
}

void
prog_person_of(const struct prog_rule *r, const struct prog_cert *c, size_t n,
    struct prog_person *p)
{
	const struct prog_cert *first = NULL;
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < n; i++) {
		if (!prog_cert_counts(r, &c[i]))
			continue;
		int li = level_index(c[i].level);
		p->levels |= 1u << li;
		p->level_base[li] = c[i].base_id;
		int o = first ? ymd_cmp(c[i].first_on, first->first_on) : -1;
		if (o < 0 || (o == 0 && c[i].id < first->id))
			first = &c[i];
	}
	if (first == NULL)
		return;
	p->counted = true;
	p->first_on = first->first_on;
	p->base_id = first->base_id;
}

bool
prog_person_equal(const struct prog_person *a, const struct prog_person *b)
{
	if (a->counted != b->counted)
		return false;
	if (!a->counted)
		return true;
	return ymd_cmp(a->first_on, b->first_on) == 0 && a->base_id == b->base_id &&
	    a->levels == b->levels && a->level_base[0] == b->level_base[0] &&
	    a->level_base[1] == b->level_base[1] && a->level_base[2] == b->level_base[2];
}

static void
put(struct prog_key *out, size_t *n, const char *dim, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
put(struct prog_key *out, size_t *n, const char *dim, const char *fmt, ...)
{
	va_list ap;
	snprintf(out[*n].dim, sizeof(out[*n].dim), "%s", dim);
	va_start(ap, fmt);
	vsnprintf(out[*n].k, sizeof(out[*n].k), fmt, ap);
	va_end(ap);
	(*n)++;
}

size_t
prog_keys(const struct prog_person *p, struct prog_key out[PROG_KEYS_MAX])
{
	static const char letters[3] = { 'J', 'I', 'S' };
	size_t n = 0;
	int top = -1;
	if (!p->counted)
		return 0;
	put(out, &n, "total", "%s", "");
	if (p->levels & (PROG_I | PROG_S))
		put(out, &n, "is", "%s", "");
	for (int i = 0; i < 3; i++) {
		if (!(p->levels & (1u << i)))
			continue;
		top = i;
		put(out, &n, "level", "%s", prog_level_name(letters[i]));
		put(out, &n, "base_level", "%lld:%s", (long long)p->level_base[i],
		    prog_level_name(letters[i]));
	}
	put(out, &n, "top", "%s", prog_level_name(letters[top]));
	put(out, &n, "month", "%04d-%02d", p->first_on.y, p->first_on.m);
	put(out, &n, "base", "%lld", (long long)p->base_id);
	put(out, &n, "base_month", "%lld:%04d-%02d", (long long)p->base_id, p->first_on.y,
	    p->first_on.m);
	return n;
}

static int
key_cmp(const void *a, const void *b)
{
	const struct prog_key *x = a, *y = b;
	int c = strcmp(x->dim, y->dim);
	return c ? c : strcmp(x->k, y->k);
}

size_t
prog_delta(const struct prog_person *old, const struct prog_person *now,
    struct prog_key keys[2 * PROG_KEYS_MAX], int sign[2 * PROG_KEYS_MAX])
{
	struct prog_key a[PROG_KEYS_MAX], b[PROG_KEYS_MAX];
	size_t na = prog_keys(old, a), nb = prog_keys(now, b), n = 0, i = 0, j = 0;
	qsort(a, na, sizeof(a[0]), key_cmp);
	qsort(b, nb, sizeof(b[0]), key_cmp);
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : key_cmp(&a[i], &b[j]);
		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			keys[n] = a[i++];
			sign[n++] = -1;
		} else {
			keys[n] = b[j++];
			sign[n++] = +1;
		}
	}
	return n;
}

double
prog_slope(const long *y, size_t n)
{
	if (n < 2)
		return 0;
	double mx = (n - 1) / 2.0, my = 0, sxy = 0, sxx = 0;
	for (size_t i = 0; i < n; i++)
		my += (double)y[i];
	my /= (double)n;
	for (size_t i = 0; i < n; i++) {
		sxy += ((double)i - mx) * ((double)y[i] - my);
		sxx += ((double)i - mx) * ((double)i - mx);
	}
	return sxy / sxx;
}

void
prog_project(const long *cum, size_t n, int first, int deadline_month, long goal,
    long baseline, struct prog_projection *p)
{
	memset(p, 0, sizeof(*p));
	p->goal_month = -1;
	long total = n ? cum[n - 1] : 0;
	int now = first + (int)n - 1;
	p->months_left = deadline_month >= now ? deadline_month - now + 1 : 0;
	p->reached = total + baseline >= goal;
	p->pace_needed = p->reached ? 0 : p->months_left > 0 ?
	    (double)(goal - total - baseline) / p->months_left : INFINITY;
	p->projected = total + baseline;
	if (p->reached) {
		p->reaches = p->on_track = true;
		p->goal_month = now;
	}
	/* full months are those before the current one */
	size_t full = n > 0 ? n - 1 : 0;
	size_t k = full < PROG_FIT_MONTHS ? full : PROG_FIT_MONTHS;
	if (k < 2)
		return;
	p->has_pace = true;
	p->fit_months = (int)k;
	p->pace = prog_slope(cum + full - k, k);
	long last_full = cum[full - 1];
	int last_month = first + (int)full - 1;
	if (deadline_month > last_month) {
		double at = (double)last_full + p->pace * (deadline_month - last_month);
		long proj = (long)llround(at);
		if (proj < total)
			proj = total;        /* the count never goes down by projecting */
		p->projected = proj + baseline;
	}
	p->on_track = p->projected >= goal;
	if (!p->reached && p->pace > 0) {
		double need = (double)(goal - baseline - last_full) / p->pace;
		p->goal_month = last_month + (int)ceil(need);
		p->reaches = p->goal_month <= deadline_month;
	}
}
