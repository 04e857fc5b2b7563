-- Statuses a moderator took out of a campaign case (DELETE /api/v1/admin/cases/:id/statuses/:id,
-- docs/screening.md, "Campaigns"): the campaign never takes them back, whether through a later
-- report of the status or an edit that screening finds near the case. A report of such a status
-- opens a case of its own.
CREATE TABLE case_status_exclusions (
  case_id   INTEGER NOT NULL REFERENCES cases (id),
  status_id INTEGER NOT NULL,
  PRIMARY KEY (case_id, status_id)
) WITHOUT ROWID;
