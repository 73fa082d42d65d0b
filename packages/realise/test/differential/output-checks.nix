# Derivations exercising Nix 2.8's output checks (allowedReferences, allowedRequisites,
# disallowedReferences, disallowedRequisites, and outputChecks under __structuredAttrs). Each is
# built separately by real nix-build and by m; success or failure and the message must agree.
let
  sh = name: script: attrs: derivation ({
    name = "oc-${name}";
    system = "x86_64-linux";
    builder = "/bin/sh";
    args = [ "-c" script ];
  } // attrs);
  # Under __structuredAttrs Nix passes the outputs in .attrs.json only; m also sets $out.
  structured = name: script: attrs: sh name
    ''out=''${out:-$(sed -n 's/.*"outputs":{"out":"\([^"]*\)".*/\1/p' .attrs.json)}; ${script}''
    (attrs // { __structuredAttrs = true; });
  dep = sh "dep" "echo dep > $out" { };
  dep2 = sh "dep2" "echo ${dep} > $out" { };
  other = sh "other" "echo other > $out" { };
in {
  allowedEmptyDep = sh "allowed-empty-dep" "echo ${dep} > $out" { allowedReferences = [ ]; };
  allowedEmptySelf = sh "allowed-empty-self" "echo $out > $out" { allowedReferences = [ ]; };
  allowedEmptyNone = sh "allowed-empty-none" "echo none > $out" { allowedReferences = [ ]; };
  allowedDep = sh "allowed-dep" "echo ${dep} > $out" { allowedReferences = [ dep ]; };
  allowedOutName = sh "allowed-out-name" "echo $out > $out" { allowedReferences = [ "out" ]; };
  allowedString = sh "allowed-string" "echo ${dep} ${dep2} > $out" { allowedReferences = "${dep}\n\t ${dep2} "; };
  allowedMissing = sh "allowed-missing" "echo ${dep} ${dep2} ${other} > $out" { allowedReferences = [ dep ]; };
  allowedMulti = sh "allowed-multi" "mkdir $out $dev; echo $dev > $out/d; echo ${dep} > $out/x; echo dev > $dev/x" {
    outputs = [ "out" "dev" ]; allowedReferences = [ "dev" ]; };
  allowedMultiOk = sh "allowed-multi-ok" "mkdir $out $dev; echo $dev > $out/d; echo dev > $dev/x" {
    outputs = [ "out" "dev" ]; allowedReferences = [ "dev" ]; };
  disallowedDep = sh "disallowed-dep" "echo ${dep} > $out" { disallowedReferences = [ dep ]; };
  disallowedUnused = sh "disallowed-unused" "echo ${dep} > $out" { disallowedReferences = [ other ]; };
  disallowedTwo = sh "disallowed-two" "echo ${dep2} ${dep} $out > $out" { disallowedReferences = [ dep2 dep "out" ]; };
  disallowedIndirect = sh "disallowed-indirect" "echo ${dep2} > $out" { disallowedReferences = [ dep ]; };
  requisitesMissing = sh "requisites-missing" "echo ${dep2} $out > $out" { allowedRequisites = [ dep2 ]; };
  requisitesOk = sh "requisites-ok" "echo ${dep2} $out > $out" { allowedRequisites = [ dep2 dep ]; };
  requisitesEmpty = sh "requisites-empty" "echo $out > $out" { allowedRequisites = [ ]; };
  disallowedRequisite = sh "disallowed-requisite" "echo ${dep2} > $out" { disallowedRequisites = [ dep ]; };
  disallowedRequisiteOk = sh "disallowed-requisite-ok" "echo ${dep} > $out" { disallowedRequisites = [ other ]; };
  illegalName = sh "illegal-name" "echo hi > $out" { allowedReferences = [ "nonsense" ]; };
  illegalSubpath = sh "illegal-subpath" "echo hi > $out" { disallowedReferences = [ "${dep}/sub" ]; };
  firstCheckWins = sh "first-check-wins" "echo ${dep} > $out" { allowedReferences = [ ]; disallowedReferences = [ dep ]; };
  structMaxSize = structured "struct-max-size" "echo hello > $out" { outputChecks.out.maxSize = 10; };
  structMaxSizeOk = structured "struct-max-size-ok" "echo hello > $out" { outputChecks.out.maxSize = 100000; };
  structClosure = structured "struct-closure" "echo ${dep2} > $out" { outputChecks.out.maxClosureSize = 400; };
  structAllowedSelf = structured "struct-allowed-self" "echo $out > $out" { outputChecks.out.allowedReferences = [ ]; };
  structRequisitesEmpty = structured "struct-requisites-empty" "echo hi > $out" { outputChecks.out.allowedRequisites = [ ]; };
  structDisallowed = structured "struct-disallowed" "echo ${dep} > $out" { outputChecks.out.disallowedReferences = [ dep ]; };
  structTopLevelIgnored = structured "struct-top-level-ignored" "echo ${dep} > $out" { allowedReferences = [ ]; };
  structOtherOutput = structured "struct-other-output" "echo ${dep} > $out" { outputChecks.dev.allowedReferences = [ ]; };
  structNotStrings = structured "struct-not-strings" "echo hi > $out" { outputChecks.out.allowedReferences = [ 1 ]; };
}
