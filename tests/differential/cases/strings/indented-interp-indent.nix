let x = "a\nb"; in ''
    foo
      ${x}
    bar
''
