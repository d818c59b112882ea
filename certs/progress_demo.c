/*
 * Demo data for the progress page: a few hundred certificate holders first certified from
 * 2024-01 to today at the demo bases, at a pace that grows over the years, some moving up a
 * level, a few revoked or suspended, and a baseline. Every certificate goes through
 * cert_issue() (as an import) and cert_set_status(), so the counters are exactly what the
 * real paths keep and progress-check finds no difference.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../courses/idnumber.h"
#include "../courses/trainees.h"
#include "issue.h"
#include "progress.h"
#include "progress_demo.h"

static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
	"徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高", "沈", "顾", "陆", "蒋" };
static const char *const given[] = { "伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军",
	"杰", "娟", "涛", "明", "超", "秀英", "华", "慧", "建国", "晓东", "嘉怡", "子涵", "思远",
	"浩然", "雨桐", "志强", "丽娟", "文博", "佳琪", "一鸣" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int64_t
demo_person(struct db *d, const struct tm_keys *k)
{
	char id[19], name[32];
	unsigned char enc[ID_ENC_BYTES], blind[32];
	uint64_t pid = 0;
	snprintf(name, sizeof(name), "%s%s", surnames[randombytes_uniform(NELEM(surnames))],
	    given[randombytes_uniform(NELEM(given))]);
	for (int tries = 0; tries < 5; tries++) {
		/* 310104: 徐汇区; random birth day and sequence, a real check character */
		snprintf(id, sizeof(id), "310104%04u%02u%02u%03u",
		    1965 + (unsigned)randombytes_uniform(35), 1 + (unsigned)randombytes_uniform(12),
		    1 + (unsigned)randombytes_uniform(28), (unsigned)randombytes_uniform(1000));
		id[17] = id_check_char(id);
		id[18] = '\0';
		id_encrypt(k, id, enc);
		blind_hash(k, "id", id, 18, blind);
		struct db_val v[] = { DBV_STR(name), DBV_BLOB(enc, sizeof(enc)),
			DBV_BLOB(blind, sizeof(blind)), DBV_STR("上海市科技成果转化服务机构（演示）") };
		enum db_rc rc = db_exec(d, "INSERT INTO persons (name, id_enc, id_blind, employer)"
		    " VALUES (?, ?, ?, ?)", v, 4, NULL, &pid);
		if (rc == DB_OK)
			return (int64_t)pid;
		if (rc != DB_DUP)
			return 0;
	}
	return 0;
}

static int
issue(struct db *d, const struct tm_config *cfg, int64_t admin, int64_t pid, const char *level,
    struct ymd on, int64_t base, char serial[32])
{
	struct eligibility elig;
	json_t *out = NULL;
	struct cert_issue_in in = { .person_id = pid, .level = level, .issued_on = on,
		.import = true, .base_id = base };
	const char *why = cert_issue(d, cfg, admin, "tmcred-ctl", &in, &out, &elig);
	if (why == NULL)
		snprintf(serial, 32, "%s", json_string_value(json_object_get(out, "serial")));
	else
		fprintf(stderr, "tmcred-ctl: demo progress certificate: %s\n", why);
	json_decref(out);
	return why ? -1 : 0;
}

static struct ymd
add_months(struct ymd d, int n)
{
	int mi = d.y * 12 + d.m - 1 + n;
	d.y = mi / 12;
	d.m = mi % 12 + 1;
	if (d.d > 28)
		d.d = 28;
	return d;
}

int
progress_demo(struct db *d, const struct tm_config *cfg, const struct tm_keys *k, int64_t admin)
{
	/* share of new holders per demo base (seed: db/seed/demo.sql) */
	static const struct { const char *code; unsigned weight; } bases[] = {
		{ "SH-STEX", 35 }, { "SH-FUDAN", 25 }, { "SH-SJTU", 25 }, { "SH-TONGJI", 15 },
	};
	int64_t ids[NELEM(bases)];
	struct ymd today = ymd_today_utc();
	char serial[32];
	long n = 0;

	for (size_t i = 0; i < NELEM(bases); i++) {
		struct db_val v[] = { DBV_STR(bases[i].code) };
		struct db_out o[] = { DBO_I64() };
		if (db_row(d, "SELECT id FROM bases WHERE code = ?", v, 1, o, 1) != DB_OK)
			return -1;
		ids[i] = o[0].i;
	}
	/* new holders per month: ~6 in early 2024, rising to ~30 by late 2026 */
	for (struct ymd m = { 2024, 1, 1 }; ymd_cmp(m, today) <= 0; m = add_months(m, 1)) {
		int idx = (m.y - 2024) * 12 + m.m - 1;
		unsigned want = 6 + (unsigned)idx * 7 / 10 + randombytes_uniform(6);
		for (unsigned j = 0; j < want; j++) {
			struct ymd on = { m.y, m.m, 1 + (int)randombytes_uniform(28) };
			if (ymd_cmp(on, today) > 0)
				continue;
			unsigned w = randombytes_uniform(100), acc = 0;
			size_t b = 0;
			for (; b < NELEM(bases) - 1; b++)
				if (w < (acc += bases[b].weight))
					break;
			int64_t pid = demo_person(d, k);
			unsigned r = randombytes_uniform(100);
			/* one in ten starts at intermediate (experienced practitioners) */
			if (pid <= 0 || issue(d, cfg, admin, pid, r < 10 ? "intermediate" : "junior", on,
			    ids[b], serial) < 0)
				return -1;
			n++;
			/* about one junior in six moves up 6-14 months later, at the same or another base */
			if (r >= 10 && r < 27) {
				struct ymd up = add_months(on, 6 + (int)randombytes_uniform(9));
				if (ymd_cmp(up, today) <= 0 && issue(d, cfg, admin, pid, "intermediate",
				    up, ids[randombytes_uniform(NELEM(bases))], serial) < 0)
					return -1;
			}
			/* a few intermediates reach senior after a defence */
			if (r < 4) {
				struct ymd up = add_months(on, 10 + (int)randombytes_uniform(8));
				if (ymd_cmp(up, today) <= 0 && issue(d, cfg, admin, pid, "senior", up,
				    ids[b], serial) < 0)
					return -1;
			}
			/* about 1 % revoked, 1 % suspended (integrity cases) */
			json_t *tmp = NULL;
			const char *why = NULL;
			if (r == 97)
				why = cert_set_status(d, admin, "tmcred-ctl", serial, CERT_REVOKE,
				    "演示：证书信息不实", &tmp);
			else if (r == 98)
				why = cert_set_status(d, admin, "tmcred-ctl", serial, CERT_SUSPEND,
				    "演示：诚信事件调查中", &tmp);
			json_decref(tmp);
			if (why != NULL)
				return -1;
		}
	}
	const char *why = progress_baseline_set(d, admin, "tmcred-ctl", 1250, (struct ymd){ 2023,
	    12, 31 }, "市科委2023年技术经理人培训结业统计（演示数据）");
	if (why != NULL)
		return -1;
	fprintf(stderr, "tmcred-ctl: demo progress: %ld holders, baseline 1250\n", n);
	return 0;
}
