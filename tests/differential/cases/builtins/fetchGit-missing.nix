builtins.fetchGit ./no-such-repo
