#include "names.h"

#include <string.h>

struct pair { const char *k, *v; };

static const char *
find(const struct pair *p, const char *k)
{
	for (; k != NULL && p->k != NULL; p++)
		if (strcmp(p->k, k) == 0)
			return p->v;
	return "";
}

const char *
level_name(const char *l)
{
	static const struct pair t[] = { { "junior", "初级" }, { "intermediate", "中级" },
		{ "senior", "高级" }, { NULL, NULL } };
	return find(t, l);
}

const char *
module_name(const char *m)
{
	static const struct pair t[] = { { "PUB", "公共知识" }, { "POL", "政策法规" },
		{ "PRA", "实务技能" }, { "ADV", "能力提升" }, { NULL, NULL } };
	return find(t, m);
}

const char *
subject_name(const char *s)
{
	static const struct pair t[] = { { "professional", "专业科目" }, { "general", "公需科目" },
		{ NULL, NULL } };
	return find(t, s);
}
