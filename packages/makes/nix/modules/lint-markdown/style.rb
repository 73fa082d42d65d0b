# mdl style used when lintMarkdown.<name>.config is null (makes' defaults)
all
exclude_rule 'MD024'
rule 'MD007', :indent => 3
