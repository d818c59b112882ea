-- Accounts, sessions, login throttle and the audit log: the foundation slice.
-- Every table has a primary key (Galera requires one) and utf8mb4.

CREATE TABLE persons (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(50) NOT NULL,
  -- 居民身份证号: secretbox(nonce 24 B || MAC 16 B || 18 B) under var/keys/id.key, never in clear
  id_enc VARBINARY(96) NOT NULL,
  -- keyed BLAKE2b of the canonical number: uniqueness and lookup without decrypting
  id_blind BINARY(32) NOT NULL,
  phone VARCHAR(11) NULL,
  email VARCHAR(254) NULL,
  employer VARCHAR(100) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_persons_id_blind (id_blind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE users (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  role ENUM('trainee','base_operator','reviewer','admin') NOT NULL,
  display_name VARCHAR(50) NOT NULL,
  email VARCHAR(254) NULL,
  phone VARCHAR(11) NULL,
  pw_hash VARCHAR(128) NOT NULL,
  person_id BIGINT UNSIGNED NULL,
  status ENUM('active','disabled') NOT NULL DEFAULT 'active',
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_users_email (email),
  UNIQUE KEY uq_users_phone (phone),
  UNIQUE KEY uq_users_person (person_id),
  CONSTRAINT fk_users_person FOREIGN KEY (person_id) REFERENCES persons (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE sessions (
  -- BLAKE2b of the cookie token: a leaked table does not log anyone in
  token_hash BINARY(32) NOT NULL PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  expires_at DATETIME NOT NULL,
  remote_addr VARCHAR(45) NULL,
  KEY ix_sessions_user (user_id),
  KEY ix_sessions_expires (expires_at),
  CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE login_failures (
  -- keyed hash of the login name as typed (lower-cased), so the table holds no e-mail or phone
  login_hash BINARY(32) NOT NULL PRIMARY KEY,
  window_start DATETIME NOT NULL,
  failures INT UNSIGNED NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE audit_log (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  actor_user_id BIGINT UNSIGNED NULL,
  action VARCHAR(64) NOT NULL,
  object_type VARCHAR(32) NOT NULL,
  object_id VARCHAR(64) NULL,
  before_json LONGTEXT NULL CHECK (before_json IS NULL OR JSON_VALID(before_json)),
  after_json LONGTEXT NULL CHECK (after_json IS NULL OR JSON_VALID(after_json)),
  remote_addr VARCHAR(45) NULL,
  KEY ix_audit_object (object_type, object_id),
  KEY ix_audit_actor (actor_user_id),
  KEY ix_audit_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only';
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only';
