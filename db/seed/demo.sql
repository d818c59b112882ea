-- Demo data for scripts/up (loaded once by `tmcred-ctl demo`): a plausible catalogue for the
-- three levels and four modules, four training bases in Shanghai, and offerings starting soon.
-- Hours are half-hours (hours_x2).

INSERT INTO bases (code, name, region) VALUES
  ('SH-STEX', '上海技术交易所国家技术转移人才培养基地', '浦东新区'),
  ('SH-FUDAN', '复旦大学技术转移人才培养基地', '杨浦区'),
  ('SH-SJTU', '上海交通大学技术转移人才培养基地', '闵行区'),
  ('SH-TONGJI', '同济大学技术转移人才培养基地', '杨浦区');

INSERT INTO courses (code, title, level, module, hours_x2, practical, compulsory, subject) VALUES
  ('J-PUB-01', '技术转移概论', 'junior', 'PUB', 16, 0, 1, 'general'),
  ('J-PUB-02', '科技成果转化基础知识', 'junior', 'PUB', 12, 0, 0, 'professional'),
  ('J-POL-01', '《促进科技成果转化法》解读', 'junior', 'POL', 12, 0, 1, 'general'),
  ('J-POL-02', '知识产权基础', 'junior', 'POL', 16, 0, 0, 'professional'),
  ('J-PRA-01', '技术合同认定登记实务', 'junior', 'PRA', 16, 1, 1, 'professional'),
  ('J-PRA-02', '技术需求挖掘与对接', 'junior', 'PRA', 12, 1, 0, 'professional'),
  ('J-ADV-01', '沟通与商务谈判技巧', 'junior', 'ADV', 8, 0, 0, 'professional'),
  ('I-PUB-01', '科技创新政策体系', 'intermediate', 'PUB', 12, 0, 1, 'general'),
  ('I-POL-01', '知识产权运营与保护', 'intermediate', 'POL', 16, 0, 0, 'professional'),
  ('I-PRA-01', '技术评估与定价', 'intermediate', 'PRA', 16, 0, 1, 'professional'),
  ('I-PRA-02', '技术转移项目路演实训', 'intermediate', 'PRA', 16, 1, 0, 'professional'),
  ('I-ADV-01', '科技金融与投融资', 'intermediate', 'ADV', 12, 0, 0, 'professional'),
  ('S-PUB-01', '国家创新战略与区域协同', 'senior', 'PUB', 12, 0, 1, 'general'),
  ('S-POL-01', '国际技术转移规则', 'senior', 'POL', 12, 0, 0, 'professional'),
  ('S-PRA-01', '重大科技成果转化项目策划', 'senior', 'PRA', 24, 1, 1, 'professional'),
  ('S-ADV-01', '技术转移机构管理', 'senior', 'ADV', 16, 0, 0, 'professional'),
  ('S-ADV-02', '概念验证与中试服务', 'senior', 'ADV', 16, 0, 0, 'professional');

INSERT INTO offerings (course_id, base_id, starts_on, ends_on, capacity)
  SELECT c.id, b.id, UTC_DATE() + INTERVAL 14 DAY, UTC_DATE() + INTERVAL 15 DAY, 40
  FROM courses c JOIN bases b ON b.code = 'SH-STEX' WHERE c.level = 'junior';
INSERT INTO offerings (course_id, base_id, starts_on, ends_on, capacity)
  SELECT c.id, b.id, UTC_DATE() + INTERVAL 30 DAY, UTC_DATE() + INTERVAL 31 DAY, 30
  FROM courses c JOIN bases b ON b.code = 'SH-FUDAN' WHERE c.level IN ('junior', 'intermediate');
INSERT INTO offerings (course_id, base_id, starts_on, ends_on, capacity)
  SELECT c.id, b.id, UTC_DATE() + INTERVAL 45 DAY, UTC_DATE() + INTERVAL 47 DAY, 20
  FROM courses c JOIN bases b ON b.code = 'SH-SJTU' WHERE c.level = 'senior';
