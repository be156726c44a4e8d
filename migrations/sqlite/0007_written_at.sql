-- When the reporter wrote the report, when that differs from when the server
-- received it (a report queued offline on a phone). Null for reports sent at once.
alter table incident add column written_at integer;
