-- A designated safeguarding lead is a role granted like the others.
alter table role_grant drop constraint role_grant_role_check;
alter table role_grant add constraint role_grant_role_check check (role in ('care_worker', 'senior_carer', 'registered_manager', 'regional_manager', 'head_of_operations', 'quality_assurance', 'board_member', 'administrator', 'safeguarding_lead'));
