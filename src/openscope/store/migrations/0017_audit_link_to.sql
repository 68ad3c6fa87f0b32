-- audit_runs.link_to: the resolved path when the audited target was itself a symbolic link (`openscope audit LINK
-- --model-id ID`), NULL otherwise; the same value as `--json`'s `link_to` and SARIF's run property (docs/audit.md,
-- *A link given as the target*). Before it a stored audit of a link said only the link's path, not which file's bytes
-- were judged. audit_runs has no JSON field to carry it, so a nullable column, added (the contract only adds).
ALTER TABLE audit_runs ADD COLUMN IF NOT EXISTS link_to VARCHAR;
