-- One row counting changes to ce_rules, bumped by triggers in the same transaction as the
-- change. /me/credits reads it with the person's ledger_years (one statement) and re-reads the
-- rules only when it moved, so each worker can keep the rules and still never judge a year by
-- rules older than the ones committed. TRUNCATE fires no trigger: change rules row by row (or
-- bump the version by hand, or reload tmcred-fcgi).

CREATE TABLE ce_rules_version (
  id TINYINT UNSIGNED NOT NULL PRIMARY KEY CHECK (id = 1),
  version BIGINT UNSIGNED NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO ce_rules_version (id, version) VALUES (1, 1);

CREATE TRIGGER ce_rules_version_ins AFTER INSERT ON ce_rules FOR EACH ROW UPDATE ce_rules_version SET version = version + 1 WHERE id = 1;

CREATE TRIGGER ce_rules_version_upd AFTER UPDATE ON ce_rules FOR EACH ROW UPDATE ce_rules_version SET version = version + 1 WHERE id = 1;

CREATE TRIGGER ce_rules_version_del AFTER DELETE ON ce_rules FOR EACH ROW UPDATE ce_rules_version SET version = version + 1 WHERE id = 1;
