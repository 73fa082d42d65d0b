# isDarwin: whether the project is evaluated for macOS.
{ __system__, ... }: builtins.match ".*-darwin" __system__ != null
