-- Per person and calendar year, the hours of the credit ledger, kept by a trigger in the
-- same transaction as every training record (admin entry, batch, offering completion,
-- reversal). /me/credits reads three rows instead of every entry, so its cost does not grow
-- with the person's history or the table. Entries are capped per day when they are
-- recorded, so these sums equal the pure ledger over the entries (courses/ledger.c).

CREATE TABLE ledger_years (
  person_id BIGINT UNSIGNED NOT NULL,
  year SMALLINT UNSIGNED NOT NULL,
  professional_x2 INT NOT NULL DEFAULT 0,
  general_x2 INT NOT NULL DEFAULT 0,
  compulsory_x2 INT NOT NULL DEFAULT 0,
  PRIMARY KEY (person_id, year),
  CONSTRAINT fk_ledger_years_person FOREIGN KEY (person_id) REFERENCES persons (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO ledger_years (person_id, year, professional_x2, general_x2, compulsory_x2) SELECT person_id, YEAR(completed_on), SUM(IF(subject = 'professional', hours_x2, 0)), SUM(IF(subject = 'general', hours_x2, 0)), SUM(IF(subject = 'general' AND compulsory = 1, hours_x2, 0)) FROM training_records GROUP BY person_id, YEAR(completed_on);

CREATE TRIGGER training_records_ledger AFTER INSERT ON training_records FOR EACH ROW INSERT INTO ledger_years (person_id, year, professional_x2, general_x2, compulsory_x2) VALUES (NEW.person_id, YEAR(NEW.completed_on), IF(NEW.subject = 'professional', NEW.hours_x2, 0), IF(NEW.subject = 'general', NEW.hours_x2, 0), IF(NEW.subject = 'general' AND NEW.compulsory = 1, NEW.hours_x2, 0)) ON DUPLICATE KEY UPDATE professional_x2 = professional_x2 + VALUES(professional_x2), general_x2 = general_x2 + VALUES(general_x2), compulsory_x2 = compulsory_x2 + VALUES(compulsory_x2);
