// Shipped migrations are never edited: add a new numbered file instead.
export default /* sql */ `
-- A saved chart: the SVG as exported, its caption, and the provenance (runs, sweeps, settings).
CREATE TABLE figures (
  id         TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  title      TEXT NOT NULL CHECK (length(title) > 0),
  caption    TEXT NOT NULL,
  provenance TEXT NOT NULL CHECK (json_valid(provenance)),
  svg        TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX figures_by_project ON figures(project_id, created_at);

CREATE TABLE note_figures (
  note_id   TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
  figure_id TEXT NOT NULL REFERENCES figures(id) ON DELETE CASCADE,
  PRIMARY KEY (note_id, figure_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX note_figures_by_figure ON note_figures(figure_id);

CREATE TRIGGER evidence_drop_figure AFTER DELETE ON figures BEGIN
  DELETE FROM evidence WHERE kind = 'figure' AND target_id = OLD.id;
END;
`;
