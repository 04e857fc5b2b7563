-- Screening's feedback (issue 4, docs/screening.md "Feedback"): the rules report counts the
-- screenings with rule hits and the decisions on the notice items screening raised. Both read
-- partial indexes, so the report reads the screenings that hit and the items that were decided,
-- never every screening or every notice item.
CREATE INDEX status_screenings_hits ON status_screenings (rule_names) WHERE rule_names != '';
CREATE INDEX notice_items_decided ON notice_items (decision_id) WHERE decision_id IS NOT NULL;
