{ x, y }: [ "a\nb\"c\${d}" "x${y}z" ''
  indented ${x}
   more ''$ end '''
'' "" ]
