-- The category's own answers (falls, medication, behaviour, skin, safeguarding,
-- data breach) as JSON text on both engines; older rows have none.
alter table incident add column details text not null default '{}';
