-- Keyword search read GIN's pending list on every query. With fastupdate (PostgreSQL's default) new entries of
-- chunks_terms_idx go to an unsorted list that every search scans in full, until it exceeds gin_pending_list_limit
-- (4 MB) or a vacuum merges it; after an upload of many documents it is close to that size most of the time. At
-- 100,007 chunks a search of four words matching 1,166 chunks took 9.8 ms with 424 pending pages and 6.7 ms without
-- (docs/benchmarks.md). Entries now go straight into the index: each chunk's insert costs a little more (ingestion,
-- bound by embedding and the HNSW insert, ran at 238 chunks/s in the run after this against 253 and 265 before).
alter index chunks_terms_idx set (fastupdate = off);
select gin_clean_pending_list('chunks_terms_idx'::regclass);
