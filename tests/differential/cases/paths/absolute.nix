/tmp/some/where
