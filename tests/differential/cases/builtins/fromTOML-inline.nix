builtins.fromTOML ''
  a = 1
  b = "two"
  c = [ 1.5, true ]
  [d.e]
  f = 'lit'
  [[arr]]
  x = 1
  [[arr]]
  x = 2
''
