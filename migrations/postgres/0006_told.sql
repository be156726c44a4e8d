-- Who had been told when the report was made (family, GP, 111/999, on-call
-- manager, police), as a JSON array of codes on both engines.
alter table incident add column told text not null default '[]';
