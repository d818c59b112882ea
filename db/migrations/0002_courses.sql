-- The learning side: training bases, the course catalogue, offerings (班次), enrolment,
-- append-only training records and the continuing-education rules (ce_rules).
-- Hours are stored in half-hours (hours_x2): 学时 come in steps of 0.5 and integers add exactly.

CREATE TABLE bases (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(16) NOT NULL,
  name VARCHAR(100) NOT NULL,
  region VARCHAR(32) NOT NULL,
  status ENUM('active','suspended','closed') NOT NULL DEFAULT 'active',
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_bases_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE courses (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(16) NOT NULL,
  title VARCHAR(100) NOT NULL,
  level ENUM('junior','intermediate','senior') NOT NULL,
  module ENUM('PUB','POL','PRA','ADV') NOT NULL,
  hours_x2 SMALLINT UNSIGNED NOT NULL CHECK (hours_x2 > 0),
  practical TINYINT(1) NOT NULL DEFAULT 0,
  compulsory TINYINT(1) NOT NULL DEFAULT 0,
  subject ENUM('professional','general') NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_courses_code (code),
  KEY ix_courses_level_module (level, module)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE offerings (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  course_id BIGINT UNSIGNED NOT NULL,
  base_id BIGINT UNSIGNED NOT NULL,
  starts_on DATE NOT NULL,
  ends_on DATE NOT NULL,
  capacity INT UNSIGNED NOT NULL CHECK (capacity > 0),
  -- seats taken, kept in the same transaction as each enrolment: a conditional UPDATE of
  -- this row is what serialises two trainees racing for the last seat
  enrolled INT UNSIGNED NOT NULL DEFAULT 0,
  status ENUM('open','cancelled') NOT NULL DEFAULT 'open',
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CHECK (ends_on >= starts_on),
  CHECK (enrolled <= capacity),
  KEY ix_offerings_course (course_id, starts_on),
  KEY ix_offerings_base (base_id),
  CONSTRAINT fk_offerings_course FOREIGN KEY (course_id) REFERENCES courses (id),
  CONSTRAINT fk_offerings_base FOREIGN KEY (base_id) REFERENCES bases (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE enrolments (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  offering_id BIGINT UNSIGNED NOT NULL,
  person_id BIGINT UNSIGNED NOT NULL,
  status ENUM('enrolled','withdrawn') NOT NULL DEFAULT 'enrolled',
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_enrolments_offering_person (offering_id, person_id),
  KEY ix_enrolments_person (person_id),
  CONSTRAINT fk_enrolments_offering FOREIGN KEY (offering_id) REFERENCES offerings (id),
  CONSTRAINT fk_enrolments_person FOREIGN KEY (person_id) REFERENCES persons (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE training_records (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  person_id BIGINT UNSIGNED NOT NULL,
  course_id BIGINT UNSIGNED NOT NULL,
  base_id BIGINT UNSIGNED NULL,
  offering_id BIGINT UNSIGNED NULL,
  -- negative only in a reversing entry, which names the entry it reverses
  hours_x2 SMALLINT NOT NULL CHECK (hours_x2 <> 0),
  completed_on DATE NOT NULL,
  -- copied from the course when recorded: a later catalogue edit does not rewrite history
  subject ENUM('professional','general') NOT NULL,
  compulsory TINYINT(1) NOT NULL DEFAULT 0,
  source ENUM('batch','admin','offering') NOT NULL,
  source_ref VARCHAR(64) NULL,
  reverses_id BIGINT UNSIGNED NULL,
  reason VARCHAR(200) NULL,
  created_by BIGINT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CHECK ((hours_x2 > 0 AND reverses_id IS NULL) OR (hours_x2 < 0 AND reverses_id IS NOT NULL AND reason IS NOT NULL)),
  UNIQUE KEY uq_training_records_reverses (reverses_id),
  -- the ledger reads one person's entries by date: its cost follows the person, not the table
  KEY ix_training_records_person_date (person_id, completed_on),
  CONSTRAINT fk_training_records_person FOREIGN KEY (person_id) REFERENCES persons (id),
  CONSTRAINT fk_training_records_course FOREIGN KEY (course_id) REFERENCES courses (id),
  CONSTRAINT fk_training_records_base FOREIGN KEY (base_id) REFERENCES bases (id),
  CONSTRAINT fk_training_records_reverses FOREIGN KEY (reverses_id) REFERENCES training_records (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TRIGGER training_records_no_update BEFORE UPDATE ON training_records FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'training_records is append-only';
CREATE TRIGGER training_records_no_delete BEFORE DELETE ON training_records FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'training_records is append-only';

-- Which levels a trainee may enrol in: a level opens once the trainee has this many hours of
-- training records at the level below (DEFAULT 48 学时 junior → intermediate, 64 → senior;
-- domain.md §3). Versioned like every rule.
CREATE TABLE level_access (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  level ENUM('junior','intermediate','senior') NOT NULL,
  effective_from DATE NOT NULL,
  requires_level ENUM('junior','intermediate','senior') NOT NULL,
  requires_hours_x2 INT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_level_access (level, effective_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO level_access (level, effective_from, requires_level, requires_hours_x2) VALUES ('intermediate', '2020-01-01', 'junior', 96), ('senior', '2020-01-01', 'intermediate', 128);

-- Continuing-education rules, versioned by effective_from (domain.md §7c; every number DEFAULT).
CREATE TABLE ce_rules (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  region VARCHAR(16) NOT NULL DEFAULT 'SH',
  effective_from DATE NOT NULL,
  annual_hours_x2 INT UNSIGNED NOT NULL,
  professional_num INT UNSIGNED NOT NULL,
  professional_den INT UNSIGNED NOT NULL CHECK (professional_den > 0),
  daily_cap_x2 INT UNSIGNED NOT NULL,
  minutes_per_hour INT UNSIGNED NOT NULL,
  carry_over TINYINT(1) NOT NULL DEFAULT 0,
  note VARCHAR(200) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_ce_rules_region_from (region, effective_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO ce_rules (region, effective_from, annual_hours_x2, professional_num, professional_den, daily_cap_x2, minutes_per_hour, carry_over, note) VALUES ('SH', '2015-10-01', 180, 2, 3, 16, 45, 0, '人社部令第25号: 每年不少于90学时, 专业科目一般不少于三分之二; 每天按8学时计; 1学时=45分钟 (DEFAULT)');
