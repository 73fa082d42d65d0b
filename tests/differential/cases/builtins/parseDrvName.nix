map builtins.parseDrvName [ "nix-0.12pre12876" "a-b-c-1.2.3" "foo" "foo-bar" "hello-2.10-rc1" "x-1" ]
