/**
 * Imported first by every bench entry: the AWS SDK's NodeVersionSupportWarning (Node 20) is not a bench result, and
 * on stderr it mixes with the figures. Set as `.ci/run` and `bin/tourniquet.js` set it; the bench's child processes
 * inherit it.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
