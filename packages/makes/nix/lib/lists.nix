# nixpkgs' lib.lists, written for m: the commonly used functions, same names and results.
lib:
let
  inherit (builtins) all any concatLists concatMap elem elemAt filter foldl' genList head isList
    length partition sort tail;
in
rec {
  inherit all any concatLists concatMap elem elemAt filter foldl' genList head length partition sort tail;
  inherit (builtins) groupBy;
  singleton = x: [ x ];
  forEach = xs: f: map f xs;
  foldr = op: nul: list:
    let len = length list; fold' = n: if n == len then nul else op (elemAt list n) (fold' (n + 1));
    in fold' 0;
  fold = foldr;
  foldl = op: nul: list:
    let foldl'' = n: if n == -1 then nul else op (foldl'' (n - 1)) (elemAt list n);
    in foldl'' (length list - 1);
  imap0 = f: list: genList (n: f n (elemAt list n)) (length list);
  imap1 = f: list: genList (n: f (n + 1) (elemAt list n)) (length list);
  ifilter0 = ipred: input: map (idx: elemAt input idx) (filter (idx: ipred idx (elemAt input idx)) (range 0 (length input - 1)));
  flatten = x: if isList x then concatMap (y: flatten y) x else [ x ];
  remove = e: filter (x: x != e);
  findSingle = pred: default: multiple: list:
    let found = filter pred list; len = length found;
    in if len == 0 then default else if len != 1 then multiple else head found;
  findFirstIndex = pred: default: list:
    let go = i: if i == length list then default else if pred (elemAt list i) then i else go (i + 1);
    in go 0;
  findFirst = pred: default: list:
    let index = findFirstIndex pred null list;
    in if index == null then default else elemAt list index;
  count = pred: foldl' (c: x: if pred x then c + 1 else c) 0;
  optional = cond: elem: if cond then [ elem ] else [ ];
  optionals = cond: elems: if cond then elems else [ ];
  toList = x: if isList x then x else [ x ];
  range = first: last: if first > last then [ ] else genList (n: first + n) (last - first + 1);
  replicate = n: elem: genList (_: elem) n;
  zipListsWith = f: fst: snd: genList (n: f (elemAt fst n) (elemAt snd n)) (lib.trivial.min (length fst) (length snd));
  zipLists = zipListsWith (fst: snd: { inherit fst snd; });
  reverseList = xs: let l = length xs; in genList (n: elemAt xs (l - n - 1)) l;
  take = count: sublist 0 count;
  drop = count: list: sublist count (length list) list;
  takeEnd = n: xs: drop (lib.trivial.max 0 (length xs - n)) xs;
  dropEnd = n: xs: take (lib.trivial.max 0 (length xs - n)) xs;
  sublist = start: count: list:
    let len = length list;
    in genList (n: elemAt list (n + start))
      (if start >= len then 0 else if start + count > len then len - start else count);
  last = list: assert list != [ ]; elemAt list (length list - 1);
  init = list: assert list != [ ]; take (length list - 1) list;
  unique = foldl' (acc: e: if elem e acc then acc else acc ++ [ e ]) [ ];
  uniqueStrings = list: builtins.attrNames (builtins.groupBy (x: x) list);
  intersectLists = e: filter (x: elem x e);
  subtractLists = e: filter (x: !(elem x e));
  mutuallyExclusive = a: b: length a == 0 || !(any (x: elem x a) b);
  crossLists = f: foldl' (fs: args: concatMap (f: map f args) fs) [ f ];
  groupBy' = op: nul: pred: lst: builtins.mapAttrs (_: foldl' op nul) (builtins.groupBy pred lst);
  naturalSort = lst:
    let
      vectorise = s: map (x: if isList x then builtins.fromJSON (head x) else x) (builtins.split "(0|[1-9][0-9]*)" s);
      prepared = map (x: [ (vectorise x) x ]) lst;
      less = a: b: compareLists lib.trivial.compare (head a) (head b) < 0;
    in map (x: elemAt x 1) (sort less prepared);
  compareLists = cmp: a: b:
    if a == [ ] then (if b == [ ] then 0 else -1)
    else if b == [ ] then 1
    else let rel = cmp (head a) (head b); in if rel == 0 then compareLists cmp (tail a) (tail b) else rel;
  sortOn = f: list: map (p: p.x) (sort (a: b: a.k < b.k) (map (x: { k = f x; inherit x; }) list));
  allUnique = list: length (unique list) == length list;
  stringToCharacters = s: genList (p: builtins.substring p 1 s) (builtins.stringLength s);
}
