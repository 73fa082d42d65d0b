# nixpkgs attribute names → the host's Debian packages: THE one table m reads to answer
# `inputs.nixpkgs.<nixpkgs name>` and `__nixpkgs__.<nixpkgs name>` (every Debian package is there
# under its own name too; a name below wins over a Debian package of the same name).
#
#   name = "debian-package";        the Debian package as it is imported (@m/hostpkgs)
#   name = { debian = [ … ]; … };   several Debian packages put together by a small local build,
#                                   where nixpkgs' layout needs them in one store path
#
# | nixpkgs                          | Debian                                                    |
# |----------------------------------|-----------------------------------------------------------|
# | python3, python311               | python3.11-minimal + libpython3.11-minimal + libpython3.11-stdlib (+ python3, python3-minimal): one tree with bin/python3 and lib/python3.11, so the interpreter finds its standard library next to itself |
# | cacert                           | ca-certificates, plus etc/ssl/certs/ca-bundle.crt (the certificates concatenated, as nixpkgs' cacert has it) |
# | gnugrep gnutar gnused gnumake gnupatch gnupg | grep tar sed make patch gnupg             |
# | nodejs, nodejs_18/_20/_21/_22    | nodejs (the host's one version)                           |
# | xz, openssh, nix, which, sqlite, go | xz-utils openssh-client nix-bin debianutils sqlite3 golang-go |
# | everything else                  | the Debian package of the same name, if there is one      |
#
# Hosts without dpkg (programs found on PATH by the name asked for) get no nixpkgs names.
{ nixpkgs, makeDerivation }:
let
  table = {
    gnugrep = "grep";
    gnutar = "tar";
    gnused = "sed";
    gnumake = "make";
    gnupatch = "patch";
    nodejs = "nodejs";
    nodejs_18 = "nodejs";
    nodejs_20 = "nodejs";
    nodejs_21 = "nodejs";
    nodejs_22 = "nodejs";
    xz = "xz-utils";
    openssh = "openssh-client";
    nix = "nix-bin";
    which = "debianutils";
    sqlite = "sqlite3";
    go = "golang-go";
    python3 = python3;
    python311 = python3;
    cacert = cacert;
  };

  python3 = bundle {
    name = "python3";
    debian = [ "python3.11-minimal" "libpython3.11-minimal" "libpython3.11-stdlib" "python3-minimal" "python3" ];
    builder = ''
      # The interpreter is copied, not linked: it looks for lib/python3.11/os.py next to the
      # directory it really lives in.
      mkdir -p "$out/bin" "$out/lib/python3.11"
      cp "$envPython3_11Minimal/bin/python3.11" "$out/bin/python3.11"
      ln -s python3.11 "$out/bin/python3"
      ln -s python3.11 "$out/bin/python"
      for pkg in "$envLibpython3_11Minimal" "$envLibpython3_11Stdlib"; do
        cp -rs "$pkg/lib/python3.11/." "$out/lib/python3.11/"
        chmod -R u+w "$out/lib/python3.11"
      done
      for tool in pydoc3 pdb3 pygettext3; do
        if test -e "$envPython3/bin/$tool"; then ln -s "$envPython3/bin/$tool" "$out/bin/$tool"; fi
      done
    '';
  };

  cacert = bundle {
    name = "cacert";
    debian = [ "ca-certificates" ];
    builder = ''
      mkdir -p "$out/etc/ssl/certs" "$out/share"
      ln -s "$envCaCertificates/share/ca-certificates" "$out/share/ca-certificates"
      find "$envCaCertificates/share/ca-certificates" -name '*.crt' | LC_ALL=C sort | while read -r crt; do
        cat "$crt"
        echo
      done > "$out/etc/ssl/certs/ca-bundle.crt"
      ln -s ca-bundle.crt "$out/etc/ssl/certs/ca-certificates.crt"
    '';
  };

  # env<CamelName> for each Debian package ("python3.11-minimal" → envPython3_11Minimal).
  envName = deb:
    let parts = builtins.filter builtins.isString (builtins.split "[-.+]" deb);
    in "env" + builtins.concatStringsSep "" (map
      (p: if builtins.match "[0-9].*" p != null then "_" + p
          else upper (builtins.substring 0 1 p) + builtins.substring 1 (builtins.stringLength p) p)
      parts);
  upper = builtins.replaceStrings
    [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ]
    [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ];

  # The version of an imported package, from its store path name (<name>-<upstream version>).
  versionOf = deb: pkg:
    let
      base = builtins.substring 33 1000 (baseNameOf (builtins.unsafeDiscardStringContext pkg.outPath));
    in builtins.substring (builtins.stringLength deb + 1) 1000 base;

  debianPackage = name: deb: nixpkgs.${deb} or (throw
    "nixpkgs name '${name}' is the Debian package '${deb}', which is not installed on this host");

  bundle = { name, debian, builder }:
    let
      main = builtins.head debian;
      version = versionOf main (debianPackage name main);
      drv = makeDerivation {
        name = "${name}-${version}";
        local = true;
        env = builtins.listToAttrs (map (deb: { name = envName deb; value = debianPackage name deb; }) debian);
        searchPaths.bin = [ nixpkgs.findutils ];
        inherit builder;
      };
    in drv // { inherit version; pname = name; };
in
builtins.mapAttrs
  (name: v: if builtins.isString v then debianPackage name v else v)
  table
