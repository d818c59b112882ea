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
	{ "api_key_invalid", 401, "API 密钥无效" },
	{ "api_key_revoked", 401, "API 密钥已被吊销" },
	{ "api_key_expired", 401, "API 密钥已过期" },
	{ "api_key_not_found", 404, "API 密钥不存在或已吊销" },
	{ "scope_missing", 403, "该 API 密钥没有此操作的权限范围" },
	{ "batch_not_found", 404, "批次不存在" },
	{ "batch_conflict", 409, "同一幂等键已用于内容不同的批次" },
	{ "batch_rejected", 422, "批次中有错误行，整批未保存（atomic 模式）" },
	{ "batch_empty", 422, "上传内容为空" },
	{ "header_empty", 422, "缺少表头行" },
	{ "column_unknown", 422, "表头中有无法识别的列" },
	{ "column_duplicate", 422, "表头中有重复的列" },
	{ "column_missing", 422, "表头缺少必需的列" },
	{ "batch_too_many_rows", 413, "行数超过上限" },
	{ "csv_encoding_utf16", 415, "文件为 UTF-16 编码（Unicode 文本），请另存为“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”" },
	{ "csv_encoding_invalid", 415, "文件编码无法识别：既不是 UTF-8 也不是 GB18030/GBK" },
	{ "csv_unterminated_quote", 422, "CSV 中有未闭合的引号" },
	{ "csv_field_too_long", 422, "CSV 中有字段超过长度上限" },
	{ "csv_too_many_columns", 422, "CSV 的列数超过上限" },
	{ "csv_too_many_rows", 413, "CSV 的行数超过上限" },
	{ "csv_bom_in_data", 422, "文件中间出现了字节顺序标记（BOM），可能是两个文件拼接而成" },
	{ "csv_out_of_memory", 500, "服务器内部错误，请稍后重试" },
	{ "csv_stopped", 422, "CSV 解析中止" },
	{ "batch_retry", 503, "数据库繁忙，本批次未保存，请原样重试" },
	{ "payload_too_large", 413, "请求体过大" },
	{ "unsupported_media_type", 415, "不支持的内容类型" },
	{ "validation_failed", 422, "提交的信息有误，请按提示修改" },
	{ "login_throttled", 429, "登录失败次数过多，请 15 分钟后再试" },
	{ "rate_limited", 429, "请求过于频繁，请稍后再试" },
	{ "db_busy", 503, "数据库繁忙（并发冲突），请稍后原样重试" },
	{ "db_unavailable", 503, "数据库暂不可用，请稍后重试" },
	{ "service_unavailable", 503, "服务暂不可用，请稍后重试" },
	{ "bad_level", 400, "等级无效：应为 junior、intermediate 或 senior" },

	/* assessment: level rules, evidence, exams, panels, eligibility */
	{ "evidence_not_found", 404, "资格材料不存在" },
	{ "evidence_reviewed", 409, "该材料已审核，不能再次审核" },
	{ "panel_not_found", 404, "答辩记录不存在（或不属于该候选人和等级）" },
	{ "panel_superseded", 409, "该答辩记录已被替代，只能替代最新的记录" },
	{ "integrity_not_found", 404, "诚信事件不存在" },
	{ "integrity_closed", 409, "该诚信事件已结束" },

	/* certificates: issue, lifecycle, verification */
	{ "not_eligible", 422, "尚不满足该等级证书的全部条件（见 unmet 列表）" },
	{ "certificate_exists", 409, "该学员已持有该等级的证书" },
	{ "certificate_not_found", 404, "证书不存在" },
	{ "certificate_revoked", 409, "证书已撤销，撤销不可恢复" },
	{ "certificate_already_revoked", 409, "证书已撤销" },
	{ "certificate_already_suspended", 409, "证书已处于暂停状态" },
	{ "certificate_not_suspended", 409, "证书未处于暂停状态，无需恢复" },
	{ "certificate_suspended", 409, "证书处于暂停状态，不能续期" },
	{ "renewal_integrity_open", 422, "存在未结束的诚信事件，不能续期" },
	{ "renewal_not_met", 422, "有效期内的继续教育学时未达到续期要求" },
	{ "filing_not_for_junior", 422, "火炬中心备案编号仅适用于中级、高级证书" },
	{ "serial_invalid", 400, "证书编号格式或校验位不正确，请核对后重新输入" },
	{ "serials_exhausted", 500, "本年度该等级的证书编号已用尽" },
	{ "no_signing_key", 500, "没有可用的签名密钥" },
	{ "no_cert_rule", 500, "缺少证书有效期规则" },

	/* --- statements (signed credit statements) --- */
	{ "statement_years_invalid", 422, "证明年份无效：最多连续 5 年，且不能晚于今年" },
	{ "statement_daily_limit", 429, "今天签发的学时证明已达上限，请明天再试" },
	{ "statement_not_found", 404, "学时证明不存在" },
	{ "statement_needs_link", 400, "学时证明须扫描证明上的二维码（或输入二维码下方的完整链接）查验" },
	{ "statement_link_too_long", 422, "所选年份过多，证明上的二维码放不下，请减少年份" },
	{ "statements_exhausted", 500, "本年度的学时证明编号已用尽" },
	{ "verify_link_invalid", 400, "验证链接无效" },
	/* --- end statements --- */

	/* --- progress --- */
	{ "progress_no_rule", 500, "缺少培养目标计数规则" },
	{ "baseline_number_invalid", 422, "基线人数须为 0 至 1000000 之间的整数" },
	/* --- end progress --- */

	/* --- federation --- */
	{ "peer_url_invalid", 422, "节点地址无效：应为 http:// 或 https:// 开头的地址（不超过 64 个字符）" },
	{ "peer_fingerprint_invalid", 422, "密钥集指纹应为 64 位十六进制字符" },
	{ "peer_pin_mismatch", 422, "对方节点发布的密钥集与给定指纹不符，未添加" },
	{ "peer_is_self", 422, "这是本节点自己的密钥集" },
	{ "peer_exists", 409, "该节点（编码或地址）已在信任列表中" },
	{ "peer_not_found", 404, "信任列表中没有该节点" },
	{ "peer_down", 502, "无法连接对方节点" },
	{ "peer_timeout", 504, "对方节点响应超时" },
	{ "peer_too_large", 502, "对方节点返回的内容超过大小上限" },
	{ "peer_http_status", 502, "对方节点返回了错误状态（或重定向）" },
	{ "peer_tls", 502, "对方节点的 TLS 证书校验失败" },
	{ "peer_failed", 502, "获取对方节点数据失败" },
	{ "peer_garbage", 502, "对方节点返回的内容无法识别" },
	{ "peer_unsigned_rotation", 422, "对方节点更换了密钥集，但新密钥集没有受信任密钥的签名，未接受" },
	{ "peer_node_changed", 422, "对方节点的编码发生了变化，未接受" },
	{ "summary_bad_signature", 422, "进展摘要的签名无效，未接受" },
	{ "summary_invalid", 502, "进展摘要格式无效，未接受" },
	{ "regional_key_missing", 503, "未配置区域共享密钥（[federation] regional_key_file）" },
	/* --- end federation --- */
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
