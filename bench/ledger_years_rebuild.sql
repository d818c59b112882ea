-- ledger_years for every person, as the C writers keep it (courses/ledger_years.h; no trigger
-- since migration 0013): run by the benchmarks after their bulk SQL inserts into training_records.
INSERT INTO ledger_years (person_id, year, professional_x2, general_x2, compulsory_x2)
  SELECT person_id, YEAR(completed_on), SUM(IF(subject = 'professional', hours_x2, 0)),
         SUM(IF(subject = 'general', hours_x2, 0)), SUM(IF(subject = 'general' AND compulsory = 1, hours_x2, 0))
  FROM training_records GROUP BY person_id, YEAR(completed_on)
  ON DUPLICATE KEY UPDATE professional_x2 = VALUES(professional_x2), general_x2 = VALUES(general_x2),
    compulsory_x2 = VALUES(compulsory_x2);
