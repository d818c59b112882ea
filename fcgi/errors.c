#include "errors.h"

#include <string.h>

static const struct err_def table[] = {
	{ "internal_error", 500, "服务器内部错误，请稍后重试" },
	{ "bad_request", 400, "请求格式不正确" },
	{ "invalid_form", 400, "表单编码不正确" },
	{ "invalid_json", 400, "JSON 格式不正确，请求体须为 JSON 对象" },
	{ "invalid_utf8", 400, "请求含有无效的 UTF-8 字符" },
	{ "invalid_length", 400, "Content-Length 无效" },
	{ "too_many_fields", 400, "字段过多或字段过长" },
	{ "unauthorized", 401, "请先登录" },
	{ "invalid_credentials", 401, "账号或密码不正确" },
	{ "forbidden", 403, "无权执行此操作" },
	{ "csrf_invalid", 403, "页面已过期或请求来源无效，请刷新页面后重试" },
	{ "not_found", 404, "页面或资源不存在" },
	{ "method_not_allowed", 405, "不支持该请求方法" },
	{ "id_number_taken", 409, "该身份证号已注册" },
	{ "email_taken", 409, "该邮箱已注册" },
	{ "phone_taken", 409, "该手机号已注册" },
	{ "course_not_found", 404, "课程不存在" },
	{ "base_not_found", 404, "培养基地不存在或已停用" },
	{ "offering_not_found", 404, "班次不存在" },
	{ "record_not_found", 404, "培训记录不存在" },
	{ "offering_full", 409, "该班次名额已满" },
	{ "already_enrolled", 409, "您已报名该班次" },
	{ "offering_started", 409, "该班次已开课，不能报名或退出" },
	{ "offering_cancelled", 409, "该班次已取消" },
	{ "not_enrolled", 409, "您未报名该班次" },
	{ "base_code_taken", 409, "该基地编码已存在" },
	{ "capacity_below_enrolled", 409, "容量不能少于已报名人数" },
	{ "record_not_reversible", 409, "冲正记录不能再次冲正" },
	{ "already_reversed", 409, "该记录已被冲正" },
	{ "offering_not_finished", 409, "班次尚未结束，不能登记完成" },
	{ "level_not_open", 422, "您尚未满足报名该等级课程的条件（需先完成前一等级规定的培训学时）" },
	{ "dates_invalid", 422, "日期无效：结束日期不能早于开始日期" },
	{ "date_invalid", 422, "日期格式应为 YYYY-MM-DD" },
	{ "date_in_future", 422, "完成日期不能晚于今天" },
	{ "hours_invalid", 422, "学时须为正数，且为 0.5 的整数倍" },
	{ "hours_over_daily_cap", 422, "超过每日学时上限（默认每天 8 学时）" },
	{ "course_unknown", 422, "课程代码不存在" },
	{ "person_not_found", 422, "未找到该学员" },
	{ "statement_range_invalid", 422, "年份范围无效（最多 10 年）" },
	{ "no_ce_rule", 500, "缺少继续教育学时规则" },
	{ "payload_too_large", 413, "请求体过大" },
	{ "unsupported_media_type", 415, "不支持的内容类型" },
	{ "validation_failed", 422, "提交的信息有误，请按提示修改" },
	{ "login_throttled", 429, "登录失败次数过多，请 15 分钟后再试" },
	{ "rate_limited", 429, "请求过于频繁，请稍后再试" },
	{ "db_unavailable", 503, "数据库暂不可用，请稍后重试" },
	{ "service_unavailable", 503, "服务暂不可用，请稍后重试" },
};

const struct err_def *
err_lookup(const char *code)
{
	for (unsigned i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].code, code) == 0)
			return &table[i];
	return &table[0];
}

const struct err_def *
err_table(unsigned *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}
