-- A bulk upload of hours adds its rows' ledger_years sums itself, once per person and year at
-- the end of its transaction (courses/batch_direct.c), instead of one upsert per stored row:
-- the trigger skips the rows of the batch named by the session's @tm_ledger_batch. Every
-- other writer (admin entries, reversals, offering completion, partial uploads) leaves the
-- variable NULL or names another batch, so the trigger still counts its rows, in the same
-- transaction as before.

DROP TRIGGER training_records_ledger;

CREATE TRIGGER training_records_ledger AFTER INSERT ON training_records FOR EACH ROW IF NEW.batch_id IS NULL OR @tm_ledger_batch IS NULL OR NEW.batch_id <> @tm_ledger_batch THEN INSERT INTO ledger_years (person_id, year, professional_x2, general_x2, compulsory_x2) VALUES (NEW.person_id, YEAR(NEW.completed_on), IF(NEW.subject = 'professional', NEW.hours_x2, 0), IF(NEW.subject = 'general', NEW.hours_x2, 0), IF(NEW.subject = 'general' AND NEW.compulsory = 1, NEW.hours_x2, 0)) ON DUPLICATE KEY UPDATE professional_x2 = professional_x2 + VALUES(professional_x2), general_x2 = general_x2 + VALUES(general_x2), compulsory_x2 = compulsory_x2 + VALUES(compulsory_x2); END IF;
