-- Incidents of a service by when they happened, with their kind: the home
-- page's counts (read from the index alone), people at increased risk, the
-- safety cross and trends all read a service's incidents since a moment,
-- which the reported-at index cannot narrow (measured on 2,000,000
-- incidents: docs/BENCHMARKS.md).
create index incident_by_service_occurred on incident (service_id, occurred_at, kind);
-- The few that call for an urgent lessons-learned meeting, by when they
-- were triaged (the query repeats this condition word for word).
create index incident_urgent_meeting on incident (service_id, triaged_at)
    where physical_harm in ('severe', 'fatal') or learning_response = 'serious_investigation';
