let
  a = 1;
  b = {
    c = a + "text";
  };
in b.c
