-- stoa schema, version 1: accounts, posts, relationships, notifications, OAuth, instance rules.
-- Times are integer milliseconds since the Unix epoch (UTC); ids are time-ordered 64-bit integers.

CREATE TABLE accounts (
  id               INTEGER PRIMARY KEY,
  username         TEXT NOT NULL,
  display_name     TEXT NOT NULL DEFAULT '',
  note             TEXT NOT NULL DEFAULT '',
  note_html        TEXT NOT NULL DEFAULT '',
  fields_json      TEXT NOT NULL DEFAULT '[]',
  locked           INTEGER NOT NULL DEFAULT 0,
  bot              INTEGER NOT NULL DEFAULT 0,
  discoverable     INTEGER NOT NULL DEFAULT 1,
  indexable        INTEGER NOT NULL DEFAULT 1,
  hide_collections INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  last_status_at   INTEGER,
  statuses_count   INTEGER NOT NULL DEFAULT 0,
  followers_count  INTEGER NOT NULL DEFAULT 0,
  following_count  INTEGER NOT NULL DEFAULT 0,
  suspended_at     INTEGER,
  silenced_at      INTEGER,
  sensitized_at    INTEGER
);
CREATE UNIQUE INDEX accounts_username ON accounts (username COLLATE NOCASE);

CREATE TABLE users (
  account_id         INTEGER PRIMARY KEY REFERENCES accounts (id),
  email              TEXT NOT NULL,
  password_hash      TEXT NOT NULL,
  role               TEXT NOT NULL DEFAULT 'member'
                       CHECK (role IN ('member', 'moderator', 'admin', 'owner')),
  approved           INTEGER NOT NULL DEFAULT 1,
  confirmed          INTEGER NOT NULL DEFAULT 1,
  disabled           INTEGER NOT NULL DEFAULT 0,
  locale             TEXT NOT NULL DEFAULT 'en',
  sign_up_ip         TEXT NOT NULL DEFAULT '',
  sign_up_reason     TEXT NOT NULL DEFAULT '',
  default_visibility INTEGER NOT NULL DEFAULT 0,
  default_sensitive  INTEGER NOT NULL DEFAULT 0,
  default_language   TEXT,
  created_at         INTEGER NOT NULL,
  last_active_at     INTEGER
);
CREATE UNIQUE INDEX users_email ON users (email COLLATE NOCASE);

