# sublist list start end: the elements of list from index start to end - 1.
_: list: start: end:
builtins.genList (i: builtins.elemAt list (start + i)) (if end > start then end - start else 0)
