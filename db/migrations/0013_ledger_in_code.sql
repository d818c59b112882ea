-- ledger_years is kept by the C code from now on (courses/ledger_years.h): every writer of
-- training_records recomputes the (person, year) rows it touched from training_records, in
-- its own transaction and under the person's row lock. The row trigger of 0004/0007 ran for
-- every inserted row, also for the bulk upload's rows it skipped, and made the upload's
-- array-bound INSERT slower than LOAD DATA into a table without it (bench/upload.md).
-- Apply together with the binaries of this migration: a worker of before would store records
-- without their ledger_years until the person's next record of that year.

DROP TRIGGER IF EXISTS training_records_ledger;

-- Once, every row recomputed (no drift of the trigger's time survives).
INSERT INTO ledger_years (person_id, year, professional_x2, general_x2, compulsory_x2) SELECT person_id, YEAR(completed_on), SUM(IF(subject = 'professional', hours_x2, 0)), SUM(IF(subject = 'general', hours_x2, 0)), SUM(IF(subject = 'general' AND compulsory = 1, hours_x2, 0)) FROM training_records GROUP BY person_id, YEAR(completed_on) ON DUPLICATE KEY UPDATE professional_x2 = VALUES(professional_x2), general_x2 = VALUES(general_x2), compulsory_x2 = VALUES(compulsory_x2);

UPDATE ledger_years l SET l.professional_x2 = 0, l.general_x2 = 0, l.compulsory_x2 = 0 WHERE NOT EXISTS (SELECT 1 FROM training_records r WHERE r.person_id = l.person_id AND YEAR(r.completed_on) = l.year);
