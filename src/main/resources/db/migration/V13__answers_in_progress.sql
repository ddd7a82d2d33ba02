-- Answers in progress, found by the recurring task that ends those whose generator died (a replica killed mid-answer)
-- and by the per-user bound on concurrent generations. Partial: only the few rows in progress are indexed.
create index chat_messages_in_progress_idx on chat_messages (updated_at) where status = 'in_progress';
