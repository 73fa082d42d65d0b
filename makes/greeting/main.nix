# `m . /greeting`: a makeTemplate. Every __argName__ placeholder of `replace` must occur in the
# template, and none may be left over; derivations become their store paths.
{ inputs, makeTemplate, ... }:
makeTemplate {
  name = "greeting";
  replace = {
    __argWho__ = "world";
    __argCoreutils__ = inputs.nixpkgs.coreutils;
  };
  template = ''
    Hello, __argWho__!
    ls is __argCoreutils__/bin/ls
  '';
}
