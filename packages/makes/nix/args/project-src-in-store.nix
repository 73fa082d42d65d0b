# projectSrcInStore: the project directory copied into the store (its .git and an m store inside
# it left out, as projectPath "/" does).
{ projectPath, ... }: projectPath "/"
