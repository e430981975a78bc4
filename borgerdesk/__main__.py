from borgerdesk.cli import main

main()
