# attrsGet set name default: set.${name} when present, else default.
_: attrset: name: default:
if builtins.hasAttr name attrset then builtins.getAttr name attrset else default
