# isLinux: whether the project is evaluated for a Linux system.
{ __system__, ... }: builtins.match ".*-linux" __system__ != null
