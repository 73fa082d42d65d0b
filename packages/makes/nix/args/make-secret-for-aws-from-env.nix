# makeSecretForAwsFromEnv { name; accessKeyId; defaultRegion; secretAccessKey; sessionToken; }:
# a template that, sourced at run time, exports AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
# AWS_SESSION_TOKEN and AWS_DEFAULT_REGION from the environment variables named by the
# arguments (only the names are in the store; the values are read when the script runs), and
# points AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at fresh empty files.
{ makeTemplate, toDerivationName, ... }:
{ accessKeyId ? "AWS_ACCESS_KEY_ID", defaultRegion ? "AWS_DEFAULT_REGION", name
, secretAccessKey ? "AWS_SECRET_ACCESS_KEY", sessionToken ? "AWS_SESSION_TOKEN" }:
makeTemplate {
  name = "make-secret-for-aws-from-env-for-${name}";
  replace = {
    __argName__ = toDerivationName name;
    __argAccessKeyId__ = accessKeyId;
    __argDefaultRegion__ = defaultRegion;
    __argSecretAccessKey__ = secretAccessKey;
    __argSessionToken__ = sessionToken;
  };
  template = ./make-secret-for-aws-from-env.sh;
}
