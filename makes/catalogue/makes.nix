# Builtin modules of makes' catalogue enabled on this example's own files (makes/catalogue/):
# formatters and linters (`m . /lintBash`, `/formatBash`, `/lintNix`, `/lintWithAjv/example`,
# `/formatYaml`), environment variables (`/envVars/example`), and a pipeline running outputs in
# order (`m . /pipeline/example`). The data helpers are in ./main.nix (`m . /catalogue`).
{ ... }: {
  formatBash = { enable = true; targets = [ "/makes/catalogue/scripts" ]; };
  lintBash = { enable = true; targets = [ "/makes/catalogue/scripts" ]; };
  lintNix = { enable = true; targets = [ "/makes/catalogue" ]; };
  formatYaml = { enable = true; targets = [ "/makes/catalogue/data/config.yaml" ]; };
  lintWithAjv.example = { schema = "/makes/catalogue/data/schema.json"; targets = [ "/makes/catalogue/data/config.yaml" ]; };
  envVars.example = { GREETING = "hello from envVars"; };
  pipelines.example.jobs = [
    { output = "/lintBash"; }
    { output = "/lintWithAjv/example"; }
    { output = "/catalogue"; }
    { output = "/helloWorld"; }
  ];
}
