# Derivations built both by real nix-build (sandboxed, /bin/sh = busybox) and by m's realise;
# the differential test compares their .drv paths, output paths, NAR hashes and references.
let
  sh = name: script: attrs: derivation ({
    inherit name;
    system = "x86_64-linux";
    builder = "/bin/sh";
    args = [ "-c" script ];
  } // attrs);
  simple = sh "simple" "echo hello > $out" { };
  multi = sh "multi" ''
    mkdir $out $dev
    echo lib > $lib
    echo "$lib" > $dev/lib-path
    echo "$dev" > $out/dev-path
  '' { outputs = [ "out" "dev" "lib" ]; };
  dataDir = ./data;
in rec {
  inherit simple multi;
  text = sh "text" ''echo "$text" > $out'' { text = "some text with ünïcödé and \"quotes\""; };
  dep = sh "dep" "read x < ${simple}; echo \"got $x\" > $out" { };
  chain = sh "chain" "cat ${sh "chain-mid" "cat ${simple} ${simple} > $out" { }} > $out; echo end >> $out" { };
  useDev = sh "use-dev" "cat ${multi.dev}/lib-path > $out; ls /nix/store | sort >> $out" { };
  useOut = sh "use-out" "cp -r ${multi} $out; chmod -R u+w $out; ls /nix/store | sort > $out/store" { };
  toFile = sh "tofile" "cat ${builtins.toFile "note.txt" "a note\n"} > $out" { };
  pathSrc = sh "path-src" "cp -r ${dataDir} $out" { };
  pathName = sh "path-name" "cp -r ${builtins.path { path = ./data; name = "renamed"; }} $out" { };
  filtered = sh "filtered" "cp -r ${builtins.filterSource (p: t: baseNameOf p != "skip") ./data} $out" { };
  fileSrc = sh "file-src" "cat ${./data/a.txt} ${./data/sub/b.txt} > $out" { };
  fodFlat = sh "fod-flat" "echo fixed > $out" {
    outputHash = builtins.hashString "sha256" "fixed\n"; outputHashAlgo = "sha256"; };
  fodSha1 = sh "fod-sha1" "echo fixed > $out" {
    outputHash = builtins.hashString "sha1" "fixed\n"; outputHashAlgo = "sha1"; };
  fodSha512 = sh "fod-sha512" "echo fixed512 > $out" {
    outputHash = builtins.hashString "sha512" "fixed512\n"; outputHashAlgo = "sha512"; };
  fodRec = sh "fod-rec" "mkdir $out; echo x > $out/x; ln -s x $out/y" {
    outputHashMode = "recursive"; outputHashAlgo = "sha256";
    outputHash = "sha256-OJcATH2zxITC+VAFfJXc0lJbYCxWERKdcjh0FY0S0kU="; };
  fodDep = sh "fod-dep" "cat ${sh "fod-flat-2" "echo fixed > $out" {
    outputHash = builtins.hashString "sha256" "fixed\n"; outputHashAlgo = "sha256"; }} > $out" { };
  passAsFile = sh "pass-as-file" ''cat "$bigPath" > $out; echo "$small" >> $out'' {
    big = "passed as a file\n"; small = "env"; passAsFile = [ "big" ]; };
  envTypes = sh "env-types" ''echo "[$list] [$t] [$f] [$n] [$i] [$p]" > $out'' {
    list = [ "a" 1 true null ]; t = true; f = false; n = null; i = 42; p = ./data/a.txt; };
  selfRef = sh "self-ref" "mkdir $out; echo $out > $out/me" { };
  symlinks = sh "symlinks" "mkdir -p $out/d/e; ln -s ../d $out/d/e/up; ln -s /nowhere $out/dangling; ln -s d $out/dl" { };
  exec = sh "exec" "mkdir $out; printf '#!/bin/sh\\n' > $out/x; chmod 755 $out/x; echo plain > $out/p; chmod 600 $out/p" { };
  tree = sh "tree" "mkdir -p $out/a/b/c $out/empty; i=0; while [ $i -lt 20 ]; do echo $i > $out/a/b/f$i; i=$((i+1)); done" { };
  buildDir = sh "build-dir" ''echo "$NIX_BUILD_TOP $TMPDIR $TMP $TEMP $TEMPDIR $PWD $(pwd)" > $out'' { };
  environ = sh "environ" "env | sort > $out" { };
  ids = sh "ids" "id -u > $out; id -g >> $out; hostname >> $out; umask >> $out" { };
  etc = sh "etc" "cat /etc/passwd /etc/group /etc/hosts > $out" { };
  buildFiles = sh "build-files" "ls -a /build > $out" { x = "y"; passAsFile = [ "x" ]; };
  bigOut = sh "big-out" "head -c 3000000 /dev/zero | tr '\\0' a > $out" { };
  closure = sh "closure" "ls /nix/store | sort > $TMPDIR/l; cp $TMPDIR/l $out" { d = dep; };
  outputsOrder = sh "outputs-order" "echo $bin > $out; echo bin > $bin" { outputs = [ "bin" "out" ]; };
  args = derivation {
    name = "args"; system = "x86_64-linux"; builder = "/bin/sh";
    args = [ "-c" ''for a in "$@"; do echo "<$a>"; done > $out'' "zero" "one two" "th'ree" "" "f\"our" ];
  };
  unicode = sh "unicode" "echo 'ünïcödé ✓' > $out" { };
  devNull = sh "dev-null" "ls /dev | sort > $out" { };
  nested = sh "nested" "cat ${sh "n1" "cat ${sh "n2" "cat ${simple} > $out; echo n2 >> $out" { }} > $out; echo n1 >> $out" { }} > $out" { };
}
