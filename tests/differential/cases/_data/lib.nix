{ answer = 42; greet = name: "hi ${name}"; }
