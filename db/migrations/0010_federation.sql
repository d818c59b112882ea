-- Federation (issue 9, certs/README.md "Federation"): the trust list of peer nodes with the
-- key set each is pinned to, the signed progress summaries pulled from them, and a log of
-- every fetch that failed or was refused (the admin page /admin/peers reads it). A refused
-- document never touches peers or peer_summaries.

CREATE TABLE peers (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(4) NOT NULL,
  name VARCHAR(64) NOT NULL,
  url VARCHAR(64) NOT NULL,                 -- where this node fetches from (the admin's input)
  fingerprint CHAR(64) NOT NULL,            -- of the trusted key set (certs/keysig.h)
  keyset TEXT NOT NULL CHECK (JSON_VALID(keyset)),
  keyset_signed_by VARCHAR(8) NULL,         -- the trusted key that endorsed the last rotation
  added_by BIGINT UNSIGNED NULL,
  added_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  keyset_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  checked_at DATETIME(6) NULL,              -- last fetch that answered as expected
  UNIQUE KEY uq_peers_code (code),
  UNIQUE KEY uq_peers_url (url)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every accepted summary, exactly as received (the signature covers bytes rebuilt from it).
CREATE TABLE peer_summaries (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  peer_id BIGINT UNSIGNED NOT NULL,
  as_of DATE NOT NULL,
  rule_version VARCHAR(32) NOT NULL,
  certified INT UNSIGNED NOT NULL,
  key_id VARCHAR(8) NOT NULL,
  signature BINARY(64) NOT NULL,
  digest BINARY(32) NOT NULL,               -- SHA-256 of the canonical bytes: one row per content
  document MEDIUMTEXT NOT NULL,
  fetched_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_peer_summaries_digest (peer_id, digest),
  KEY ix_peer_summaries_latest (peer_id, fetched_at),
  CONSTRAINT fk_peer_summaries_peer FOREIGN KEY (peer_id) REFERENCES peers (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- No foreign key: a refused add has no peer row, and a removed peer's history stays.
CREATE TABLE peer_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  peer_code VARCHAR(4) NULL,
  url VARCHAR(64) NOT NULL,
  kind ENUM('keyset','summary','status') NOT NULL,
  outcome VARCHAR(32) NOT NULL,             -- ok, rotated, peer_down, peer_pin_mismatch, ...
  detail VARCHAR(255) NOT NULL DEFAULT '',
  KEY ix_peer_events_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
