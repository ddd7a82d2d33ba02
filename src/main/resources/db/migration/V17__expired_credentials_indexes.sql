-- The periodic deletion of expired sessions and API keys (accounts-expired-credentials) finds them by expiry instead
-- of reading every row.
create index sessions_expires_at_idx on sessions (expires_at);
create index api_keys_expires_at_idx on api_keys (expires_at) where expires_at is not null;
