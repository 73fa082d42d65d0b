let k = "b"; s = { ab = 7; }; in s."a${k}"
