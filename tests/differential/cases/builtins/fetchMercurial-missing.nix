builtins.fetchMercurial ./no-such-repo
