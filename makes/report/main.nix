# `m . /report`: a script using another output (outputs."/word-count"), a bash array and
# a JSON file made from Nix values.
{ makeScript, outputs, toBashArray, toFileJson, ... }:
makeScript {
  name = "report";
  replace = {
    __argCounts__ = outputs."/word-count";
    __argNames__ = toBashArray [ "outputs" "words" ];
    __argJson__ = toFileJson "report.json" { generatedBy = "m"; outputs = [ "/hello" "/word-count" ]; };
  };
  entrypoint = ''
    function main {
      source __argNames__/template local names
      for name in "''${names[@]}"; do
        info "$name:"
        cat "__argCounts__/$name"
      done
      cat __argJson__
      echo
    }

    main "$@"
  '';
}
