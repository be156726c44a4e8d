-- BACKEND DIFFERENCE: SQLite's text index takes its incidents' rowids
-- (migration 0042 there). PostgreSQL's planner already chooses between
-- walking the organisation's newest reports and the text index itself.
select 1;
