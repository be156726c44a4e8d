-- The meetings list, newest first a page at a time, is walked through this
-- index (with each meeting's service), so a page reads 50 meetings, not
-- every meeting of the organisation with its agenda.
create index learning_meeting_by_organisation on learning_meeting (organisation_id, starts_at, meeting_id, service_id);
-- Which incidents an urgent meeting has been arranged about (the urgent
-- meetings still to arrange, on the meetings list and the home page).
create index learning_meeting_by_incident on learning_meeting (organisation_id, incident_reference)
    where incident_reference is not null;
