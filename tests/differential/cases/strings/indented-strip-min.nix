''
      four
    two
        six
''
