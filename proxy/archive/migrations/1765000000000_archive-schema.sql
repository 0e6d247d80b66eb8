-- Up Migration
-- The server-side archive (issue 14): one row per session, one per final utterance. Never audio.
-- A session's id is derived from the token's name and the client's session key
-- (proxy/archive/archive-rows.ts, archiveSessionId), so every proxy instance computes the same id without asking.
CREATE TABLE archive_sessions (
  id text PRIMARY KEY,
  -- Whose session: a digest of the client token (proxy/archive/archive-owner.ts), never the token.
  owner text NOT NULL,
  -- The client token's name ("token#2") when the session began, for people reading the table.
  token_label text NOT NULL,
  created_at timestamptz NOT NULL,
  last_activity_at timestamptz NOT NULL
);
CREATE INDEX archive_sessions_owner_idx ON archive_sessions (owner, created_at DESC);
CREATE INDEX archive_sessions_activity_idx ON archive_sessions (last_activity_at);

CREATE TABLE archive_utterances (
  session_id text NOT NULL REFERENCES archive_sessions (id) ON DELETE CASCADE,
  channel integer NOT NULL,
  -- start_ms rounded to proxy/archive/archive-rows.ts's KEY_MS: the idempotency key, so a final
  -- the client replays after a reconnect lands on the row it already has.
  start_key bigint NOT NULL,
  start_ms bigint NOT NULL,
  end_ms bigint NOT NULL,
  speaker integer,
  text text NOT NULL,
  words jsonb NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, channel, start_key)
);

-- Down Migration
DROP TABLE archive_utterances;
DROP TABLE archive_sessions;
