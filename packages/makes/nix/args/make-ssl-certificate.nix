# makeSslCertificate { name; days ? 30; keyType ? "rsa:4096"; options; }: $out/cert.crt and
# $out/cert.key, a self-signed certificate made by Debian's openssl; options is a list of lists of
# arguments for `openssl req` (for example [ [ "-subj" "/CN=localhost" ] ]).
{ __nixpkgs__, makeDerivation, toBashArray, ... }:
{ days ? 30, keyType ? "rsa:4096", name, options, ... }:
makeDerivation {
  name = "make-ssl-certificate-for-${name}";
  env = {
    envDays = toString days;
    envKeyType = keyType;
    envOptions = toBashArray (builtins.concatLists options);
    envConfig = builtins.toFile "openssl.cnf" ''
      [ req ]
      distinguished_name = req_distinguished_name
      [ req_distinguished_name ]
    '';
  };
  searchPaths.bin = [ __nixpkgs__.openssl ];
  builder = ./make-ssl-certificate.sh;
}
