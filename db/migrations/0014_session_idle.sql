-- Idle timeout (ASVS 3.3.2): a session also ends when it was not used for [session]
-- idle_minutes. idle_until moves forward as the session is used (fcgi/session.c: at most
-- one UPDATE per session per minute). Sessions of before this migration have NULL and get
-- a deadline on their next use.
ALTER TABLE sessions ADD COLUMN idle_until DATETIME NULL AFTER expires_at;
