-- Certificates: signing keys (public halves; private keys stay in files under the keys dir),
-- serial counters, certificates with their signed revisions, verification counts, and the
-- certificate rules kept as data. Status "expired" is never stored: it is computed from
-- expires_on at every read, so no missed cron can leave an expired certificate valid.

CREATE TABLE signing_keys (
  key_id VARCHAR(8) NOT NULL PRIMARY KEY,
  public_key BINARY(32) NOT NULL,
  valid_from DATE NOT NULL,
  valid_until DATE NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_signing_keys_pk (public_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Validity (DEFAULT 3 years, domain.md §5) and the renewal rule, versioned like every rule.
CREATE TABLE cert_rules (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  effective_from DATE NOT NULL,
  validity_months SMALLINT UNSIGNED NOT NULL CHECK (validity_months BETWEEN 1 AND 240),
  renew_hours_x2 INT UNSIGNED NOT NULL,
  renew_professional_num TINYINT UNSIGNED NOT NULL,
  renew_professional_den TINYINT UNSIGNED NOT NULL CHECK (renew_professional_den > 0),
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_cert_rules_from (effective_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO cert_rules (effective_from, validity_months, renew_hours_x2, renew_professional_num, renew_professional_den) VALUES ('2000-01-01', 36, 180, 2, 3);

-- Gap-free sequence per (node, year, level): the row is locked by the issuing transaction, so
-- a rolled-back issue gives its number back and two issues never share one.
CREATE TABLE serial_counters (
  node VARCHAR(4) NOT NULL,
  year SMALLINT UNSIGNED NOT NULL,
  level ENUM('junior','intermediate','senior') NOT NULL,
  last_seq INT UNSIGNED NOT NULL,
  PRIMARY KEY (node, year, level)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The id is also the certificate's bit in the W3C Bitstring Status Lists (/status/1, /status/2):
-- unique and never reused, not necessarily contiguous (Galera steps auto-increments).
CREATE TABLE certificates (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  serial VARCHAR(23) NOT NULL,
  person_id BIGINT UNSIGNED NOT NULL,
  level ENUM('junior','intermediate','senior') NOT NULL,
  base_id BIGINT UNSIGNED NULL,
  holder_name VARCHAR(50) NOT NULL,
  rev TINYINT UNSIGNED NOT NULL DEFAULT 1,
  first_issued_on DATE NOT NULL,
  issued_on DATE NOT NULL,
  expires_on DATE NOT NULL,
  key_id VARCHAR(8) NOT NULL,
  signature BINARY(64) NOT NULL,
  status ENUM('valid','suspended','revoked') NOT NULL DEFAULT 'valid',
  status_reason VARCHAR(200) NULL,
  status_changed_at DATETIME(6) NULL,
  torch_filing_no VARCHAR(40) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  -- workers refresh their registry snapshot from the rows changed since they last looked
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_certificates_serial (serial),
  KEY ix_certificates_updated (updated_at),
  -- one certificate per person and level: issuing twice at once leaves exactly one
  UNIQUE KEY uq_certificates_person_level (person_id, level),
  KEY ix_certificates_status (status),
  CONSTRAINT fk_certificates_person FOREIGN KEY (person_id) REFERENCES persons (id),
  CONSTRAINT fk_certificates_base FOREIGN KEY (base_id) REFERENCES bases (id),
  CONSTRAINT fk_certificates_key FOREIGN KEY (key_id) REFERENCES signing_keys (key_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every signed revision (rev 1 at issue, +1 per renewal): an older QR code still verifies as
-- genuine and then reads "superseded" with a pointer to the current revision.
CREATE TABLE certificate_revisions (
  certificate_id BIGINT UNSIGNED NOT NULL,
  rev TINYINT UNSIGNED NOT NULL,
  issued_on DATE NOT NULL,
  expires_on DATE NOT NULL,
  key_id VARCHAR(8) NOT NULL,
  signature BINARY(64) NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (certificate_id, rev),
  CONSTRAINT fk_certificate_revisions_cert FOREIGN KEY (certificate_id) REFERENCES certificates (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- When a certificate was verified (time only: nothing about who asked), for its holder.
CREATE TABLE certificate_verifications (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  certificate_id BIGINT UNSIGNED NOT NULL,
  at DATETIME NOT NULL,
  KEY ix_certificate_verifications_cert (certificate_id, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
