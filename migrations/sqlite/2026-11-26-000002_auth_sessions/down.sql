DROP TABLE api_keys;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
ALTER TABLE users DROP COLUMN kind;
