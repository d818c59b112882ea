-- Assessment (issue 6): level rules versioned by effective_from, evidence a trainee declares
-- and a reviewer verifies, reviewer-entered scores, senior defence panels, integrity events
-- and the levels a person holds. Every threshold is a row (domain.md §3–§4, all DEFAULT);
-- the eligibility engine (courses/eligibility*.c) reads them, nothing is a C constant.

-- One version of one level's rules. A new version is a new row with a later effective_from
-- (never an UPDATE): the rules in force on a date are the latest version not after it.
-- Work years are required per highest verified education; NULL = that education does not
-- qualify for the experience path. Amounts are whole 元.
CREATE TABLE level_rules (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  level ENUM('junior','intermediate','senior') NOT NULL,
  effective_from DATE NOT NULL,
  min_education ENUM('none','high_school','associate','bachelor','master','doctor') NOT NULL,
  work_years_associate TINYINT UNSIGNED NULL,
  work_years_bachelor TINYINT UNSIGNED NULL,
  work_years_master TINYINT UNSIGNED NULL,
  work_years_doctor TINYINT UNSIGNED NULL,
  prior_level ENUM('junior','intermediate','senior') NULL,
  prior_years TINYINT UNSIGNED NOT NULL DEFAULT 0,
  -- 1: the prior level OR the experience path is enough (中级); 0: both are required
  prior_or_work TINYINT(1) NOT NULL DEFAULT 0,
  hours_x2 INT UNSIGNED NOT NULL,
  practical_x2 INT UNSIGNED NOT NULL DEFAULT 0,
  all_compulsory TINYINT(1) NOT NULL DEFAULT 0,
  deals_count INT UNSIGNED NOT NULL DEFAULT 0,
  deals_role ENUM('lead','participant') NOT NULL DEFAULT 'participant',
  deals_amount BIGINT UNSIGNED NOT NULL DEFAULT 0,
  deals_amount_basis ENUM('contract','received') NOT NULL DEFAULT 'contract',
  case_reports TINYINT UNSIGNED NOT NULL DEFAULT 0,
  other_works TINYINT UNSIGNED NOT NULL DEFAULT 0,
  integrity_years TINYINT UNSIGNED NOT NULL DEFAULT 3,
  parts SET('written','case','defence') NOT NULL,
  pass_written TINYINT UNSIGNED NOT NULL DEFAULT 60 CHECK (pass_written <= 100),
  pass_case TINYINT UNSIGNED NOT NULL DEFAULT 60 CHECK (pass_case <= 100),
  pass_defence TINYINT UNSIGNED NOT NULL DEFAULT 60 CHECK (pass_defence <= 100),
  panel_min TINYINT UNSIGNED NOT NULL DEFAULT 5 CHECK (panel_min >= 1),
  panel_vote_num TINYINT UNSIGNED NOT NULL DEFAULT 2,
  panel_vote_den TINYINT UNSIGNED NOT NULL DEFAULT 3 CHECK (panel_vote_den > 0),
  valid_months SMALLINT UNSIGNED NOT NULL DEFAULT 24,
  note VARCHAR(200) NULL,
  created_by BIGINT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CHECK (panel_vote_num <= panel_vote_den),
  UNIQUE KEY uq_level_rules (level, effective_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TRIGGER level_rules_no_update BEFORE UPDATE ON level_rules FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'level_rules: add a version, never overwrite';
CREATE TRIGGER level_rules_no_delete BEFORE DELETE ON level_rules FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'level_rules: add a version, never delete';

-- The DEFAULT table of domain.md §3–§4, in force from 2020-01-01.
INSERT INTO level_rules (level, effective_from, min_education, work_years_associate, work_years_bachelor, work_years_master, work_years_doctor, prior_level, prior_years, prior_or_work, hours_x2, practical_x2, all_compulsory, deals_count, deals_role, deals_amount, case_reports, other_works, integrity_years, parts, note) VALUES
  ('junior', '2020-01-01', 'associate', NULL, NULL, NULL, NULL, NULL, 0, 0, 96, 0, 1, 0, 'participant', 0, 0, 0, 3, 'written', 'domain.md §3 DEFAULT: 大专, 48 学时含全部必修, 笔试'),
  ('intermediate', '2020-01-01', 'associate', 5, 3, 3, 3, 'junior', 2, 1, 128, 32, 0, 2, 'participant', 1000000, 1, 0, 3, 'written,case', 'domain.md §3 DEFAULT: 初级满 2 年或从业 3 年(本科+)/5 年(大专), 64 学时(实训 16), 参与 2 项或 100 万元, 案例报告 1 篇'),
  ('senior', '2020-01-01', 'bachelor', NULL, 5, 3, 3, 'intermediate', 3, 0, 160, 48, 0, 5, 'lead', 5000000, 1, 1, 3, 'written,case,defence', 'domain.md §3 DEFAULT: 本科, 从业 5 年(本科)/3 年(硕士+), 中级满 3 年, 80 学时(实训 24), 主持 5 项或 500 万元, 案例报告 + 1 项成果, 答辩');

-- Evidence a trainee declares; a reviewer marks it verified or rejected (with a reason).
-- Only verified items count. One table, one review flow; CHECKs keep each kind's columns.
CREATE TABLE evidence (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  person_id BIGINT UNSIGNED NOT NULL,
  kind ENUM('education','work','deal','writing') NOT NULL,
  -- institution (education), employer (work), deal title, written work title
  title VARCHAR(200) NOT NULL,
  degree ENUM('high_school','associate','bachelor','master','doctor') NULL,
  started_on DATE NULL,
  -- graduation (education), end of the job (work, NULL = still there), signing (deal), publication (writing)
  on_date DATE NULL,
  -- 民法典 第八百四十三条: 技术开发、转让、许可、咨询、服务
  contract_type ENUM('development','transfer','licensing','consulting','service') NULL,
  deal_role ENUM('lead','participant') NULL,
  contract_amount DECIMAL(14,2) NULL CHECK (contract_amount IS NULL OR contract_amount >= 0),
  received_amount DECIMAL(14,2) NULL CHECK (received_amount IS NULL OR received_amount >= 0),
  registration_no VARCHAR(32) NULL,
  writing_kind ENUM('case_report','publication','policy_report','standard') NULL,
  status ENUM('pending','verified','rejected') NOT NULL DEFAULT 'pending',
  review_reason VARCHAR(200) NULL,
  reviewed_by BIGINT UNSIGNED NULL,
  reviewed_at DATETIME NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CHECK (kind <> 'education' OR (degree IS NOT NULL AND on_date IS NOT NULL)),
  CHECK (kind <> 'work' OR started_on IS NOT NULL),
  CHECK (kind <> 'deal' OR (contract_type IS NOT NULL AND deal_role IS NOT NULL AND contract_amount IS NOT NULL AND received_amount IS NOT NULL AND registration_no IS NOT NULL AND on_date IS NOT NULL)),
  CHECK (kind <> 'writing' OR (writing_kind IS NOT NULL AND on_date IS NOT NULL)),
  CHECK (status <> 'rejected' OR review_reason IS NOT NULL),
  KEY ix_evidence_person (person_id, kind),
  KEY ix_evidence_status (status, id),
  CONSTRAINT fk_evidence_person FOREIGN KEY (person_id) REFERENCES persons (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Scores a reviewer enters (the bases' exams uploads land in exam_results). Append-only:
-- a correction is a new, later assessment.
CREATE TABLE assessment_scores (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  person_id BIGINT UNSIGNED NOT NULL,
  level ENUM('junior','intermediate','senior') NOT NULL,
  part ENUM('written','case') NOT NULL,
  score DECIMAL(5,2) NOT NULL CHECK (score BETWEEN 0 AND 100),
  assessed_on DATE NOT NULL,
  entered_by BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_assessment_scores_person (person_id, level, assessed_on),
  CONSTRAINT fk_assessment_scores_person FOREIGN KEY (person_id) REFERENCES persons (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TRIGGER assessment_scores_no_update BEFORE UPDATE ON assessment_scores FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'assessment_scores is append-only';
CREATE TRIGGER assessment_scores_no_delete BEFORE DELETE ON assessment_scores FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'assessment_scores is append-only';

-- A defence (答辩) panel and each expert's score and vote. Recorded once, never edited:
-- a correction is a new panel that supersedes the old one with a reason.
CREATE TABLE defence_panels (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  person_id BIGINT UNSIGNED NOT NULL,
  level ENUM('junior','intermediate','senior') NOT NULL,
  held_on DATE NOT NULL,
  supersedes_id BIGINT UNSIGNED NULL,
  supersede_reason VARCHAR(200) NULL,
  recorded_by BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CHECK (supersedes_id IS NULL OR supersede_reason IS NOT NULL),
  -- a panel is superseded at most once
  UNIQUE KEY uq_defence_panels_supersedes (supersedes_id),
  KEY ix_defence_panels_person (person_id, level, held_on),
  CONSTRAINT fk_defence_panels_person FOREIGN KEY (person_id) REFERENCES persons (id),
  CONSTRAINT fk_defence_panels_supersedes FOREIGN KEY (supersedes_id) REFERENCES defence_panels (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE panel_experts (
  panel_id BIGINT UNSIGNED NOT NULL,
  expert_person_id BIGINT UNSIGNED NOT NULL,
  score DECIMAL(5,2) NOT NULL CHECK (score BETWEEN 0 AND 100),
  vote ENUM('pass','fail') NOT NULL,
  PRIMARY KEY (panel_id, expert_person_id),
  CONSTRAINT fk_panel_experts_panel FOREIGN KEY (panel_id) REFERENCES defence_panels (id),
  CONSTRAINT fk_panel_experts_person FOREIGN KEY (expert_person_id) REFERENCES persons (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TRIGGER defence_panels_no_update BEFORE UPDATE ON defence_panels FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a recorded panel cannot be edited, only superseded';
CREATE TRIGGER defence_panels_no_delete BEFORE DELETE ON defence_panels FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a recorded panel cannot be deleted, only superseded';
CREATE TRIGGER panel_experts_no_update BEFORE UPDATE ON panel_experts FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a recorded panel cannot be edited, only superseded';
CREATE TRIGGER panel_experts_no_delete BEFORE DELETE ON panel_experts FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a recorded panel cannot be deleted, only superseded';

-- 诚信: an integrity event is open from opened_on until closed_on (NULL = still open).
CREATE TABLE integrity_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  person_id BIGINT UNSIGNED NOT NULL,
  opened_on DATE NOT NULL,
  closed_on DATE NULL,
  kind VARCHAR(32) NOT NULL,
  note VARCHAR(200) NULL,
  created_by BIGINT UNSIGNED NULL,
  closed_by BIGINT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CHECK (closed_on IS NULL OR closed_on >= opened_on),
  KEY ix_integrity_events_person (person_id, opened_on),
  CONSTRAINT fk_integrity_events_person FOREIGN KEY (person_id) REFERENCES persons (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The levels a person holds. The certificates code inserts a 'certificate' row in the
-- transaction that issues the certificate and sets it 'withdrawn' when it is revoked;
-- 'declared' rows are levels held before tmcred (entered by an admin).
CREATE TABLE person_levels (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  person_id BIGINT UNSIGNED NOT NULL,
  level ENUM('junior','intermediate','senior') NOT NULL,
  held_since DATE NOT NULL,
  source ENUM('certificate','declared') NOT NULL,
  certificate_serial VARCHAR(32) NULL,
  status ENUM('active','withdrawn') NOT NULL DEFAULT 'active',
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_person_levels_person (person_id, level, status),
  CONSTRAINT fk_person_levels_person FOREIGN KEY (person_id) REFERENCES persons (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The pool reviewers pick defence experts from (persons records); conflicts of interest are
-- still judged per candidate when a panel is recorded.
CREATE TABLE experts (
  person_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  field VARCHAR(100) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CONSTRAINT fk_experts_person FOREIGN KEY (person_id) REFERENCES persons (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
