-- A review of a person's risk assessment and care plan, recorded after a
-- people-at-increased-risk flag (issue 6). Reviews are only added: the
-- latest clears the flags raised by incidents before it.
create table person_risk_review (
    review_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    person_id blob not null references person (person_id),
    reviewed_at integer not null,
    reviewed_by blob not null references app_user (user_id),
    risk_assessment_updated text not null check (risk_assessment_updated in ('yes', 'no')),
    care_plan_updated text not null check (care_plan_updated in ('yes', 'no')),
    flags text not null,
    outcome text not null
);
create index person_risk_review_by_person on person_risk_review (person_id, reviewed_at);
