-- The auditor is asked to verify a corrective action once its task is
-- reported done: asked_at claims that question, so several replicas ask
-- it once, and a new report after «не эффективно» asks it again.

alter table corrective_actions add column asked_at timestamptz;

---- create above / drop below ----

alter table corrective_actions drop column asked_at;
