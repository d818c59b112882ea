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
