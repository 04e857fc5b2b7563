-- The instance's contact account is the oldest owner; find owners (and, for the console, staff of
-- each role) without reading every user.
CREATE INDEX users_role ON users (role, account_id);
