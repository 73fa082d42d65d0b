{ x = [ { y = "deep"; } ]; }
