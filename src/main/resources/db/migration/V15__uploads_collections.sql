-- A user's uploads: the hidden personal collection that holds the files they upload without choosing a collection
-- (Open WebUI's POST /api/v1/files/, which uploads a file first and adds it to knowledge later). Holding them in a
-- collection keeps every rule as it is: a file exists while a collection holds it, is indexed in its collections'
-- spaces, and goes with its owner's account (the collection cascades with the user). Listings of collections leave
-- uploads collections out; there is at most one per user.
alter table collections
    add column kind text not null default 'collection' check (kind in ('collection', 'uploads')),
    add check (kind = 'collection' or owner_user_id is not null);
create unique index collections_uploads_key on collections (owner_user_id) where kind = 'uploads';
