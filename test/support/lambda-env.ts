/**
 * The environment for tests that import the Lambda handlers from src: the variables each test gives, plus Powertools
 * kept quiet (no metrics, no log lines). Powertools reads its settings when a handler module loads, so call this
 * before importing the handler; the returned function puts `process.env` back as it was before the call.
 */
// TEST_LAMBDA_LOG_LEVEL=ERROR (for example) shows the handlers' log lines when a Lambda test fails.
export const QUIET_POWERTOOLS: Readonly<Record<string, string>> = {
  POWERTOOLS_METRICS_NAMESPACE: 'Tourniquet',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_DEV: 'true',
  POWERTOOLS_LOG_LEVEL: process.env.TEST_LAMBDA_LOG_LEVEL ?? 'SILENT',
};

export function setLambdaEnv(vars: Readonly<Record<string, string>>): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, QUIET_POWERTOOLS, vars);
  return () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  };
}
