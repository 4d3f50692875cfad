from firstcontact.cli import main

main()
