-- Who typed a report in, when someone entered it on a colleague's behalf
-- (a phone call to a central team, a paper form typed up); null otherwise.
alter table incident add column entered_by uuid references app_user (user_id);
