''
  hello
    world
  !
''
