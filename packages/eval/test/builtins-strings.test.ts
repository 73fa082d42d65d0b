import { mkdirSync, writeFileSync } from 'node:fs';
import { compareWithNix } from './builtins-harness';

// a fixed file for path arguments (copied to the store by some builtins)
mkdirSync('/tmp/m-builtins-fixture', { recursive: true });
writeFileSync('/tmp/m-builtins-fixture/file.txt', 'hello\n');
const F = '/tmp/m-builtins-fixture/file.txt';

compareWithNix('strings', 'substring, stringLength', {
  ok: [
    'builtins.substring 0 3 "hello"',
    'builtins.substring 1 2 "héllo"',
    'builtins.substring 3 100 "hello"',
    'builtins.substring 10 1 "hello"',
    'builtins.substring 1 (-1) "abcd"',
    'builtins.substring 1 0 "abcd"',
    'builtins.substring 1 4294967296 "abc"',
    'builtins.substring 4294967297 1 "abc"',
    `builtins.substring 0 11 ${F}`,
    `builtins.getContext (builtins.substring 0 0 "\${${F}}")`,
    'builtins.stringLength "héllo"',
    'builtins.stringLength ""',
    `builtins.stringLength ${F}`,
    'builtins.stringLength { outPath = "abc"; }',
  ],
  err: [
    'builtins.substring (-1) 1 "abc"',
    'builtins.substring 0 1 1',
    'builtins.substring "0" 1 "abc"',
    'builtins.stringLength 1',
    'builtins.stringLength {}',
  ],
});

compareWithNix('strings', 'concatStringsSep, replaceStrings', {
  ok: [
    'builtins.concatStringsSep ", " ["a" "b" "c"]',
    'builtins.concatStringsSep "" []',
    'builtins.concatStringsSep "-" ["a"]',
    `builtins.concatStringsSep "," [${F} "a"]`,
    `builtins.getContext (builtins.concatStringsSep "\${${F}}" ["a" "b"])`,
    'builtins.concatStringsSep "/" [{ outPath = "x"; } { __toString = s: "y"; }]',
    'builtins.replaceStrings ["a" ""] ["X" "-"] "banana"',
    'builtins.replaceStrings [""] ["-"] ""',
    'builtins.replaceStrings ["oo" "o"] ["0" "1"] "foooo"',
    'builtins.replaceStrings ["é"] ["e"] "café"',
    'builtins.replaceStrings [] [] "abc"',
    `builtins.getContext (builtins.replaceStrings ["a" "b"] ["\${${F}}" "y"] "bbb")`,
    `builtins.getContext (builtins.replaceStrings ["a" "b"] ["\${${F}}" "y"] "abb")`,
    // on the text (non-empty patterns, no escaped bytes) and on the bytes (the others)
    'builtins.replaceStrings ["ab" "a" "b"] ["1" "2" "3"] "aabbaba xab"',
    'builtins.replaceStrings ["é" "😀" "e"] ["E" ":)" "é"] "café 😀 été 😀😀"',
    'builtins.replaceStrings ["item"] ["it"] (builtins.concatStringsSep "\n" (builtins.genList (i: "item-${toString i}") 50))',
    'builtins.replaceStrings ["x"] ["y"] "no match here"',
    'builtins.replaceStrings ["aa"] ["b"] "aaaaa"',
    'builtins.hashString "sha256" (builtins.replaceStrings [""] ["-"] "é😀")',
    'let h = builtins.substring 0 1 "é"; in builtins.hashString "sha256" (builtins.replaceStrings [ "a" ] [ h ] "xaxa${builtins.substring 1 1 "é"}")',
    'let t = builtins.substring 1 1 "é"; in builtins.hashString "sha256" (builtins.replaceStrings [ t "b" ] [ "T" "B" ] "b${t}b")',
  ],
  err: [
    'builtins.concatStringsSep ", " ["a" 1]',
    'builtins.concatStringsSep 1 []',
    'builtins.replaceStrings ["a"] [] "abc"',
    'builtins.replaceStrings [1] ["b"] "abc"',
  ],
});

compareWithNix('strings', 'match, split', {
  ok: [
    'builtins.match "a(b)?c" "ac"',
    'builtins.match "abc" "abcd"',
    'builtins.match "(a|ab)(c|bcd)(d*)" "abcd"',
    'builtins.match "[[:alpha:]]+([0-9]*)" "abc123"',
    'builtins.match ".*" ""',
    'builtins.match "(.*)" "é"',
    'builtins.split "(a)|b" "xaybz"',
    'builtins.split "x" "abc"',
    'builtins.split "" "ab"',
    'builtins.split "(,)?" "a,b"',
    'builtins.split "[[:space:]]+" "  a b  c "',
    `builtins.getContext (builtins.elemAt (builtins.split "x" "\${${F}}") 0)`,
    `builtins.getContext (builtins.elemAt (builtins.split "n" "\${${F}}") 0)`,
    `builtins.match "(.*)" "\${${F}}"`,
  ],
  err: ['builtins.match "(" "x"', 'builtins.split "a{2,1}" "x"', 'builtins.match 1 "x"', 'builtins.match "x" 1'],
});

compareWithNix('strings', 'hashString', {
  ok: [
    'builtins.hashString "md5" ""',
    'builtins.hashString "sha1" "abc"',
    'builtins.hashString "sha256" "abc"',
    'builtins.hashString "sha512" "héllo"',
    `builtins.hashString "sha256" "\${${F}}"`,
  ],
  err: ['builtins.hashString "sha3" "x"', 'builtins.hashString "sha256" 1'],
});

compareWithNix('strings', 'compareVersions, splitVersion, parseDrvName', {
  ok: [
    'builtins.compareVersions "1.2" "1.10"',
    'builtins.compareVersions "1.0" "1.0"',
    'builtins.compareVersions "1.0pre1" "1.0"',
    'builtins.compareVersions "1.0a" "1.0"',
    'builtins.compareVersions "2.3" "2.3.1"',
    'builtins.compareVersions "1.0" "1.0-pre"',
    'builtins.compareVersions "" "1"',
    'builtins.splitVersion "1.2.3pre-4"',
    'builtins.splitVersion ""',
    'builtins.splitVersion "..a1b2"',
    'builtins.parseDrvName "hello-2.1-pre"',
    'builtins.parseDrvName "nix-0.12pre12876"',
    'builtins.parseDrvName "foo-bar"',
    'builtins.parseDrvName "foo"',
    'builtins.parseDrvName "foo-"',
  ],
  err: ['builtins.compareVersions 1 "2"', 'builtins.splitVersion null', 'builtins.parseDrvName 1'],
});

compareWithNix('strings', 'baseNameOf, dirOf, toPath', {
  ok: [
    'baseNameOf "/a/b/"',
    'baseNameOf "/a/b"',
    'baseNameOf "a"',
    'baseNameOf ""',
    'baseNameOf "/"',
    'baseNameOf /a/b',
    `baseNameOf ${F}`,
    `builtins.getContext (baseNameOf "\${${F}}")`,
    'dirOf "/a/b/"',
    'dirOf "/a/b"',
    'dirOf "a"',
    'dirOf "/a"',
    'dirOf "/"',
    'dirOf /a/b',
    'dirOf /a',
    'builtins.typeOf (dirOf /a)',
    'builtins.toPath "/a/../b//c"',
    'builtins.toPath "/a/./b/"',
    `builtins.getContext (builtins.toPath "\${${F}}")`,
  ],
  err: ['baseNameOf 1', 'dirOf {}', 'builtins.toPath "a"', 'builtins.toPath ""'],
});
