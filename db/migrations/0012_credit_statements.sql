-- Signed credit statements (继续教育学时证明, certs/statement.h): what was signed, by which
-- key, for whom. The exact payload bytes are kept, so a statement can be printed and verified
-- again years later whatever the ledger has become since; statements are never edited or
-- deleted (a correction of the records calls for a new statement, the old one still says
-- what was true when it was signed).

-- Gap-free numbers per (node, year): the row stays locked by the issuing transaction.
CREATE TABLE statement_counters (
  node VARCHAR(4) NOT NULL,
  year SMALLINT UNSIGNED NOT NULL,
  last_seq INT UNSIGNED NOT NULL,
  PRIMARY KEY (node, year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE credit_statements (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  doc_no VARCHAR(21) NOT NULL,
  person_id BIGINT UNSIGNED NOT NULL,
  holder_name VARCHAR(50) NOT NULL,
  from_year SMALLINT UNSIGNED NOT NULL,
  to_year SMALLINT UNSIGNED NOT NULL,
  issued_on DATE NOT NULL,
  key_id VARCHAR(8) NOT NULL,
  payload VARBINARY(1024) NOT NULL,
  signature BINARY(64) NOT NULL,
  link VARCHAR(400) NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_credit_statements_no (doc_no),
  KEY ix_credit_statements_person (person_id, issued_on),
  CONSTRAINT fk_credit_statements_person FOREIGN KEY (person_id) REFERENCES persons (id),
  CONSTRAINT ck_credit_statements_years CHECK (from_year <= to_year AND to_year - from_year < 5)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TRIGGER credit_statements_no_update BEFORE UPDATE ON credit_statements FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'credit_statements: a signed statement is never edited';
CREATE TRIGGER credit_statements_no_delete BEFORE DELETE ON credit_statements FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'credit_statements: a signed statement is never deleted';
