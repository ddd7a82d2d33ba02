-- An answer in progress is saved every 250 ms while text arrives and marked alive every 5 s otherwise, and each
-- save sets its updated_at. Both indexes of answers in progress (V13, V24) had updated_at in their key, so no save
-- could be a HOT update: each wrote a new entry into every index of chat_messages (its key, the chat's, the terms',
-- both partial ones), for text that no index holds. The answers in progress are now indexed by their owner only,
-- which an answer never changes while it is in progress; the liveness filter on updated_at reads the rows, at most
-- max-per-user of them for an owner's count, and every answer in progress for the once-a-minute search of those
-- whose generator died. Measured in docs/benchmarks.md (2026-12-07, session 28).
--
-- A HOT update also needs room on the row's page; a fillfactor of 80 (a fifth of each new page kept free) made 2 % more
-- of the saves HOT in the same benchmark (82.1 % of all updates against 80.6 %), and none of a fast-growing answer's
-- (0.1 HOT updates per answer against 0.2), for a quarter more pages in a table that is mostly written once: not taken.
--
-- Both releases run the same statements; only their plans change. The drops lock the table for an instant; the build,
-- as V24's, holds its writes (not its reads) for the time of one scan of it.
drop index chat_messages_in_progress_idx;
drop index chat_messages_owner_in_progress_idx;
create index chat_messages_owner_in_progress_idx on chat_messages (owner_user_id) where status = 'in_progress';
