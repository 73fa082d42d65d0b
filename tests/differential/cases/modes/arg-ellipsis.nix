args @ { ... }: args
