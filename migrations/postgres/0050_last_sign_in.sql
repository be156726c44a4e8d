-- When each account last signed in (by password or PIN), for the users
-- list and the annual access review.
alter table app_user add column last_signed_in_at bigint;