-- Search over usernames and display names (external content: the accounts table).
CREATE VIRTUAL TABLE accounts_fts USING fts5 (
  username, display_name, content = 'accounts', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

CREATE TABLE statuses (
  id                     INTEGER PRIMARY KEY,
  account_id             INTEGER NOT NULL REFERENCES accounts (id),
  text                   TEXT NOT NULL DEFAULT '',
  content_html           TEXT NOT NULL DEFAULT '',
  spoiler_text           TEXT NOT NULL DEFAULT '',
  sensitive              INTEGER NOT NULL DEFAULT 0,
  visibility             INTEGER NOT NULL CHECK (visibility BETWEEN 0 AND 3),
  language               TEXT,
  in_reply_to_id         INTEGER,
  in_reply_to_account_id INTEGER,
  reblog_of_id           INTEGER,
  thread_root_id         INTEGER NOT NULL,
  application_id         INTEGER,
  created_at             INTEGER NOT NULL,
  edited_at              INTEGER,
  deleted_at             INTEGER,
  replies_count          INTEGER NOT NULL DEFAULT 0,
  reblogs_count          INTEGER NOT NULL DEFAULT 0,
  favourites_count       INTEGER NOT NULL DEFAULT 0,
  -- Denormalised copies of the mentions and tags tables so that loading a post is one row:
  -- "id:username id:username" and "tag tag".
  mention_list           TEXT NOT NULL DEFAULT '',
  tag_list               TEXT NOT NULL DEFAULT ''
);
-- Account timelines and home-feed regeneration: newest posts of one author.
CREATE INDEX statuses_account ON statuses (account_id, id);
-- Threads (context).
CREATE INDEX statuses_thread ON statuses (thread_root_id, id);
-- One boost per account and post; "who boosted" lists.
CREATE UNIQUE INDEX statuses_reblog ON statuses (reblog_of_id, account_id)
  WHERE reblog_of_id IS NOT NULL AND deleted_at IS NULL;
-- The public local timeline.
CREATE INDEX statuses_public ON statuses (id)
  WHERE visibility = 0 AND reblog_of_id IS NULL AND deleted_at IS NULL
    AND (in_reply_to_account_id IS NULL OR in_reply_to_account_id = account_id);

CREATE TABLE mentions (
  status_id  INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  username   TEXT NOT NULL,
  PRIMARY KEY (status_id, account_id)
) WITHOUT ROWID;
CREATE INDEX mentions_account ON mentions (account_id, status_id);

CREATE TABLE tags (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  created_at   INTEGER NOT NULL
);

CREATE TABLE status_tags (
  tag_id     INTEGER NOT NULL,
  status_id  INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  PRIMARY KEY (tag_id, status_id)
) WITHOUT ROWID;
CREATE INDEX status_tags_status ON status_tags (status_id);

CREATE TABLE status_edits (
  id           INTEGER PRIMARY KEY,
  status_id    INTEGER NOT NULL,
  text         TEXT NOT NULL,
  content_html TEXT NOT NULL,
  spoiler_text TEXT NOT NULL,
  sensitive    INTEGER NOT NULL,
  created_at   INTEGER NOT NULL
);
CREATE INDEX status_edits_status ON status_edits (status_id, id);

-- Full-text search over post text (external content: the statuses table).
CREATE VIRTUAL TABLE statuses_fts USING fts5 (
  text, content = 'statuses', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE favourites (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL,
  status_id  INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX favourites_account_status ON favourites (account_id, status_id);
CREATE INDEX favourites_account ON favourites (account_id, id);
CREATE INDEX favourites_status ON favourites (status_id, id);

CREATE TABLE bookmarks (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL,
  status_id  INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX bookmarks_account_status ON bookmarks (account_id, status_id);
CREATE INDEX bookmarks_account ON bookmarks (account_id, id);

CREATE TABLE idempotency_keys (
  account_id INTEGER NOT NULL,
  key        TEXT NOT NULL,
  status_id  INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, key)
) WITHOUT ROWID;

CREATE TABLE follows (
  id                INTEGER PRIMARY KEY,
  account_id        INTEGER NOT NULL,
  target_account_id INTEGER NOT NULL,
  show_reblogs      INTEGER NOT NULL DEFAULT 1,
  notify            INTEGER NOT NULL DEFAULT 0,
  languages         TEXT NOT NULL DEFAULT '',
  created_at        INTEGER NOT NULL
);
CREATE UNIQUE INDEX follows_pair ON follows (account_id, target_account_id);
CREATE INDEX follows_account ON follows (account_id, id);
CREATE INDEX follows_target ON follows (target_account_id, id);

CREATE TABLE follow_requests (
  id                INTEGER PRIMARY KEY,
  account_id        INTEGER NOT NULL,
  target_account_id INTEGER NOT NULL,
  show_reblogs      INTEGER NOT NULL DEFAULT 1,
  notify            INTEGER NOT NULL DEFAULT 0,
  languages         TEXT NOT NULL DEFAULT '',
  created_at        INTEGER NOT NULL
);
CREATE UNIQUE INDEX follow_requests_pair ON follow_requests (account_id, target_account_id);
CREATE INDEX follow_requests_target ON follow_requests (target_account_id, id);

CREATE TABLE blocks (
  id                INTEGER PRIMARY KEY,
  account_id        INTEGER NOT NULL,
  target_account_id INTEGER NOT NULL,
  created_at        INTEGER NOT NULL
);
CREATE UNIQUE INDEX blocks_pair ON blocks (account_id, target_account_id);
CREATE INDEX blocks_account ON blocks (account_id, id);
CREATE INDEX blocks_target ON blocks (target_account_id);

CREATE TABLE mutes (
  id                 INTEGER PRIMARY KEY,
  account_id         INTEGER NOT NULL,
  target_account_id  INTEGER NOT NULL,
  hide_notifications INTEGER NOT NULL DEFAULT 1,
  expires_at         INTEGER,
  created_at         INTEGER NOT NULL
);
CREATE UNIQUE INDEX mutes_pair ON mutes (account_id, target_account_id);
CREATE INDEX mutes_account ON mutes (account_id, id);

CREATE TABLE account_notes (
  account_id        INTEGER NOT NULL,
  target_account_id INTEGER NOT NULL,
  comment           TEXT NOT NULL,
  PRIMARY KEY (account_id, target_account_id)
) WITHOUT ROWID;

CREATE TABLE notifications (
  id              INTEGER PRIMARY KEY,
  account_id      INTEGER NOT NULL,
  from_account_id INTEGER NOT NULL,
  type            TEXT NOT NULL,
  status_id       INTEGER,
  activity_id     INTEGER,
  created_at      INTEGER NOT NULL
);
CREATE INDEX notifications_account ON notifications (account_id, id);
CREATE INDEX notifications_activity ON notifications (activity_id) WHERE activity_id IS NOT NULL;
CREATE INDEX notifications_status ON notifications (status_id) WHERE status_id IS NOT NULL;

CREATE TABLE markers (
  account_id   INTEGER NOT NULL,
  timeline     TEXT NOT NULL,
  last_read_id INTEGER NOT NULL,
  version      INTEGER NOT NULL DEFAULT 0,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (account_id, timeline)
) WITHOUT ROWID;

CREATE TABLE oauth_apps (
  id                 INTEGER PRIMARY KEY,
  name               TEXT NOT NULL,
  website            TEXT NOT NULL DEFAULT '',
  redirect_uris      TEXT NOT NULL,
  scopes             TEXT NOT NULL,
  client_id          TEXT NOT NULL UNIQUE,
  client_secret_hash TEXT NOT NULL,
  created_at         INTEGER NOT NULL
);

CREATE TABLE oauth_tokens (
  id         INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  app_id     INTEGER,
  account_id INTEGER,
  scopes     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX oauth_tokens_account ON oauth_tokens (account_id) WHERE account_id IS NOT NULL;

CREATE TABLE oauth_codes (
  code_hash      TEXT PRIMARY KEY,
  app_id         INTEGER NOT NULL,
  account_id     INTEGER NOT NULL,
  redirect_uri   TEXT NOT NULL,
  scopes         TEXT NOT NULL,
  code_challenge TEXT NOT NULL DEFAULT '',
  expires_at     INTEGER NOT NULL,
  used_at        INTEGER
) WITHOUT ROWID;

CREATE TABLE instance_rules (
  id         INTEGER PRIMARY KEY,
  text       TEXT NOT NULL,
  hint       TEXT NOT NULL DEFAULT '',
  position   INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  deleted_at INTEGER
);
