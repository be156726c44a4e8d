-- Reports of an organisation still awaiting triage, for the start-up pass
-- that gives each a triage deadline and the breach sweep (the queries
-- repeat `status = 'reported'` word for word). Without it that pass read
-- every incident of the organisation (2 s at start-up on 2,000,000).
create index incident_awaiting_triage on incident (organisation_id, triage_due_at)
    where status = 'reported';
