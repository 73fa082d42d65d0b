''
  a ''$ b
  c ''' d
  e ''\n f ''\t g ''\r h ''\\ i
  j ''\x k
''
