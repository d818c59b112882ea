-- Demo data for assessment (loaded by `tmcred-ctl demo` after its persons exist): candidates
-- at every stage of every level, defence experts, and the demo trainee 李明 (eligible for
-- 初级 today; once the lead's demo issues that certificate, still short of 中级 and 高级).
-- Persons are found by name: the demo creates each name once. Dates are relative to today.

-- 李明 (the demo trainee): 大专 verified, tech-transfer work since 2024, a junior written exam.
INSERT INTO evidence (person_id, kind, title, degree, on_date, status, reviewed_at)
  SELECT id, 'education', '上海第二工业大学', 'associate', '2012-07-01', 'verified', UTC_TIMESTAMP() FROM persons WHERE name = '李明';
INSERT INTO evidence (person_id, kind, title, started_on, status, reviewed_at)
  SELECT id, 'work', '上海技术交易所 项目经理', '2024-03-01', 'verified', UTC_TIMESTAMP() FROM persons WHERE name = '李明';
INSERT INTO evidence (person_id, kind, title, contract_type, deal_role, contract_amount, received_amount, registration_no, on_date)
  SELECT id, 'deal', '高分子材料专利许可', 'licensing', 'participant', 300000.00, 150000.00, '2025310104000123', '2025-09-15' FROM persons WHERE name = '李明';
INSERT INTO exam_results (person_id, base_id, level, exam_score, assessed_on)
  SELECT p.id, b.id, 'junior', 78.50, UTC_DATE() - INTERVAL 20 DAY FROM persons p JOIN bases b ON b.code = 'SH-STEX' WHERE p.name = '李明';

-- 欧阳芳: junior, not eligible for several reasons (no verified education, 8 学时, no exam).
INSERT INTO evidence (person_id, kind, title, degree, on_date)
  SELECT id, 'education', '上海开放大学', 'associate', '2016-07-01' FROM persons WHERE name = '欧阳芳';
INSERT INTO training_records (person_id, course_id, base_id, hours_x2, completed_on, subject, compulsory, source, source_ref)
  SELECT p.id, c.id, b.id, 16, UTC_DATE() - INTERVAL 30 DAY, c.subject, c.compulsory, 'admin', 'demo'
  FROM persons p JOIN courses c ON c.code = 'J-PUB-01' JOIN bases b ON b.code = 'SH-TONGJI' WHERE p.name = '欧阳芳';

-- 司马伟: intermediate, eligible (初级 held since 2022, 本科, 64 学时 with 16 practical, two deals, a case report, both parts passed).
INSERT INTO person_levels (person_id, level, held_since, source) SELECT id, 'junior', '2022-05-10', 'declared' FROM persons WHERE name = '司马伟';
INSERT INTO evidence (person_id, kind, title, degree, on_date, status, reviewed_at)
  SELECT id, 'education', '华东理工大学', 'bachelor', '2014-07-01', 'verified', UTC_TIMESTAMP() FROM persons WHERE name = '司马伟';
INSERT INTO evidence (person_id, kind, title, contract_type, deal_role, contract_amount, received_amount, registration_no, on_date, status, reviewed_at)
  SELECT id, 'deal', '锂电池隔膜技术转让', 'transfer', 'participant', 450000.00, 450000.00, '2024310110000456', '2024-11-20', 'verified', UTC_TIMESTAMP() FROM persons WHERE name = '司马伟';
INSERT INTO evidence (person_id, kind, title, contract_type, deal_role, contract_amount, received_amount, registration_no, on_date, status, reviewed_at)
  SELECT id, 'deal', '智能制造产线技术服务', 'service', 'lead', 200000.00, 120000.00, '2025310115000789', '2025-04-02', 'verified', UTC_TIMESTAMP() FROM persons WHERE name = '司马伟';
INSERT INTO evidence (person_id, kind, title, writing_kind, on_date, status, reviewed_at)
  SELECT id, 'writing', '高校专利许可定价案例分析', 'case_report', '2025-06-30', 'verified', UTC_TIMESTAMP() FROM persons WHERE name = '司马伟';

-- 上官洋: intermediate, not eligible (case analysis failed at 52, one small deal, no case report).
INSERT INTO person_levels (person_id, level, held_since, source) SELECT id, 'junior', '2021-03-01', 'declared' FROM persons WHERE name = '上官洋';
INSERT INTO evidence (person_id, kind, title, degree, on_date, status, reviewed_at)
  SELECT id, 'education', '上海大学', 'master', '2018-07-01', 'verified', UTC_TIMESTAMP() FROM persons WHERE name = '上官洋';
INSERT INTO evidence (person_id, kind, title, contract_type, deal_role, contract_amount, received_amount, registration_no, on_date, status, reviewed_at)
  SELECT id, 'deal', '生物医药技术咨询', 'consulting', 'participant', 80000.00, 80000.00, '2025310101000321', '2025-08-08', 'verified', UTC_TIMESTAMP() FROM persons WHERE name = '上官洋';

-- 诸葛静 (passed panel) and 东方磊 (failed panel): senior, 中级 held since 2019, 硕士, work since 2015,
-- five deals led, a case report and a standard.
INSERT INTO person_levels (person_id, level, held_since, source) SELECT id, 'intermediate', '2019-09-01', 'declared' FROM persons WHERE name IN ('诸葛静', '东方磊');
INSERT INTO evidence (person_id, kind, title, degree, on_date, status, reviewed_at)
  SELECT id, 'education', '同济大学', 'master', '2013-07-01', 'verified', UTC_TIMESTAMP() FROM persons WHERE name IN ('诸葛静', '东方磊');
INSERT INTO evidence (person_id, kind, title, started_on, status, reviewed_at)
  SELECT id, 'work', '技术转移中心', '2015-03-01', 'verified', UTC_TIMESTAMP() FROM persons WHERE name IN ('诸葛静', '东方磊');
INSERT INTO evidence (person_id, kind, title, contract_type, deal_role, contract_amount, received_amount, registration_no, on_date, status, reviewed_at)
  SELECT p.id, 'deal', CONCAT('新材料成果转化项目 ', n.k), 'development', 'lead', 1200000.00, 1000000.00, CONCAT('20243101', LPAD(p.id, 4, '0'), LPAD(n.k, 4, '0')), '2024-06-01', 'verified', UTC_TIMESTAMP()
  FROM persons p JOIN (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5) n WHERE p.name IN ('诸葛静', '东方磊');
INSERT INTO evidence (person_id, kind, title, writing_kind, on_date, status, reviewed_at)
  SELECT id, 'writing', '长三角技术转移协同机制案例', 'case_report', '2024-12-01', 'verified', UTC_TIMESTAMP() FROM persons WHERE name IN ('诸葛静', '东方磊');
INSERT INTO evidence (person_id, kind, title, writing_kind, on_date, status, reviewed_at)
  SELECT id, 'writing', 'T/SHTT 0001 技术经纪服务规范', 'standard', '2025-03-01', 'verified', UTC_TIMESTAMP() FROM persons WHERE name IN ('诸葛静', '东方磊');

-- Training: one record per day within the 8 学时 cap, on consecutive past days.
INSERT INTO training_records (person_id, course_id, base_id, hours_x2, completed_on, subject, compulsory, source, source_ref)
  SELECT p.id, c.id, b.id, 16, UTC_DATE() - INTERVAL (100 + n.k) DAY, c.subject, c.compulsory, 'admin', 'demo'
  FROM persons p JOIN bases b ON b.code = 'SH-FUDAN'
  JOIN (SELECT 1 AS k, 'I-PRA-02' AS code UNION ALL SELECT 2, 'I-PRA-02' UNION ALL SELECT 3, 'I-PRA-01' UNION ALL SELECT 4, 'I-PRA-01'
        UNION ALL SELECT 5, 'I-PRA-01' UNION ALL SELECT 6, 'I-PRA-01' UNION ALL SELECT 7, 'I-POL-01' UNION ALL SELECT 8, 'I-POL-01') n
  JOIN courses c ON c.code = n.code WHERE p.name IN ('司马伟', '上官洋');
INSERT INTO training_records (person_id, course_id, base_id, hours_x2, completed_on, subject, compulsory, source, source_ref)
  SELECT p.id, c.id, b.id, 16, UTC_DATE() - INTERVAL (100 + n.k) DAY, c.subject, c.compulsory, 'admin', 'demo'
  FROM persons p JOIN bases b ON b.code = 'SH-SJTU'
  JOIN (SELECT 1 AS k, 'S-PRA-01' AS code UNION ALL SELECT 2, 'S-PRA-01' UNION ALL SELECT 3, 'S-PRA-01' UNION ALL SELECT 4, 'S-PRA-01'
        UNION ALL SELECT 5, 'S-PRA-01' UNION ALL SELECT 6, 'S-PRA-01' UNION ALL SELECT 7, 'S-ADV-01' UNION ALL SELECT 8, 'S-ADV-01'
        UNION ALL SELECT 9, 'S-ADV-02' UNION ALL SELECT 10, 'S-ADV-02') n
  JOIN courses c ON c.code = n.code WHERE p.name IN ('诸葛静', '东方磊');

-- Exams: the bases' uploads land here.
INSERT INTO exam_results (person_id, base_id, level, exam_score, case_score, assessed_on)
  SELECT p.id, b.id, 'intermediate', 82.00, 76.50, UTC_DATE() - INTERVAL 60 DAY FROM persons p JOIN bases b ON b.code = 'SH-FUDAN' WHERE p.name = '司马伟';
INSERT INTO exam_results (person_id, base_id, level, exam_score, case_score, assessed_on)
  SELECT p.id, b.id, 'intermediate', 71.00, 52.00, UTC_DATE() - INTERVAL 60 DAY FROM persons p JOIN bases b ON b.code = 'SH-FUDAN' WHERE p.name = '上官洋';
INSERT INTO exam_results (person_id, base_id, level, exam_score, case_score, assessed_on)
  SELECT p.id, b.id, 'senior', 80.00, 74.00, UTC_DATE() - INTERVAL 45 DAY FROM persons p JOIN bases b ON b.code = 'SH-SJTU' WHERE p.name IN ('诸葛静', '东方磊');

-- Defence panels of five experts: 诸葛静 passes (mean 75, 5/5), 东方磊 fails (mean 61.4, 3/5 < 2/3).
INSERT INTO defence_panels (person_id, level, held_on, recorded_by)
  SELECT p.id, 'senior', UTC_DATE() - INTERVAL 10 DAY, u.id FROM persons p JOIN users u ON u.role = 'reviewer' WHERE p.name IN ('诸葛静', '东方磊');
INSERT INTO panel_experts (panel_id, expert_person_id, score, vote)
  SELECT d.id, e.id, 75.00, 'pass' FROM defence_panels d JOIN persons c ON c.id = d.person_id AND c.name = '诸葛静'
  JOIN persons e ON e.name IN ('周教授', '吴研究员', '郑主任', '孙律师', '钱总监');
INSERT INTO panel_experts (panel_id, expert_person_id, score, vote)
  SELECT d.id, e.id, CASE e.name WHEN '周教授' THEN 70.00 WHEN '吴研究员' THEN 66.00 WHEN '郑主任' THEN 63.00 WHEN '孙律师' THEN 55.00 ELSE 53.00 END,
    CASE WHEN e.name IN ('孙律师', '钱总监') THEN 'fail' ELSE 'pass' END
  FROM defence_panels d JOIN persons c ON c.id = d.person_id AND c.name = '东方磊'
  JOIN persons e ON e.name IN ('周教授', '吴研究员', '郑主任', '孙律师', '钱总监');

-- An integrity event, closed, for the audit trail of the page (outside nobody's window).
INSERT INTO integrity_events (person_id, opened_on, closed_on, kind, note)
  SELECT id, '2018-01-10', '2019-02-01', 'late_report', '逾期报送技术合同登记材料（已整改）' FROM persons WHERE name = '上官洋';

-- The expert pool.
INSERT INTO experts (person_id, field)
  SELECT id, CASE name WHEN '周教授' THEN '知识产权' WHEN '吴研究员' THEN '新材料' WHEN '郑主任' THEN '科技政策'
    WHEN '孙律师' THEN '技术合同法务' WHEN '钱总监' THEN '科技金融' WHEN '冯教授' THEN '生物医药' ELSE '技术交易' END
  FROM persons WHERE name IN ('周教授', '吴研究员', '郑主任', '孙律师', '钱总监', '冯教授', '何经理');

-- ledger_years of the persons given records above, as the C writers keep it (courses/ledger_years.h).
INSERT INTO ledger_years (person_id, year, professional_x2, general_x2, compulsory_x2)
  SELECT person_id, YEAR(completed_on), SUM(IF(subject = 'professional', hours_x2, 0)), SUM(IF(subject = 'general', hours_x2, 0)),
    SUM(IF(subject = 'general' AND compulsory = 1, hours_x2, 0))
  FROM training_records WHERE person_id IN (SELECT person_id FROM training_records WHERE source_ref = 'demo')
  GROUP BY person_id, YEAR(completed_on)
  ON DUPLICATE KEY UPDATE professional_x2 = VALUES(professional_x2), general_x2 = VALUES(general_x2), compulsory_x2 = VALUES(compulsory_x2);
