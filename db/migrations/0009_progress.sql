-- Progress toward the 3,000-manager goal (issue 8, domain.md §1). The counting rule is data
-- (progress_rules, versioned: the highest version is in force); the counts are kept exact in
-- the transaction of every certificate change (certs/progress.c): one row per counted person
-- (progress_persons) and counter rows (progress_counts), so GET /api/v1/progress reads a
-- handful of rows whatever the number of records. `tmcred-ctl progress-check` recounts from
-- the certificates and must find no difference.

CREATE TABLE progress_rules (
  version INT UNSIGNED NOT NULL PRIMARY KEY,
  -- a certificate counts when first issued inside the window (renewals keep first_issued_on)
  window_from DATE NOT NULL,
  window_to DATE NOT NULL,
  goal INT UNSIGNED NOT NULL CHECK (goal > 0),
  deadline DATE NOT NULL,
  -- statuses that count. Expiry is never stored (0006), so 'valid' and 'expired' must be in
  -- or out together: otherwise the count would change with the calendar and no transaction
  -- could keep it exact.
  statuses SET('valid','expired','suspended') NOT NULL,
  -- the serial's node part that counts; NULL = this registry's own certificates, which all
  -- carry this node's code (cert_issue issues and imports only under [node] code)
  node VARCHAR(4) NULL,
  note VARCHAR(200) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CHECK (window_from <= window_to),
  CHECK ((FIND_IN_SET('valid', statuses) > 0) = (FIND_IN_SET('expired', statuses) > 0))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- DEFAULT rule (domain.md §1): valid or expired, not revoked (nor suspended while suspended),
-- issued by this (the Shanghai) node, first issued 2024-01-01 .. 2027-12-31; goal 3,000 by 2027-12-31.
INSERT INTO progress_rules (version, window_from, window_to, goal, deadline, statuses, node, note)
VALUES (1, '2024-01-01', '2027-12-31', 3000, '2027-12-31', 'valid,expired', NULL,
  '沪府办发〔2024〕17号：到2027年引育专业化、复合型技术经理人3000名以上（计数口径为默认值，待委托方确认）');

-- People certified before tmcred existed: entered by an admin (audited), the newest row is shown
-- and added to the total once.
CREATE TABLE progress_baselines (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  number INT UNSIGNED NOT NULL,
  as_of DATE NOT NULL,
  source VARCHAR(200) NOT NULL,
  created_by BIGINT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per person counted under a rule version: what the counters hold for them, so that a
-- change of any of their certificates (at most one per level) moves the counters by the
-- difference between this row and the person recomputed.
CREATE TABLE progress_persons (
  rule_version INT UNSIGNED NOT NULL,
  person_id BIGINT UNSIGNED NOT NULL,
  first_on DATE NOT NULL,          -- first issue of their earliest counted certificate
  base_id BIGINT UNSIGNED NOT NULL, -- the base of that certificate (0 = none recorded)
  levels TINYINT UNSIGNED NOT NULL, -- bit 0 junior, 1 intermediate, 2 senior
  base_j BIGINT UNSIGNED NOT NULL,  -- the base of each counted level's certificate
  base_i BIGINT UNSIGNED NOT NULL,
  base_s BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (rule_version, person_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Counters: dim total/is (中级+高级)/level/top (highest level)/month (of first certification)/
-- base (of first certification)/base_level/base_month; k is '' or a level, 'YYYY-MM', a base id,
-- 'base:level' or 'base:YYYY-MM'. Regions are summed from the base rows at read time, so a base
-- moved to another district needs no recount.
CREATE TABLE progress_counts (
  rule_version INT UNSIGNED NOT NULL,
  dim VARCHAR(12) NOT NULL,
  k VARCHAR(32) NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (rule_version, dim, k)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
