/**
 * Environment variables the deployed Lambda functions receive: the names src/lambda/lambda-config.ts reads (its
 * schema is the contract; keep the two in step), plus a few the handlers may use later (marked "extra").
 * Both functions get every variable except TOURNIQUET_APPROVAL_URL, which only the respond function gets (the
 * approval function's own URL would be a dependency cycle; it can read its host from the request).
 */
export const LAMBDA_ENV = {
  /** observe | approve | contain: the mode ceiling the responder starts with. */
  mode: 'TOURNIQUET_MODE',
  /** `s3://bucket/key` of the uploaded policy file (unset: the built-in policy). */
  policy: 'TOURNIQUET_POLICY',
  /** DynamoDB journal table name (keys pk/sk, GSI gsi1 on gsi1pk/gsi1sk, TTL attribute expiresAt). */
  journalTable: 'TOURNIQUET_JOURNAL_TABLE',
  /** Evidence bucket (Object Lock; SSE-KMS with its own key). */
  evidenceBucket: 'TOURNIQUET_EVIDENCE_BUCKET',
  /** Evidence key ARN: puts that name a key must name this one (the bucket policy denies any other). */
  evidenceKmsKeyId: 'TOURNIQUET_EVIDENCE_KMS_KEY_ID',
  /** Object Lock mode and retention days, for per-object retention. */
  objectLockMode: 'TOURNIQUET_OBJECT_LOCK_MODE',
  objectLockDays: 'TOURNIQUET_OBJECT_LOCK_DAYS',
  /** SNS topic for notifications. */
  topicArn: 'TOURNIQUET_TOPIC_ARN',
  /** Secrets Manager ARN of the Slack webhook URL (unset when Slack is disabled; the secret may have no value yet). */
  slackWebhookSecretArn: 'TOURNIQUET_SLACK_SECRET_ARN',
  /** Secrets Manager ARN of the approval-link HMAC key (base64url, 32 bytes). */
  approvalSecretArn: 'TOURNIQUET_APPROVAL_SECRET_ARN',
  /** Base URL of the approval function URL (respond function only). */
  approvalUrl: 'TOURNIQUET_APPROVAL_URL',
  /** extra: Findings bucket (S3 export objects arrive from it). */
  findingsBucket: 'TOURNIQUET_FINDINGS_BUCKET',
  /** GuardDuty detector id in this account and Region (the blocklist's ThreatIntelSet and the trusted lists). */
  detectorId: 'TOURNIQUET_DETECTOR_ID',
  /** Responder-managed threat list: bucket, key and ThreatIntelSet id (unset when lists are not managed). */
  blocklistBucket: 'TOURNIQUET_BLOCKLIST_BUCKET',
  blocklistKey: 'TOURNIQUET_BLOCKLIST_KEY',
  blocklistSetId: 'TOURNIQUET_BLOCKLIST_SET_ID',
  /** Default destination of Bedrock invocation logs (config `bedrockInvocationLogging`; unset when off). */
  bedrockLogGroup: 'TOURNIQUET_BEDROCK_LOG_GROUP',
  bedrockLoggingRoleArn: 'TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN',
  /** Options per playbook, JSON (config `playbookOptions`; unset: every playbook's defaults). */
  playbookOptions: 'TOURNIQUET_PLAYBOOK_OPTIONS',
  /** Role assumed in member accounts. */
  memberRoleName: 'TOURNIQUET_ROLE_NAME',
  /** extra: the sts:ExternalId the member roles require (unset when none). */
  memberExternalId: 'TOURNIQUET_MEMBER_EXTERNAL_ID',
  /** The responder's own role ARN (never contained). */
  responderRoleArn: 'TOURNIQUET_RESPONDER_ROLE_ARN',
  /** extra: comma-separated principal ARNs never to be contained (break-glass). */
  protectedPrincipals: 'TOURNIQUET_PROTECTED_PRINCIPALS',
  /** Input limits of S3 export objects, in bytes (unset: 16 MiB per line, 1 GiB unpacked). */
  maxLineBytes: 'TOURNIQUET_MAX_LINE_BYTES',
  maxDecompressedBytes: 'TOURNIQUET_MAX_DECOMPRESSED_BYTES',
  /** The findings rule's severity threshold and type prefixes (comma-separated; unset when none): the Lambda applies the same intake. */
  severityThreshold: 'TOURNIQUET_SEVERITY_THRESHOLD',
  findingTypePrefixes: 'TOURNIQUET_FINDING_TYPE_PREFIXES',
} as const;

export type LambdaEnvName = (typeof LAMBDA_ENV)[keyof typeof LAMBDA_ENV];
