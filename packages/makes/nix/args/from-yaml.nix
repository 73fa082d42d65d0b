# fromYaml: a YAML document (a string) as a Nix value, parsed in Nix while evaluating.
#
# makes converts with yq in a derivation and reads the result back (import from derivation); m
# builds nothing during evaluation, so the parser is written here. It reads the YAML most
# configuration files use, resolving plain scalars with the YAML 1.2 core schema (as gojq, which
# `toFileJsonFromFileYaml` runs, does):
#   - block mappings and sequences nested by indentation (a sequence may sit at its key's indent),
#     `- key: value` items, plain / 'single' / "double" quoted keys
#   - plain, single- and double-quoted scalars, also over several lines (folded into one)
#   - null (`null`, `~`, nothing), booleans (true/false in three spellings), decimal, 0x and 0o
#     integers, floats; anything else is a string (so `yes`/`on` are strings, as in YAML 1.2)
#   - block scalars `|` and `>` with chomping (`-`, `+`) and indentation indicators
#   - flow collections `[a, b]`, `{a: 1}`, nested, over several lines
#   - comments, `---` / `...` markers, `%` directives
# Not read (an error naming the line): anchors and aliases, tags, `? ` complex keys, several
# documents in one string, tabs in indentation, duplicate keys, .inf and .nan.
_:
text:
let
  inherit (builtins) match elemAt length substring stringLength filter foldl' concatStringsSep
    replaceStrings split isList isString fromJSON listToAttrs genList head;

  fail = n: msg: throw "fromYaml: line ${toString n}: ${msg}";

  # Lines with their number, indentation and text; `blank` lines hold nothing but a comment.
  allLines = genList
    (i:
      let
        raw = elemAt rawLines i;
        m = match "( *)(.*)" raw;
        rest = elemAt m 1;
      in {
        n = i + 1;
        inherit raw;
        indent = stringLength (elemAt m 0);
        text = rest;
        blank = match "[ \t]*(#.*)?" rest != null;
      })
    (length rawLines);
  rawLines = filter isString (split "\r?\n" text);

  isDocStart = l: l.indent == 0 && match "---([ \t].*)?" l.text != null;
  isDocEnd = l: l.indent == 0 && match "\\.\\.\\.([ \t].*)?" l.text != null;
  isDirective = l: l.indent == 0 && match "%.*" l.text != null;

  # The document's lines: directives and a first `---` dropped, stopping at `...`.
  docLines =
    let
      leading = filter (l: !(l.blank || isDirective l)) allLines;
      startN = if leading != [ ] && isDocStart (head leading) then (head leading).n else 0;
      markers = filter (l: l.n > startN && (isDocEnd l || isDocStart l)) allLines;
      endN = if markers == [ ] then N0 + 1
        else if isDocStart (head markers) then fail (head markers).n "several documents are not supported"
        else (head markers).n;
    in filter (l: l.n > startN && l.n < endN) allLines;
  N0 = length allLines;

  lines = docLines;
  N = length lines;
  L = i: elemAt lines i;

  # Index of the first line at or after i that holds something, or N.
  nextContent = i: if i >= N then N else if (L i).blank then nextContent (i + 1) else i;

  checkTabs = l: if match "\t.*" l.text != null && !l.blank
    then fail l.n "tabs are not allowed in indentation" else l;

  # Text without a trailing comment (a `#` after a space) and trailing spaces.
  plainPart = n: s:
    let m = match "([^ #]([^ ]|[ ]+[^ #])*)?[ ]*(#.*)?" s;
    in if m == null then fail n "cannot read: ${s}"
       else if elemAt m 0 == null then "" else elemAt m 0;

  isSeqItem = t: match "-([ ].*)?" t != null;

  # key: value  →  { key; rest } or null. Plain keys end at the first ": " (or ":" at the end).
  splitKey = t:
    let
      dq = match "\"(([^\"\\\\]|\\\\.)*)\"[ ]*:([ ].*)?" t;
      sq = match "'(([^']|'')*)'[ ]*:([ ].*)?" t;
      pl = match "([^][{}, #\"'&*!|>%@`?:-]([^:]|:[^ ])*|[-?:][^ ]([^:]|:[^ ])*)[ ]*:([ ].*)?" t;
      restOf = r: if r == null then "" else r;
    in if dq != null then { key = unescapeDouble (elemAt dq 0); rest = restOf (elemAt dq 2); }
       else if sq != null then { key = replaceStrings [ "''" ] [ "'" ] (elemAt sq 0); rest = restOf (elemAt sq 2); }
       else if pl != null then { key = trimEnd (elemAt pl 0); rest = restOf (elemAt pl 3); }
       else null;

  trimEnd = s: let m = match "(.*[^ ])?[ ]*" s; in if elemAt m 0 == null then "" else elemAt m 0;
  trim = s: let m = match "[ ]*(.*[^ ])?[ ]*" s; in if elemAt m 0 == null then "" else elemAt m 0;
  isMapLine = t: splitKey t != null;

  # --- scalars ------------------------------------------------------------------------------

  hexDigits = { "0" = 0; "1" = 1; "2" = 2; "3" = 3; "4" = 4; "5" = 5; "6" = 6; "7" = 7;
    "8" = 8; "9" = 9; a = 10; b = 11; c = 12; d = 13; e = 14; f = 15;
    A = 10; B = 11; C = 12; D = 13; E = 14; F = 15; };
  chars = s: genList (i: substring i 1 s) (stringLength s);
  parseBase' = base: digits: foldl' (acc: c: acc * base + hexDigits.${c}) 0 (chars digits);
  sign = s: if s == "-" then -1 else 1;

  # A plain scalar resolved with the YAML 1.2 core schema.
  resolvePlain = n: s:
    let
      hex = match "([-+]?)0x([0-9a-fA-F]+)" s;
      oct = match "([-+]?)0o([0-7]+)" s;
      dec = match "([-+]?)([0-9]+)" s;
      flt = match "([-+]?)([0-9]*)(\\.[0-9]*)?([eE][-+]?[0-9]+)?" s;
      fltJson = sgn: int: frac: exp:
        "${if sgn == "-" then "-" else ""}${if int == "" then "0" else int}"
        + ".${let f = substring 1 (stringLength frac) frac; in if f == "" then "0" else f}"
        + (if exp == null then "" else exp);
    in
    if match "null|Null|NULL|~|" s != null then null
    else if match "true|True|TRUE" s != null then true
    else if match "false|False|FALSE" s != null then false
    else if dec != null then fromJSON (if elemAt dec 0 == "-" then "-${elemAt dec 1}" else elemAt dec 1)
    else if hex != null then sign (elemAt hex 0) * parseBase' 16 (elemAt hex 1)
    else if oct != null then sign (elemAt oct 0) * parseBase' 8 (elemAt oct 1)
    else if flt != null && (elemAt flt 1 != "" || (elemAt flt 2 != null && elemAt flt 2 != "."))
      && (elemAt flt 2 != null || elemAt flt 3 != null)
    then fromJSON (fltJson (elemAt flt 0) (elemAt flt 1) (if elemAt flt 2 == null then "." else elemAt flt 2) (elemAt flt 3))
    else if match "[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)" s != null
    then fail n "${s} has no Nix value"
    else s;

  escapes = { "0" = "\\u0000"; a = "\\u0007"; b = "\\b"; t = "\\t"; "\t" = "\\t"; n = "\\n";
    v = "\\u000b"; f = "\\f"; r = "\\r"; e = "\\u001b"; " " = " "; "\"" = "\\\""; "/" = "/";
    "\\" = "\\\\"; N = "\\u0085"; _ = "\\u00a0"; };
  # The body of a double-quoted scalar: YAML's escapes rewritten as JSON's and decoded.
  unescapeDouble = s:
    let
      parts = split "\\\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)" s;
      jsonOf = p:
        if isString p then replaceStrings [ "\\" "\"" "\t" "\n" "\r" ] [ "\\\\" "\\\"" "\\t" "\\n" "\\r" ] p
        else
          let e = head p; c = substring 0 1 e;
          in if c == "x" then "\\u00${substring 1 2 e}"
             else if c == "u" then "\\${e}"
             else if c == "U" then
               let cp = parseBase' 16 (substring 1 8 e);
               in if cp < 65536 then "\\u${substring 4 4 (substring 1 8 e)}"
                  else let v = cp - 65536; hi = 55296 + v / 1024; lo = 56320 + v - (v / 1024) * 1024;
                       in "\\u${toHex4 hi}\\u${toHex4 lo}"
             else escapes.${e} or (throw "fromYaml: unknown escape \\${e}");
    in fromJSON "\"${concatStringsSep "" (map jsonOf parts)}\"";
  toHex4 = v: let d = "0123456789abcdef"; h = i: substring (i) 1 d;
    in concatStringsSep "" (map (k: h (v / k - (v / (k * 16)) * 16)) [ 4096 256 16 1 ]);

  # --- flow collections ---------------------------------------------------------------------

  flowTokenRe = "(\"([^\"\\\\]|\\\\.)*\"|'([^']|'')*'|[][{},]|:|[^][{},:#\"' ]([^][{},:]|:[^] [{},])*)";
  # Tokens of a flow text, or null when a bracket is still open at the end (more lines needed).
  flowTokens = n: s:
    let
      parts = split flowTokenRe s;
      gaps = filter isString parts;
      toks = map (p: head p) (filter isList parts);
      badGap = filter (g: match "[ ]*" g == null) (if gaps == [ ] then [ ] else
        genList (i: elemAt gaps i) (length gaps - 1));
      lastGap = elemAt gaps (length gaps - 1);
    in if badGap != [ ] then fail n "cannot read flow collection near: ${head badGap}"
       else if match "[ ]*(#.*)?" lastGap == null then fail n "cannot read flow collection near: ${lastGap}"
       else toks;

  flowBalance = toks: foldl' (acc: t: if t == "[" || t == "{" then acc + 1 else if t == "]" || t == "}" then acc - 1 else acc) 0 toks;

  flowScalar = n: t:
    let c = substring 0 1 t;
    in if c == "\"" then unescapeDouble (substring 1 (stringLength t - 2) t)
       else if c == "'" then replaceStrings [ "''" ] [ "'" ] (substring 1 (stringLength t - 2) t)
       else resolvePlain n (trimEnd t);
  flowKey = n: t:
    let c = substring 0 1 t;
    in if c == "\"" || c == "'" then flowScalar n t else trimEnd t;

  # parseFlow toks i → { value; next }
  parseFlow = n: toks: i:
    let
      tok = j: if j < length toks then elemAt toks j else fail n "unterminated flow collection";
      t = tok i;
      seqItems = j: acc:
        let tj = tok j; in
        if tj == "]" then { value = acc; next = j + 1; }
        else
          let
            item = parseFlow n toks j;
            # `[a: 1]`: a single-pair mapping inside a sequence.
            pair = if tok item.next == ":" then
                let v = flowValueAfterColon (item.next + 1);
                in { value = { ${flowKey n tj} = v.value; }; next = v.next; }
              else item;
            after = tok pair.next;
          in if after == "," then seqItems (pair.next + 1) (acc ++ [ pair.value ])
             else if after == "]" then { value = acc ++ [ pair.value ]; next = pair.next + 1; }
             else fail n "expected , or ] in flow sequence, got: ${after}";
      flowValueAfterColon = j:
        let tj = tok j; in
        if tj == "," || tj == "}" || tj == "]" then { value = null; next = j; }
        else parseFlow n toks j;
      mapItems = j: acc:
        let tj = tok j; in
        if tj == "}" then { value = listToAttrs acc; next = j + 1; }
        else if tj == "," || tj == ":" || tj == "[" || tj == "{" || tj == "]" then fail n "unexpected ${tj} in flow mapping"
        else
          let
            key = flowKey n tj;
            v = if tok (j + 1) == ":" then flowValueAfterColon (j + 2) else { value = null; next = j + 1; };
            after = tok v.next;
            acc' = if builtins.any (e: e.name == key) acc then fail n "duplicate key: ${key}"
              else acc ++ [ { name = key; inherit (v) value; } ];
          in if after == "," then mapItems (v.next + 1) acc'
             else if after == "}" then { value = listToAttrs acc'; next = v.next + 1; }
             else fail n "expected , or } in flow mapping, got: ${after}";
    in
    if t == "[" then seqItems (i + 1) [ ]
    else if t == "{" then mapItems (i + 1) [ ]
    else if t == "]" || t == "}" || t == "," || t == ":" then fail n "unexpected ${t}"
    else { value = flowScalar n t; next = i + 1; };

  # A line of a flow collection without its comment (a `#` after a space, outside quotes).
  flowLineRe = let
      q = "\"([^\"\\\\]|\\\\.)*\"|'([^']|'')*'";
    in "(([^ #\"']|${q})([^ #\"']|[ ]+[^ #\"']|[ ]*(${q})|#)*)?[ ]*(#.*)?";
  stripFlowComment = s: let m = match flowLineRe s; in
    if m == null then s else if elemAt m 0 == null then "" else elemAt m 0;

  # A flow collection starting with `text` on line i, continued on following lines until closed.
  parseFlowLines = i: text0:
    let
      text = stripFlowComment text0;
      go = j: acc:
        let toks = flowTokens (L i).n acc;
        in if flowBalance toks <= 0 then
             let r = parseFlow (L i).n toks 0;
             in if r.next != length toks then fail (L i).n "unexpected text after flow collection"
                else { inherit (r) value; next = j + 1; }
           else if j + 1 >= N then fail (L i).n "unterminated flow collection"
           else go (j + 1) "${acc} ${stripFlowComment (L (j + 1)).text}";
    in go i text;

  # --- block scalars ------------------------------------------------------------------------

  # `|` or `>` header on line i; the content is the following lines indented more than `parent`.
  parseBlockScalar = i: parent: header:
    let
      h = match "([|>])([-+]?)([1-9]?)([-+]?)[ ]*(#.*)?" header;
      style = if h == null then fail (L i).n "bad block scalar header: ${header}" else elemAt h 0;
      chomp = let a = elemAt h 1; b = elemAt h 3; in if a != "" then a else b;
      explicit = elemAt h 2;
      isEmpty = l: match "[ ]*" l.raw != null;
      # The block: following lines that are empty or indented more than the parent.
      span = j: if j < N && (isEmpty (L j) || (L j).indent > parent) then span (j + 1) else j;
      end = span (i + 1);
      blockLines = genList (k: L (i + 1 + k)) (end - i - 1);
      firstNonEmpty = filter (l: !isEmpty l) blockLines;
      indent = if explicit != "" then (if parent < 0 then 0 else parent) + fromJSON explicit
        else if firstNonEmpty == [ ] then parent + 1 else (head firstNonEmpty).indent;
      texts = map (l: if isEmpty l then substring indent (stringLength l.raw) l.raw
        else if l.indent < indent then fail l.n "block scalar line indented less than its first line"
        else substring indent (stringLength l.raw) l.raw) blockLines;
      # Trailing empty lines are chomped separately.
      trailing = foldl' (acc: t: if t == "" then acc + 1 else 0) 0 texts;
      body = genList (k: elemAt texts k) (length texts - trailing);
      moreIndented = t: match "[ \t].*" t != null;
      folded = (foldl'
        (acc: t:
          if t == "" then acc // { empties = acc.empties + 1; }
          else if acc.prev == null then { out = acc.out + concatStringsSep "" (genList (_: "\n") acc.empties) + t; prev = t; empties = 0; }
          else
            let
              sep = if moreIndented acc.prev || moreIndented t
                then concatStringsSep "" (genList (_: "\n") (acc.empties + 1))
                else if acc.empties == 0 then " "
                else concatStringsSep "" (genList (_: "\n") acc.empties);
            in { out = acc.out + sep + t; prev = t; empties = 0; })
        { out = ""; prev = null; empties = 0; } body).out;
      content = if style == "|" then concatStringsSep "\n" body else folded;
      newlines = k: concatStringsSep "" (genList (_: "\n") k);
      value =
        if body == [ ] then (if chomp == "+" then newlines trailing else "")
        else if chomp == "-" then content
        else if chomp == "+" then content + "\n" + newlines trailing
        else content + "\n";
    in { inherit value; next = end; };

  # --- inline values ------------------------------------------------------------------------

  # A value written on line i starting with `text`; `parent` is the indentation of the node
  # holding it (continuation lines of plain and quoted scalars are indented more).
  parseInline = i: parent: text:
    let
      c = substring 0 1 text;
      n = (L i).n;
      # Following lines indented more than the parent (blank ones included), up to the next
      # line that is not.
      contEnd = j: if j < N && ((L j).blank && match "[ ]*" (L j).raw != null || (L j).indent > parent) && !(isComment (L j))
        then contEnd (j + 1) else j;
      isComment = l: match "[ ]*#.*" l.raw != null;
      foldLines = first: ls:
        (foldl'
          (acc: t:
            if t == "" then acc // { empties = acc.empties + 1; }
            else { out = acc.out + (if acc.empties == 0 then " " else concatStringsSep "" (genList (_: "\n") acc.empties)) + t; empties = 0; })
          { out = first; empties = 0; } ls).out;
      quoted = re: unq: 
        let
          go = j: acc:
            let m = match re acc;
            in if m != null then { value = unq (elemAt m 0); next = j + 1; }
               else if j + 1 >= N then fail n "unterminated quoted scalar"
               else go (j + 1) (foldLines acc [ (trim (L (j + 1)).raw) ]);
        in go i text;
    in
    if c == "\"" then quoted "\"(([^\"\\\\]|\\\\.)*)\"[ ]*(#.*)?" unescapeDouble
    else if c == "'" then quoted "'(([^']|'')*)'[ ]*(#.*)?" (replaceStrings [ "''" ] [ "'" ])
    else if c == "[" || c == "{" then parseFlowLines i text
    else if c == "|" || c == ">" then parseBlockScalar i parent text
    else if c == "&" || c == "*" then fail n "anchors and aliases are not supported"
    else if c == "!" then fail n "tags are not supported"
    else if c == "?" && match "\\?([ ].*)?" text != null then fail n "complex keys (? ) are not supported"
    else if c == "@" || c == "`" then fail n "${c} cannot start a plain scalar"
    else
      let
        first = plainPart n text;
        end = contEnd (i + 1);
        more = map (l: if l.blank then "" else plainPart l.n (trim l.text)) (genList (k: L (i + 1 + k)) (end - i - 1));
        # Trailing blank lines are not part of the scalar.
        lastContent = foldl' (acc: k: if (elemAt more k) != "" then k + 1 else acc) 0 (genList (k: k) (length more));
        used = genList (k: elemAt more k) lastContent;
        s = foldLines first used;
      in { value = if used == [ ] then resolvePlain n first else s; next = i + 1 + lastContent; };

  # --- block collections --------------------------------------------------------------------

  # The node whose first line is line i, where its text (`text`) starts at column `ind`.
  parseNode = i: ind: text: parent:
    if isSeqItem text then parseSeq i ind text
    else if isMapLine text then parseMap i ind text
    else parseInline i parent text;

  # A node nested under a line at indentation `parent`, starting after line i (or null).
  parseNested = i: parent: allowSeqAtParent:
    let j = nextContent (i + 1); l = L j;
    in if j >= N then { value = null; next = j; }
       else if (checkTabs l).indent > parent then parseNode j l.indent l.text parent
       else if allowSeqAtParent && l.indent == parent && isSeqItem l.text then parseSeq j l.indent l.text
       else { value = null; next = i + 1; };

  parseSeq = i0: ind: text0:
    let
      item = i: text:
        let
          m = match "-([ ]+(.*))?" text;
          rest = if elemAt m 1 == null then "" else elemAt m 1;
          spaces = stringLength (elemAt m 0) - stringLength rest;
        in if rest == "" || match "#.*" rest != null then parseNested i ind false
           else parseNode i (ind + 1 + spaces) rest ind;
      go = i: text: acc:
        let
          r = item i text;
          j = nextContent r.next;
          l = L j;
          acc' = acc ++ [ r.value ];
        in if j >= N || l.indent < ind then { value = acc'; next = j; }
           else if l.indent == ind && isSeqItem l.text then go j l.text acc'
           else if l.indent == ind then { value = acc'; next = j; }
           else fail l.n "unexpected indentation";
    in go i0 text0 [ ];

  parseMap = i0: ind: text0:
    let
      entry = i: text:
        let
          kv = splitKey text;
          rest = trim kv.rest;
          v = if rest == "" || match "#.*" rest != null then parseNested i ind true
            else parseInline i ind rest;
        in { name = kv.key; inherit (v) value next; };
      go = i: text: acc: seen:
        let
          e = if isMapLine text then entry i text else fail (L i).n "expected a mapping key: ${text}";
          seen' = if seen ? ${e.name} then fail (L i).n "duplicate key: ${e.name}" else seen // { ${e.name} = true; };
          j = nextContent e.next;
          l = L j;
          acc' = acc ++ [ { inherit (e) name value; } ];
        in if j >= N || l.indent < ind then { value = listToAttrs acc'; next = j; }
           else if l.indent == ind && !isSeqItem l.text then go j l.text acc' seen'
           else fail l.n "unexpected indentation or sequence item in a mapping";
    in go i0 text0 [ ] { };

  start = nextContent 0;
  result =
    if start >= N then { value = null; next = N; }
    else let l = checkTabs (L start); in parseNode start l.indent l.text (-1);
  trailingLine = nextContent result.next;
in
if trailingLine < N then fail (L trailingLine).n "unexpected content: ${(L trailingLine).text}"
else result.value
