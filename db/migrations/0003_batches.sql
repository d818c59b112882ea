-- Training bases' bulk uploads: API keys, batches with their per-row errors, exam results,
-- base operators, and the natural key that keeps a re-sent row from being stored twice.

ALTER TABLE bases ADD COLUMN levels SET('junior','intermediate','senior') NOT NULL DEFAULT 'junior,intermediate,senior' AFTER region;

ALTER TABLE users ADD COLUMN base_id BIGINT UNSIGNED NULL AFTER person_id, ADD CONSTRAINT fk_users_base FOREIGN KEY (base_id) REFERENCES bases (id);

CREATE TABLE api_keys (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  base_id BIGINT UNSIGNED NOT NULL,
  -- shown in lists so an operator can tell keys apart; the key is "tmk_<prefix>_<secret>"
  prefix CHAR(8) NOT NULL,
  -- keyed BLAKE2b of the whole key; the key itself is shown once and never stored
  key_hash BINARY(32) NOT NULL,
  scopes SET('roster','hours','exams','read') NOT NULL,
  label VARCHAR(100) NOT NULL DEFAULT '',
  expires_at DATETIME NULL,
  revoked_at DATETIME NULL,
  created_by BIGINT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  last_used_at DATETIME NULL,
  UNIQUE KEY uq_api_keys_prefix (prefix),
  KEY ix_api_keys_base (base_id),
  CONSTRAINT fk_api_keys_base FOREIGN KEY (base_id) REFERENCES bases (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE upload_batches (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  base_id BIGINT UNSIGNED NOT NULL,
  kind ENUM('roster','hours','exams') NOT NULL,
  mode ENUM('atomic','partial') NOT NULL,
  idempotency_key VARCHAR(128) NULL,
  content_sha256 BINARY(32) NOT NULL,
  encoding VARCHAR(16) NOT NULL DEFAULT '',
  status ENUM('accepted','rejected','partial') NOT NULL,
  rows_total INT UNSIGNED NOT NULL,
  accepted INT UNSIGNED NOT NULL,
  rejected INT UNSIGNED NOT NULL,
  unchanged INT UNSIGNED NOT NULL,
  errors_total INT UNSIGNED NOT NULL,
  api_key_id BIGINT UNSIGNED NULL,
  created_by BIGINT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_upload_batches_idem (base_id, idempotency_key),
  KEY ix_upload_batches_base (base_id, id),
  CONSTRAINT fk_upload_batches_base FOREIGN KEY (base_id) REFERENCES bases (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE batch_errors (
  batch_id BIGINT UNSIGNED NOT NULL,
  seq INT UNSIGNED NOT NULL,
  row_no INT UNSIGNED NOT NULL,
  col VARCHAR(32) NOT NULL,
  code VARCHAR(48) NOT NULL,
  message VARCHAR(200) NOT NULL,
  PRIMARY KEY (batch_id, seq),
  CONSTRAINT fk_batch_errors_batch FOREIGN KEY (batch_id) REFERENCES upload_batches (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A row a base sent: BLAKE2b(base, person, course, day, hours). Re-sent rows hit this key
-- and are counted "unchanged" instead of being stored again.
ALTER TABLE training_records ADD COLUMN natural_key BINARY(32) NULL AFTER source_ref, ADD UNIQUE KEY uq_training_records_natural (natural_key);

CREATE TABLE exam_results (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  person_id BIGINT UNSIGNED NOT NULL,
  base_id BIGINT UNSIGNED NOT NULL,
  level ENUM('junior','intermediate','senior') NOT NULL,
  exam_score DECIMAL(5,2) NOT NULL CHECK (exam_score BETWEEN 0 AND 100),
  case_score DECIMAL(5,2) NULL CHECK (case_score IS NULL OR case_score BETWEEN 0 AND 100),
  assessed_on DATE NOT NULL,
  batch_id BIGINT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_exam_results_natural (person_id, level, assessed_on, base_id),
  CONSTRAINT fk_exam_results_person FOREIGN KEY (person_id) REFERENCES persons (id),
  CONSTRAINT fk_exam_results_base FOREIGN KEY (base_id) REFERENCES bases (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE training_records ADD COLUMN batch_id BIGINT UNSIGNED NULL AFTER natural_key;

-- Staging for one upload inside its transaction: rows are array-bound in, checked with set
-- queries, moved to their table and deleted before the commit, so no other reader sees them.
CREATE TABLE batch_rows (
  run BIGINT UNSIGNED NOT NULL,
  row_no INT UNSIGNED NOT NULL,
  id_blind BINARY(32) NOT NULL,
  id_enc VARBINARY(96) NULL,
  name VARCHAR(50) NOT NULL,
  phone VARCHAR(11) NULL,
  email VARCHAR(254) NULL,
  employer VARCHAR(100) NULL,
  course_code VARCHAR(16) NULL,
  hours_x2 INT NULL,
  day DATE NULL,
  level VARCHAR(16) NULL,
  exam_score DECIMAL(5,2) NULL,
  case_score DECIMAL(5,2) NULL,
  err VARCHAR(48) NULL,
  err_col VARCHAR(32) NULL,
  seen TINYINT(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (run, row_no),
  KEY ix_batch_rows_person_day (run, id_blind, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
