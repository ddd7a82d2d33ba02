-- Key-value metadata given at upload (for example {"department": "physics", "year": "2026"}): returned with the file
-- and usable as a retrieval filter. Keys and values are strings; their number and length are bounded by the upload
-- API (docs/limits.md). The GIN index serves containment filters (metadata @> '{"department": "physics"}').
alter table files add column metadata jsonb not null default '{}'::jsonb
    check (jsonb_typeof(metadata) = 'object');
create index files_metadata_idx on files using gin (metadata jsonb_path_ops);
