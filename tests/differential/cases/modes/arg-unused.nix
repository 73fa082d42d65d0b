{ used ? 1, ... }: used
