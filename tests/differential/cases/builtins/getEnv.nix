[ (builtins.getEnv "M_TEST_VAR") (builtins.getEnv "M_SURELY_UNSET_VAR") ]
