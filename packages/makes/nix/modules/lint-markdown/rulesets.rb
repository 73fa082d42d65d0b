# Custom mdl rules for lintMarkdown (none by default)
